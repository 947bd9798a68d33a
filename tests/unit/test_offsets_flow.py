"""Offset planning, execution and the `kadmin offsets` commands over an in-memory cluster.

The cluster is `InMemoryCluster`, kadmin's fake of its own port (never of Kafka's protocol):
partitions hold message timestamps above a log start, groups hold commits, and calls are
counted, so the tests can check that reads are batched.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kadmin.cli.offsets_cmds as offsets_cmds
from kadmin.core.actions import OffsetMove
from kadmin.core.errors import PlanError
from kadmin.core.model import (
    AppliedReset,
    Broker,
    ConsumerGroupState,
    DesiredState,
    GroupMember,
    GroupState,
    OffsetMode,
    OffsetResetSpec,
    ResetTo,
)
from kadmin.core.targets import Target
from kadmin.ops.offsets import (
    execute_reset,
    plan_group_reset,
    read_spec_resets,
    show_group,
    write_backup,
)
from kadmin.spec.offsets_csv import read_offsets_csv
from tests.fakes import InMemoryCluster


# orders: partition 0 holds offsets 0..9 at t=1000..10000, partition 1 offsets 5..7 at t=500..2500.
def cluster() -> InMemoryCluster:
    mem = InMemoryCluster(brokers=(Broker(1, "zone-a"),))
    mem.add_topic("orders", partitions=2)
    mem.add_log("orders", 0, 0, [1000 * (i + 1) for i in range(10)])
    mem.add_log("orders", 1, 5, [500, 1500, 2500])
    mem.groups["billing"] = GroupState(
        "billing", ConsumerGroupState.EMPTY, committed={("orders", 0): 8, ("orders", 1): 7}
    )
    return mem


def test_plan_group_reset_batches_reads() -> None:
    mem = cluster()
    action = plan_group_reset(mem, "billing", {"orders": ()}, ResetTo(OffsetMode.DATETIME, 1600), now_ms=0)
    assert action.moves == (OffsetMove("orders", 0, 8, 1), OffsetMove("orders", 1, 7, 7))
    assert mem.counts() == Counter(describe_groups=1, snapshot=1, watermarks=1, offsets_for_times=1)


def test_plan_group_reset_by_duration_counts_back_from_now() -> None:
    action = plan_group_reset(cluster(), "billing", None, ResetTo(OffsetMode.DURATION, 5500), now_ms=10_000)
    assert [m.after for m in action.moves] == [4, 8]  # t>=4500: offset 4 on p0, none on p1 -> log end 8


def test_plan_group_reset_refuses_an_active_group() -> None:
    mem = cluster()
    mem.groups["billing"] = replace(
        mem.groups["billing"],
        state=ConsumerGroupState.STABLE,
        members=(GroupMember("m-1", "billing-app", "/10.0.0.7"),),
    )
    with pytest.raises(PlanError) as caught:
        plan_group_reset(mem, "billing", None, ResetTo(OffsetMode.EARLIEST), now_ms=0)
    assert caught.value.where == "group billing"
    assert "Stable with 1 member(s): billing-app on /10.0.0.7" in caught.value.message
    assert "stop every consumer" in caught.value.hint
    assert mem.counts()["watermarks"] == 0


def test_execute_writes_backup_then_commits(tmp_path: Path) -> None:
    mem = cluster()
    action = plan_group_reset(mem, "billing", None, ResetTo(OffsetMode.EARLIEST), now_ms=0)
    when = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    outcome = execute_reset(mem, action, backup_dir=tmp_path / "backups", now=when)
    assert outcome.ok and not outcome.recorded
    assert outcome.backup == tmp_path / "backups" / "billing-20240501T080000Z.csv"
    assert read_offsets_csv(outcome.backup) == {("orders", 0): 8, ("orders", 1): 7}
    assert mem.commits == [("billing", {("orders", 0): 0, ("orders", 1): 5})]


def test_execute_refuses_a_group_that_became_active(tmp_path: Path) -> None:
    mem = cluster()
    action = plan_group_reset(mem, "billing", None, ResetTo(OffsetMode.EARLIEST), now_ms=0)

    def a_consumer_joins() -> None:
        member = GroupMember("m", "late-app", "/10.1.1.1")
        state = replace(mem.groups["billing"], state=ConsumerGroupState.STABLE, members=(member,))
        mem.groups["billing"] = state

    mem.before["describe_groups"] = a_consumer_joins
    outcome = execute_reset(mem, action, backup_dir=tmp_path)
    assert not outcome.ok
    assert "late-app on /10.1.1.1" in outcome.error and "nothing was changed" in outcome.error
    assert mem.commits == [] and list(tmp_path.iterdir()) == []


def test_execute_reports_a_refused_commit_with_the_backup(tmp_path: Path) -> None:
    mem = cluster()
    refused = "orders[0]: GROUP_AUTHORIZATION_FAILED"
    mem.fail[Target.group("billing")] = refused
    action = plan_group_reset(mem, "billing", None, ResetTo(OffsetMode.LATEST), now_ms=0)
    outcome = execute_reset(mem, action, backup_dir=tmp_path)
    assert not outcome.ok and outcome.error == refused
    assert outcome.backup is not None and str(outcome.backup) in outcome.hint


def test_backups_never_overwrite(tmp_path: Path) -> None:
    when = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    first = write_backup(tmp_path, "team/billing", {("a", 0): 1}, when)
    second = write_backup(tmp_path, "team/billing", {("a", 0): 2}, when)
    assert (first.name, second.name) == (
        "team_billing-20240501T080000Z.csv",
        "team_billing-20240501T080000Z-1.csv",
    )
    assert read_offsets_csv(first) == {("a", 0): 1} and read_offsets_csv(second) == {("a", 0): 2}


def test_declarative_resets_reuse_the_callers_snapshot_and_return_the_groups_they_read() -> None:
    mem = cluster()
    spec = OffsetResetSpec("replay-2024-05", "billing", {"orders": (0,)}, ResetTo(OffsetMode.OFFSET, 3))
    observed = mem.snapshot()
    mem.calls.clear()

    found = read_spec_resets(mem, DesiredState(topics={}, offset_resets=(spec,)), 0, observed=observed)

    assert [a.reset_id for a in found.actions] == ["replay-2024-05"]
    assert mem.counts()["snapshot"] == 0 and mem.counts()["describe_groups"] == 1
    # The plan's fingerprint is built from these very states, not from a second read.
    assert found.groups["billing"] == mem.groups["billing"]


def test_declarative_reset_is_applied_once() -> None:
    mem = cluster()
    spec = OffsetResetSpec("replay-2024-05", "billing", {"orders": (0,)}, ResetTo(OffsetMode.OFFSET, 3))
    fresh = OffsetResetSpec("init-audit", "audit", {"orders": ()}, ResetTo(OffsetMode.EARLIEST))
    desired = DesiredState(topics={}, offset_resets=(spec, fresh))

    first = read_spec_resets(mem, desired, now_ms=0)
    actions, notices, refusals = first.actions, first.notices, first.refusals
    assert [(a.reset_id, a.group_exists, a.moves) for a in actions] == [
        ("replay-2024-05", True, (OffsetMove("orders", 0, 8, 3),)),
        ("init-audit", False, (OffsetMove("orders", 0, None, 0), OffsetMove("orders", 1, None, 5))),
    ]
    assert notices == [] and refusals == []
    assert mem.counts()["describe_groups"] == 1 and mem.counts()["watermarks"] == 1

    when = datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
    for action in actions:
        assert execute_reset(mem, action, backup_dir=None, now=when).recorded
    assert mem.ledger["replay-2024-05"] == AppliedReset(
        "replay-2024-05", "billing", "2024-05-02T09:30:00Z", {("orders", 0): 3}, {("orders", 0): 8}
    )
    assert mem.ledger["init-audit"].previous == {("orders", 0): None, ("orders", 1): None}

    second = read_spec_resets(mem, desired, now_ms=0)
    again, notices, refusals = second.actions, second.notices, second.refusals
    assert again == [] and refusals == []
    # Resets already applied stay in git as a record: one line for all of them, not one each.
    assert [(str(n.target), n.message) for n in notices] == [
        (
            "group:audit, billing",
            "2 offset resets already applied, the last on 2024-05-02T09:30:00Z: "
            "'replay-2024-05', 'init-audit'",
        )
    ]


def test_show_group_reports_lag_and_assigned_partitions() -> None:
    mem = cluster()
    mem.groups["billing"] = GroupState(
        "billing",
        ConsumerGroupState.STABLE,
        members=(GroupMember("m-1", "app", "/10.0.0.7", (("orders", 1),)),),
        committed={("orders", 0): 8},
    )
    found = show_group(mem, "billing")
    rows = [(p.topic, p.partition, p.committed, p.log_start, p.log_end, p.lag) for p in found.partitions]
    assert rows == [("orders", 0, 8, 0, 10, 2), ("orders", 1, None, 5, 8, None)]
    assert found.partitions[1].member is not None and found.partitions[1].member.client_id == "app"


# --- the commands --------------------------------------------------------------------


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    memory = cluster()
    monkeypatch.setattr(offsets_cmds, "connect", lambda bootstrap, command_config, **_: memory)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    return memory


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(offsets_cmds.offsets_app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_reset_dry_run_prints_the_plan_and_changes_nothing(mem: InMemoryCluster) -> None:
    code, out, _ = run("reset", "--group", "billing", "--topic", "orders", "--shift-by", "-3")
    assert code == 0
    lines = out.splitlines()
    assert "reset offsets of group billing to shift_by -3" in lines[0]
    assert "orders  0          8        →  5       replays 3" in lines
    assert "orders  1          7        →  5       replays 2" in lines
    assert (
        "2 partition(s) in 1 topic(s): 5 message(s) replayed, 0 skipped, 0 unchanged, 0 without a commit."
        in out
    )
    assert "dry run: nothing changed; pass --execute" in out
    assert mem.commits == []


def test_reset_execute_backs_up_and_commits(mem: InMemoryCluster, tmp_path: Path) -> None:
    code, out, _ = run(
        "reset",
        "-g",
        "billing",
        "-t",
        "orders:1",
        "--to-earliest",
        "--execute",
        "--backup-dir",
        str(tmp_path),
    )
    assert code == 0, out
    [backup] = tmp_path.iterdir()
    assert read_offsets_csv(backup) == {("orders", 1): 7}
    assert f"backup of the previous offsets: {backup}" in out
    assert "committed 1 offset(s) for group billing." in out
    assert mem.commits == [("billing", {("orders", 1): 5})]


def test_reset_json_output(mem: InMemoryCluster) -> None:
    code, out, _ = run("reset", "-g", "billing", "--all-topics", "--to-offset", "9", "-o", "json")
    assert code == 0
    document = json.loads(out)
    assert document["moves"] == [
        {"topic": "orders", "partition": 0, "current": 8, "target": 9, "delta": 1},
        {"topic": "orders", "partition": 1, "current": 7, "target": 8, "delta": 1},
    ]
    assert document["executed"] is False and document["summary"]["skipped"] == 2


def test_reset_refuses_an_active_group_with_exit_1(mem: InMemoryCluster, tmp_path: Path) -> None:
    mem.groups["billing"] = replace(
        mem.groups["billing"],
        state=ConsumerGroupState.STABLE,
        members=(GroupMember("m", "billing-app", "/10.0.0.7"),),
    )
    code, _, err = run(
        "reset", "-g", "billing", "--all-topics", "--to-latest", "--execute", "--backup-dir", str(tmp_path)
    )
    assert code == 1
    assert "error: group billing: group billing is Stable with 1 member(s): billing-app on /10.0.0.7" in err
    assert "hint: stop every consumer" in err
    assert mem.commits == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all-topics"], "choose one reset mode"),
        (["--all-topics", "--to-earliest", "--to-latest"], "not --to-earliest and --to-latest"),
        (["--to-earliest"], "say which partitions to reset"),
        (["--all-topics", "--topic", "orders", "--to-earliest"], "exclude each other"),
        (["--topic", "orders:x", "--to-earliest"], "expected TOPIC or TOPIC:P,P"),
        (["--all-topics", "--to-offset", "ten"], "--to-offset takes a whole number"),
        (["--all-topics", "--by-duration", "2h"], "is not a duration"),
        (["--all-topics", "--to-datetime", "May 1st"], "is not a date-time"),
        (["--topic", "nope", "--to-earliest"], "topic nope does not exist"),
    ],
)
def test_reset_bad_arguments_exit_1(mem: InMemoryCluster, args: list[str], message: str) -> None:
    code, _, err = run("reset", "--group", "billing", *args)
    assert code == 1
    assert message in err


def test_show_csv_feeds_reset_from_file(mem: InMemoryCluster, tmp_path: Path) -> None:
    code, csv_text, _ = run("show", "--group", "billing", "-o", "csv")
    assert code == 0 and csv_text == "orders,0,8\norders,1,7\n"
    saved = tmp_path / "billing.csv"
    saved.write_text(csv_text)
    assert (
        run(
            "reset",
            "-g",
            "billing",
            "--all-topics",
            "--to-earliest",
            "--execute",
            "--backup-dir",
            str(tmp_path),
        )[0]
        == 0
    )
    assert mem.groups["billing"].committed == {("orders", 0): 0, ("orders", 1): 5}
    code, out, _ = run(
        "reset", "-g", "billing", "--from-file", str(saved), "--execute", "--backup-dir", str(tmp_path)
    )
    assert code == 0, out
    assert mem.groups["billing"].committed == {("orders", 0): 8, ("orders", 1): 7}


def test_show_text_and_json(mem: InMemoryCluster) -> None:
    code, out, _ = run("show", "--group", "billing")
    assert code == 0
    assert "group billing: Empty, 0 member(s)" in out
    assert "orders  0          8          0          10       2    -" in out.splitlines()
    assert "total lag: 3" in out
    document = json.loads(run("show", "--group", "billing", "-o", "json")[1])
    assert document["partitions"][1] == {
        "topic": "orders",
        "partition": 1,
        "committed": 7,
        "log_start": 5,
        "log_end": 8,
        "lag": 1,
        "member": None,
    }


def test_help_shows_examples() -> None:
    for command in ("show", "reset"):
        result = CliRunner().invoke(offsets_cmds.offsets_app, [command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.stdout and "kadmin offsets" in result.stdout
