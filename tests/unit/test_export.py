"""`kadmin.ops.export`: a cluster snapshot → spec documents, and back through the real loader and differ.

The round-trip tests are the contract: export a snapshot, load the YAML with
`load_specs`, diff it against the same snapshot, and the plan must be empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kadmin.core.kafka_configs import CATALOG, canonical
from kadmin.core.model import Broker, ClusterState, ConfigEntry, ConfigSource, ObservedTopic, Partition
from kadmin.ops.export import (
    duration,
    export_configs,
    export_spec,
    size,
    spec_document,
    spec_files,
    spec_value,
    to_yaml,
    topic_file,
    zones_from_racks,
)
from kadmin.plan.diff import diff
from kadmin.plan.identity import WrongClusterError, check_cluster
from kadmin.spec.configs import to_kafka
from kadmin.spec.load import load_specs
from kadmin.spec.units import parse_duration_ms, parse_size_bytes
from tests.fakes import InMemoryCluster

THREE_ZONES = tuple(Broker(i, f"zone-{'abc'[(i - 1) % 3]}") for i in range(1, 7))
"""Six brokers, two per zone: 1 and 4 in zone-a, 2 and 5 in zone-b, 3 and 6 in zone-c."""


def topic(
    name: str, *replicas: tuple[int, ...], overrides: Mapping[str, str] | None = None, **others: ConfigEntry
) -> ObservedTopic:
    configs = {k: ConfigEntry(v, ConfigSource.TOPIC) for k, v in (overrides or {}).items()}
    configs.update({k.replace("_", "."): e for k, e in others.items()})
    partitions = tuple(Partition(i, r, r, r[0]) for i, r in enumerate(replicas))
    return ObservedTopic(name, partitions, configs, internal=name.startswith("__"))


def cluster(*topics: ObservedTopic, brokers: tuple[Broker, ...] = THREE_ZONES) -> ClusterState:
    return ClusterState("test-cluster", brokers, {t.name: t for t in topics})


def round_trip(state: ClusterState, tmp_path: Path, *, split: bool = False) -> Any:
    exported = export_spec(state)
    if split:
        for name, document in spec_files(exported).items():
            (tmp_path / name).write_text(to_yaml(document))
    else:
        (tmp_path / "spec.yaml").write_text(to_yaml(spec_document(exported), header=["exported"]))
    desired = load_specs([tmp_path])
    return diff(desired, state)


VARIED = cluster(
    topic(
        "orders.created",
        (1, 2, 3),
        (2, 3, 1),
        (3, 1, 2),
        overrides={"retention.ms": "604800000", "segment.bytes": "1073741824", "min.insync.replicas": "2"},
    ),
    topic(
        "orders.compacted",
        (4, 5, 6),
        overrides={
            "cleanup.policy": "compact,delete",
            "min.cleanable.dirty.ratio": "0.1",
            "delete.retention.ms": "5400000",
            "max.message.bytes": "1048588",
            "retention.bytes": "-1",
            "compression.type": "zstd",
            "unclean.leader.election.enable": "false",
        },
    ),
    topic("payments-audit", (1,), (2,), (3,), (4,)),
    # Skewed: both replicas of partition 0 in zone-a (brokers 1 and 4).
    topic("skewed", (1, 4), (2, 3), overrides={"retention.ms": "1234567"}),
    topic(
        "inherits",
        (1, 2),
        min_insync_replicas=ConfigEntry("2", ConfigSource.BROKER),
        retention_ms=ConfigEntry("604800000", ConfigSource.DEFAULT),
    ),
    topic("__consumer_offsets", (1, 2, 3)),
)


def test_round_trip_of_varied_topics_plans_no_changes(tmp_path: Path) -> None:
    plan = round_trip(VARIED, tmp_path)
    assert plan.actions == ()
    assert plan.refusals == ()
    assert plan.notices == ()


def test_round_trip_through_split_files_plans_no_changes(tmp_path: Path) -> None:
    plan = round_trip(VARIED, tmp_path, split=True)
    assert (plan.actions, plan.refusals, plan.notices) == ((), (), ())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cluster.yaml", "topics-orders.yaml", "topics.yaml"]


def test_round_trip_without_racks_writes_no_zones(tmp_path: Path) -> None:
    brokers = (Broker(1, None), Broker(2, None), Broker(3, None))
    state = cluster(topic("a", (1, 2), (2, 3)), topic("b", (3,)), brokers=brokers)
    exported = export_spec(state)
    assert dict(exported.cluster) == {}
    assert "cluster" not in spec_document(exported)
    plan = round_trip(state, tmp_path)
    assert (plan.actions, plan.refusals) == ((), ())


def test_the_export_is_pinned_to_its_cluster_by_id(tmp_path: Path) -> None:
    real_id = "Lm3vLjLXSK-NtEk2n6lfwg"
    state = ClusterState(real_id, THREE_ZONES, {"a": topic("a", (1, 2, 3))})
    exported = export_spec(state)
    assert exported.cluster["id"] == real_id
    (tmp_path / "spec.yaml").write_text(to_yaml(spec_document(exported)))
    spec = load_specs([tmp_path]).cluster
    assert spec.id == real_id
    check_cluster(spec, real_id, "127.0.0.1:9092")
    with pytest.raises(WrongClusterError, match="Xq3AhV0cSOmQ1vYb4kLTuA"):
        check_cluster(spec, "Xq3AhV0cSOmQ1vYb4kLTuA", "127.0.0.1:9092")


def test_a_change_after_export_shows_in_the_plan(tmp_path: Path) -> None:
    # The round trip is not vacuous: the same spec against a changed cluster plans work.
    exported = export_spec(VARIED)
    (tmp_path / "spec.yaml").write_text(to_yaml(spec_document(exported)))
    changed = dict(VARIED.topics)
    changed["orders.created"] = topic(
        "orders.created", (1, 2, 3), (2, 3, 1), (3, 1, 2), overrides={"retention.ms": "1000"}
    )
    plan = diff(load_specs([tmp_path]), ClusterState(VARIED.cluster_id, VARIED.brokers, changed))
    assert [a.kind for a in plan.actions] == ["alter_configs"]


def test_only_topic_level_overrides_are_exported() -> None:
    exported = export_spec(VARIED)
    assert "configs" not in exported.topics["inherits"]
    assert exported.topics["orders.created"]["configs"] == {
        "min.insync.replicas": 2,
        "retention.ms": "7d",
        "segment.bytes": "1GiB",
    }
    assert exported.topics["orders.compacted"]["configs"] == {
        "cleanup.policy": ["compact", "delete"],
        "compression.type": "zstd",
        "delete.retention.ms": "90m",
        "max.message.bytes": 1048588,
        "min.cleanable.dirty.ratio": 0.1,
        "retention.bytes": -1,
        "unclean.leader.election.enable": False,
    }


def test_internal_topics_are_left_out_and_counted() -> None:
    exported = export_spec(VARIED)
    assert "__consumer_offsets" not in exported.topics
    assert exported.skipped_internal == 1


def test_topics_regex_matches_whole_names() -> None:
    assert sorted(export_spec(VARIED, topics=r"orders\..*").topics) == ["orders.compacted", "orders.created"]
    assert list(export_spec(VARIED, topics="orders").topics) == []
    assert list(export_spec(VARIED, topics=re.compile("skew.*")).topics) == ["skewed"]


def test_replica_lists_only_where_spread_is_not_satisfied() -> None:
    exported = export_spec(VARIED)
    assert exported.static_topics == ("skewed",)
    assert exported.topics["skewed"]["placement"] == {"replicas": [[1, 4], [2, 3]]}
    for name in ("orders.created", "orders.compacted", "payments-audit", "inherits"):
        assert "placement" not in exported.topics[name], name


def test_partitions_and_replication_factor_come_from_the_assignment() -> None:
    exported = export_spec(VARIED)
    assert exported.topics["orders.created"]["partitions"] == 3
    assert exported.topics["orders.created"]["replication_factor"] == 3
    assert exported.topics["payments-audit"]["partitions"] == 4
    assert exported.topics["payments-audit"]["replication_factor"] == 1


def test_zones_come_from_racks() -> None:
    assert zones_from_racks(VARIED) == {"zone-a": (1, 4), "zone-b": (2, 5), "zone-c": (3, 6)}
    partial = cluster(brokers=(Broker(1, "zone-a"), Broker(2, None)))
    assert zones_from_racks(partial) == {}


def test_unknown_removed_and_sensitive_configs_are_left_out_with_a_warning() -> None:
    observed = topic(
        "t",
        (1,),
        overrides={"message.format.version": "3.0-IV1", "made.up.key": "1", "retention.ms": "60000"},
        **{"retention_bytes": ConfigEntry("12", ConfigSource.TOPIC, sensitive=True)},
    )
    warnings: list[str] = []
    assert export_configs(observed, warnings) == {"retention.ms": "1m"}
    assert len(warnings) == 3
    assert any("message.format.version" in w and "KIP-724" in w for w in warnings)
    assert any("made.up.key" in w for w in warnings)
    assert any("retention.bytes" in w and "sensitive" in w for w in warnings)


def test_a_value_the_spec_cannot_express_is_left_out() -> None:
    # Kafka takes any negative retention.bytes as "no limit"; the spec only accepts -1.
    warnings: list[str] = []
    observed = topic("t", (1,), overrides={"retention.bytes": "-5"})
    assert export_configs(observed, warnings) == {}
    assert "retention.bytes" in warnings[0]


@pytest.mark.parametrize(
    ("ms", "written"),
    [
        (604_800_000, "7d"),
        (1_209_600_000, "14d"),
        (86_400_000, "1d"),
        (5_400_000, "90m"),
        (3_600_000, "1h"),
        (90_000, "90s"),
        (1_500, 1500),
        (999, 999),
        (0, 0),
        (-1, -1),
        (2**63 - 1, 2**63 - 1),
    ],
)
def test_durations_use_the_largest_exact_unit(ms: int, written: int | str) -> None:
    assert duration(ms) == written
    assert parse_duration_ms(str(written)) == ms


@pytest.mark.parametrize(
    ("n", "written"),
    [
        (1_073_741_824, "1GiB"),
        (1_048_576, "1MiB"),
        (4096, "4KiB"),
        (1_000_000, "1MB"),
        (500_000_000, "500MB"),
        (1_048_588, 1_048_588),
        (512, 512),
        (-1, -1),
        (-2, -2),
    ],
)
def test_sizes_prefer_binary_units_then_decimal(n: int, written: int | str) -> None:
    assert size(n) == written
    assert parse_size_bytes(str(written)) == n


SAMPLES = {
    "BOOLEAN": ["true", "false"],
    "INT": ["1", "4096", "1048576", "1073741824"],
    "LONG": ["0", "1000", "604800000", "1234567", "-1", str(2**63 - 1)],
    "DOUBLE": ["0.5", "0.1", "1.0E-4"],
    "STRING": [],
    "LIST": [],
}


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_catalog_key_reads_back_to_the_same_kafka_value(key: str) -> None:
    spec = CATALOG[key]
    values = [*SAMPLES[spec.type.name], spec.default, *spec.allowed]
    if spec.type.name == "LIST" and spec.allowed:
        values.append(",".join(spec.allowed))
    if key.endswith(".throttled.replicas"):
        values += ["0:1,1:2", "*"]
    checked = 0
    for value in values:
        if not value:
            continue
        exported = spec_value(spec, value)
        try:
            back = to_kafka(spec, exported)
        except ValueError:
            continue  # out of this key's range: not a value a cluster would report
        # Through YAML too: the written form must not change type on the way.
        reloaded = yaml.safe_load(to_yaml({"v": exported}))["v"]
        assert canonical(key, to_kafka(spec, reloaded)) == canonical(key, value), (value, exported)
        assert canonical(key, back) == canonical(key, value), (value, exported)
        checked += 1
    assert checked, key


def test_literal_variable_syntax_is_escaped() -> None:
    from kadmin.core.kafka_configs import TopicConfigKey

    free_text = TopicConfigKey("x", CATALOG["compression.type"].type, "", "")
    assert spec_value(free_text, "a${B}c") == "a$${B}c"


def test_topic_files_group_by_first_dotted_segment() -> None:
    assert topic_file("orders.created") == "topics-orders.yaml"
    assert topic_file("Orders.created") == "topics-orders.yaml"
    assert topic_file("payments-audit") == "topics.yaml"
    assert topic_file(".hidden") == "topics.yaml"


def test_yaml_uses_block_mappings_and_flow_lists() -> None:
    text = to_yaml(spec_document(export_spec(VARIED)), header=["line one", ""])
    assert text.startswith("# line one\n#\nversion: 1\n")
    assert "    zone-a: [1, 4]\n" in text
    assert "      cleanup.policy: [compact, delete]\n" in text
    assert "      - [1, 4]\n      - [2, 3]\n" in text
    assert "  payments-audit:\n    partitions: 4\n    replication_factor: 1\n" in text


# --- the command, over the in-memory fake of the port -------------------------------


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    from kadmin.cli import export_cmds

    admin = InMemoryCluster.from_state(VARIED)
    monkeypatch.setattr(export_cmds, "connect", lambda *_a, **_k: admin)
    return admin


def run(*args: str) -> Any:
    from kadmin.cli.app import app

    return CliRunner().invoke(app, ["export", *args])


def test_cli_prints_yaml_with_one_snapshot(fake: InMemoryCluster) -> None:
    result = run("-b", "x:1")
    assert result.exit_code == 0, result.output
    assert fake.methods() == ["snapshot"]
    document = yaml.safe_load(result.stdout)
    assert sorted(document["topics"]) == sorted(set(VARIED.topics) - {"__consumer_offsets"})
    assert "Exported 5 topic(s), 1 with explicit replica lists" in result.stderr


def test_cli_prints_json(fake: InMemoryCluster) -> None:
    result = run("-b", "x:1", "-o", "json", "--topics", "orders.*")
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.stdout)["topics"]) == ["orders.compacted", "orders.created"]


def test_cli_writes_a_directory_the_loader_reads(fake: InMemoryCluster, tmp_path: Path) -> None:
    out = tmp_path / "specs"
    result = run("-b", "x:1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "cluster.yaml").read_text().startswith("# kadmin spec exported from cluster test-cluster")
    plan = diff(load_specs([out]), VARIED)
    assert (plan.actions, plan.refusals) == ((), ())


def test_cli_refuses_a_directory_with_specs_unless_forced(fake: InMemoryCluster, tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("version: 1\n")
    refused = run("-b", "x:1", "--out", str(tmp_path))
    assert refused.exit_code == 1
    assert "already holds 1 spec file(s)" in refused.stderr
    assert "Traceback" not in refused.output
    assert fake.calls == []
    forced = run("-b", "x:1", "--out", str(tmp_path), "--force")
    assert forced.exit_code == 0, forced.output
    assert "also holds 1 other spec file(s)" in forced.stderr
    assert (tmp_path / "topics-orders.yaml").exists()


def test_cli_rejects_a_bad_regex_and_json_into_a_directory(fake: InMemoryCluster, tmp_path: Path) -> None:
    bad = run("-b", "x:1", "--topics", "orders(")
    assert bad.exit_code == 1
    assert "--topics: is not a valid regular expression" in bad.stderr
    both = run("-b", "x:1", "--out", str(tmp_path), "-o", "json")
    assert both.exit_code == 1
    assert fake.calls == []
