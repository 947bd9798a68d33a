"""Merging spec files into one desired state: precedence, origins, cross-file rules."""

from __future__ import annotations

import gc
import textwrap
from pathlib import Path

import pytest

from kadmin.core.errors import Location, SpecError
from kadmin.core.model import InZone, Spread, Static
from kadmin.spec.load import load_specs


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def problems(*paths: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_specs(list(paths), env={})
    return [str(p) for p in caught.value.problems]


LAYERS = """\
    version: 1
    defaults:
      partitions: 3
      replication_factor: 3
      configs:
        retention.ms: 7d
        min.insync.replicas: 2
    profiles:
      compacted:
        partitions: 6
        configs:
          cleanup.policy: compact
          retention.ms: -1
    topics:
      plain: {}
      state: {profile: compacted}
      special:
        profile: compacted
        partitions: 12
        configs: {retention.ms: 1d, segment.ms: 1h}
    """


def test_precedence_is_defaults_then_profile_then_topic(tmp_path: Path) -> None:
    state = load_specs([write(tmp_path, "s.yaml", LAYERS)], env={})
    plain, compacted, special = state.topics["plain"], state.topics["state"], state.topics["special"]
    assert (plain.partitions, plain.replication_factor, plain.profile) == (3, 3, None)
    assert dict(plain.configs) == {"retention.ms": "604800000", "min.insync.replicas": "2"}
    assert (compacted.partitions, compacted.profile) == (6, "compacted")
    assert dict(compacted.configs) == {
        "retention.ms": "-1",
        "min.insync.replicas": "2",
        "cleanup.policy": "compact",
    }
    assert special.partitions == 12
    assert dict(special.configs) == {
        "retention.ms": "86400000",
        "min.insync.replicas": "2",
        "cleanup.policy": "compact",
        "segment.ms": "3600000",
    }
    assert plain.placement == Spread()


def test_every_resolved_value_remembers_where_it_was_written(tmp_path: Path) -> None:
    file = write(tmp_path, "s.yaml", LAYERS)
    special = load_specs([file], env={}).topics["special"]
    assert special.origin == Location(file, 17, 3, "topics.special")
    assert special.origins["partitions"] == Location(file, 19, 17, "topics.special.partitions")
    assert special.origins["replication_factor"] == Location(file, 4, 23, "defaults.replication_factor")
    assert special.origins["configs.cleanup.policy"] == Location(
        file, 12, 23, "profiles.compacted.configs.cleanup.policy"
    )
    assert special.origins["configs.retention.ms"] == Location(
        file, 20, 29, "topics.special.configs.retention.ms"
    )
    assert special.where("placement") == Location(file, 17, 3, "topics.special.placement")


def test_files_merge_and_come_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path, "b-topics.yaml", "version: 1\ntopics: {orders: {partitions: 2}}\n")
    write(tmp_path, "a-defaults.yml", "version: 1\ndefaults: {replication_factor: 1}\n")
    write(tmp_path, "notes.md", "not read")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "ignored.yaml", "version: 2\n")
    state = load_specs([str(tmp_path)], env={})
    assert state.files == (str(tmp_path / "a-defaults.yml"), str(tmp_path / "b-topics.yaml"))
    assert state.topics["orders"].replication_factor == 1


def test_a_file_given_twice_is_read_once(tmp_path: Path) -> None:
    file = write(tmp_path, "s.yaml", "version: 1\ntopics: {orders: {partitions: 2, replication_factor: 1}}\n")
    assert load_specs([file, str(tmp_path)], env={}).files == (file,)


def test_missing_paths_and_empty_directories_are_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert problems(str(tmp_path / "nope.yaml"), str(tmp_path / "empty")) == [
        f"{tmp_path / 'empty'}: is a directory without *.yaml or *.yml files in it"
        " — point at the directory that holds your specs (subdirectories are not read)",
        f"{tmp_path / 'nope.yaml'}: does not exist — give spec files, or directories that hold them",
    ]


def test_a_problem_in_defaults_is_reported_once_not_per_topic(tmp_path: Path) -> None:
    topics = "".join(f"  t{i}: {{}}\n" for i in range(50))
    file = write(
        tmp_path,
        "s.yaml",
        "version: 1\n"
        "defaults: {partitions: 1, replication_factor: 1, configs: {retention.ms: 7 days}}\n"
        "topics:\n" + topics,
    )
    assert problems(file) == [
        f'{file}:2:74: defaults.configs.retention.ms: is not a duration (found "7 days")'
        " — write a whole number of milliseconds or a duration such as 500ms, 30s, 15m, 12h, 7d, 1h30m"
    ]


def test_a_broken_value_is_not_reported_again_as_missing(tmp_path: Path) -> None:
    file = write(
        tmp_path, "s.yaml", "version: 1\ntopics:\n  t: {partitions: twelve, replication_factor: 1}\n"
    )
    assert problems(file) == [
        f'{file}:3:19: topics.t.partitions: must be a whole number (found the text "twelve")'
    ]


