"""What an interrupted apply leaves behind, and the applier's promise to report every outcome.

Moves left running and stray throttles are planned as `FinishMove` / `RemoveThrottle`
actions and finished by apply; a call that raises becomes a failed outcome per
target; a stop during a move cancels it and removes its throttle. Fakes of kadmin's
own port only (`InMemoryCluster`, its moves landing after a few polls where a test says so).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import MappingProxyType

import pytest
from rich.console import Console

from kadmin.core.actions import (
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    FinishMove,
    PartitionMove,
    RemoveThrottle,
)
from kadmin.core.errors import ClusterError, Location
from kadmin.core.kafka_configs import (
    FOLLOWER_THROTTLED_REPLICAS,
    LEADER_THROTTLED_REPLICAS,
    THROTTLE_RATE_KEYS,
)
from kadmin.core.model import (
    Broker,
    ClusterSpec,
    DesiredState,
    ReadScope,
    Spread,
    TopicSpec,
)
from kadmin.core.plan import Plan
from kadmin.core.targets import Target
from kadmin.kafka.port import Outcome
from kadmin.ops.apply import STOPPED, apply_plan
from kadmin.ops.planning import plan_cluster
from kadmin.ops.reassignment import ReassignOptions, reassign
from kadmin.ops.stopping import StopRequest
from kadmin.plan.leftovers import as_finished, in_scope, may_be_moving
from kadmin.plan.planfile import plan_from_document, plan_to_document
from kadmin.render.text import render_apply_report, render_plan
from tests.fakes import InMemoryCluster
from tests.unit.test_reassignment import Clock, action, cluster

RATES = dict.fromkeys(THROTTLE_RATE_KEYS, "1000")


def spec(name: str, partitions: int = 1, rf: int = 1) -> TopicSpec:
    return TopicSpec(
        name, partitions, rf, MappingProxyType({}), Spread(), origin=Location("t.yaml", 1, 1, name)
    )


def desired(*topics: TopicSpec) -> DesiredState:
    return DesiredState({t.name: t for t in topics}, ClusterSpec())


def left_behind() -> InMemoryCluster:
    """What SIGKILL during a throttled RF 1 -> 3 of `orders` leaves: the move running (Kafka already
    lists the target replicas), the rates on every broker, the lists on the topic."""
    mem = InMemoryCluster()
    mem.add_topic(
        "orders",
        1,
        1,
        {LEADER_THROTTLED_REPLICAS: "0:1", FOLLOWER_THROTTLED_REPLICAS: "0:2,0:3"},
    )
    # Brokers 2 and 3 are still copying: out of the ISR, which is how a plan knows to look for moves.
    mem.start_move(("orders", 0), (1, 2, 3))
    mem.broker_configs = {b: dict(RATES) for b in (1, 2, 3)}
    return mem


def test_a_move_left_running_and_its_throttles_are_planned_as_actions() -> None:
    mem = left_behind()
    plan = plan_cluster(mem, desired(spec("orders", rf=3)), mem.snapshot())
    assert plan.actions == (
        FinishMove("orders", (PartitionMove(0, (1, 2, 3), (1, 2, 3)),)),
        RemoveThrottle(MappingProxyType(RATES), broker=1),
        RemoveThrottle(MappingProxyType(RATES), broker=2),
        RemoveThrottle(MappingProxyType(RATES), broker=3),
        RemoveThrottle(
            MappingProxyType({FOLLOWER_THROTTLED_REPLICAS: "0:2,0:3", LEADER_THROTTLED_REPLICAS: "0:1"}),
            topic="orders",
        ),
    )
    # The lists are the move's, not the topic's settings: no drift notice about them.
    assert not plan.notices


def test_throttles_without_a_move_are_planned_for_removal_and_a_spec_owned_list_is_kept() -> None:
    mem = InMemoryCluster()
    mem.add_topic("kept", 1, 1, {LEADER_THROTTLED_REPLICAS: "*"})
    mem.add_topic("stray", 1, 1, {FOLLOWER_THROTTLED_REPLICAS: "0:2"})
    mem.broker_configs = {2: {THROTTLE_RATE_KEYS[0]: "10", "log.cleaner.threads": "2"}}
    owned = TopicSpec(
        "kept",
        1,
        1,
        MappingProxyType({LEADER_THROTTLED_REPLICAS: "*"}),
        Spread(),
        origin=Location("t.yaml", 1, 1, "kept"),
    )
    plan = plan_cluster(mem, desired(owned, spec("stray")), mem.snapshot())
    assert [str(a.target) for a in plan.actions] == ["broker:2", "topic:stray"]


def test_a_moving_partition_is_planned_as_landed_so_it_is_not_moved_or_shrunk_again() -> None:
    # A placement move [1, 2] -> [2, 3] lists [2, 3, 1] while copying: not a replication factor of 3.
    mem = InMemoryCluster()
    mem.add_topic("orders", 1, 2)
    mem.topics["orders"] = mem.topics["orders"].__class__(
        "orders", (mem.topics["orders"].partitions[0].__class__(0, (2, 3, 1), (2, 3), 2),)
    )
    mem.moving[("orders", 0)] = (2, 3)
    landed = as_finished(mem.snapshot(), mem.moving)
    assert landed.topics["orders"].partitions[0].replicas == (2, 3)
    plan = plan_cluster(mem, desired(spec("orders", rf=2)), mem.snapshot())
    assert [a.kind for a in plan.actions] == ["finish_move"]


def moving(**replicas: list[list[int]]) -> InMemoryCluster:
    """`cluster(...)` where a topic write fails the test: a plan of moves and throttles makes none."""
    mem = cluster(**replicas)
    for method in ("create_topics", "create_partitions", "alter_configs", "delete_topics"):
        mem.raise_on(method, AssertionError(f"no {method} here"))
    return mem


def test_apply_finishes_the_move_then_removes_every_throttle_and_elects_leaders() -> None:
    mem = moving(orders=[[1]])
    mem.start_move(("orders", 0), (1, 2, 3), polls=2)
    mem.broker_configs = {b: dict(RATES) for b in (1, 2, 3)}
    mem.set_overrides("orders", {LEADER_THROTTLED_REPLICAS: "0:1", FOLLOWER_THROTTLED_REPLICAS: "0:2,0:3"})
    plan = Plan(
        (
            FinishMove("orders", (PartitionMove(0, (1, 2, 3), (1, 2, 3)),)),
            *(RemoveThrottle(MappingProxyType(RATES), broker=b) for b in (1, 2, 3)),
            RemoveThrottle(MappingProxyType({LEADER_THROTTLED_REPLICAS: "0:1"}), topic="orders"),
        ),
        mem.cluster_id,
        "fp",
    )
    clock = Clock()
    report = apply_plan(plan, mem, sleep=clock.sleep, clock=clock)
    assert report.ok, report.failed
    assert mem.assignment()[("orders", 0)] == (1, 2, 3)
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}
    assert mem.elected == [(("orders", 0),)]
    # Leaders are elected as soon as the move lands; the throttles go in the phase after.
    assert mem.methods().index("elect_preferred_leaders") < mem.methods().index("clear_replication_throttle")


def test_a_move_that_does_not_finish_in_time_keeps_its_throttle() -> None:
    mem = moving(orders=[[1]])
    mem.start_move(("orders", 0), (1, 2), polls=1_000)
    mem.broker_configs = {1: dict(RATES)}
    plan = Plan(
        (
            FinishMove("orders", (PartitionMove(0, (1, 2), (1, 2)),)),
            RemoveThrottle(MappingProxyType(RATES), broker=1),
        ),
        mem.cluster_id,
        "fp",
    )
    clock = Clock()
    report = apply_plan(
        plan,
        mem,
        reassignment=ReassignOptions(timeout=5),
        sleep=clock.sleep,
        clock=clock,
    )
    assert [(a.kind, o.ok) for a, o in report.results] == [("finish_move", False), ("remove_throttle", False)]
    assert "still moving after 5 s" in report.results[0][1].error
    assert "has not finished" in report.results[1][1].error
    assert mem.broker_configs[1] == RATES


# --- a stop (SIGINT/SIGTERM) during a move -------------------------------------------


def test_a_stop_while_moving_cancels_the_move_and_removes_its_throttle() -> None:
    mem = cluster(orders=[[1]])
    mem.polls_to_finish = 50
    stop = StopRequest()
    clock = Clock()
    result = reassign(
        mem,
        [action("orders", [(0, [1], [1, 2, 3])])],
        ReassignOptions(throttle=10),
        progress=lambda done, total: stop.request(),
        sleep=clock.sleep,
        clock=clock,
        stop=stop,
    )
    assert not result.ok
    assert "apply was stopped while partition 0 moved; the move was cancelled" in result.outcomes[0].error
    assert "cancel_reassignments" in mem.methods()
    assert mem.moving == {}
    assert mem.assignment()[("orders", 0)] == (1,)
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}
    assert stop.left_behind == ()


def test_a_stop_between_phases_reports_what_was_not_attempted() -> None:
    mem = InMemoryCluster()
    mem.add_topic("old", 1, 1)
    stop = StopRequest()
    plan = Plan(
        (CreateTopic("new", 1, 1), AlterConfigs("old", (ConfigChange("retention.ms", None, "1000"),))),
        mem.cluster_id,
        "fp",
    )

    def progress(step: str, done: int, total: int) -> None:
        if step == "creating topics" and done == 1:
            stop.request()

    report = apply_plan(plan, mem, progress=progress, sleep=lambda _: None, stop=stop)
    assert [(a.kind, o.ok, o.error) for a, o in report.results] == [
        ("create_topic", True, ""),
        ("alter_configs", False, STOPPED),
    ]
    assert "new" in mem.topics and mem.overrides("old") == {}


# --- one contract: a call that raises ends in outcomes --------------------------------


def test_a_write_that_raises_becomes_an_outcome_per_target_and_later_phases_still_report() -> None:
    mem = InMemoryCluster()
    mem.raise_on(
        "alter_configs", ClusterError("could not alter configs: no answer from 127.0.0.1:9 within 5 s")
    )
    mem.add_topic("a", 1, 1)
    mem.add_topic("b", 1, 1)
    plan = Plan(
        (
            CreateTopic("new", 1, 1),
            AlterConfigs("a", (ConfigChange("retention.ms", None, "1"),)),
            AlterConfigs("b", (ConfigChange("retention.ms", None, "2"),)),
        ),
        mem.cluster_id,
        "fp",
    )
    report = apply_plan(plan, mem, sleep=lambda _: None)
    assert [(str(a.target), o.ok) for a, o in report.results] == [
        ("topic:new", True),
        ("topic:a", False),
        ("topic:b", False),
    ]
    assert all("no answer from 127.0.0.1:9" in o.error for _, o in report.results[1:])
    console = Console(file=io.StringIO(), width=200, color_system=None)
    render_apply_report(report.results, console)
    assert "Apply complete: 1 succeeded, 2 failed." in console.file.getvalue()  # type: ignore[attr-defined]


def test_a_read_back_that_raises_keeps_every_outcome() -> None:
    mem = InMemoryCluster()
    mem.raise_on("snapshot")  # the read back after the creates: the only read of this apply
    plan = Plan(tuple(CreateTopic(f"t{i}", 1, 1) for i in range(300)), mem.cluster_id, "fp")
    report = apply_plan(plan, mem, sleep=lambda _: None)
    assert len(report.results) == 300 and len(mem.topics) == 300
    assert all("could not be read back to confirm it" in o.error for _, o in report.results)


def test_a_reassignment_request_that_raises_still_removes_the_throttle() -> None:
    mem = InMemoryCluster(brokers=(Broker(1, "a"), Broker(2, "b")), polls_to_finish=2)
    mem.place("orders", (1,))
    mem.raise_on(
        "reassign_partitions", ClusterError("could not connect for partition reassignment: timed out")
    )
    clock = Clock()
    result = reassign(
        mem,
        [action("orders", [(0, [1], [1, 2])])],
        ReassignOptions(throttle=10),
        sleep=clock.sleep,
        clock=clock,
    )
    assert result.outcomes == (
        Outcome(Target.topic("orders"), False, "could not connect for partition reassignment: timed out"),
    )
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}
    assert result.throttle_removed


# --- the vocabulary: saved, read back, shown ------------------------------------------


def test_new_actions_survive_the_plan_file_and_read_as_finish_and_remove() -> None:
    plan = Plan(
        (
            FinishMove("orders", (PartitionMove(0, (1, 2, 3), (1, 2, 3)),)),
            RemoveThrottle(MappingProxyType(RATES), broker=2),
            RemoveThrottle(MappingProxyType({LEADER_THROTTLED_REPLICAS: "0:1"}), topic="orders"),
        ),
        "c1",
        "fp",
    )
    assert plan_from_document(json.loads(json.dumps(plan_to_document(plan)))).actions == plan.ordered()
    console = Console(file=io.StringIO(), width=200, color_system=None)
    render_plan(plan, console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "~ broker 2\n" in text
    assert "    - leader.replication.throttled.rate: 1000 (replication throttle left behind)" in text
    assert "    ~ replicas: finish the move left running\n        p0: still copying to [1, 2, 3]" in text
    assert "Plan: 0 to create, 3 to update, 0 to delete." in text


def test_a_remove_throttle_naming_both_a_topic_and_a_broker_is_refused_when_read(tmp_path: Path) -> None:
    document = plan_to_document(Plan((RemoveThrottle(MappingProxyType(RATES), broker=2),), "c1", "fp"))
    document["actions"][0]["topic"] = "orders"
    with pytest.raises(Exception, match="exactly one of topic and broker"):
        plan_from_document(document, "plan.json")


def test_a_saved_plan_of_leftovers_is_applied_as_reviewed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import kadmin.cli.plan_cmds as plan_cmds
    from kadmin.cli.app import app

    mem = left_behind()
    mem.polls_left[("orders", 0)] = 3  # polled by the plan, by the saved plan's check, then it lands
    monkeypatch.setattr(plan_cmds, "connect", lambda *a, **k: mem)
    spec_path = tmp_path / "t.yaml"
    spec_path.write_text("version: 1\ntopics:\n  orders:\n    partitions: 1\n    replication_factor: 3\n")
    plan_file = tmp_path / "plan.json"
    planned = CliRunner().invoke(
        app, ["plan", str(spec_path), "--out", str(plan_file), "--detailed-exitcode"]
    )
    assert planned.exit_code == 2, planned.output
    applied = CliRunner().invoke(app, ["apply", str(plan_file)])
    assert applied.exit_code == 0, applied.output
    assert "✓ topic orders: move of 1 partition finished" in applied.stdout
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}
    again = CliRunner().invoke(app, ["plan", str(spec_path), "--detailed-exitcode"])
    assert again.exit_code == 0, again.output


def test_a_delete_whose_data_cannot_be_read_yet_is_still_planned() -> None:
    # Right after a creation, a partition without a leader yet answers NOT_LEADER_FOR_PARTITION.
    mem = InMemoryCluster()
    mem.add_topic("old")
    mem.raise_on("watermarks")
    want = DesiredState({}, ClusterSpec(manage=(r"old",)))
    plan = plan_cluster(mem, want, mem.snapshot(), allow_delete=True)
    assert [a.kind for a in plan.actions] == ["delete_topic"]
    assert [(d.topic, d.log_end_offsets) for d in plan.deletes] == [("old", None)]


def test_a_plan_asks_for_moves_only_when_a_replica_is_out_of_sync() -> None:
    mem = InMemoryCluster()
    mem.add_topic("orders", 1, 1)
    assert not may_be_moving(mem.snapshot())
    plan_cluster(mem, desired(spec("orders")), mem.snapshot())
    assert "ongoing_reassignments" not in mem.methods()

    mem.start_move(("orders", 0), (1, 2))
    assert may_be_moving(mem.snapshot())
    plan = plan_cluster(mem, desired(spec("orders", rf=2)), mem.snapshot())
    assert plan.actions[0] == FinishMove("orders", (PartitionMove(0, (1, 2), (1, 2)),))


def test_a_plan_finishes_only_the_moves_of_the_topics_it_reads() -> None:
    mem = InMemoryCluster()
    mem.add_topic("orders", 1, 1)
    mem.add_topic("other.team", 1, 1)
    mem.start_move(("orders", 0), (1, 2))
    mem.start_move(("other.team", 0), (1, 3))
    observed = mem.snapshot(ReadScope(frozenset({"orders"})))
    assert in_scope(observed, mem.ongoing_reassignments()) == {("orders", 0): (1, 2)}
    plan = plan_cluster(mem, desired(spec("orders", rf=2)), observed)
    assert [a.target for a in plan.actions if isinstance(a, FinishMove)] == [Target.topic("orders")]
