"""Replica moves on the real 3-zone cluster (brokers 1, 2, 3 in zone-a, zone-b, zone-c): a spec
change is planned into `ReassignReplicas`, carried out by `kadmin.ops.reassignment` with a
throttle, and checked where Kafka keeps the truth: replica lists and racks, the messages
themselves, the topic and broker configs the throttle used, and the next plan.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from confluent_kafka import KafkaError, TopicPartition

from kadmin.core.actions import CreateTopic, PartitionMove, ReassignReplicas, RemoveThrottle
from kadmin.core.errors import Location, SpecError
from kadmin.core.plan import Plan
from kadmin.core.targets import Target
from kadmin.kafka.confluent import ConfluentAdmin
from kadmin.kafka.port import FOLLOWER_THROTTLED_REPLICAS, LEADER_THROTTLED_REPLICAS
from kadmin.ops.planning import plan_cluster
from kadmin.ops.reassignment import ReassignOptions, reassign
from kadmin.ops.running_moves import cancel, describe, finish
from kadmin.plan.diff import diff
from kadmin.spec.load import load_specs

from .conftest import KafkaHandle, Namespace, eventually

THROTTLE = 50_000_000
ZONES = {"zone-a": [1], "zone-b": [2], "zone-c": [3]}
"""As the cluster's broker.rack values have them; kadmin checks them on every plan."""
THROTTLED_REPLICAS = (LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS)


