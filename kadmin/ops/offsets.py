"""Consumer-group offsets end to end: read what a reset needs through the `ClusterAdmin`
port, let the pure core in `plan.offset_math` compute it, and carry it out.

Used by `kadmin offsets show|reset` and by apply for declarative resets. Never prints
and never imports confluent_kafka: the port is the only way out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kadmin.core.actions import Notice, Refusal, ResetOffsets
from kadmin.core.errors import KadminError, PlanError
from kadmin.core.model import (
    AppliedReset,
    ClusterState,
    DesiredState,
    GroupMember,
    GroupState,
    OffsetMode,
    ResetTo,
    TopicPartition,
    Watermarks,
)
from kadmin.kafka.port import ClusterAdmin, Outcome
from kadmin.plan.offset_math import (
    STOP_CONSUMERS_HINT,
    compute_reset,
    group_activity,
    lookup_time,
    partitions_in_scope,
    reset_actions,
)
from kadmin.spec.offsets_csv import format_offsets_csv


@dataclass(frozen=True, slots=True)
class ResetOutcome(Outcome):
    """What executing a reset did: the backup written before it and whether the ledger has it."""

    hint: str = ""
    backup: Path | None = None
    recorded: bool = False


@dataclass(frozen=True, slots=True)
class PartitionOffsets:
    """One row of `kadmin offsets show`."""

    topic: str
    partition: int
    committed: int | None
    log_start: int | None
    log_end: int | None
    member: GroupMember | None = None

    @property
    def lag(self) -> int | None:
        if self.committed is None or self.log_end is None:
            return None
        return max(0, self.log_end - self.committed)


@dataclass(frozen=True, slots=True)
class GroupOffsets:
    """A group's state and members with, per partition, its committed offset and the log around it."""

    group: GroupState
    partitions: tuple[PartitionOffsets, ...]

    @property
    def committed(self) -> dict[TopicPartition, int]:
        return {(p.topic, p.partition): p.committed for p in self.partitions if p.committed is not None}


def show_group(admin: ClusterAdmin, group: str) -> GroupOffsets:
    """Committed offsets, log start/end and lag of every partition the group commits to or is assigned."""
    state = admin.describe_groups([group]).get(group) or GroupState.absent(group)
    return group_offsets(state, admin.watermarks(group_partitions(state)))


def group_partitions(state: GroupState) -> list[TopicPartition]:
    """The partitions a group commits to or has assigned to a member."""
    return sorted(set(state.committed) | {tp for m in state.members for tp in m.assignment})


def group_offsets(state: GroupState, marks: Mapping[TopicPartition, Watermarks]) -> GroupOffsets:
    """A group's rows, from its description and the watermarks of (at least) its partitions."""
    owners = {tp: m for m in state.members for tp in m.assignment}
    partitions = group_partitions(state)
    rows = tuple(
        PartitionOffsets(
            topic=tp[0],
            partition=tp[1],
            committed=state.committed.get(tp),
            log_start=marks[tp].start if tp in marks else None,
            log_end=marks[tp].end if tp in marks else None,
            member=owners.get(tp),
        )
        for tp in partitions
    )
    return GroupOffsets(state, rows)


def plan_group_reset(
    admin: ClusterAdmin,
    group: str,
    topics: Mapping[str, tuple[int, ...]] | None,
    to: ResetTo,
    now_ms: int,
) -> ResetOffsets:
    """The reset `kadmin offsets reset` would do; `topics` None means every topic the group has commits on.

    Raises `PlanError` for an active group (naming its state and members), unknown
    topics or partitions, and a shift on a partition without a commit.
    """
    state = admin.describe_groups([group]).get(group) or GroupState.absent(group)
    require_inactive(state)
    counts: dict[str, int] = {}
    if topics and to.mode is not OffsetMode.FILE:
        observed = admin.snapshot(list(topics)).topics
        counts = {name: len(t.partitions) for name, t in observed.items()}
    scope = partitions_in_scope(state, to, topics, counts)
    marks = admin.watermarks(scope)
    at = lookup_time(to, now_ms)
    found = admin.offsets_for_times(scope, at) if at is not None and scope else None
    return compute_reset(state, to, scope, marks, found)


@dataclass(frozen=True, slots=True)
class SpecResets:
    """The declared resets a plan carries out, and the group states they were computed from
    (which the plan's fingerprint must cover)."""

    actions: list[ResetOffsets]
    notices: list[Notice]
    refusals: list[Refusal]
    groups: Mapping[str, GroupState]