def test_static_replica_lists_give_partitions_and_replication_when_more_specific(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "s.yaml",
        """\
        version: 1
        defaults: {partitions: 6, replication_factor: 3}
        topics:
          ledger:
            placement: {replicas: [[1, 2], [2, 1]]}
        """,
    )
    ledger = load_specs([file], env={}).topics["ledger"]
    assert (ledger.partitions, ledger.replication_factor) == (2, 2)
    assert ledger.placement == Static(((1, 2), (2, 1)))
    assert ledger.origins["partitions"] == ledger.origins["placement"]


def test_static_replica_lists_must_agree_with_values_beside_them(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "s.yaml",
        "version: 1\n"
        "topics:\n"
        "  ledger: {partitions: 3, replication_factor: 2, placement: {replicas: [[1, 2], [2, 1]]}}\n",
    )
    assert problems(file) == [
        f"{file}:3:61: topics.ledger.placement: gives 2 replica list(s) but topic ledger has 3 partition(s)"
        " — write one replica list per partition, in partition order"
    ]


def test_zone_placement_resolves_with_the_cluster_in_another_file(tmp_path: Path) -> None:
    write(tmp_path, "cluster.yaml", "version: 1\ncluster: {zones: {zone-a: [1, 2], zone-b: [3]}}\n")
    write(
        tmp_path,
        "topics.yaml",
        "version: 1\ntopics: {t: {partitions: 1, replication_factor: 2, placement: {zone: zone-a}}}\n",
    )
    state = load_specs([str(tmp_path)], env={})
    assert state.topics["t"].placement == InZone("zone-a")
    assert dict(state.cluster.zones) == {"zone-a": (1, 2), "zone-b": (3,)}
    assert state.cluster.zone_of(3) == "zone-b"


def test_profiles_are_unique_across_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "version: 1\nprofiles: {p: {partitions: 1}}\n")
    b = write(tmp_path, "b.yaml", "version: 1\nprofiles: {p: {partitions: 2}}\n")
    assert problems(str(tmp_path)) == [
        f"{b}:2:12: profiles.p: is declared a second time (first at {a}:2:12)"
        " — a profile is declared once, in one file"
    ]


def test_cluster_block_is_read_with_its_scope(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "c.yaml",
        """\
        version: 1
        cluster:
          name: prod-eu
          bootstrap: ${BOOT:-kafka:9092}
          manage: ['orders\\..*']
        """,
    )
    cluster = load_specs([file], env={}).cluster
    assert (cluster.name, cluster.bootstrap, cluster.manage) == ("prod-eu", "kafka:9092", ("orders\\..*",))
    assert cluster.origin == Location(file, 2, 1, "cluster")


def test_min_insync_replicas_is_checked_against_the_resolved_replication_factor(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "s.yaml",
        """\
        version: 1
        defaults: {partitions: 1, replication_factor: 3, configs: {min.insync.replicas: 2}}
        profiles:
          single: {replication_factor: 1, configs: {min.insync.replicas: 1}}
        topics:
          ok: {profile: single}
          bad: {replication_factor: 2, configs: {min.insync.replicas: 3}}
        """,
    )
    assert problems(file) == [
        f"{file}:7:63: topics.bad.configs.min.insync.replicas: min.insync.replicas 3 is more than the"
        " replication factor 2 — with acks=all every write would fail: lower min.insync.replicas or raise"
        " replication_factor"
    ]


def test_cross_config_rules_kafka_enforces(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "s.yaml",
        """\
        version: 1
        defaults: {partitions: 1, replication_factor: 1}
        topics:
          lag: {configs: {min.compaction.lag.ms: 2h, max.compaction.lag.ms: 1h}}
          tiered: {configs: {remote.storage.enable: true, cleanup.policy: compact}}
        """,
    )
    assert problems(file) == [
        f"{file}:4:42: topics.lag.configs.min.compaction.lag.ms: min.compaction.lag.ms 7200000 is more than"
        " max.compaction.lag.ms 3600000 — Kafka rejects this pair: make the minimum the smaller",
        f"{file}:5:45: topics.tiered.configs.remote.storage.enable: tiered storage needs"
        " cleanup.policy delete (found compact) — Kafka keeps compacted topics on local disk only:"
        " drop compact, or remote.storage.enable",
    ]


def test_empty_spec_is_an_empty_state(tmp_path: Path) -> None:
    state = load_specs([write(tmp_path, "s.yaml", "version: 1\n")], env={})
    assert (dict(state.topics), state.offset_resets, state.warnings) == ({}, (), ())


def test_environment_defaults_to_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KADMIN_TEST_PARTITIONS", "7")
    # Block style: in a {flow: mapping}, YAML would need the value quoted, which keeps it text.
    text = "version: 1\ntopics:\n  t:\n    partitions: ${KADMIN_TEST_PARTITIONS}\n    replication_factor: 1\n"
    file = write(tmp_path, "s.yaml", text)
    assert load_specs([file]).topics["t"].partitions == 7


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path, enabled: bool) -> None:
    good = write(tmp_path, "good.yaml", "version: 1\n")
    bad = write(tmp_path, "bad.yaml", "version: 2\n")
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        load_specs([good], env={})
        assert gc.isenabled() is enabled
        with pytest.raises(SpecError):
            load_specs([bad], env={})
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
