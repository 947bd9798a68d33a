"""Faults, injected through the one fake of the port: first that the fake fails the way it says
(a call that raises, per-target errors, metadata that lags, moves that take time), then what
the applier makes of a call that raises in each phase: an outcome for every target, the
later phases still run, and a re-run converges once the cluster answers again.
"""

from __future__ import annotations

from types import MappingProxyType

import pytest

from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    FinishMove,
    PartitionMove,
    ReassignReplicas,
    RemoveThrottle,
)
from kadmin.core.errors import ClusterError
from kadmin.core.model import ClusterSpec, DesiredState, Spread, TopicSpec
from kadmin.core.plan import Plan
from kadmin.core.targets import Target
from kadmin.kafka.port import Outcome
from kadmin.ops.apply import ApplyReport, apply_plan
from kadmin.ops.planning import plan_cluster
from kadmin.ops.reassignment import ReassignOptions
from tests.fake_faults import PortMethod
from tests.fakes import InMemoryCluster

# --- the fake fails as told ----------------------------------------------------------


def test_a_fault_lets_the_first_calls_through_then_raises_the_given_number_of_times() -> None:
    mem = InMemoryCluster()
    mem.raise_on("snapshot", after=1, times=2)
    mem.snapshot()
    for _ in range(2):
        with pytest.raises(ClusterError, match="within 5 s to snapshot"):
            mem.snapshot()
    mem.snapshot()
    assert mem.methods() == ["snapshot"] * 4  # a call that raised was still made


def test_a_write_fault_spares_the_validation_unless_told() -> None:
    mem = InMemoryCluster()
    create = [CreateTopic("orders", 1, 1)]
    mem.raise_on("create_topics")
    assert mem.create_topics(create, validate_only=True) == [Outcome(Target.topic("orders"), True)]
    with pytest.raises(ClusterError):
        mem.create_topics(create)
    assert "orders" not in mem.topics

    mem.raise_on("create_topics", validation=True)
    with pytest.raises(ClusterError):
        mem.create_topics(create, validate_only=True)


def test_per_target_errors_reject_fail_and_refuse() -> None:
    mem = InMemoryCluster()
    mem.add_topic("a")
    mem.add_topic("b")
    change = (ConfigChange("retention.ms", None, "1"),)
    mem.reject[Target.topic("a")] = "POLICY_VIOLATION: no"
    mem.fail[Target.topic("b")] = "NOT_CONTROLLER: moved"
    validated = mem.alter_configs([AlterConfigs("a", change), AlterConfigs("b", change)], validate_only=True)
    assert [o.ok for o in validated] == [False, True]
    written = mem.alter_configs([AlterConfigs("a", change), AlterConfigs("b", change)])
    assert [(o.ok, o.error) for o in written] == [
        (False, "POLICY_VIOLATION: no"),
        (False, "NOT_CONTROLLER: moved"),
    ]

    # `refuse` hits one method only: the election fails, the move itself goes through.
    mem.add_topic("c")
    mem.refuse[("elect_preferred_leaders", Target.topic("c"))] = "PREFERRED_LEADER_NOT_AVAILABLE"
    assert mem.reassign_partitions([ReassignReplicas("c", (PartitionMove(0, (1,), (2, 1)),))])[0].ok
    assert mem.elect_preferred_leaders([("c", 0)]) == [
        Outcome(Target.topic("c"), False, "PREFERRED_LEADER_NOT_AVAILABLE")
    ]


def test_a_created_topic_shows_up_only_after_the_lagging_snapshots() -> None:
    mem = InMemoryCluster(hide_new_for=2)
    assert mem.create_topics([CreateTopic("orders", 3, 1)])[0].ok
    assert [("orders" in mem.snapshot().topics) for _ in range(3)] == [False, False, True]


def test_a_move_lists_target_and_leaving_replicas_until_it_lands_and_a_cancel_goes_back() -> None:
    mem = InMemoryCluster(polls_to_finish=2)
    mem.place("orders", (1, 2), (2, 3))
    moves = (PartitionMove(0, (1, 2), (1, 3)), PartitionMove(1, (2, 3), (2, 1)))
    assert mem.reassign_partitions([ReassignReplicas("orders", moves)])[0].ok
    assert mem.assignment() == {("orders", 0): (1, 3, 2), ("orders", 1): (2, 1, 3)}

    assert mem.cancel_reassignments([("orders", 1)]) == [Outcome(Target.topic("orders"), True)]
    assert mem.ongoing_reassignments() == {("orders", 0): (1, 3)}
    assert mem.ongoing_reassignments() == {}
    assert mem.assignment() == {("orders", 0): (1, 3), ("orders", 1): (2, 3)}
    # Nothing left to cancel is a success, as the adapter answers it.
    assert mem.cancel_reassignments([("orders", 0)])[0].ok


# --- the applier, when a call raises ---------------------------------------------------


def two_topics() -> InMemoryCluster:
    mem = InMemoryCluster()
    mem.add_topic("a", 1, 1)
    mem.add_topic("gone", 1, 1)
    return mem