@dataclass
class Zones3:
    """Specs for one test's namespace on the 3-zone cluster, planned with kadmin's loader and differ."""

    kafka: KafkaHandle
    ns: Namespace
    directory: Path
    admin: ConfluentAdmin
    written: int = 0

    def spec(self, topics: dict[str, dict[str, Any]], *, zones: bool = True) -> Path:
        self.written += 1
        path = self.directory / f"spec-{self.written}.yaml"
        document: dict[str, Any] = {"version": 1}
        if zones:
            document["cluster"] = {"zones": ZONES}
        document["topics"] = {self.ns.topic(name): body for name, body in topics.items()}
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path

    def plan(self, topics: dict[str, dict[str, Any]], *, zones: bool = True) -> Plan:
        return diff(load_specs([self.spec(topics, zones=zones)]), self.admin.snapshot())

    def kadmin(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """The command line in a child process, as CI runs it: no terminal, plain progress lines."""
        env = {**os.environ, "KADMIN_BOOTSTRAP_SERVER": self.kafka.bootstrap, "NO_COLOR": "1"}
        return subprocess.run(
            [sys.executable, "-m", "kadmin", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    def create(self, topics: dict[str, dict[str, Any]]) -> None:
        plan = self.plan(topics)
        creates = [a for a in plan.actions if isinstance(a, CreateTopic)]
        assert len(creates) == len(topics) and plan.applyable
        assert all(o.ok for o in self.admin.create_topics(creates)), "create failed"
        for action in creates:
            eventually(functools.partial(self._shown, action))

    def _shown(self, action: CreateTopic) -> None:
        topic = self.admin.snapshot([action.topic]).topics[action.topic]
        assert len(topic.partitions) == action.partitions
        assert all(p.leader is not None for p in topic.partitions)

    def replicas(self, name: str) -> list[tuple[int, ...]]:
        # Any broker may answer, and one may not know a topic created a moment ago yet.
        full = self.ns.topic(name)
        topic = eventually(lambda: self.admin.snapshot([full]).topics[full])
        return [p.replicas for p in topic.partitions]

    def racks(self, replicas: tuple[int, ...]) -> set[str | None]:
        racks = self.admin.snapshot([]).broker_racks()
        return {racks[b] for b in replicas}

    def produce(self, name: str, count: int, size: int = 0) -> dict[bytes, bytes]:
        sent = {f"key-{i}".encode(): (f"value-{i}-".encode() + os.urandom(size)) for i in range(count)}
        producer = self.kafka.producer(acks="all")
        for key, value in sent.items():
            producer.produce(self.ns.topic(name), value, key)
            producer.poll(0)
        assert producer.flush(30) == 0
        return sent

    def consume(self, name: str, expected: int) -> dict[bytes, bytes]:
        topic = self.ns.topic(name)
        consumer = self.kafka.consumer(self.ns.group(f"{name}-reader"))
        partitions = len(self.admin.snapshot([topic]).topics[topic].partitions)
        consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        got: dict[bytes, bytes] = {}
        deadline = time.monotonic() + 30
        try:
            while len(got) < expected and time.monotonic() < deadline:
                for message in consumer.consume(500, timeout=1.0):
                    error = message.error()
                    if error is None:
                        got[message.key() or b""] = message.value() or b""
                    elif error.code() != KafkaError._PARTITION_EOF:
                        raise AssertionError(f"consume failed: {error}")
        finally:
            consumer.close()
        return got

    def throttles(self, name: str) -> dict[str, str]:
        overrides = self.admin.snapshot([self.ns.topic(name)]).topics[self.ns.topic(name)].overrides
        return {k: v for k, v in overrides.items() if k in THROTTLED_REPLICAS}


@pytest.fixture
def z3(ns3: Namespace, kafka_3zones: KafkaHandle, tmp_path: Path) -> Iterator[Zones3]:
    with kafka_3zones.admin(timeout=30) as admin:
        yield Zones3(kafka_3zones, ns3, tmp_path, admin)


def only_reassignment(plan: Plan) -> ReassignReplicas:
    assert plan.applyable, plan.refusals
    (action,) = plan.actions
    assert isinstance(action, ReassignReplicas)
    return action


def no_broker_throttles(admin: ConfluentAdmin) -> None:
    # Each broker learns of a dynamic config change from the metadata log a moment later.
    assert admin.broker_throttles() == {}


def test_rf_1_to_3_through_kadmin_apply_spans_three_racks_and_keeps_every_message(z3: Zones3) -> None:
    rf1 = z3.spec({"events": {"partitions": 3, "replication_factor": 1, "placement": "spread"}})
    created = z3.kadmin("apply", rf1, "--auto-approve")
    assert created.returncode == 0, created.stderr
    before = z3.replicas("events")
    assert sorted(r[0] for r in before) == [1, 2, 3]
    sent = z3.produce("events", 300)

    rf3 = z3.spec({"events": {"partitions": 3, "replication_factor": 3, "placement": "spread"}})
    planned = z3.kadmin("plan", rf3, "-o", "json", "--detailed-exitcode")
    assert planned.returncode == 2, planned.stderr
    (action,) = json.loads(planned.stdout)["actions"]
    assert action["kind"] == "reassign_replicas"

    applied = z3.kadmin("apply", rf3, "--auto-approve", "--throttle", str(THROTTLE))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "moving replicas: 3/3 partitions done" in applied.stderr
    assert "note:" not in applied.stderr

    after = z3.replicas("events")
    # Every partition kept its replica (and leader) and gained one in each other zone.
    assert [r[0] for r in after] == [r[0] for r in before]
    assert all(len(r) == 3 and len(z3.racks(r)) == 3 for r in after)
    assert z3.consume("events", len(sent)) == sent

    # Nothing left to do, and nothing left behind: no throttled-replica lists as topic drift.
    eventually(lambda: _equal(z3.throttles("events"), {}))
    eventually(lambda: no_broker_throttles(z3.admin))
    again = z3.kadmin("plan", rf3, "-o", "json", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout
    document = json.loads(again.stdout)
    assert document["actions"] == []
    assert not [n for n in document["notices"] if n["target"] == f"topic:{z3.ns.topic('events')}"]


def test_throttled_reassignment_reports_progress_and_removes_the_throttle(z3: Zones3) -> None:
    z3.create({"moved": {"partitions": 2, "replication_factor": 1, "placement": "spread"}})
    sent = z3.produce("moved", 100)
    action = only_reassignment(
        z3.plan({"moved": {"partitions": 2, "replication_factor": 2, "placement": "spread"}})
    )
    seen: list[tuple[int, int]] = []
    result = reassign(
        z3.admin,
        [action],
        ReassignOptions(throttle=THROTTLE, timeout=120),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert result.ok, result.outcomes
    assert result.completed == ((action.topic, 0), (action.topic, 1))
    assert result.throttle_removed and result.notes == ()
    assert seen[0][1] == 2 and seen[-1] == (2, 2)
    assert z3.replicas("moved") == [m.after for m in action.moves]
    assert z3.consume("moved", len(sent)) == sent
    eventually(lambda: _equal(z3.throttles("moved"), {}))


def test_a_zone_pinned_topic_set_to_spread_moves_only_the_partitions_that_need_it(z3: Zones3) -> None:
    z3.create({"pinned": {"partitions": 3, "replication_factor": 1, "placement": {"zone": "zone-a"}}})
    assert z3.replicas("pinned") == [(1,), (1,), (1,)]
    sent = z3.produce("pinned", 90)
    # Partition 0 was already given a second replica in zone-b by hand: it satisfies the new spec.
    topic = z3.ns.topic("pinned")
    by_hand = ReassignReplicas(topic, (PartitionMove(0, (1,), (1, 2)),))
    assert reassign(z3.admin, [by_hand], ReassignOptions(timeout=60)).ok

    action = only_reassignment(
        z3.plan({"pinned": {"partitions": 3, "replication_factor": 2, "placement": "spread"}})
    )
    assert [m.partition for m in action.moves] == [1, 2]
    assert all(m.before == (1,) and m.after[0] == 1 and len(m.after) == 2 for m in action.moves)

    result = reassign(z3.admin, [action], ReassignOptions(throttle=THROTTLE, timeout=120))
    assert result.ok, result.outcomes
    after = z3.replicas("pinned")
    assert after[0] == (1, 2)
    assert all(len(z3.racks(r)) == 2 for r in after)
    assert z3.consume("pinned", len(sent)) == sent
    eventually(lambda: _equal(z3.throttles("pinned"), {}))
    again = z3.plan({"pinned": {"partitions": 3, "replication_factor": 2, "placement": "spread"}})
    assert again.actions == () and again.notices == ()


def test_no_wait_leaves_the_throttle_until_finish_removes_it(z3: Zones3) -> None:
    z3.create({"later": {"partitions": 2, "replication_factor": 1, "placement": "spread"}})
    spec = {"later": {"partitions": 2, "replication_factor": 2, "placement": "spread"}}
    action = only_reassignment(z3.plan(spec))

    started = reassign(z3.admin, [action], ReassignOptions(throttle=THROTTLE, wait=False))
    assert started.ok and not started.throttle_removed
    assert started.pending == ((action.topic, 0), (action.topic, 1))
    assert set(z3.throttles("later")) == set(THROTTLED_REPLICAS)
    # Left in place, the throttle is the move's, not the topic's: never config drift, and the
    # full plan (`plan_cluster`) shows it as a throttle to remove.
    assert not [n for n in z3.plan(spec).notices if n.target == Target.topic(action.topic)]
    full = plan_cluster(z3.admin, load_specs([z3.spec(spec)]), z3.admin.snapshot())
    removals = [a for a in full.actions if isinstance(a, RemoveThrottle) and a.topic == action.topic]
    assert removals and LEADER_THROTTLED_REPLICAS in removals[0].configs

    done = finish(z3.admin, ReassignOptions(timeout=120))
    assert done.ok and done.throttle_removed
    eventually(lambda: _equal(z3.throttles("later"), {}))
    eventually(lambda: no_broker_throttles(z3.admin))
    assert not [n for n in z3.plan(spec).notices if n.target == Target.topic(action.topic)]
    assert [len(z3.racks(r)) for r in z3.replicas("later")] == [2, 2]


def test_cancel_stops_a_throttled_move_and_the_replicas_go_back(z3: Zones3) -> None:
    z3.create({"slow": {"partitions": 1, "replication_factor": 1, "placement": "spread"}})
    (before,) = z3.replicas("slow")
    # 4 MB behind a 1 kB/s throttle: the copy cannot finish while the test looks at it.
    z3.produce("slow", 400, size=10_000)
    target = (*before, next(b for b in (1, 2, 3) if b not in before))
    move = ReassignReplicas(z3.ns.topic("slow"), (PartitionMove(0, before, target),))
    assert reassign(z3.admin, [move], ReassignOptions(throttle=1000, wait=False)).ok

    ongoing = describe(z3.admin)
    mine = [m for m in ongoing.moves if m.topic == move.topic]
    assert [(m.partition, m.target_replicas) for m in mine] == [(0, target)]
    assert move.topic in ongoing.throttles.topics

    result = cancel(z3.admin, [move.topic])
    assert result.ok and result.completed == ((move.topic, 0),)
    assert result.throttle_removed
    eventually(lambda: _equal(z3.replicas("slow"), [before]))
    eventually(lambda: _equal(z3.throttles("slow"), {}))
    assert not [m for m in describe(z3.admin).moves if m.topic == move.topic]


def test_a_replication_factor_below_min_insync_replicas_is_refused(z3: Zones3) -> None:
    configs = {"min.insync.replicas": 2}
    z3.create({"safe": {"partitions": 1, "replication_factor": 3, "configs": configs}})
    # Said in the spec: the loader refuses it, at the line.
    with pytest.raises(SpecError) as err:
        z3.plan({"safe": {"partitions": 1, "replication_factor": 1, "configs": configs}})
    (problem,) = err.value.problems
    assert "min.insync.replicas 2 is more than the replication factor 1" in problem.message
    assert isinstance(problem.where, Location) and problem.where.field.endswith("min.insync.replicas")
    # Kept as an override on the topic, which the spec no longer mentions: the plan refuses it.
    plan = z3.plan({"safe": {"partitions": 1, "replication_factor": 1}})
    assert plan.actions == () and not plan.applyable
    (refusal,) = plan.refusals
    assert refusal.target == Target.topic(z3.ns.topic("safe"))
    assert refusal.message == "replication factor 1 is below min.insync.replicas 2"
    assert "raise replication_factor to at least 2" in refusal.hint
    assert isinstance(refusal.where, Location) and refusal.where.field.endswith("replication_factor")
    assert [len(r) for r in z3.replicas("safe")] == [3]


def test_a_static_placement_naming_a_missing_broker_is_a_clear_error(z3: Zones3) -> None:
    placement = {"placement": {"replicas": [[1, 2], [2, 9]]}}
    # Without declared zones, only the live cluster can tell: the plan refuses the topic.
    plan = z3.plan({"static": placement}, zones=False)
    assert plan.actions == () and not plan.applyable
    (refusal,) = plan.refusals
    assert refusal.target == Target.topic(z3.ns.topic("static"))
    assert refusal.message == "static placement names broker 9, which is not in the cluster"
    assert refusal.hint == "live brokers: 1, 2, 3"
    assert isinstance(refusal.where, Location) and refusal.where.field.endswith("placement")
    # With cluster.zones declared, the loader already knows broker 9 is in none of them.
    with pytest.raises(SpecError) as err:
        z3.plan({"static": placement})
    (problem,) = err.value.problems
    assert "names broker 9, which is in no zone of cluster.zones" in problem.message
    assert isinstance(problem.where, Location) and problem.where.field.endswith("placement.replicas[1]")
    assert z3.ns.topic("static") not in z3.admin.snapshot().topics


def _equal(got: Any, want: Any) -> None:
    assert got == want
