"""Carrying out replica reassignments safely, through the `ClusterAdmin` port only.

Owns the steps Kafka's own reassignment tool leaves to the operator: refuse
partitions that are already moving, set the replication throttle, start every move
in one request, wait (bounded, with progress) until the moves are done and the
replicas are where the plan put them, remove the throttle, and run a preferred
leader election for the moved partitions; and, for apply, following moves a plan found
left running (`finish_moves`). The throttle's layout is `kadmin.ops.throttles`, the wait
`kadmin.ops.move_wait`, moves already running in the cluster `kadmin.ops.running_moves`.
Never prints and never imports a Kafka client: progress goes to a callback, and results
are values.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kadmin.core.actions import FinishMove, ReassignReplicas
from kadmin.core.errors import KadminError
from kadmin.core.model import TopicPartition
from kadmin.core.targets import Target
from kadmin.kafka.port import (
    ClusterAdmin,
    Outcome,
)
from kadmin.ops.move_wait import METADATA_GRACE_S as METADATA_GRACE_S
from kadmin.ops.move_wait import MoveProgress as MoveProgress
from kadmin.ops.move_wait import Waited, await_moves, partitions_text
from kadmin.ops.reassign_options import ReassignOptions as ReassignOptions
from kadmin.ops.stopping import StopRequest
from kadmin.ops.throttles import clear_throttles, throttle_for

_DEFAULT_OPTIONS = ReassignOptions()


@dataclass(frozen=True, slots=True)
class ReassignmentResult:
    """What became of a batch of moves: one outcome per topic, and what is left behind."""

    outcomes: tuple[Outcome, ...]
    completed: tuple[TopicPartition, ...] = ()
    """Partitions whose replicas reached their target."""
    pending: tuple[TopicPartition, ...] = ()
    """Partitions still moving when kadmin stopped waiting (``--no-wait`` or the timeout)."""
    throttle_removed: bool = False
    notes: tuple[str, ...] = ()
    """Things the operator should know that are not failures of a topic (a throttle left in place, ...)."""

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)


# --- carrying out a batch of moves ---------------------------------------------------


def reassign(
    admin: ClusterAdmin,
    actions: Sequence[ReassignReplicas],
    options: ReassignOptions = _DEFAULT_OPTIONS,
    *,
    progress: MoveProgress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    stop: StopRequest | None = None,
) -> ReassignmentResult:
    """Move the replicas of `actions`: throttle, start, wait, check, unthrottle, elect leaders.

    One outcome per action (its topic), whatever fails: a call that raises becomes a
    failed outcome for every topic it was for. A topic with a partition already being
    moved is refused, since a second request would silently replace the first
    move's target. If the throttle cannot be set, nothing moves. Without
    `options.wait`, or when the timeout passes, moves keep running in the cluster
    and the throttle stays until `finish` removes it. When `stop` is requested while
    waiting, the moves still running are cancelled (their replicas go back where they
    were, so nothing is left half-moved) and the throttle is removed.
    """
    if not actions:
        return ReassignmentResult(())
    failed: dict[Target, Outcome] = {}
    notes: list[str] = []
    try:
        ongoing = admin.ongoing_reassignments()
    except KadminError as err:
        why = f"could not list the moves in progress ({err.with_hint()}); nothing was moved"
        return ReassignmentResult(tuple(Outcome(a.target, False, why) for a in actions))
    runnable: list[ReassignReplicas] = []
    for action in actions:
        busy = [m.partition for m in action.moves if (action.topic, m.partition) in ongoing]
        if busy:
            failed[action.target] = Outcome(
                action.target,
                False,
                f"{partitions_text(busy)} already being reassigned; "
                "wait for it (`kadmin reassignments wait`) "
                f"or stop it (`kadmin reassignments cancel --topic {action.topic}`), then plan again",
            )
        else:
            runnable.append(action)

    throttle = throttle_for(runnable, options.throttle) if options.throttle and runnable else None
    # The throttle comes off before returning, unless moves go on (`keep`): on every path out,
    # an unexpected error included (the `finally`), so a failure never leaves it behind.
    state = {"keep": False, "removed": False}

    def unthrottle() -> bool:
        if throttle is not None and not state["keep"] and not state["removed"]:
            state["removed"] = clear_throttles(admin, throttle.brokers, throttle.topics, notes)
            if state["removed"] and stop is not None:
                stop.settled(_THROTTLE_LEFT)
            state["keep"] = True  # tried once; a failure is a note, not retried
        return state["removed"]

    started: list[ReassignReplicas] = []
    try:
        if throttle is not None:
            if stop is not None:
                stop.leaves(_THROTTLE_LEFT)
            try:
                why = "; ".join(
                    f"{o.target}: {o.error}" for o in admin.set_replication_throttle(throttle) if not o.ok
                )
            except KadminError as err:
                why = err.with_hint()
            if why:
                for action in runnable:
                    failed[action.target] = Outcome(
                        action.target,
                        False,
                        f"could not set the replication throttle ({why}); nothing was moved",
                    )
                runnable = []

        if runnable:
            try:
                answered = {o.target: o for o in admin.reassign_partitions(runnable)}
            except KadminError as err:
                answered = {a.target: Outcome(a.target, False, err.with_hint()) for a in runnable}
            for action in runnable:
                outcome = answered.get(action.target) or Outcome(
                    action.target, False, "no answer from the cluster"
                )
                if outcome.ok:
                    started.append(action)
                else:
                    failed[action.target] = outcome
        if not started:
            removed = unthrottle()
            return ReassignmentResult(
                _in_order(actions, failed), throttle_removed=removed, notes=tuple(notes)
            )

        moving_to = {(a.topic, m.partition): m.after for a in started for m in a.moves}
        if not options.wait:
            state["keep"] = True
            note = (
                f"{count(len(moving_to), 'partition')} moving in the background; "
                "`kadmin reassignments list` shows them"
            )
            if throttle is not None:
                note += "; the replication throttle stays until `kadmin reassignments wait` sees them finish"
            return ReassignmentResult(
                _in_order(actions, failed), pending=tuple(sorted(moving_to)), notes=(note,)
            )

        if stop is not None:
            stop.doing(f"moving {count(len(moving_to), 'partition')} of {_topics(started)}")
            stop.leaves(f"replica moves of {_topics(started)}")
        try:
            waited = await_moves(admin, moving_to, options, progress, sleep, clock, stop)
        except KadminError as err:
            # The moves go on in the cluster, throttled: `kadmin plan` shows them as unfinished.
            state["keep"] = True
            why = (
                f"lost track of the move ({err.with_hint()}); it goes on in the cluster: "
                "`kadmin plan` shows it, and `kadmin apply` finishes it"
            )
            for action in started:
                failed[action.target] = Outcome(action.target, False, why)
            return ReassignmentResult(_in_order(actions, failed), notes=tuple(notes))
        if waited.interrupted and waited.pending:
            waited = _cancel_interrupted(admin, waited, notes)
        for action in started:
            if problem := waited.problem(action.topic, options.timeout):
                failed[action.target] = Outcome(action.target, False, problem)
        if waited.pending and not waited.interrupted:
            state["keep"] = True
            if throttle is not None:
                notes.append(
                    "the replication throttle stays while partitions are still moving; "
                    "`kadmin reassignments wait` removes it once they finish"
                )
        elif stop is not None:
            stop.settled(f"replica moves of {_topics(started)}")
        removed = unthrottle()
        elect_preferred(admin, waited.completed, notes)
        return ReassignmentResult(
            _in_order(actions, failed),
            completed=waited.completed,
            pending=waited.pending,
            throttle_removed=removed,
            notes=tuple(notes),
        )
    finally:
        unthrottle()


_THROTTLE_LEFT = "the replication throttle of the moves"


def _cancel_interrupted(admin: ClusterAdmin, waited: Waited, notes: list[str]) -> Waited:
    """Cancel the moves a stop interrupted, so that none is left half-done; what was cancelled
    becomes the `pending` that `Waited.problem` explains."""
    try:
        refused = [
            (o.target.describe(), o.error) for o in admin.cancel_reassignments(waited.pending) if not o.ok
        ]
    except KadminError as err:
        refused = [("the moves", err.with_hint())]
    for what, error in refused:
        notes.append(
            f"could not cancel the move of {what}: {error}; "
            "it goes on in the cluster, and `kadmin plan` shows it"
        )
    return Waited(waited.completed, waited.pending, waited.astray, interrupted=True, cancelled=not refused)


def finish_moves(
    admin: ClusterAdmin,
    actions: Sequence[FinishMove],
    options: ReassignOptions = _DEFAULT_OPTIONS,
    *,
    progress: MoveProgress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    stop: StopRequest | None = None,
) -> ReassignmentResult:
    """Wait (bounded) for the moves a plan found left running, then elect the preferred leaders of
    the partitions that arrived; one outcome per action. The throttles are the plan's
    `RemoveThrottle` actions, removed after this. A stop ends the wait and leaves the moves
    as they were found."""
    if not actions:
        return ReassignmentResult(())
    moving_to = {(a.topic, m.partition): m.after for a in actions for m in a.moves}
    notes: list[str] = []
    if stop is not None:
        stop.doing(f"waiting for the moves of {count(len(moving_to), 'partition')} left running")
    try:
        waited = await_moves(admin, moving_to, options, progress, sleep, clock, stop)
    except KadminError as err:
        why = f"could not follow the move: {err.with_hint()}"
        return ReassignmentResult(tuple(Outcome(a.target, False, why) for a in actions))
    outcomes = []
    for action in actions:
        problem = waited.problem(action.topic, options.timeout)
        outcomes.append(Outcome(action.target, not problem, problem))
    elect_preferred(admin, waited.completed, notes)
    return ReassignmentResult(
        tuple(outcomes), completed=waited.completed, pending=waited.pending, notes=tuple(notes)
    )


# --- after the moves -------------------------------------------------------------------


def elect_preferred(admin: ClusterAdmin, partitions: Sequence[TopicPartition], notes: list[str]) -> None:
    """Hand leadership back to each moved partition's first replica, so leaders stay balanced as placed.

    A failed election is a note, not a failed move: the replicas are where they should
    be, and with auto.leader.rebalance.enable (on by default) the controller retries
    within leader.imbalance.check.interval.seconds.
    """
    if not partitions:
        return
    try:
        failed = [
            (o.target.describe(), o.error) for o in admin.elect_preferred_leaders(partitions) if not o.ok
        ]
    except KadminError as err:
        failed = [("the moved partitions", err.with_hint())]
    for what, error in failed:
        notes.append(f"preferred leader election for {what} failed: {error}")


def _in_order(actions: Sequence[ReassignReplicas], failed: Mapping[Target, Outcome]) -> tuple[Outcome, ...]:
    return tuple(failed.get(a.target) or Outcome(a.target, True) for a in actions)


def _topics(actions: Sequence[ReassignReplicas]) -> str:
    names = sorted({a.topic for a in actions})
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"topic {shown}" if len(names) == 1 else f"topics {shown}"


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
