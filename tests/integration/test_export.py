"""`kadmin export` against real clusters: topics made without kadmin, exported, then planned.

The round trip must hold on the command line exactly as a user runs it: the exported
spec validates, and `kadmin plan` of it against the same cluster shows no changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from confluent_kafka import TopicPartition as KafkaPartition
from confluent_kafka.admin._config import ConfigResource
from confluent_kafka.admin._config import ConfigSource as KafkaConfigSource

from kadmin.core.actions import AlterConfigs, ConfigChange, CreateTopic

Kadmin = Callable[..., Any]


def create(kafka: Any, *topics: CreateTopic) -> None:
    outcomes = kafka.admin().create_topics(list(topics))
    assert all(o.ok for o in outcomes), outcomes


def export_and_plan(kafka: Any, ns: Any, kadmin: Kadmin, out: Path) -> tuple[Any, Any]:
    exported = kadmin("export", "-b", kafka.bootstrap, "--topics", f"{ns.prefix}\\..*", "--out", str(out))
    assert exported.code == 0, exported.stderr
    assert kadmin("validate", str(out)).code == 0
    planned = kadmin("plan", str(out), "-b", kafka.bootstrap, "--detailed-exitcode")
    return exported, planned


def test_round_trip_on_one_broker(kafka_single: Any, ns: Any, kadmin: Kadmin, tmp_path: Path) -> None:
    week, gib = "604800000", "1073741824"
    create(
        kafka_single,
        CreateTopic(ns.topic("orders.created"), 6, 1, {"retention.ms": week, "segment.bytes": gib}),
        CreateTopic(
            ns.topic("customers"),
            3,
            1,
            {
                "cleanup.policy": "compact",
                "min.cleanable.dirty.ratio": "0.2",
                "delete.retention.ms": "3600000",
                "max.message.bytes": "2097152",
            },
        ),
        CreateTopic(ns.topic("audit"), 1, 1, {"cleanup.policy": "compact,delete", "retention.bytes": "-1"}),
        CreateTopic(ns.topic("plain"), 2, 1),
    )
    exported, planned = export_and_plan(kafka_single, ns, kadmin, tmp_path / "specs")
    assert planned.code == 0, planned.stdout + planned.stderr
    assert "Exported 4 topic(s)" in exported.stderr

    documents = [yaml.safe_load(p.read_text()) for p in sorted((tmp_path / "specs").glob("*.yaml"))]
    topics = {name: body for d in documents for name, body in (d.get("topics") or {}).items()}
    assert topics[ns.topic("orders.created")] == {
        "partitions": 6,
        "replication_factor": 1,
        "configs": {"retention.ms": "7d", "segment.bytes": "1GiB"},
    }
    assert topics[ns.topic("customers")]["configs"] == {
        "cleanup.policy": ["compact"],
        "delete.retention.ms": "1h",
        "max.message.bytes": "2MiB",
        "min.cleanable.dirty.ratio": 0.2,
    }
    assert topics[ns.topic("plain")] == {"partitions": 2, "replication_factor": 1}

    # Not vacuous: after a change behind the spec's back, the same spec plans it away.
    kafka_single.admin().alter_configs(
        [AlterConfigs(ns.topic("orders.created"), (ConfigChange("retention.ms", week, "1000"),))]
    )
    changed = kadmin("plan", str(tmp_path / "specs"), "-b", kafka_single.bootstrap, "--detailed-exitcode")
    assert changed.code == 2, changed.stdout + changed.stderr


def test_round_trip_on_three_zones_with_skewed_placement(
    kafka_3zones: Any, ns3: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    create(
        kafka_3zones,
        CreateTopic(ns3.topic("replicated"), 3, 3, {"min.insync.replicas": "2", "retention.ms": "86400000"}),
        CreateTopic(ns3.topic("single"), 2, 1),
        # Every leader on broker 1: legal, but not what kadmin would choose. Exported as it is.
        CreateTopic(ns3.topic("skewed"), 3, 2, {}, ((1, 2), (1, 3), (1, 2))),
        CreateTopic(ns3.topic("pinned"), 2, 1, {}, ((3,), (3,))),
    )
    _, planned = export_and_plan(kafka_3zones, ns3, kadmin, tmp_path / "specs")
    assert planned.code == 0, planned.stdout + planned.stderr

    cluster = yaml.safe_load((tmp_path / "specs" / "cluster.yaml").read_text())
    assert cluster["cluster"]["zones"] == {"zone-a": [1], "zone-b": [2], "zone-c": [3]}
    # Pinned to the cluster it came from: planning it against another cluster is refused.
    assert cluster["cluster"]["id"] == kafka_3zones.admin().snapshot().cluster_id
    documents = [yaml.safe_load(p.read_text()) for p in sorted((tmp_path / "specs").glob("topics*.yaml"))]
    topics = {name: body for d in documents for name, body in d["topics"].items()}
    assert topics[ns3.topic("replicated")] == {
        "partitions": 3,
        "replication_factor": 3,
        "configs": {"min.insync.replicas": 2, "retention.ms": "1d"},
    }
    # min.insync.replicas is reported on every topic (a broker or default source); only overrides count.
    resource = ConfigResource(ConfigResource.Type.TOPIC, ns3.topic("single"))
    raw = kafka_3zones.raw_admin()  # kept referenced: a collected client cancels its futures
    (described,) = raw.describe_configs([resource]).values()
    reported = described.result(timeout=10)["min.insync.replicas"]
    assert reported.source != KafkaConfigSource.DYNAMIC_TOPIC_CONFIG.value
    single = kafka_3zones.admin().snapshot([ns3.topic("single")]).topics[ns3.topic("single")]
    assert "min.insync.replicas" not in single.configs
    assert "configs" not in topics[ns3.topic("single")]


def test_print_as_json_and_leave_internal_topics_out(
    kafka_single: Any, ns: Any, kadmin: Kadmin, tmp_path: Path
) -> None:
    topic, group = ns.topic("events"), ns.group("reader")
    create(kafka_single, CreateTopic(topic, 1, 1))
    consumer = kafka_single.consumer(group)
    try:
        # A commit makes sure __consumer_offsets exists on this cluster.
        consumer.commit(offsets=[KafkaPartition(topic, 0, 0)], asynchronous=False)
    finally:
        consumer.close()
    as_json = kadmin("export", "-b", kafka_single.bootstrap, "-o", "json")
    assert as_json.code == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["version"] == 1
    assert topic in document["topics"]
    assert not [name for name in document["topics"] if name.startswith("__")]
    assert "internal topic(s)" in as_json.stderr

    as_yaml = kadmin("export", "-b", kafka_single.bootstrap, "--topics", topic)
    assert yaml.safe_load(as_yaml.stdout)["topics"] == {topic: {"partitions": 1, "replication_factor": 1}}
