"""The local clusters themselves: zones, data flow, the `kadmin local` commands, failures."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import TopicCollection
from confluent_kafka.admin import NewTopic
from typer.testing import CliRunner

from kadmin.cli.app import app
from kadmin.core.actions import CreateTopic
from kadmin.core.errors import LocalClusterError
from kadmin.local.cluster import LocalCluster, running_nodes
from kadmin.local.record import read_info

from .conftest import KafkaHandle, Namespace, eventually, run_kadmin


def test_three_zone_cluster_places_rf3_replicas_in_three_racks(
    kafka_3zones: KafkaHandle, ns3: Namespace
) -> None:
    raw = kafka_3zones.raw_admin()
    topic = ns3.topic("spread")
    raw.create_topics([NewTopic(topic, 6, 3)])[topic].result(timeout=30)

    racks = {n.id: n.rack for n in raw.describe_cluster().result(timeout=10).nodes}
    assert sorted(racks.values()) == ["zone-a", "zone-b", "zone-c"]
    described = eventually(lambda: raw.describe_topics(TopicCollection([topic]))[topic].result(timeout=10))
    assert len(described.partitions) == 6
    for partition in described.partitions:
        brokers = [r.id for r in partition.replicas]
        assert len(set(brokers)) == 3
        assert {racks[b] for b in brokers} == {"zone-a", "zone-b", "zone-c"}


def test_messages_flow_through_a_replicated_topic(kafka_3zones: KafkaHandle, ns3: Namespace) -> None:
    raw = kafka_3zones.raw_admin()
    topic = ns3.topic("flow")
    raw.create_topics([NewTopic(topic, 3, 3, config={"min.insync.replicas": "2"})])[topic].result(timeout=30)

    producer = kafka_3zones.producer(acks="all")
    sent = [f"order-{i}".encode() for i in range(30)]
    for i, value in enumerate(sent):
        producer.produce(topic, value=value, key=str(i % 3).encode())
    assert producer.flush(30) == 0

    consumer = kafka_3zones.consumer(ns3.group("reader"))
    consumer.subscribe([topic])
    received: list[bytes] = []
    try:
        for _ in range(100):
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                received.append(msg.value() or b"")
            if len(received) == len(sent):
                break
    finally:
        consumer.close()
    assert sorted(received) == sorted(sent)


def produce(kafka: KafkaHandle, topic: str, values: list[bytes]) -> None:
    producer = kafka.producer(acks="all")
    for value in values:
        producer.produce(topic, value=value)
    assert producer.flush(30) == 0


def consume_all(kafka: KafkaHandle, topic: str, group: str, count: int) -> list[bytes]:
    consumer = kafka.consumer(group)
    consumer.subscribe([topic])
    received: list[bytes] = []
    try:
        for _ in range(120):
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                received.append(msg.value() or b"")
            if len(received) >= count:
                break
    finally:
        consumer.close()
    return received


def status_of(directory: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["local", "status", "--dir", str(directory), "-o", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_local_down_then_up_keeps_the_cluster_its_topics_and_messages(tmp_path: Path) -> None:
    runner = CliRunner()
    directory = tmp_path / "cluster"
    info = None
    try:
        up = runner.invoke(app, ["local", "up", "--nodes", "1", "--dir", str(directory)])
        assert up.exit_code == 0, up.output
        assert "Kafka 4.4.0 is up: 127.0.0.1:" in up.output
        assert "broker 1  zone-a" in up.output
        info = read_info(directory)
        assert info is not None

        again = runner.invoke(app, ["local", "up", "--dir", str(directory)])
        assert again.exit_code == 0
        assert "already running" in again.output

        code, doc = status_of(directory)
        assert code == 0
        assert doc["running"] is True
        assert [n["rack"] for n in doc["nodes"]] == ["zone-a"]
        assert doc["bootstrap"] == info.bootstrap

        kafka = KafkaHandle(info.bootstrap)
        topic = "kept.orders"
        raw = kafka.raw_admin()  # referenced until its future is done: a collected client never answers
        raw.create_topics([NewTopic(topic, 2, 1)])[topic].result(timeout=30)
        sent = [f"order-{i}".encode() for i in range(20)]
        produce(kafka, topic, sent)

        down = runner.invoke(app, ["local", "down", "--dir", str(directory)])
        assert down.exit_code == 0, down.output
        assert f"Data stays in {directory}" in down.output
        assert running_nodes(info) == []
        code, doc = status_of(directory)
        assert (code, doc["state"], doc["running"]) == (1, "stopped", False)

        back = runner.invoke(app, ["local", "up", "--dir", str(directory)])
        assert back.exit_code == 0, back.output
        assert "is up again, with its data" in back.output
        restarted = read_info(directory)
        assert restarted is not None
        assert restarted.cluster_id == info.cluster_id
        assert restarted.bootstrap == info.bootstrap
        assert sorted(eventually(lambda: consume_all(kafka, topic, "reader", len(sent)))) == sorted(sent)

        # Without -b, commands use the cluster `kadmin local up` started, and say so.
        zones = run_kadmin("zones", "-o", "json")
        assert zones.code == 0, zones.stderr
        notice = f"using the local cluster started by `kadmin local up` at {info.bootstrap} ({info.dir})"
        assert zones.stderr.splitlines() == [notice]
    finally:
        down = runner.invoke(app, ["local", "down", "--dir", str(directory)])
    assert down.exit_code == 0, down.output
    gone = runner.invoke(app, ["local", "status", "--dir", str(directory)])
    assert gone.exit_code == 1
    assert "No local cluster is running" in gone.output
    # `local down` removed the default it had set: no command follows it to a stopped cluster.
    orphan = run_kadmin("zones")
    assert orphan.code == 1
    assert "no cluster to talk to" in orphan.stderr


def test_a_killed_node_is_reported_by_status_and_restarted_by_up(tmp_path: Path) -> None:
    runner = CliRunner()
    directory = tmp_path / "cluster"
    try:
        up = runner.invoke(app, ["local", "up", "--nodes", "3", "--dir", str(directory)])
        assert up.exit_code == 0, up.output
        info = read_info(directory)
        assert info is not None
        kafka = KafkaHandle(info.bootstrap)
        topic = "replicated"
        raw = kafka.raw_admin()
        raw.create_topics([NewTopic(topic, 3, 3)])[topic].result(timeout=30)
        sent = [f"m-{i}".encode() for i in range(30)]
        produce(kafka, topic, sent)

        victim = info.nodes[1]
        os.kill(victim.pid, signal.SIGKILL)
        eventually(lambda: _assert(running_nodes(info) == [info.nodes[0], info.nodes[2]]))

        code, doc = status_of(directory)
        assert code == 1
        assert doc["state"] == "degraded"
        assert [n["state"] for n in doc["nodes"]] == ["running", "dead", "running"]
        text = runner.invoke(app, ["local", "status", "--dir", str(directory)])
        assert text.exit_code == 1
        assert "broker 2  zone-b" in text.output
        assert "Dead: node(s) 2." in text.output

        healed = runner.invoke(app, ["local", "up", "--dir", str(directory)])
        assert healed.exit_code == 0, healed.output
        assert "Restarted node 2, which had died" in healed.output
        after = read_info(directory)
        assert after is not None
        assert [n.pid for n in after.nodes][::2] == [info.nodes[0].pid, info.nodes[2].pid]
        assert after.nodes[1].pid != victim.pid
        assert after.bootstrap == info.bootstrap
        code, doc = status_of(directory)
        assert (code, doc["state"]) == (0, "running")
        assert sorted(eventually(lambda: consume_all(kafka, topic, "reader", len(sent)))) == sorted(sent)
    finally:
        down = runner.invoke(app, ["local", "down", "--dir", str(directory)])
    assert down.exit_code == 0, down.output


def _assert(condition: bool) -> None:
    assert condition


def test_a_node_that_cannot_start_fails_fast_with_its_log(tmp_path: Path) -> None:
    # A heap too small for the JVM to boot: the node dies at once, and the error must
    # say which node and show the JVM's own words, not hang until the timeout.
    cluster = LocalCluster(tmp_path / "broken", nodes=1, bound_to_owner=True, heap="2m", ready_timeout=60)
    with pytest.raises(LocalClusterError) as caught:
        cluster.start()
    message = str(caught.value)
    assert "Kafka node 1 exited with code" in message
    assert "heap" in message.lower()
    info = read_info(tmp_path / "broken")
    assert info is None or running_nodes(info) == []


def test_creating_an_existing_topic_answers_with_kafkas_error_code(
    kafka_single: KafkaHandle, ns: Namespace
) -> None:
    # The readiness probe of a local cluster treats a probe topic left by an interrupted
    # start as proof that creation works; it branches on this code, not on the message.
    admin = kafka_single.admin()
    topic = CreateTopic(ns.topic("twice"), 1, 1)
    (first,) = admin.create_topics([topic])
    (second,) = admin.create_topics([topic])
    assert first.ok and first.code == ""
    assert not second.ok
    assert second.code == "TOPIC_ALREADY_EXISTS"