PLAN = (
    CreateTopic("new", 1, 1),
    AddPartitions("a", 1, 2),
    AlterConfigs("a", (ConfigChange("retention.ms", None, "1"),)),
    DeleteTopic("gone", 1),
)


def apply(mem: InMemoryCluster, *actions: Action, reassignment: ReassignOptions | None = None) -> ApplyReport:
    plan = Plan(actions, mem.cluster_id, "fp")
    return apply_plan(plan, mem, sleep=lambda _: None, settle_timeout=1, reassignment=reassignment)


def outcomes(report: ApplyReport) -> list[tuple[str, bool, str]]:
    return [(str(a.target), o.ok, o.error) for a, o in report.results]


NO_ANSWER = "no answer from 127.0.0.1:9092 within 5 s to {} (check the address and that the brokers are up)"
DELETES_WAIT = "not attempted: deletes run only when every other change succeeded ({} failed)"


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (
            "create_topics",
            [
                ("topic:new", False, NO_ANSWER.format("create_topics")),
                ("topic:a", True, ""),
                ("topic:a", True, ""),
                ("topic:gone", False, DELETES_WAIT.format(1)),
            ],
        ),
        (
            "create_partitions",
            [
                ("topic:new", True, ""),
                ("topic:a", False, NO_ANSWER.format("create_partitions")),
                ("topic:a", False, "not attempted: an earlier change to this target failed"),
                ("topic:gone", False, DELETES_WAIT.format(2)),
            ],
        ),
        (
            "delete_topics",
            [
                ("topic:new", True, ""),
                ("topic:a", True, ""),
                ("topic:a", True, ""),
                ("topic:gone", False, NO_ANSWER.format("delete_topics")),
            ],
        ),
    ],
)
def test_a_write_that_raises_fails_its_targets_and_the_other_phases_still_run(
    method: PortMethod, expected: list[tuple[str, bool, str]]
) -> None:
    mem = two_topics()
    mem.raise_on(method)
    report = apply(mem, *PLAN)
    assert outcomes(report) == expected
    assert not report.ok and not report.preflight_rejected
    if method != "delete_topics":
        assert "gone" in mem.topics  # nothing is deleted after a failure


def test_a_validation_that_raises_rejects_its_actions_and_changes_nothing() -> None:
    mem = two_topics()
    mem.raise_on("create_topics", validation=True)
    report = apply(mem, *PLAN)
    assert report.preflight_rejected
    assert outcomes(report) == [("topic:new", False, NO_ANSWER.format("create_topics"))]
    assert set(mem.topics) == {"a", "gone"}
    assert [c.method for c in mem.calls if not c.validate_only] == []


def spec(name: str, partitions: int = 1, rf: int = 1) -> TopicSpec:
    return TopicSpec(name, partitions, rf, MappingProxyType({}), Spread())


def desired(*topics: TopicSpec) -> DesiredState:
    return DesiredState({t.name: t for t in topics}, ClusterSpec())


def test_after_a_transport_error_the_next_apply_converges() -> None:
    mem = two_topics()
    want = desired(spec("a", partitions=2), spec("gone"), spec("new"))
    mem.raise_on("create_topics", times=1)

    first = apply_plan(plan_cluster(mem, want, mem.snapshot()), mem, sleep=lambda _: None, settle_timeout=1)
    assert [(str(a.target), o.ok) for a, o in first.results] == [("topic:new", False), ("topic:a", True)]

    again = plan_cluster(mem, want, mem.snapshot())
    assert [a.kind for a in again.actions] == ["create_topic"]
    assert apply_plan(again, mem, sleep=lambda _: None, settle_timeout=1).ok
    assert plan_cluster(mem, want, mem.snapshot()).actions == ()


def test_a_move_whose_progress_read_raises_is_left_for_plan_and_apply_to_finish() -> None:
    mem = InMemoryCluster(polls_to_finish=2)
    mem.add_topic("orders", 1, 1)
    want = desired(spec("orders", rf=2))
    planned = plan_cluster(mem, want, mem.snapshot())
    mem.raise_on("ongoing_reassignments", after=1, times=1)  # the first poll after the move started

    report = apply(mem, *planned.actions, reassignment=ReassignOptions(throttle=5))
    ((action, outcome),) = report.results
    assert isinstance(action, ReassignReplicas) and not outcome.ok
    assert outcome.error.startswith("lost track of the move (")
    assert "`kadmin plan` shows it" in outcome.error
    # The move goes on in the cluster, throttled; nothing was undone behind the report's back.
    assert mem.moving == {("orders", 0): (1, 2)}
    assert mem.throttles_left()["brokers"]

    leftover = plan_cluster(mem, want, mem.snapshot())
    assert [type(a) for a in leftover.actions] == [FinishMove, RemoveThrottle, RemoveThrottle, RemoveThrottle]
    assert apply_plan(leftover, mem, sleep=lambda _: None).ok
    assert mem.throttles_left() == {"brokers": {}, "topics": {}}
    assert plan_cluster(mem, want, mem.snapshot()).actions == ()