def read_spec_resets(
    admin: ClusterAdmin, desired: DesiredState, now_ms: int, *, observed: ClusterState | None = None
) -> SpecResets:
    """The spec's pending resets, planned from one ledger read, one group describe, one
    watermark read for all of them and one timestamp lookup per distinct time.

    `observed`, a snapshot the caller already holds, saves reading the topics again.
    """
    specs = desired.offset_resets
    if not specs:
        return SpecResets([], [], [], {})
    ledger = admin.applied_resets()
    pending = [s for s in specs if s.id not in ledger]
    groups = admin.describe_groups({s.group for s in pending}) if pending else {}
    named = sorted({t for s in pending if s.to.mode is not OffsetMode.FILE for t in s.topics})
    topics = (observed.topics if observed is not None else admin.snapshot(named).topics) if named else {}
    counts = {n: len(topics[n].partitions) for n in named if n in topics}

    scopes: dict[str, tuple[TopicPartition, ...]] = {}
    for spec in pending:
        state = groups.get(spec.group) or GroupState.absent(spec.group)
        try:
            scopes[spec.id] = partitions_in_scope(state, spec.to, spec.topics, counts)
        except PlanError:
            continue  # reset_actions turns it into a refusal located at the spec
    everything = sorted({tp for scope in scopes.values() for tp in scope})
    marks = admin.watermarks(everything) if everything else {}
    by_time: dict[int, set[TopicPartition]] = {}
    for spec in pending:
        at = lookup_time(spec.to, now_ms)
        if at is not None and spec.id in scopes:
            by_time.setdefault(at, set()).update(scopes[spec.id])
    found = {at: admin.offsets_for_times(sorted(tps), at) for at, tps in by_time.items() if tps}
    actions, notices, refusals = reset_actions(
        specs,
        groups=groups,
        partition_counts=counts,
        watermarks=marks,
        time_offsets=found,
        ledger=ledger,
        now_ms=now_ms,
    )
    return SpecResets(actions, notices, refusals, groups)


def execute_reset(
    admin: ClusterAdmin, action: ResetOffsets, *, backup_dir: Path | None, now: datetime | None = None
) -> ResetOutcome:
    """Commit the action's targets in one call, after checking again that the group is inactive.

    With `backup_dir`, the group's current offsets on those partitions are written there
    first as a ``--from-file`` CSV (nothing is committed if that fails). A declarative
    reset (`reset_id` set) is then recorded in the ledger so it never runs twice.
    """
    target = action.target
    moment = now or datetime.now(UTC)
    state = admin.describe_groups([action.group]).get(action.group) or GroupState.absent(action.group)
    if not state.is_inactive:
        return ResetOutcome(
            target,
            False,
            f"group {action.group} is {group_activity(state)}; nothing was changed",
            hint=STOP_CONSUMERS_HINT,
        )
    touched = [(m.topic, m.partition) for m in action.moves]
    current = {tp: state.committed[tp] for tp in touched if tp in state.committed}
    backup = (
        write_backup(backup_dir, action.group, current, moment)
        if backup_dir is not None and current
        else None
    )

    committed = admin.commit_offsets(action.group, {(m.topic, m.partition): m.after for m in action.moves})
    if not committed.ok:
        return ResetOutcome(
            target, False, committed.error, hint=_restore_hint(action.group, backup), backup=backup
        )
    if action.reset_id is None:
        return ResetOutcome(target, True, backup=backup)

    record = AppliedReset(
        id=action.reset_id,
        group=action.group,
        applied_at=moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        offsets={(m.topic, m.partition): m.after for m in action.moves},
        previous={tp: current.get(tp) for tp in touched},
    )
    recorded = admin.record_reset(record)
    if not recorded.ok:
        return ResetOutcome(
            target,
            False,
            f"offsets committed, but reset {action.reset_id!r} was not recorded: {recorded.error}",
            hint="the next plan offers this reset again; remove it from the spec before the next apply",
            backup=backup,
        )
    return ResetOutcome(target, True, backup=backup, recorded=True)


def require_inactive(state: GroupState) -> None:
    """Raise `PlanError` unless the group may be reset: no members, and Empty, Dead or unknown."""
    if not state.is_inactive:
        raise PlanError(
            f"group {state.group} is {group_activity(state)}; offsets can only be reset while it is inactive",
            where=f"group {state.group}",
            hint=STOP_CONSUMERS_HINT,
        )


def write_backup(directory: Path, group: str, offsets: Mapping[TopicPartition, int], when: datetime) -> Path:
    """Write `offsets` as ``<group>-<UTC time>.csv`` in `directory`, never overwriting a file."""
    stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", group) or "group"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for attempt in range(1000):
            path = directory / (f"{safe}-{stamp}.csv" if attempt == 0 else f"{safe}-{stamp}-{attempt}.csv")
            try:
                with path.open("x", encoding="utf-8") as out:
                    out.write(format_offsets_csv(offsets))
                return path
            except FileExistsError:
                continue
    except OSError as err:
        raise KadminError(
            f"cannot write the offsets backup: {err.strerror or err}; nothing was changed",
            where=str(directory),
            hint="pass a writable --backup-dir",
        ) from None
    raise KadminError(
        "cannot write the offsets backup: too many backups this second; nothing was changed",
        where=str(directory),
        hint="pass another --backup-dir",
    )


def _restore_hint(group: str, backup: Path | None) -> str:
    # Kafka answers an offset commit per partition, so a failure may leave some partitions moved.
    check = f"check with `kadmin offsets show --group {group}`"
    return f"{check}; restore with `--from-file {backup}` if needed" if backup else check
