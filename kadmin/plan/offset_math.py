"""Pure offset-reset planning: committed offsets, watermarks and timestamp lookups in,
a `ResetOffsets` action out, with the semantics of Kafka's
``kafka-consumer-groups --reset-offsets`` (GroupOffsetsResetter in Kafka 4.x).

Also the declarative side: `OffsetResetSpec`s from a spec plus kadmin's ledger of
applied resets become actions, one notice for those already applied, and refusals (active group).

Imports only `model`, `errors` and `actions` of `kadmin.core`; never prints, never talks to Kafka.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from kadmin.core.actions import Notice, OffsetMove, Refusal, ResetOffsets
from kadmin.core.errors import Location, PlanError
from kadmin.core.model import (
    AppliedReset,
    GroupState,
    OffsetMode,
    OffsetResetSpec,
    ResetTo,
    TopicPartition,
    Watermarks,
)
from kadmin.core.targets import Target

STOP_CONSUMERS_HINT = (
    "stop every consumer of the group (or wait for their session timeout), then run it again; "
    "like Kafka's own tool, kadmin only moves offsets of inactive groups"
)


def lookup_time(to: ResetTo, now_ms: int) -> int | None:
    """The timestamp whose offsets a target needs looked up, or None if it needs none."""
    if to.mode is OffsetMode.DATETIME:
        return _required(to)
    if to.mode is OffsetMode.DURATION:
        # Before 1970 means from the oldest record; a negative timestamp would be a ListOffsets
        # sentinel (-1 latest, -2 earliest), not a time.
        return max(0, now_ms - _required(to))
    return None


def group_activity(group: GroupState) -> str:
    """``Stable with 2 member(s): app-1 on /10.0.0.5, app-2 on /10.0.0.6``, for refusals."""
    if not group.members:
        return str(group.state)
    members = ", ".join(f"{m.client_id or m.member_id} on {m.host or '?'}" for m in group.members)
    return f"{group.state} with {len(group.members)} member(s): {members}"


def partitions_in_scope(
    group: GroupState,
    to: ResetTo,
    topics: Mapping[str, tuple[int, ...]] | None,
    partition_counts: Mapping[str, int],
) -> tuple[TopicPartition, ...]:
    """The partitions a reset touches.

    A file names its own partitions; with topics as well, only the file's rows for those
    topics (and partitions) count. Kafka's tool ignores --topic with --from-file and
    writes every row, which resets what the operator did not name. No topics means every
    partition the group has committed offsets for (--all-topics). A topic with an empty
    tuple means all its partitions. Unknown topics and partitions are a `PlanError`, as
    Kafka refuses them (UnknownTopicOrPartitionException).
    """
    if to.mode is OffsetMode.FILE:
        rows = sorted(to.file_offsets or {})
        if not topics:
            return tuple(rows)
        return _file_rows_in(rows, topics, to.text)
    if not topics:
        return tuple(sorted(group.committed))
    chosen: set[TopicPartition] = set()
    for topic, wanted in topics.items():
        count = partition_counts.get(topic)
        if count is None:
            raise PlanError(
                f"topic {topic} does not exist",
                where=f"topic {topic}",
                hint="check the name (`kadmin offsets show --group G` lists the group's topics)",
            )
        missing = sorted(p for p in wanted if not 0 <= p < count)
        if missing:
            raise PlanError(
                f"topic {topic} has {count} partition(s); no partition {', '.join(map(str, missing))}",
                where=f"topic {topic}",
                hint=f"use partitions 0 to {count - 1}, or name the topic alone for all of them",
            )
        chosen.update((topic, p) for p in (wanted or range(count)))
    return tuple(sorted(chosen))


def _file_rows_in(
    rows: list[TopicPartition], topics: Mapping[str, tuple[int, ...]], file: str
) -> tuple[TopicPartition, ...]:
    chosen = tuple((t, p) for t, p in rows if t in topics and (not topics[t] or p in topics[t]))
    hint = "name only topics and partitions the file lists, or leave out --topic for the whole file"
    for topic, wanted in topics.items():
        have = {p for t, p in chosen if t == topic}
        if not have:
            raise PlanError(f"{file} has no offsets for topic {topic}", where=f"topic {topic}", hint=hint)
        missing = sorted(set(wanted) - have)
        if missing:
            raise PlanError(
                f"{file} has no offset for partition {', '.join(map(str, missing))} of topic {topic}",
                where=f"topic {topic}",
                hint=hint,
            )
    return chosen


def compute_reset(
    group: GroupState,
    to: ResetTo,
    partitions: Collection[TopicPartition],
    watermarks: Mapping[TopicPartition, Watermarks],
    time_offsets: Mapping[TopicPartition, int] | None = None,
    *,
    reset_id: str | None = None,
) -> ResetOffsets:
    """The moves that reset `group` on `partitions` to `to`, exactly as Kafka's tool computes them.

    `time_offsets` are the lookups for DATETIME/DURATION resets (first offset with a
    timestamp ≥ the time); a partition without one goes to its log end, as in Kafka.
    Explicit offsets (to-offset, shift-by, from-file) are clamped to [log start, log end];
    earliest, latest, current and time lookups are taken as the broker reports them.
    """
    moves = []
    for tp in sorted(set(partitions)):
        marks = watermarks.get(tp)
        if marks is None:
            raise PlanError(
                f"partition {tp[1]} of topic {tp[0]} does not exist (or has no leader)",
                where=f"topic {tp[0]}",
                hint="check the topic and partition; committed offsets of deleted topics cannot be reset",
            )
        before = group.committed.get(tp)
        moves.append(
            OffsetMove(tp[0], tp[1], before, _offset_after(group, to, tp, marks, before, time_offsets))
        )
    return ResetOffsets(
        group=group.group,
        to=to,
        moves=tuple(moves),
        reset_id=reset_id,
        group_exists=group.exists,
    )


def reset_actions(
    specs: Sequence[OffsetResetSpec],
    *,
    groups: Mapping[str, GroupState],
    partition_counts: Mapping[str, int],
    watermarks: Mapping[TopicPartition, Watermarks],
    time_offsets: Mapping[int, Mapping[TopicPartition, int]],
    ledger: Mapping[str, AppliedReset],
    now_ms: int,
) -> tuple[list[ResetOffsets], list[Notice], list[Refusal]]:
    """Actions for the declared resets not yet in the ledger; notices and refusals for the rest.

    `time_offsets` holds the lookups per timestamp (`lookup_time` of each target).
    A group with members is refused (naming them) rather than failing the whole plan,
    so `kadmin plan` can show every problem at once.
    """
    actions: list[ResetOffsets] = []
    notices: list[Notice] = []
    refusals: list[Refusal] = []
    applied: list[tuple[OffsetResetSpec, AppliedReset]] = []
    for spec in specs:
        target = Target.group(spec.group)
        done = ledger.get(spec.id)
        if done is not None:
            applied.append((spec, done))
            continue
        group = groups.get(spec.group) or GroupState.absent(spec.group)
        where: Location | str = spec.origin or f"group {spec.group}"
        if not group.is_inactive:
            refusals.append(
                Refusal(
                    target,
                    f"offset reset {spec.id!r}: group {spec.group} is {group_activity(group)}",
                    where=where,
                    hint=STOP_CONSUMERS_HINT,
                    # Held back on its own: one busy group does not stop unrelated changes.
                    blocking=False,
                )
            )
            continue
        try:
            scope = partitions_in_scope(group, spec.to, spec.topics, partition_counts)
            at = lookup_time(spec.to, now_ms)
            found = time_offsets.get(at, {}) if at is not None else None
            actions.append(compute_reset(group, spec.to, scope, watermarks, found, reset_id=spec.id))
        except PlanError as err:
            refusals.append(
                Refusal(target, f"offset reset {spec.id!r}: {err.message}", where=where, hint=err.hint)
            )
    if applied:
        notices.append(_applied_notice(applied))
    return actions, notices, refusals


def _applied_notice(applied: Sequence[tuple[OffsetResetSpec, AppliedReset]]) -> Notice:
    """One line for every reset the ledger already holds: entries stay in git as a record, so
    their number only grows, and a notice each would bury what a plan is about."""
    groups = sorted({spec.group for spec, _ in applied})
    target = Target.group(", ".join(groups))
    if len(applied) == 1:
        spec, done = applied[0]
        return Notice(target, f"offset reset {spec.id!r} already applied on {done.applied_at}")
    shown = ", ".join(repr(spec.id) for spec, _ in applied[:3])
    more = f" and {len(applied) - 3} more" if len(applied) > 3 else ""
    last = max(done.applied_at for _, done in applied)
    return Notice(
        target,
        f"{len(applied)} offset resets already applied, the last on {last}: {shown}{more}",
    )


def _offset_after(
    group: GroupState,
    to: ResetTo,
    tp: TopicPartition,
    marks: Watermarks,
    before: int | None,
    time_offsets: Mapping[TopicPartition, int] | None,
) -> int:
    match to.mode:
        case OffsetMode.EARLIEST:
            return marks.start
        case OffsetMode.LATEST:
            return marks.end
        case OffsetMode.CURRENT:
            # Kafka's tool commits the log end for partitions the group has no offset for.
            return before if before is not None else marks.end
        case OffsetMode.OFFSET:
            return _clamp(_required(to), marks)
        case OffsetMode.SHIFT_BY:
            if before is None:
                raise PlanError(
                    f"cannot shift partition {tp[1]} of topic {tp[0]}: "
                    f"group {group.group} has no committed offset there",
                    where=f"group {group.group}",
                    hint="shift only partitions with commits (--topic T:P), or pick an absolute target "
                    "such as --to-earliest or --to-offset",
                )
            return _clamp(before + _required(to), marks)
        case OffsetMode.DATETIME | OffsetMode.DURATION:
            # ListOffsets answers -1 when no message is that recent; Kafka falls back to the log end.
            found = (time_offsets or {}).get(tp, -1)
            return found if found >= 0 else marks.end
        case OffsetMode.FILE:
            rows = to.file_offsets or {}
            if tp not in rows:
                raise PlanError(
                    f"the offsets file has no row for partition {tp[1]} of topic {tp[0]}",
                    where=f"group {group.group}",
                    hint="add a topic,partition,offset row for it",
                )
            return _clamp(rows[tp], marks)


def _clamp(offset: int, marks: Watermarks) -> int:
    # Same order as Kafka's checkOffsetsRange: above the log end first, then below the log start.
    if offset > marks.end:
        return marks.end
    if offset < marks.start:
        return marks.start
    return offset


def _required(to: ResetTo) -> int:
    if to.value is None:
        raise PlanError(
            f"reset mode {to.mode.value} needs a value",
            hint="give the offset, shift, time or duration the mode takes",
        )
    return to.value
