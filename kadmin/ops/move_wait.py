"""Following replica moves until they arrive: polling the ongoing reassignments, bounded by a
timeout and cut short by a stop, and saying where each partition stands when waiting ends.

Used by `kadmin.ops.reassignment` only; through the `ClusterAdmin` port, never printing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from kadmin.core.errors import KadminError
from kadmin.core.model import ClusterState, TopicPartition
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.stopping import StopRequest

METADATA_GRACE_S = 15.0
"""How long a finished move may still show its old replicas: brokers learn the new
replica set from the metadata log a moment after the controller drops the move."""


SIZES_EVERY_S = 2.0
"""How often the replicas' sizes are read for the progress display: a DescribeLogDirs per broker
is dearer than the poll of the moves, and a stop must not wait behind it."""


class _Bounds(Protocol):
    """How long to wait in all, and how often to look (`ReassignOptions`)."""

    @property
    def timeout(self) -> float: ...

    @property
    def poll_interval(self) -> float: ...


class MoveProgress(Protocol):
    """Told whenever the count of finished partition moves changes."""

    def __call__(self, done: int, total: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Copied:
    """How far the copying of the moving replicas has got, from their sizes on disk.

    `copied` counts the bytes the target replicas already hold (capped at the largest
    copy of their partition, the leader's), `needed` what they hold once complete;
    `elapsed` is the seconds since the first look, for a rate and an estimate.
    """

    copied: int
    needed: int
    elapsed: float

    def eta(self, first: Copied) -> float | None:
        """Seconds left at the rate seen since `first`; None until bytes have moved."""
        gained = self.copied - first.copied
        spent = self.elapsed - first.elapsed
        if gained <= 0 or spent <= 0:
            return None
        return max(0.0, (self.needed - self.copied) / (gained / spent))


@runtime_checkable
class CopyProgress(Protocol):
    """A `MoveProgress` that also wants the bytes copied, each time the moves are looked at."""

    def __call__(self, done: int, total: int) -> None: ...

    def copied(self, status: Copied) -> None: ...


@dataclass(frozen=True, slots=True)
class Waited:
    """Where the moves stood when waiting ended."""

    completed: tuple[TopicPartition, ...] = ()
    pending: tuple[TopicPartition, ...] = ()
    astray: Mapping[TopicPartition, tuple[tuple[int, ...], tuple[int, ...]]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Partitions no longer moving whose replicas are not the target: (replicas, target)."""
    interrupted: bool = False
    """A stop ended the wait; `pending` were still moving then."""
    cancelled: bool = False
    """The interrupted moves were cancelled."""

    def problem(self, topic: str, timeout: float) -> str:
        pending = [p for t, p in self.pending if t == topic]
        if pending and self.interrupted:
            if self.cancelled:
                return (
                    f"apply was stopped while {partition_names(pending)} moved; "
                    "the move was cancelled (the replicas are back where they were): "
                    "plan again to redo it"
                )
            return (
                f"apply was stopped while {partition_names(pending)} moved; "
                "the move goes on in the cluster: `kadmin plan` shows it, `kadmin apply` finishes it"
            )
        if pending:
            return (
                f"{partitions_text(pending)} still moving after {timeout:.0f} s; "
                "the moves go on in the cluster: "
                "`kadmin reassignments wait` to see them finish, or `kadmin reassignments cancel "
                f"--topic {topic}` to stop them"
            )
        astray = [(p, r) for (t, p), r in sorted(self.astray.items()) if t == topic]
        if astray:
            shown = "; ".join(
                f"partition {p} has replicas {list(now)}, not {list(want)}" for p, (now, want) in astray
            )
            return f"the move ended elsewhere ({shown}); was it cancelled or replaced? plan again to see"
        return ""


def await_moves(
    admin: ClusterAdmin,
    targets: Mapping[TopicPartition, tuple[int, ...]],
    options: _Bounds,
    progress: MoveProgress | None,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    stop: StopRequest | None = None,
) -> Waited:
    """Poll the ongoing reassignments (one request each time) until none of `targets` is moving and a
    fresh read shows every partition on its target replicas, the timeout passes, or `stop` is
    requested."""
    total = len(targets)
    topics = sorted({t for t, _ in targets})
    started = clock()
    sized_at: float | None = None
    deadline = started + options.timeout
    settled_at: float | None = None
    reported = -1
    while True:
        ongoing = admin.ongoing_reassignments()
        moving = {tp for tp in targets if tp in ongoing}
        astray: dict[TopicPartition, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        if not moving:
            state = admin.snapshot(topics)
            for tp, want in targets.items():
                now = _replicas(state, tp)
                if now != tuple(want):
                    astray[tp] = (now, tuple(want))
        done = total - len(moving) - len(astray)
        if progress is not None and done != reported:
            progress(done, total)
            reported = done
        now_t = clock()
        stopping = stop is not None and stop.requested
        due = sized_at is None or now_t - sized_at >= SIZES_EVERY_S
        if isinstance(progress, CopyProgress) and moving and due and not stopping:
            sized_at = now_t
            status = _copied(admin, {tp: targets[tp] for tp in moving}, now_t - started)
            if status is not None:
                progress.copied(status)
        if not moving:
            settled_at = now_t if settled_at is None else settled_at
            if not astray or now_t >= min(deadline, settled_at + METADATA_GRACE_S):
                completed = tuple(sorted(tp for tp in targets if tp not in astray))
                return Waited(completed, (), MappingProxyType(astray))
        interrupted = stop is not None and stop.requested
        if now_t >= deadline or interrupted:
            completed = tuple(sorted(tp for tp in targets if tp not in moving))
            return Waited(completed, tuple(sorted(moving)), interrupted=interrupted)
        pause = min(options.poll_interval, max(0.0, deadline - now_t))
        if stop is not None and sleep is time.sleep:
            stop.wait(pause)  # returns at once on a stop
        else:
            sleep(pause)


def _copied(
    admin: ClusterAdmin, moving: Mapping[TopicPartition, tuple[int, ...]], elapsed: float
) -> Copied | None:
    """Bytes held by the target replicas of `moving`, from one DescribeLogDirs per broker."""
    try:
        sizes = admin.replica_sizes(sorted({t for t, _ in moving}))
    except KadminError:
        return None  # sizes only inform the progress display; the move is followed regardless
    copied = needed = 0
    for tp, want in moving.items():
        held = sizes.get(tp, {})
        source = max(held.values(), default=0)
        needed += source * len(want)
        copied += sum(min(held.get(b, 0), source) for b in want)
    return Copied(copied, needed, elapsed)


def _replicas(state: ClusterState, tp: TopicPartition) -> tuple[int, ...]:
    topic = state.topics.get(tp[0])
    if topic is None:
        return ()
    return next((p.replicas for p in topic.partitions if p.id == tp[1]), ())


def partition_names(ids: Sequence[int]) -> str:
    shown = ", ".join(map(str, sorted(ids)))
    return f"partition {shown}" if len(ids) == 1 else f"partitions {shown}"


def partitions_text(ids: Sequence[int]) -> str:
    shown = ", ".join(map(str, sorted(ids)))
    return f"partition {shown} is" if len(ids) == 1 else f"partitions {shown} are"
