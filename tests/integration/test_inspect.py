"""`kadmin topics`, `kadmin describe topic` and `kadmin groups` on real Kafka.

The broker-outage test stops a broker, so it runs on a 3-node cluster of its own,
started once for this module; the shared session clusters are never stopped.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from confluent_kafka import TopicPartition
from confluent_kafka.admin import NewTopic

from kadmin.core.model import ObservedTopic
from kadmin.local.cluster import LocalCluster
from tests.integration.conftest import CliRun, KafkaHandle, Namespace, eventually

Kadmin = Callable[..., CliRun]


def create(kafka: KafkaHandle, name: str, partitions: int, rf: int, **configs: str) -> None:
    raw = kafka.raw_admin()
    raw.create_topics([NewTopic(name, partitions, rf, config=configs)])[name].result(timeout=30)
    eventually(lambda: kafka.admin().snapshot([name]).topics[name])


def produce(kafka: KafkaHandle, topic: str, counts: dict[int, int]) -> None:
    producer = kafka.producer()
    for partition, count in counts.items():
        for i in range(count):
            producer.produce(topic, value=f"m{i}".encode(), partition=partition)
    assert producer.flush(30) == 0


def commit(kafka: KafkaHandle, group: str, offsets: dict[tuple[str, int], int]) -> None:
    """Commit `offsets` as a member of `group`, then leave it Empty.

    A member joins first: on a fresh Kafka 4 cluster a group that only ever had offsets
    committed from outside (no member) was gone from listings, and its offsets with it,
    once its coordinator moved.
    """
    consumer = kafka.consumer(group)
    try:
        consumer.subscribe(sorted({t for t, _ in offsets}))
        deadline = time.monotonic() + 30
        while not consumer.assignment():
            assert time.monotonic() < deadline, f"group {group} got no assignment within 30 s"
            consumer.poll(0.2)
        consumer.commit(
            offsets=[TopicPartition(t, p, o) for (t, p), o in offsets.items()], asynchronous=False
        )
    finally:
        consumer.close()


def test_groups_show_the_exact_lag_of_a_group_behind_its_topic(ns3: Namespace, kadmin: Kadmin) -> None:
    topic, group = ns3.topic("orders"), ns3.group("billing")
    create(ns3.kafka, topic, 2, 3)
    produce(ns3.kafka, topic, {0: 10, 1: 5})
    commit(ns3.kafka, group, {(topic, 0): 4, (topic, 1): 5})
    env = {"KADMIN_BOOTSTRAP_SERVER": ns3.kafka.bootstrap}

    run = kadmin("groups", "--match", re.escape(group), "-o", "json", env=env)
    assert run.code == 0, run.stderr
    [found] = json.loads(run.stdout)["groups"]
    assert (found["group"], found["state"], found["members"], found["lag"]) == (group, "Empty", 0, 6)
    assert found["topics"] == [topic]

    run = kadmin("groups", "--match", re.escape(group), env=env)
    assert re.search(rf"^{re.escape(group)}\s+Empty\s+\S+\s+0\s+1\s+6$", run.stdout, re.M), run.stdout

    run = kadmin("groups", "describe", group, "-o", "json", env=env)
    assert run.code == 0, run.stderr
    rows = {
        p["partition"]: (p["committed"], p["log_end"], p["lag"]) for p in json.loads(run.stdout)["partitions"]
    }
    assert rows == {0: (4, 10, 6), 1: (5, 5, 0)}

    run = kadmin("offsets", "show", "-o", "json", "--timeout", "20", env=env)
    assert run.code == 0, run.stderr
    assert group in [g["group"] for g in json.loads(run.stdout)["groups"]]


def test_describe_topic_shows_partitions_configs_with_their_source_offsets_and_consumers(
    ns3: Namespace, kadmin: Kadmin
) -> None:
    topic, group = ns3.topic("events"), ns3.group("reader")
    create(ns3.kafka, topic, 3, 3, **{"retention.ms": "3600000"})
    produce(ns3.kafka, topic, {0: 3, 2: 1})
    commit(ns3.kafka, group, {(topic, 0): 1})
    env = {"KADMIN_BOOTSTRAP_SERVER": ns3.kafka.bootstrap}

    run = kadmin("describe", "topic", topic, "-o", "json", env=env)
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert (doc["partitions"], doc["replication_factor"], doc["zones_spanned"]) == (3, 3, 3)
    details = {p["partition"]: p for p in doc["partition_details"]}
    assert [details[p]["log_end"] for p in (0, 1, 2)] == [3, 0, 1]
    assert all(sorted(set(p["zones"])) == ["zone-a", "zone-b", "zone-c"] for p in details.values())
    configs = {c["name"]: c for c in doc["configs"]}
    assert (configs["retention.ms"]["value"], configs["retention.ms"]["source"]) == ("3600000", "override")
    # Kafka 4.x reports min.insync.replicas on every topic with a cluster-default source.
    assert configs["min.insync.replicas"]["source"] == "broker"
    assert configs["min.insync.replicas"]["kafka_source"] == "DYNAMIC_DEFAULT_BROKER_CONFIG"
    assert configs["segment.ms"]["source"] == "default"
    assert doc["consumer_groups"] == [{"group": group, "state": "Empty", "members": 0, "lag": 2}]
    assert doc["size_bytes"] > 0

    run = kadmin("describe", "topic", ns3.topic("missing"), env=env)
    assert run.code == 1
    assert f"topic {ns3.topic('missing')}: no such topic" in run.stderr


# --- a broker stopped, on a cluster of this module's own --------------------------------


@pytest.fixture(scope="module")
def outage_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaHandle]:
    directory: Path = tmp_path_factory.mktemp("kafka-outage")
    cluster = LocalCluster(directory, nodes=3, bound_to_owner=True)
    info = cluster.start()
    try:
        yield KafkaHandle(info.bootstrap, info)
    finally:
        cluster.stop()


def shown(kafka: KafkaHandle, name: str) -> ObservedTopic:
    return kafka.admin().snapshot([name]).topics[name]


def _stop_broker(pid: int, timeout: float = 60.0) -> None:
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":
            return
        time.sleep(0.2)
    raise AssertionError(f"broker pid {pid} still running {timeout:.0f} s after SIGTERM")


def test_a_stopped_broker_shows_as_under_replicated_and_offline_partitions(
    outage_cluster: KafkaHandle, kadmin: Kadmin
) -> None:
    assert outage_cluster.info is not None
    create(outage_cluster, "spread", 3, 3)
    raw = outage_cluster.raw_admin()
    for name, broker in (("only-on-3", 3), ("only-on-1", 1)):
        raw.create_topics([NewTopic(name, 1, replica_assignment=[[broker]])])[name].result(timeout=30)
        eventually(functools.partial(shown, outage_cluster, name))
    env = {"KADMIN_BOOTSTRAP_SERVER": outage_cluster.info.nodes[0].bootstrap}

    before = kadmin("topics", "--under-replicated", "-o", "json", env=env)
    assert before.code == 0, before.stderr
    assert json.loads(before.stdout)["topics"] == []

    [node3] = [n for n in outage_cluster.info.nodes if n.node_id == 3]
    _stop_broker(node3.pid)

    def listed() -> dict[str, dict[str, object]]:
        run = kadmin("topics", "--under-replicated", "-o", "json", "--timeout", "10", env=env)
        assert run.code == 0, run.stderr
        found = {t["name"]: t for t in json.loads(run.stdout)["topics"]}
        assert found.get("spread", {}).get("under_replicated") == [0, 1, 2]
        assert found.get("only-on-3", {}).get("offline") == [0]
        return found

    found = eventually(listed, timeout=60)
    spread = found["spread"]["unhealthy_partitions"]
    assert isinstance(spread, list)
    assert all(3 in p["replicas"] and 3 not in p["isr"] for p in spread)

    text = kadmin("topics", "--under-replicated", env=env)
    assert re.search(r"^  spread\[0\]\s+\d\s+\S+\s+\S+\s+under-replicated$", text.stdout, re.M), text.stdout
    assert re.search(r"^  only-on-3\[0\]\s+-\s+3\s+\S+\s+offline$", text.stdout, re.M), text.stdout

    unavailable = kadmin("topics", "--unavailable", "-o", "json", env=env)
    assert [t["name"] for t in json.loads(unavailable.stdout)["topics"]] == ["only-on-3"]
