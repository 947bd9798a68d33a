"""Offset resets on a real cluster: every mode planned, executed, and then observed by a
real consumer of the group, which must resume at exactly the planned offsets.

Each topic has two partitions of ten messages with known timestamps, one minute apart
(partition 1 half a minute later), and partition 0's log start moved to 2 with
DeleteRecords so that clamping at the log start shows. The group has committed 4 on
partition 0 and 7 on partition 1.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource
from typer.testing import CliRunner

from kadmin.cli.offsets_cmds import offsets_app
from kadmin.core.actions import CreateTopic
from kadmin.core.durations import KAFKA_DURATION, parse_iso_duration
from kadmin.core.errors import Location, PlanError
from kadmin.core.model import KADMIN_STATE_TOPIC, DesiredState, OffsetMode, OffsetResetSpec, ResetTo
from kadmin.kafka.confluent import ConfluentAdmin
from kadmin.kafka.ledger import ledger_key
from kadmin.ops.offsets import execute_reset, plan_group_reset, read_spec_resets, show_group
from kadmin.spec.offsets_csv import read_offsets_csv

MINUTE = 60_000
COMMITTED = {0: 4, 1: 7}
LOG_START_P0 = 2
MESSAGES = 10


class Cluster(Protocol):
    bootstrap: str


class Names(Protocol):
    prefix: str

    def topic(self, name: str) -> str: ...

    def group(self, name: str) -> str: ...


@dataclass
class Layout:
    """One prepared topic and group, with the time its first message was stamped."""

    bootstrap: str
    topic: str
    group: str
    base_ms: int

    @property
    def admin(self) -> ConfluentAdmin:
        return ConfluentAdmin({"bootstrap.servers": self.bootstrap}, timeout=15)

    def committed(self) -> dict[int, int]:
        return {p: o for (t, p), o in show_group(self.admin, self.group).committed.items() if t == self.topic}


def prepare(bootstrap: str, topic: str, group: str, *, commit: bool = True) -> Layout:
    admin = ConfluentAdmin({"bootstrap.servers": bootstrap}, timeout=15)
    [created] = admin.create_topics([CreateTopic(topic, 2, 1, {"retention.ms": "-1"})])
    assert created.ok, created.error
    base = (int(time.time() * 1000) // 1000) * 1000 - 15 * MINUTE
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all"})
    for i in range(MESSAGES):
        producer.produce(topic, value=f"p0-{i}".encode(), partition=0, timestamp=base + i * MINUTE)
        producer.produce(
            topic, value=f"p1-{i}".encode(), partition=1, timestamp=base + MINUTE // 2 + i * MINUTE
        )
    assert producer.flush(15) == 0
    raw = AdminClient({"bootstrap.servers": bootstrap})
    deleted = raw.delete_records([TopicPartition(topic, 0, LOG_START_P0)], request_timeout=15)
    for future in deleted.values():
        future.result(timeout=15)
    if commit:
        outcome = admin.commit_offsets(group, {(topic, p): o for p, o in COMMITTED.items()})
        assert outcome.ok, outcome.error
    return Layout(bootstrap, topic, group, base)


def resume_points(layout: Layout) -> dict[int, int]:
    """Where a new consumer of the group starts reading each partition.

    One more message goes to each partition first, so that a partition reset to its log
    end also yields a message (at that offset). ``auto.offset.reset=error`` makes sure the
    consumer starts from the committed offsets and nothing else.
    """
    producer = Producer({"bootstrap.servers": layout.bootstrap})
    for p in (0, 1):
        producer.produce(layout.topic, value=b"sentinel", partition=p)
    assert producer.flush(15) == 0
    consumer = Consumer(
        {
            "bootstrap.servers": layout.bootstrap,
            "group.id": layout.group,
            "auto.offset.reset": "error",
            "enable.auto.commit": False,
        }
    )
    first: dict[int, int] = {}
    try:
        consumer.subscribe([layout.topic])
        deadline = time.monotonic() + 30
        while len(first) < 2 and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            assert message.error() is None, message.error()
            partition, offset = message.partition(), message.offset()
            assert partition is not None and offset is not None
            first.setdefault(partition, offset)
    finally:
        consumer.close()
    return first


# Each case: how to build the target from the layout's base time, and the expected offsets,
# worked out by hand from the layout above (p0 holds 2..9, p1 holds 0..9, commits 4 and 7).
CASES: dict[str, tuple[Any, dict[int, int]]] = {
    "earliest": (lambda base: ResetTo(OffsetMode.EARLIEST), {0: 2, 1: 0}),
    "latest": (lambda base: ResetTo(OffsetMode.LATEST), {0: 10, 1: 10}),
    "current": (lambda base: ResetTo(OffsetMode.CURRENT), {0: 4, 1: 7}),
    "offset-clamped-to-log-start": (lambda base: ResetTo(OffsetMode.OFFSET, 1), {0: 2, 1: 1}),
    "offset-clamped-to-log-end": (lambda base: ResetTo(OffsetMode.OFFSET, 15), {0: 10, 1: 10}),
    "shift-back": (lambda base: ResetTo(OffsetMode.SHIFT_BY, -3), {0: 2, 1: 4}),
    "shift-forward": (lambda base: ResetTo(OffsetMode.SHIFT_BY, 5), {0: 9, 1: 10}),
    # 3.5 minutes after the first message: p0's message 4 (4:00), p1's message 3 (3:30).
    "datetime": (lambda base: ResetTo(OffsetMode.DATETIME, base + 7 * MINUTE // 2), {0: 4, 1: 3}),
    "datetime-after-last-message": (
        lambda base: ResetTo(OffsetMode.DATETIME, base + 60 * MINUTE),
        {0: 10, 1: 10},
    ),
    "file": (
        lambda base: ResetTo(OffsetMode.FILE, file_offsets={("T", 0): 0, ("T", 1): 6}),
        {0: 2, 1: 6},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_mode_plans_executes_and_consumer_resumes_there(
    case: str, kafka_single: Cluster, ns: Names, tmp_path: Path
) -> None:
    layout = prepare(kafka_single.bootstrap, ns.topic("orders"), ns.group("billing"))
    make, expected = CASES[case]
    goal: ResetTo = make(layout.base_ms)
    if goal.file_offsets is not None:  # the file names the real topic
        goal = ResetTo(
            OffsetMode.FILE, file_offsets={(layout.topic, p): o for (_, p), o in goal.file_offsets.items()}
        )

    action = plan_group_reset(layout.admin, layout.group, {layout.topic: ()}, goal, int(time.time() * 1000))
    assert {m.partition: m.after for m in action.moves} == expected
    assert {m.partition: m.before for m in action.moves} == COMMITTED

    outcome = execute_reset(layout.admin, action, backup_dir=tmp_path)
    assert outcome.ok, outcome.error
    assert outcome.backup is not None
    assert read_offsets_csv(outcome.backup) == {(layout.topic, p): o for p, o in COMMITTED.items()}
    assert layout.committed() == expected
    assert resume_points(layout) == expected


def test_by_duration_counts_back_from_now(kafka_single: Cluster, ns: Names, tmp_path: Path) -> None:
    layout = prepare(kafka_single.bootstrap, ns.topic("orders"), ns.group("billing"))
    # The first message is stamped 15 minutes before the layout was made, so 11m45s ago is
    # 3m15s after it (plus the seconds this test has run): p0's message 4 (4:00), p1's 3 (3:30).
    back = ResetTo(OffsetMode.DURATION, parse_iso_duration("PT11M45S", KAFKA_DURATION), "PT11M45S")
    action = plan_group_reset(layout.admin, layout.group, {layout.topic: ()}, back, int(time.time() * 1000))
    assert {m.partition: m.after for m in action.moves} == {0: 4, 1: 3}
    # Two minutes ago is after the last message: the log end, as Kafka's tool does.
    recent = ResetTo(OffsetMode.DURATION, parse_iso_duration("PT2M", KAFKA_DURATION), "PT2M")
    planned = plan_group_reset(layout.admin, layout.group, None, recent, int(time.time() * 1000))
    assert {m.partition: m.after for m in planned.moves} == {0: 10, 1: 10}

    assert execute_reset(layout.admin, action, backup_dir=tmp_path).ok
    assert resume_points(layout) == {0: 4, 1: 3}


def test_a_group_that_does_not_exist_is_initialised(kafka_single: Cluster, ns: Names, tmp_path: Path) -> None:
    layout = prepare(kafka_single.bootstrap, ns.topic("orders"), ns.group("fresh"), commit=False)
    action = plan_group_reset(
        layout.admin, layout.group, {f"{layout.topic}": (1,)}, ResetTo(OffsetMode.OFFSET, 6), 0
    )
    assert action.group_exists is False
    assert [(m.partition, m.before, m.after) for m in action.moves] == [(1, None, 6)]
    outcome = execute_reset(layout.admin, action, backup_dir=tmp_path)
    assert outcome.ok and outcome.backup is None  # nothing was committed before, so nothing to back up
    assert layout.committed() == {1: 6}


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(offsets_app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_show_csv_round_trips_through_reset_from_file(
    kafka_single: Cluster, ns: Names, tmp_path: Path
) -> None:
    layout = prepare(kafka_single.bootstrap, ns.topic("orders"), ns.group("billing"))
    b = ("--bootstrap-server", layout.bootstrap)
    code, saved, err = cli("show", "--group", layout.group, "-o", "csv", *b)
    assert code == 0, err
    assert saved == f"{layout.topic},0,4\n{layout.topic},1,7\n"
    backup_file = tmp_path / "saved.csv"
    backup_file.write_text(saved)

    code, out, err = cli(
        "reset",
        "-g",
        layout.group,
        "--all-topics",
        "--to-latest",
        "--execute",
        "--backup-dir",
        str(tmp_path / "b"),
        *b,
    )
    assert code == 0, err
    assert "committed 2 offset(s)" in out
    assert layout.committed() == {0: 10, 1: 10}

    code, out, err = cli("reset", "-g", layout.group, "--from-file", str(backup_file), *b)
    assert code == 0, err
    assert "dry run: nothing changed" in out
    assert layout.committed() == {0: 10, 1: 10}

    code, out, err = cli(
        "reset",
        "-g",
        layout.group,
        "--from-file",
        str(backup_file),
        "--execute",
        *b,
        "--backup-dir",
        str(tmp_path / "b"),
    )
    assert code == 0, err
    assert layout.committed() == {0: 4, 1: 7}
    assert resume_points(layout) == {0: 4, 1: 7}


def test_active_group_is_refused_and_nothing_is_written(
    kafka_single: Cluster, ns: Names, tmp_path: Path
) -> None:
    layout = prepare(kafka_single.bootstrap, ns.topic("orders"), ns.group("billing"))
    planned_while_idle = plan_group_reset(layout.admin, layout.group, None, ResetTo(OffsetMode.EARLIEST), 0)

    consumer = Consumer(
        {
            "bootstrap.servers": layout.bootstrap,
            "group.id": layout.group,
            "client.id": "billing-app-7",
            "enable.auto.commit": False,
            "auto.offset.reset": "error",
        }
    )
    try:
        consumer.subscribe([layout.topic])
        deadline = time.monotonic() + 30
        while not consumer.assignment() and time.monotonic() < deadline:
            consumer.poll(0.2)
        assert consumer.assignment(), "the consumer never joined its group"

        with pytest.raises(PlanError) as caught:
            plan_group_reset(layout.admin, layout.group, None, ResetTo(OffsetMode.EARLIEST), 0)
        assert "billing-app-7 on /" in caught.value.message
        assert caught.value.where == f"group {layout.group}"

        outcome = execute_reset(layout.admin, planned_while_idle, backup_dir=tmp_path / "direct")
        assert not outcome.ok and "billing-app-7" in outcome.error

        code, _, err = cli(
            "reset",
            "-g",
            layout.group,
            "--all-topics",
            "--to-earliest",
            "--execute",
            "--backup-dir",
            str(tmp_path / "cli"),
            "--bootstrap-server",
            layout.bootstrap,
        )
        assert code == 1
        assert "billing-app-7" in err and "hint:" in err
    finally:
        consumer.close()
    assert not (tmp_path / "direct").exists() and not (tmp_path / "cli").exists()
    assert layout.committed() == COMMITTED


def test_declarative_reset_is_applied_once_and_recorded(kafka_single: Cluster, ns: Names) -> None:
    layout = prepare(kafka_single.bootstrap, ns.topic("orders"), ns.group("billing"))
    spec = OffsetResetSpec(
        f"{ns.prefix}-replay",
        layout.group,
        {layout.topic: ()},
        ResetTo(OffsetMode.EARLIEST),
        Location("specs/offsets.yaml", 12, 5),
    )
    desired = DesiredState(topics={}, offset_resets=(spec,))
    try:
        first = read_spec_resets(layout.admin, desired, int(time.time() * 1000))
        actions, notices, refusals = first.actions, first.notices, first.refusals
        assert notices == [] and refusals == []
        [action] = actions
        assert action.reset_id == spec.id and {m.partition: m.after for m in action.moves} == {0: 2, 1: 0}

        outcome = execute_reset(layout.admin, action, backup_dir=None)
        assert outcome.ok and outcome.recorded, outcome.error
        record = layout.admin.applied_resets()[spec.id]
        assert record.group == layout.group
        assert record.offsets == {(layout.topic, 0): 2, (layout.topic, 1): 0}
        assert record.previous == {(layout.topic, p): o for p, o in COMMITTED.items()}

        second = read_spec_resets(layout.admin, desired, int(time.time() * 1000))
        again, notices, refusals = second.actions, second.notices, second.refusals
        assert again == [] and refusals == []
        assert [n.message for n in notices] == [
            f"offset reset {spec.id!r} already applied on {record.applied_at}"
        ]
        assert resume_points(layout) == {0: 2, 1: 0}

        raw = AdminClient({"bootstrap.servers": layout.bootstrap})  # kept alive until its futures resolve
        described = raw.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, KADMIN_STATE_TOPIC)])
        [configs] = [f.result(timeout=15) for f in described.values()]
        assert configs["cleanup.policy"].value == "compact"
    finally:
        # A tombstone forgets the record, so the shared ledger does not grow with test runs.
        producer = Producer({"bootstrap.servers": layout.bootstrap})
        producer.produce(KADMIN_STATE_TOPIC, key=ledger_key(spec.id), value=None)
        assert producer.flush(15) == 0
    assert spec.id not in layout.admin.applied_resets()


def test_declarative_reset_of_an_active_group_is_refused(kafka_single: Cluster, ns: Names) -> None:
    layout = prepare(kafka_single.bootstrap, ns.topic("orders"), ns.group("billing"))
    spec = OffsetResetSpec(
        f"{ns.prefix}-busy",
        layout.group,
        {layout.topic: (0,)},
        ResetTo(OffsetMode.LATEST),
        Location("o.yaml", 3),
    )
    consumer = Consumer(
        {"bootstrap.servers": layout.bootstrap, "group.id": layout.group, "client.id": "billing-app-9"}
    )
    try:
        consumer.subscribe([layout.topic])
        deadline = time.monotonic() + 30
        while not consumer.assignment() and time.monotonic() < deadline:
            consumer.poll(0.2)
        found = read_spec_resets(
            layout.admin, DesiredState(topics={}, offset_resets=(spec,)), int(time.time() * 1000)
        )
        actions, refusals = found.actions, found.refusals
    finally:
        consumer.close()
    assert actions == []
    [refusal] = refusals
    assert refusal.where == Location("o.yaml", 3)
    assert "billing-app-9 on /" in refusal.message and "Stable" in refusal.message
