"""The applier over the in-memory cluster: preflight, phase order, one call per kind,
partial failures, waiting for visibility, the stale-plan guard, and plan → apply → plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    OffsetMove,
    PartitionMove,
    ReassignReplicas,
    Refusal,
    ResetOffsets,
)
from kadmin.core.errors import Location, PlanError, StalePlanError
from kadmin.core.model import (
    Broker,
    ClusterSpec,
    ConsumerGroupState,
    DesiredState,
    GroupState,
    OffsetMode,
    ResetTo,
    Spread,
    TopicSpec,
    Watermarks,
)
from kadmin.core.plan import Plan
from kadmin.core.targets import Target
from kadmin.ops.apply import ApplyReport, apply_plan
from kadmin.ops.freshness import check_fresh, explain_staleness
from kadmin.ops.settle import unsettled
from kadmin.plan.diff import diff
from kadmin.plan.fingerprint import fingerprint
from tests.fakes import InMemoryCluster

NO_RACKS = (Broker(1, None), Broker(2, None), Broker(3, None))


def cluster(**topics: tuple[int, int, dict[str, str]]) -> InMemoryCluster:
    """Brokers without racks (so the diff lets the broker place replicas) and the given topics."""
    mem = InMemoryCluster(brokers=NO_RACKS)
    for name, (partitions, rf, overrides) in topics.items():
        mem.add_topic(name, partitions, rf, overrides)
    return mem


def spec(name: str, partitions: int = 1, rf: int = 1, **configs: str) -> TopicSpec:
    return TopicSpec(
        name,
        partitions,
        rf,
        MappingProxyType({k.replace("_", "."): v for k, v in configs.items()}),
        Spread(),
        origin=Location("topics.yaml", 3, 3, f"topics.{name}"),
    )


def desired(*topics: TopicSpec, manage: tuple[str, ...] = ()) -> DesiredState:
    return DesiredState({t.name: t for t in topics}, ClusterSpec(manage=manage))


def plan_for(
    mem: InMemoryCluster, want: DesiredState, *, allow_delete: bool = False, prune_configs: bool = False
) -> Plan:
    return diff(want, mem.snapshot(), allow_delete=allow_delete, prune_configs=prune_configs)


def run(plan: Plan, mem: InMemoryCluster, *, backup_dir: Path | None = None) -> ApplyReport:
    return apply_plan(plan, mem, backup_dir=backup_dir, sleep=lambda _: None)


def writes(mem: InMemoryCluster) -> list[str]:
    return [m for m in mem.methods() if m not in ("snapshot", "describe_groups", "ongoing_reassignments")]


# --- plan → apply → plan ---------------------------------------------------------------


def test_apply_then_plan_again_is_empty() -> None:
    mem = cluster(
        orders=(2, 1, {"retention.ms": "1000"}),
        audit=(1, 1, {"cleanup.policy": "compact", "segment.ms": "60000"}),
        old=(1, 1, {}),
    )
    want = desired(
        spec("orders", 4, retention_ms="2000"),
        spec("audit", 1, cleanup_policy="compact"),
        spec("payments", 3, 2, min_insync_replicas="2"),
        manage=("old|orders|audit|payments",),
    )
    plan = plan_for(mem, want, allow_delete=True, prune_configs=True)
    assert [a.kind for a in plan.actions] == [
        "create_topic",
        "add_partitions",
        "alter_configs",
        "alter_configs",
        "delete_topic",
    ]

    report = run(plan, mem)

    assert report.ok and len(report.results) == 5
    assert set(mem.topics) == {"orders", "audit", "payments"}
    assert len(mem.topics["orders"].partitions) == 4
    assert mem.overrides("orders") == {"retention.ms": "2000"}
    assert mem.overrides("audit") == {"cleanup.policy": "compact"}
    assert mem.overrides("payments") == {"min.insync.replicas": "2"}
    assert plan_for(mem, want, allow_delete=True, prune_configs=True).is_empty


def test_phases_run_in_order_with_one_batched_call_each_after_the_preflight() -> None:
    mem = cluster(a=(1, 1, {}), b=(1, 1, {}), c=(1, 1, {"retention.ms": "5"}), d=(3, 3, {}), gone=(1, 1, {}))
    plan = Plan(
        actions=(
            DeleteTopic("gone", 1),
            AlterConfigs("c", (ConfigChange("retention.ms", "5", None),)),
            CreateTopic("new1", 2, 1),
            AddPartitions("a", 1, 3),
            ReassignReplicas("d", (PartitionMove(0, (1, 2, 3), (2, 3, 1)),)),
            CreateTopic("new2", 1, 1),
            AddPartitions("b", 1, 2),
        ),
        cluster_id=mem.cluster_id,
        fingerprint="",
    )

    report = run(plan, mem)

    assert report.ok
    assert writes(mem) == [
        "create_topics (validate)",
        "create_partitions (validate)",
        "alter_configs (validate)",
        "create_topics",
        "create_partitions",
        "reassign_partitions",
        "elect_preferred_leaders",
        "alter_configs",
        "delete_topics",
    ]
    batches = {c.method: c.targets for c in mem.calls if not c.validate_only}
    assert batches["create_topics"] == (Target.topic("new1"), Target.topic("new2"))
    assert batches["create_partitions"] == (Target.topic("a"), Target.topic("b"))
    assert [a.kind for a, _ in report.results] == [
        "create_topic",
        "create_topic",
        "add_partitions",
        "add_partitions",
        "reassign_replicas",
        "alter_configs",
        "delete_topic",
    ]
    assert mem.topics["d"].partitions[0].replicas == (2, 3, 1)


def test_an_empty_plan_makes_no_call() -> None:
    mem = cluster(a=(1, 1, {}))
    report = run(Plan((), mem.cluster_id, ""), mem)
    assert report.ok and report.results == ()
    assert mem.calls == []


def test_a_plan_with_refusals_is_not_applied() -> None:
    mem = cluster(a=(3, 1, {}))
    plan = Plan(
        (CreateTopic("b", 1, 1),),
        mem.cluster_id,
        "",
        refusals=(
            Refusal(
                Target.topic("a"), "cannot shrink partitions 3 → 1", Location("t.yaml", 4, 5), "restore it"
            ),
        ),
    )
    with pytest.raises(PlanError) as caught:
        run(plan, mem)
    assert str(caught.value.where) == "t.yaml:4:5"
    assert "cannot shrink partitions 3 → 1" in caught.value.message
    assert mem.calls == [] and "b" not in mem.topics


# --- preflight and failures --------------------------------------------------------------


def test_a_preflight_rejection_changes_nothing_and_reports_every_rejection() -> None:
    mem = cluster(a=(1, 1, {}))
    mem.reject[Target.topic("bad")] = "INVALID_CONFIG: Invalid value x for configuration retention.ms"
    mem.reject[Target.topic("a")] = "POLICY_VIOLATION: no more partitions"
    plan = Plan(
        (CreateTopic("good", 1, 1), CreateTopic("bad", 1, 1), AddPartitions("a", 1, 2)),
        mem.cluster_id,
        "",
    )

    report = run(plan, mem)

    assert report.preflight_rejected and not report.ok
    assert [(a.target, o.error) for a, o in report.results] == [
        (Target.topic("bad"), "INVALID_CONFIG: Invalid value x for configuration retention.ms"),
        (Target.topic("a"), "POLICY_VIOLATION: no more partitions"),
    ]
    assert writes(mem) == ["create_topics (validate)", "create_partitions (validate)"]
    assert set(mem.topics) == {"a"}


def test_the_preflight_catches_what_the_broker_rejects_without_a_rule_of_ours() -> None:
    mem = cluster(a=(2, 1, {}))
    plan = Plan(
        (CreateTopic("a", 1, 1), AlterConfigs("a", (ConfigChange("no.such.key", None, "1"),))), "", ""
    )
    report = run(plan, mem)
    assert report.preflight_rejected
    assert [o.error.split(":")[0] for _, o in report.results] == ["TOPIC_ALREADY_EXISTS", "INVALID_CONFIG"]


def test_a_partial_failure_reports_both_sides_skips_deletes_and_a_rerun_converges() -> None:
    mem = cluster(x=(1, 1, {}), y=(1, 1, {}), legacy=(1, 1, {}))
    want = desired(
        spec("x", 2), spec("y", 2), spec("new", 1, retention_ms="1000"), manage=("x|y|new|legacy",)
    )
    mem.fail[Target.topic("y")] = "NOT_CONTROLLER: the controller moved"
    plan = plan_for(mem, want, allow_delete=True)

    report = run(plan, mem)

    assert not report.ok and not report.preflight_rejected
    outcomes = {a.target: (a.kind, o.ok, o.error) for a, o in report.results}
    assert outcomes[Target.topic("new")] == ("create_topic", True, "")
    assert outcomes[Target.topic("x")] == ("add_partitions", True, "")
    assert outcomes[Target.topic("y")] == ("add_partitions", False, "NOT_CONTROLLER: the controller moved")
    kind, ok, error = outcomes[Target.topic("legacy")]
    assert (kind, ok) == ("delete_topic", False) and error.startswith("not attempted")
    assert "delete_topics" not in writes(mem) and "legacy" in mem.topics

    mem.fail.clear()
    again = plan_for(mem, want, allow_delete=True)
    assert [a.target for a in again.actions] == [Target.topic("y"), Target.topic("legacy")]
    assert run(again, mem).ok
    assert plan_for(mem, want, allow_delete=True).is_empty


def test_a_failed_target_is_not_touched_again_in_later_phases() -> None:
    mem = cluster(a=(1, 1, {}), b=(1, 1, {}))
    mem.fail[Target.topic("a")] = "REQUEST_TIMED_OUT: no answer"
    plan = Plan(
        (
            AddPartitions("a", 1, 2),
            AddPartitions("b", 1, 2),
            AlterConfigs("a", (ConfigChange("retention.ms", None, "9"),)),
            AlterConfigs("b", (ConfigChange("retention.ms", None, "9"),)),
        ),
        mem.cluster_id,
        "",
    )
    report = run(plan, mem)
    alter = [c for c in mem.calls if c.method == "alter_configs" and not c.validate_only]
    assert [c.targets for c in alter] == [(Target.topic("b"),)]
    assert [(a.kind, a.target, o.ok) for a, o in report.results] == [
        ("add_partitions", Target.topic("a"), False),
        ("add_partitions", Target.topic("b"), True),
        ("alter_configs", Target.topic("a"), False),
        ("alter_configs", Target.topic("b"), True),
    ]
    assert "earlier change" in report.results[2][1].error
    assert mem.overrides("b") == {"retention.ms": "9"} and mem.overrides("a") == {}


# --- waiting for the cluster to show the changes --------------------------------------------


def test_apply_waits_until_new_topics_are_visible() -> None:
    mem = cluster()
    mem.hide_new_for = 3
    naps: list[float] = []
    plan = Plan((CreateTopic("late", 2, 1),), mem.cluster_id, "")
    report = apply_plan(plan, mem, sleep=naps.append)
    assert report.ok
    assert len(naps) >= 3
    assert "late" in mem.snapshot().topics


def test_a_change_never_seen_within_the_timeout_counts_as_failed() -> None:
    mem = cluster()
    mem.hide_new_for = 10_000
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    plan = Plan((CreateTopic("ghost", 1, 1),), mem.cluster_id, "")
    report = apply_plan(plan, mem, settle_timeout=5, sleep=sleep, clock=lambda: now[0])
    [(_, outcome)] = report.results
    assert not outcome.ok and "not visible" in outcome.error and "5 s" in outcome.error
    assert 5 <= now[0] < 7


def test_after_a_batch_of_creates_only_its_first_and_last_topic_are_read_back() -> None:
    mem = cluster()
    plan = Plan(tuple(CreateTopic(f"t{i}", 1, 1) for i in range(5)), mem.cluster_id, "")
    assert run(plan, mem).ok
    reads = [c.targets for c in mem.calls if c.method == "snapshot"]
    assert reads == [("t0", "t4")]


def test_when_a_batch_never_shows_every_topic_of_it_counts_as_failed() -> None:
    mem = cluster()
    mem.hide_new_for = 10_000
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    plan = Plan(tuple(CreateTopic(f"t{i}", 1, 1) for i in range(3)), mem.cluster_id, "")
    report = apply_plan(plan, mem, settle_timeout=1, sleep=sleep, clock=lambda: now[0])
    assert [(a.target, o.ok) for a, o in report.results] == [
        (Target.topic("t0"), False),
        (Target.topic("t1"), False),
        (Target.topic("t2"), False),
    ]


def test_unsettled_compares_configs_in_canonical_form() -> None:
    mem = cluster(t=(1, 1, {"cleanup.policy": "delete,compact", "segment.ms": "5"}))
    observed = mem.snapshot()
    settled = AlterConfigs(
        "t",
        (ConfigChange("cleanup.policy", None, "compact, delete"), ConfigChange("retention.ms", "1", None)),
    )
    pending = AlterConfigs("t", (ConfigChange("segment.ms", "5", None),))
    assert unsettled([settled, pending], observed) == [pending]


# --- offsets --------------------------------------------------------------------------------


def test_declared_resets_commit_after_a_backup_and_are_recorded(tmp_path: Path) -> None:
    mem = cluster(orders=(2, 1, {}))
    mem.groups["billing"] = GroupState(
        "billing", ConsumerGroupState.EMPTY, committed=MappingProxyType({("orders", 0): 8, ("orders", 1): 7})
    )
    mem.marks.update({("orders", 0): Watermarks(2, 10), ("orders", 1): Watermarks(0, 9)})
    reset = ResetOffsets(
        "billing",
        ResetTo(OffsetMode.EARLIEST),
        (OffsetMove("orders", 0, 8, 2), OffsetMove("orders", 1, 7, 0)),
        reset_id="replay-2024-05",
    )
    report = run(Plan((reset,), mem.cluster_id, ""), mem, backup_dir=tmp_path)
    assert report.ok
    assert dict(mem.groups["billing"].committed) == {("orders", 0): 2, ("orders", 1): 0}
    assert set(mem.ledger) == {"replay-2024-05"}
    [backup] = report.backups
    assert backup.parent == tmp_path and "orders,0,8" in backup.read_text()


def test_a_reset_of_a_group_that_became_active_fails_with_what_to_do() -> None:
    from kadmin.core.model import GroupMember

    mem = cluster(orders=(1, 1, {}))
    mem.groups["billing"] = GroupState(
        "billing", ConsumerGroupState.STABLE, members=(GroupMember("m-1", "app", "/10.0.0.1"),)
    )
    reset = ResetOffsets("billing", ResetTo(OffsetMode.LATEST), (OffsetMove("orders", 0, None, 5),))
    [(_, outcome)] = run(Plan((reset,), mem.cluster_id, ""), mem).results
    assert not outcome.ok and "Stable" in outcome.error and "stop every consumer" in outcome.error


# --- progress -------------------------------------------------------------------------------


def test_progress_counts_up_to_every_action() -> None:
    mem = cluster(a=(1, 1, {}))
    seen: list[tuple[str, int, int]] = []
    plan = Plan(
        (CreateTopic("b", 1, 1), CreateTopic("c", 1, 1), AddPartitions("a", 1, 2)), mem.cluster_id, ""
    )
    apply_plan(plan, mem, progress=lambda step, done, total: seen.append((step, done, total)))
    assert {total for _, _, total in seen} == {3}
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    assert ("adding partitions", 3, 3) in seen and seen[0] == ("validating", 0, 3)


# --- the stale-plan guard -------------------------------------------------------------------


@pytest.fixture
def saved() -> Iterator[tuple[InMemoryCluster, Plan]]:
    mem = cluster(orders=(2, 1, {"retention.ms": "1000"}), audit=(1, 1, {}))
    want = desired(spec("orders", 3, retention_ms="2000"), spec("payments", 1), spec("audit", 1))
    yield mem, plan_for(mem, want)


def test_a_fresh_plan_passes(saved: tuple[InMemoryCluster, Plan]) -> None:
    mem, plan = saved
    check_fresh(plan, mem)
    snapshots = [c for c in mem.calls if c.method == "snapshot"]
    assert snapshots[-1].targets == plan.topics_in_scope == ("orders", "payments")


def test_a_change_behind_the_plans_back_is_named(saved: tuple[InMemoryCluster, Plan]) -> None:
    mem, plan = saved
    mem.add_topic("orders", 5, 1, {"retention.ms": "3000"})
    mem.add_topic("payments", 1, 1)
    with pytest.raises(StalePlanError) as caught:
        check_fresh(plan, mem, source="plan.json")
    message = caught.value.message
    assert "topic payments now exists" in message
    assert "topic orders has 5 partitions, the plan expected 2" in message
    assert "topic orders: retention.ms is '3000', the plan expected '1000'" in message
    assert caught.value.where == "plan.json" and "plan again" in caught.value.hint


def test_an_unrelated_override_on_a_topic_in_scope_is_stale_too(saved: tuple[InMemoryCluster, Plan]) -> None:
    mem, plan = saved
    mem.add_topic("orders", 2, 1, {"retention.ms": "1000", "segment.ms": "100"})
    with pytest.raises(StalePlanError, match="one of topic orders, topic payments changed in something"):
        check_fresh(plan, mem)


def test_a_change_outside_the_scope_does_not_make_the_plan_stale(saved: tuple[InMemoryCluster, Plan]) -> None:
    mem, plan = saved
    mem.add_topic("audit", 6, 1, {"segment.ms": "100"})
    mem.add_topic("elsewhere", 1, 1)
    check_fresh(plan, mem)


def test_a_plan_for_another_cluster_is_refused(saved: tuple[InMemoryCluster, Plan]) -> None:
    mem, plan = saved
    with pytest.raises(
        StalePlanError, match="computed for cluster in-memory-cluster, but this is cluster other"
    ):
        check_fresh(plan, replace(mem, cluster_id="other"))


def test_a_commit_behind_a_planned_reset_makes_it_stale() -> None:
    mem = cluster(orders=(1, 1, {}))
    mem.groups["billing"] = GroupState(
        "billing", ConsumerGroupState.EMPTY, committed=MappingProxyType({("orders", 0): 4})
    )
    reset = ResetOffsets("billing", ResetTo(OffsetMode.EARLIEST), (OffsetMove("orders", 0, 4, 0),))
    observed = mem.snapshot()
    plan = Plan((reset,), mem.cluster_id, fingerprint(observed, (), mem.describe_groups(["billing"])))
    check_fresh(plan, mem)
    mem.groups["billing"] = GroupState(
        "billing", ConsumerGroupState.EMPTY, committed=MappingProxyType({("orders", 0): 9})
    )
    with pytest.raises(StalePlanError, match="orders/0 is committed at 9, the plan expected 4"):
        check_fresh(plan, mem)


def test_explain_names_moved_replicas_and_vanished_topics() -> None:
    mem = cluster(t=(1, 3, {}))
    actions: tuple[Action, ...] = (
        ReassignReplicas("t", (PartitionMove(0, (3, 2, 1), (1, 2, 3)),)),
        DeleteTopic("gone", 1),
    )
    found = explain_staleness(Plan(actions, "", ""), mem.snapshot(), {})
    assert found == [
        "topic t partition 0 is on brokers [1, 2, 3], the plan expected [3, 2, 1]",
        "topic gone no longer exists",
    ]
