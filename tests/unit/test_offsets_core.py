"""The pure offset-reset core against the semantics of Kafka's kafka-consumer-groups --reset-offsets."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from kadmin.core.actions import OffsetMove
from kadmin.core.errors import Location, PlanError
from kadmin.core.model import (
    AppliedReset,
    ConsumerGroupState,
    GroupMember,
    GroupState,
    OffsetMode,
    OffsetResetSpec,
    ResetTo,
    TopicPartition,
    Watermarks,
)
from kadmin.core.targets import Target
from kadmin.plan.offset_math import (
    compute_reset,
    group_activity,
    lookup_time,
    partitions_in_scope,
    reset_actions,
)

# orders-0 holds offsets 10..99, orders-1 is empty at 50, orders-2 holds 0..29.
MARKS = {
    ("orders", 0): Watermarks(10, 100),
    ("orders", 1): Watermarks(50, 50),
    ("orders", 2): Watermarks(0, 30),
}
ALL = tuple(MARKS)


def group(
    committed: Mapping[TopicPartition, int] | None = None,
    state: ConsumerGroupState = ConsumerGroupState.EMPTY,
    members: tuple[GroupMember, ...] = (),
) -> GroupState:
    return GroupState("billing", state, members=members, committed=dict(committed or {}))


def targets(action_moves: tuple[OffsetMove, ...]) -> dict[TopicPartition, int]:
    return {(m.topic, m.partition): m.after for m in action_moves}


COMMITTED = {("orders", 0): 40, ("orders", 2): 29}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (ResetTo(OffsetMode.EARLIEST), {("orders", 0): 10, ("orders", 1): 50, ("orders", 2): 0}),
        (ResetTo(OffsetMode.LATEST), {("orders", 0): 100, ("orders", 1): 50, ("orders", 2): 30}),
        # to-current keeps commits and sends partitions without one to the log end.
        (ResetTo(OffsetMode.CURRENT), {("orders", 0): 40, ("orders", 1): 50, ("orders", 2): 29}),
        # to-offset is clamped: below the log start on 0, above the log end on 2 and on 1.
        (ResetTo(OffsetMode.OFFSET, 5), {("orders", 0): 10, ("orders", 1): 50, ("orders", 2): 5}),
        (ResetTo(OffsetMode.OFFSET, 75), {("orders", 0): 75, ("orders", 1): 50, ("orders", 2): 30}),
    ],
    ids=["earliest", "latest", "current", "offset-low", "offset-high"],
)
def test_modes_without_lookups(target: ResetTo, expected: dict[TopicPartition, int]) -> None:
    action = compute_reset(group(COMMITTED), target, ALL, MARKS)
    assert targets(action.moves) == expected
    assert action.group == "billing" and action.to == target and action.reset_id is None


def test_moves_carry_the_committed_offset_and_are_sorted() -> None:
    scope = [("orders", 2), ("orders", 0), ("orders", 1)]
    action = compute_reset(group(COMMITTED), ResetTo(OffsetMode.EARLIEST), scope, MARKS)
    assert action.moves == (
        OffsetMove("orders", 0, 40, 10),
        OffsetMove("orders", 1, None, 50),
        OffsetMove("orders", 2, 29, 0),
    )
    assert [m.delta for m in action.moves] == [-30, 0, -29]


def test_shift_by_is_relative_to_the_commit_and_clamped() -> None:
    scope = [("orders", 0), ("orders", 2)]
    back = compute_reset(group(COMMITTED), ResetTo(OffsetMode.SHIFT_BY, -35), scope, MARKS)
    assert targets(back.moves) == {("orders", 0): 10, ("orders", 2): 0}
    forward = compute_reset(group(COMMITTED), ResetTo(OffsetMode.SHIFT_BY, 5), scope, MARKS)
    assert targets(forward.moves) == {("orders", 0): 45, ("orders", 2): 30}


def test_shift_by_refuses_a_partition_without_commit_like_kafka() -> None:
    with pytest.raises(PlanError) as caught:
        compute_reset(group(COMMITTED), ResetTo(OffsetMode.SHIFT_BY, 1), ALL, MARKS)
    assert "partition 1 of topic orders" in caught.value.message
    assert caught.value.where == "group billing"
    assert caught.value.hint


@pytest.mark.parametrize("mode", [OffsetMode.DATETIME, OffsetMode.DURATION])
def test_time_lookups_fall_back_to_log_end(mode: OffsetMode) -> None:
    found = {("orders", 0): 60, ("orders", 2): -1}  # -1: no message that recent; orders-1 not answered
    action = compute_reset(group(), ResetTo(mode, 1), ALL, MARKS, found)
    assert targets(action.moves) == {("orders", 0): 60, ("orders", 1): 50, ("orders", 2): 30}


def test_from_file_uses_the_file_rows_clamped() -> None:
    rows = {("orders", 0): 3, ("orders", 2): 12}
    target = ResetTo(OffsetMode.FILE, text="b.csv", file_offsets=rows)
    scope = partitions_in_scope(group(COMMITTED), target, {"orders": ()}, {"orders": 3})
    assert scope == (("orders", 0), ("orders", 2))
    assert targets(compute_reset(group(COMMITTED), target, scope, MARKS).moves) == {
        ("orders", 0): 10,
        ("orders", 2): 12,
    }


def test_from_file_with_topics_keeps_only_their_rows() -> None:
    rows = {("orders", 0): 3, ("orders", 2): 12, ("payments", 0): 5}
    target = ResetTo(OffsetMode.FILE, text="b.csv", file_offsets=rows)
    assert partitions_in_scope(group(), target, None, {}) == (("orders", 0), ("orders", 2), ("payments", 0))
    assert partitions_in_scope(group(), target, {"orders": ()}, {}) == (("orders", 0), ("orders", 2))
    assert partitions_in_scope(group(), target, {"orders": (2,)}, {}) == (("orders", 2),)
    with pytest.raises(PlanError, match=r"b\.csv has no offsets for topic audit"):
        partitions_in_scope(group(), target, {"audit": ()}, {})
    with pytest.raises(PlanError, match=r"b\.csv has no offset for partition 1 of topic orders"):
        partitions_in_scope(group(), target, {"orders": (1, 2)}, {})


def test_unknown_partition_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="partition 7 of topic orders does not exist"):
        compute_reset(group(), ResetTo(OffsetMode.EARLIEST), [("orders", 7)], MARKS)


def test_group_existence_is_carried() -> None:
    absent = GroupState.absent("fresh")
    assert compute_reset(absent, ResetTo(OffsetMode.LATEST), ALL, MARKS).group_exists is False


def test_an_absent_group_is_dead_unknown_to_the_cluster_and_resettable() -> None:
    absent = GroupState.absent("fresh")
    assert (absent.state, absent.exists, absent.members, dict(absent.committed)) == (
        ConsumerGroupState.DEAD,
        False,
        (),
        {},
    )
    assert absent.is_inactive


@pytest.mark.parametrize(
    ("state", "inactive"),
    [
        (ConsumerGroupState.EMPTY, True),
        (ConsumerGroupState.DEAD, True),
        (ConsumerGroupState.UNKNOWN, True),
        (ConsumerGroupState.STABLE, False),
        (ConsumerGroupState.PREPARING_REBALANCE, False),
        (ConsumerGroupState.COMPLETING_REBALANCE, False),
    ],
)
def test_only_empty_dead_or_unknown_groups_without_members_may_be_reset(
    state: ConsumerGroupState, inactive: bool
) -> None:
    assert GroupState("g", state).is_inactive is inactive
    member = GroupMember("m-1", "app", "/10.0.0.1")
    assert GroupState("g", state, members=(member,)).is_inactive is False


def test_scope_all_topics_means_committed_partitions() -> None:
    assert partitions_in_scope(group(COMMITTED), ResetTo(OffsetMode.EARLIEST), None, {}) == (
        ("orders", 0),
        ("orders", 2),
    )


def test_scope_topic_alone_means_every_partition_and_lists_merge() -> None:
    scope = partitions_in_scope(
        group(), ResetTo(OffsetMode.EARLIEST), {"orders": (), "audit": (1,)}, {"orders": 3, "audit": 2}
    )
    assert scope == (("audit", 1), ("orders", 0), ("orders", 1), ("orders", 2))


def test_scope_rejects_unknown_topics_and_partitions() -> None:
    with pytest.raises(PlanError, match="topic nope does not exist"):
        partitions_in_scope(group(), ResetTo(OffsetMode.EARLIEST), {"nope": ()}, {"orders": 3})
    with pytest.raises(PlanError, match="no partition 3, 9") as caught:
        partitions_in_scope(group(), ResetTo(OffsetMode.EARLIEST), {"orders": (0, 3, 9)}, {"orders": 3})
    assert caught.value.where == "topic orders"


def test_lookup_time_per_mode() -> None:
    assert lookup_time(ResetTo(OffsetMode.DATETIME, 1234), now_ms=10_000) == 1234
    assert lookup_time(ResetTo(OffsetMode.DURATION, 4000), now_ms=10_000) == 6000
    assert lookup_time(ResetTo(OffsetMode.EARLIEST), now_ms=10_000) is None


ACTIVE = group(
    COMMITTED,
    state=ConsumerGroupState.STABLE,
    members=(
        GroupMember("m-1", "billing-app-1", "/10.0.0.5"),
        GroupMember("m-2", "billing-app-2", "/10.0.0.6"),
    ),
)


def test_group_activity_names_members() -> None:
    assert (
        group_activity(ACTIVE)
        == "Stable with 2 member(s): billing-app-1 on /10.0.0.5, billing-app-2 on /10.0.0.6"
    )
    assert group_activity(group()) == "Empty"


def _spec(reset_id: str, group_name: str, target: ResetTo, line: int) -> OffsetResetSpec:
    return OffsetResetSpec(
        reset_id, group_name, {"orders": ()}, target, Location("specs/offsets.yaml", line, 3)
    )


def test_reset_actions_ledger_activity_and_absent_groups() -> None:
    specs = [
        _spec("replay-1", "billing", ResetTo(OffsetMode.EARLIEST), 4),
        _spec("done-1", "billing", ResetTo(OffsetMode.LATEST), 9),
        _spec("busy-1", "busy", ResetTo(OffsetMode.EARLIEST), 14),
        _spec("new-1", "fresh", ResetTo(OffsetMode.DURATION, 500), 19),
    ]
    busy = GroupState("busy", ConsumerGroupState.STABLE, members=ACTIVE.members)
    ledger = {"done-1": AppliedReset("done-1", "billing", "2024-05-01T08:00:00Z")}
    actions, notices, refusals = reset_actions(
        specs,
        groups={"billing": group(COMMITTED), "busy": busy},
        partition_counts={"orders": 3},
        watermarks=MARKS,
        time_offsets={9500: {("orders", 0): 70, ("orders", 1): 50, ("orders", 2): 20}},
        ledger=ledger,
        now_ms=10_000,
    )
    assert [(a.reset_id, a.group, a.group_exists) for a in actions] == [
        ("replay-1", "billing", True),
        ("new-1", "fresh", False),
    ]
    assert targets(actions[1].moves) == {("orders", 0): 70, ("orders", 1): 50, ("orders", 2): 20}
    assert [n.message for n in notices] == ["offset reset 'done-1' already applied on 2024-05-01T08:00:00Z"]
    assert len(refusals) == 1
    refusal = refusals[0]
    assert refusal.target == Target.group("busy")
    assert refusal.where == Location("specs/offsets.yaml", 14, 3)
    assert "billing-app-1 on /10.0.0.5" in refusal.message and "Stable" in refusal.message
    assert "stop every consumer" in refusal.hint


def test_reset_actions_turn_plan_errors_into_located_refusals() -> None:
    specs = [
        _spec("shift-1", "billing", ResetTo(OffsetMode.SHIFT_BY, -5), 4),
        OffsetResetSpec(
            "gone-1", "billing", {"gone": ()}, ResetTo(OffsetMode.EARLIEST), Location("o.yaml", 2)
        ),
    ]
    actions, notices, refusals = reset_actions(
        specs,
        groups={"billing": group(COMMITTED)},
        partition_counts={"orders": 3},
        watermarks=MARKS,
        time_offsets={},
        ledger={},
        now_ms=0,
    )
    assert actions == [] and notices == []
    assert [(r.where, r.message.split(":")[0]) for r in refusals] == [
        (Location("specs/offsets.yaml", 4, 3), "offset reset 'shift-1'"),
        (Location("o.yaml", 2), "offset reset 'gone-1'"),
    ]
    assert "no committed offset" in refusals[0].message
    assert "topic gone does not exist" in refusals[1].message


def test_resets_already_applied_collapse_into_one_notice() -> None:
    specs = [_spec(f"done-{i}", "billing", ResetTo(OffsetMode.LATEST), 4 + i) for i in range(5)]
    ledger = {s.id: AppliedReset(s.id, "billing", f"2024-05-0{i + 1}T08:00:00Z") for i, s in enumerate(specs)}
    actions, notices, refusals = reset_actions(
        specs,
        groups={},
        partition_counts={"orders": 3},
        watermarks=MARKS,
        time_offsets={},
        ledger=ledger,
        now_ms=10_000,
    )
    assert actions == [] and refusals == []
    assert [(n.target, n.message) for n in notices] == [
        (
            Target.group("billing"),
            "5 offset resets already applied, the last on 2024-05-05T08:00:00Z: "
            "'done-0', 'done-1', 'done-2' and 2 more",
        )
    ]
