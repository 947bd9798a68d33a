"""Reassignments already running in the cluster, through the `ClusterAdmin` port: what
``kadmin reassignments list|wait|cancel`` do. `describe` lists them with each partition's
replicas now; `finish` waits for them (what ``--no-wait`` leaves for later), then removes the
throttles and elects the preferred leaders; `cancel` stops them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from kadmin.core.targets import Target
from kadmin.kafka.port import ClusterAdmin, Outcome
from kadmin.ops.move_wait import MoveProgress, Waited, await_moves
from kadmin.ops.reassignment import ReassignmentResult, ReassignOptions, count, elect_preferred
from kadmin.ops.throttles import Throttles, clear_throttles, find_throttles

_DEFAULT_OPTIONS = ReassignOptions()


@dataclass(frozen=True, slots=True)
class OngoingMove:
    """One partition being moved: its replicas now and the replicas it moves to.

    While a move copies, Kafka lists the target replicas followed by the ones being
    removed, so `replicas` holds both.
    """

    topic: str
    partition: int
    replicas: tuple[int, ...]
    target_replicas: tuple[int, ...]

    @property
    def removing(self) -> tuple[int, ...]:
        return tuple(b for b in self.replicas if b not in self.target_replicas)


@dataclass(frozen=True, slots=True)
class Reassignments:
    """The cluster's ongoing reassignments and the throttles in place."""

    moves: tuple[OngoingMove, ...]
    throttles: Throttles


def finish(
    admin: ClusterAdmin,
    options: ReassignOptions = _DEFAULT_OPTIONS,
    *,
    progress: MoveProgress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ReassignmentResult:
    """Wait for every ongoing reassignment, then remove the throttles in place and elect preferred
    leaders for the partitions that moved: what ``--no-wait`` leaves for later.

    As Kafka's ``--verify`` does, the throttles are removed wherever they are set,
    since a throttle outliving its reassignment is never wanted; and only once
    nothing moves any more.
    """
    moving_to = admin.ongoing_reassignments()
    waited = await_moves(admin, moving_to, options, progress, sleep, clock) if moving_to else Waited()
    outcomes = []
    for topic in sorted({t for t, _ in moving_to}):
        problem = waited.problem(topic, options.timeout)
        outcomes.append(Outcome(Target.topic(topic), not problem, problem))
    notes: list[str] = []
    removed = False
    if waited.pending:
        notes.append("the replication throttles stay while partitions are still moving")
    else:
        found = find_throttles(admin)
        if found:
            removed = clear_throttles(admin, found.brokers.keys(), found.topics.keys(), notes)
    elect_preferred(admin, waited.completed, notes)
    return ReassignmentResult(
        tuple(outcomes),
        completed=waited.completed,
        pending=waited.pending,
        throttle_removed=removed,
        notes=tuple(notes),
    )


def cancel(admin: ClusterAdmin, topics: Collection[str] | None = None) -> ReassignmentResult:
    """Cancel the ongoing reassignments (of `topics` only, when given); their replicas go back to
    where they were. Once nothing moves any more, the throttles in place are removed too, as
    Kafka's ``--cancel`` does. `completed` holds the partitions whose move was cancelled."""
    ongoing = admin.ongoing_reassignments()
    wanted = set(topics) if topics is not None else None
    chosen = sorted(tp for tp in ongoing if wanted is None or tp[0] in wanted)
    notes = [
        f"topic {t}: no reassignment in progress" for t in sorted((wanted or set()) - {t for t, _ in ongoing})
    ]
    outcomes = admin.cancel_reassignments(chosen) if chosen else []
    removed = False
    still = admin.ongoing_reassignments() if chosen else ongoing
    if still:
        if chosen:
            notes.append(
                f"the replication throttles stay: {count(len(still), 'other partition')} still moving"
            )
    else:
        found = find_throttles(admin)
        if found:
            removed = clear_throttles(admin, found.brokers.keys(), found.topics.keys(), notes)
    cancelled = tuple(tp for tp in chosen if any(o.ok and o.target == Target.topic(tp[0]) for o in outcomes))
    return ReassignmentResult(
        tuple(outcomes), completed=cancelled, throttle_removed=removed, notes=tuple(notes)
    )


def describe(admin: ClusterAdmin) -> Reassignments:
    """The ongoing reassignments with each partition's replicas now, and the throttles in place."""
    moving_to = admin.ongoing_reassignments()
    state = admin.snapshot()
    moves = []
    for (topic, partition), replicas in sorted(moving_to.items()):
        observed = state.topics.get(topic)
        now = next((p.replicas for p in observed.partitions if p.id == partition), ()) if observed else ()
        moves.append(OngoingMove(topic, partition, now, replicas))
    return Reassignments(tuple(moves), find_throttles(admin, state))
