"""Carrying out replica reassignments safely, through the `ClusterAdmin` port only.

Owns the steps Kafka's own reassignment tool leaves to the operator: refuse
partitions that are already moving, set the replication throttle, start every move
in one request, wait (bounded, with progress) until the moves are done and the
replicas are where the plan put them, remove the throttle, and run a preferred
leader election for the moved partitions. Also finishing moves left running
(`finish`, after ``--no-wait``), cancelling them (`cancel`) and describing them
(`describe`). Never prints and never imports a Kafka client: progress goes to a
callback, and results are values.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from kadmin.core.actions import ReassignReplicas
from kadmin.core.errors import KadminError
from kadmin.core.model import ClusterState, TopicPartition
from kadmin.core.targets import Target
from kadmin.kafka.port import (
    FOLLOWER_THROTTLED_REPLICAS,
    LEADER_THROTTLED_REPLICAS,
    ClusterAdmin,
    Outcome,
    ReplicationThrottle,
)

DEFAULT_TIMEOUT_S = 600.0
POLL_INTERVAL_S = 0.5
METADATA_GRACE_S = 15.0
"""How long a finished move may still show its old replicas: brokers learn the new
replica set from the metadata log a moment after the controller drops the move."""

_THROTTLED_REPLICAS = (LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS)


class MoveProgress(Protocol):
    """Told whenever the count of finished partition moves changes."""

    def __call__(self, done: int, total: int) -> None: ...


@dataclass(frozen=True, slots=True)
class ReassignOptions:
    """How to carry out moves: `throttle` in bytes/s (None: unthrottled), whether to wait, for how long."""

    throttle: int | None = None
    wait: bool = True
    timeout: float = DEFAULT_TIMEOUT_S
    poll_interval: float = POLL_INTERVAL_S

    def __post_init__(self) -> None:
        if self.throttle is not None and self.throttle < 1:
            raise KadminError(
                f"throttle {self.throttle} is not a rate",
                hint="pass --throttle as bytes per second, at least 1 (e.g. 50000000 for 50 MB/s)",
            )


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


@dataclass(frozen=True, slots=True)
class Throttles:
    """Replication throttles in place: rates on brokers, throttled-replica lists on topics."""

    brokers: Mapping[int, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    topics: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))

    def __bool__(self) -> bool:
        return bool(self.brokers or self.topics)


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


# --- the throttle, as Kafka's reassignment tool lays it out -------------------------


def throttle_for(actions: Sequence[ReassignReplicas], rate: int) -> ReplicationThrottle:
    """The throttle for `actions`: the current replicas of each moving partition throttled as
    leaders (they serve the copy), the replicas being added as followers (they fetch it), and the
    rate on every broker involved. Pure."""
    leaders: dict[str, str] = {}
    followers: dict[str, str] = {}
    brokers: set[int] = set()
    for action in actions:
        serving: list[tuple[int, int]] = []
        fetching: list[tuple[int, int]] = []
        for move in action.moves:
            serving += [(move.partition, b) for b in move.before]
            fetching += [(move.partition, b) for b in move.after if b not in move.before]
            brokers.update(move.before, move.after)
        if serving:
            leaders[action.topic] = _replica_list(serving)
        if fetching:
            followers[action.topic] = _replica_list(fetching)
    return ReplicationThrottle(
        rate, tuple(sorted(brokers)), MappingProxyType(leaders), MappingProxyType(followers)
    )


def _replica_list(pairs: list[tuple[int, int]]) -> str:
    return ",".join(f"{p}:{b}" for p, b in sorted(set(pairs)))


# --- carrying out a batch of moves ---------------------------------------------------


def reassign(
    admin: ClusterAdmin,
    actions: Sequence[ReassignReplicas],
    options: ReassignOptions = ReassignOptions(),
    *,
    progress: MoveProgress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ReassignmentResult:
    """Move the replicas of `actions`: throttle, start, wait, check, unthrottle, elect leaders.

    One outcome per action (its topic). A topic with a partition already being
    moved is refused, since a second request would silently replace the first
    move's target. If the throttle cannot be set, nothing moves. Without
    `options.wait`, or when the timeout passes, moves keep running in the cluster
    and the throttle stays until `finish` removes it.
    """
    if not actions:
        return ReassignmentResult(())
    failed: dict[Target, Outcome] = {}
    ongoing = admin.ongoing_reassignments()
    runnable: list[ReassignReplicas] = []
    for action in actions:
        busy = [m.partition for m in action.moves if (action.topic, m.partition) in ongoing]
        if busy:
            failed[action.target] = Outcome(
                action.target,
                False,
                f"{_partitions(busy)} already being reassigned; wait for it (`kadmin reassignments wait`) "
                f"or stop it (`kadmin reassignments cancel --topic {action.topic}`), then plan again",
            )
        else:
            runnable.append(action)

    throttle = throttle_for(runnable, options.throttle) if options.throttle and runnable else None
    if throttle is not None:
        refused = [o for o in admin.set_replication_throttle(throttle) if not o.ok]
        if refused:
            why = "; ".join(f"{o.target}: {o.error}" for o in refused)
            for action in runnable:
                failed[action.target] = Outcome(
                    action.target, False, f"could not set the replication throttle ({why}); nothing was moved"
                )
            runnable = []

    started: list[ReassignReplicas] = []
    if runnable:
        answered = {o.target: o for o in admin.reassign_partitions(runnable)}
        for action in runnable:
            outcome = answered.get(action.target) or Outcome(
                action.target, False, "no answer from the cluster"
            )
            if outcome.ok:
                started.append(action)
            else:
                failed[action.target] = outcome
    notes: list[str] = []
    if not started:
        # Also what a refused throttle leaves: the brokers that accepted it must not keep it.
        removed = throttle is not None and _clear(admin, throttle.brokers, throttle.topics, notes)
        return ReassignmentResult(_in_order(actions, failed), throttle_removed=removed, notes=tuple(notes))

    moving_to = {(a.topic, m.partition): m.after for a in started for m in a.moves}
    if not options.wait:
        note = (
            f"{_count(len(moving_to), 'partition')} moving in the background; "
            "`kadmin reassignments list` shows them"
        )
        if throttle is not None:
            note += "; the replication throttle stays until `kadmin reassignments wait` sees them finish"
        return ReassignmentResult(_in_order(actions, failed), pending=tuple(sorted(moving_to)), notes=(note,))

    waited = _await_moves(admin, moving_to, options, progress, sleep, clock)
    for action in started:
        if problem := waited.problem(action.topic, options.timeout):
            failed[action.target] = Outcome(action.target, False, problem)
    removed = False
    if throttle is not None:
        if waited.pending:
            notes.append(
                "the replication throttle stays while partitions are still moving; "
                "`kadmin reassignments wait` removes it once they finish"
            )
        else:
            removed = _clear(admin, throttle.brokers, throttle.topics, notes)
    _elect(admin, waited.completed, notes)
    return ReassignmentResult(
        _in_order(actions, failed),
        completed=waited.completed,
        pending=waited.pending,
        throttle_removed=removed,
        notes=tuple(notes),
    )


# --- moves already running: finish, cancel, describe ---------------------------------


def finish(
    admin: ClusterAdmin,
    options: ReassignOptions = ReassignOptions(),
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
    waited = _await_moves(admin, moving_to, options, progress, sleep, clock) if moving_to else _Waited()
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
            removed = _clear(admin, found.brokers.keys(), found.topics.keys(), notes)
    _elect(admin, waited.completed, notes)
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
                f"the replication throttles stay: {_count(len(still), 'other partition')} still moving"
            )
    else:
        found = find_throttles(admin)
        if found:
            removed = _clear(admin, found.brokers.keys(), found.topics.keys(), notes)
    cancelled = tuple(tp for tp in chosen if any(o.ok and o.target == Target.topic(tp[0]) for o in outcomes))
    return ReassignmentResult(
        tuple(outcomes), completed=cancelled, throttle_removed=removed, notes=tuple(notes)
    )


def find_throttles(admin: ClusterAdmin, observed: ClusterState | None = None) -> Throttles:
    """The replication throttles set anywhere: broker rates, and topics listing throttled replicas."""
    state = observed if observed is not None else admin.snapshot()
    topics = {
        name: MappingProxyType({k: v for k, v in topic.overrides.items() if k in _THROTTLED_REPLICAS})
        for name, topic in sorted(state.topics.items())
        if any(k in _THROTTLED_REPLICAS for k in topic.overrides)
    }
    brokers = {b: MappingProxyType(dict(rates)) for b, rates in sorted(admin.broker_throttles().items())}
    return Throttles(MappingProxyType(brokers), MappingProxyType(topics))


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


# --- waiting ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Waited:
    """Where the moves stood when waiting ended."""

    completed: tuple[TopicPartition, ...] = ()
    pending: tuple[TopicPartition, ...] = ()
    astray: Mapping[TopicPartition, tuple[tuple[int, ...], tuple[int, ...]]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Partitions no longer moving whose replicas are not the target: (replicas, target)."""

    def problem(self, topic: str, timeout: float) -> str:
        pending = [p for t, p in self.pending if t == topic]
        if pending:
            return (
                f"{_partitions(pending)} still moving after {timeout:.0f} s; the moves go on in the cluster: "
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


def _await_moves(
    admin: ClusterAdmin,
    moving_to: Mapping[TopicPartition, tuple[int, ...]],
    options: ReassignOptions,
    progress: MoveProgress | None,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> _Waited:
    """Poll the ongoing reassignments (one request each time) until none of `moving_to` is moving and a
    fresh read shows every partition on its target replicas, or the timeout passes."""
    total = len(moving_to)
    topics = sorted({t for t, _ in moving_to})
    deadline = clock() + options.timeout
    settled_at: float | None = None
    reported = -1
    while True:
        ongoing = admin.ongoing_reassignments()
        moving = {tp for tp in moving_to if tp in ongoing}
        astray: dict[TopicPartition, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        if not moving:
            state = admin.snapshot(topics)
            for tp, want in moving_to.items():
                now = _replicas(state, tp)
                if now != tuple(want):
                    astray[tp] = (now, tuple(want))
        done = total - len(moving) - len(astray)
        if progress is not None and done != reported:
            progress(done, total)
            reported = done
        now_t = clock()
        if not moving:
            settled_at = now_t if settled_at is None else settled_at
            if not astray or now_t >= min(deadline, settled_at + METADATA_GRACE_S):
                completed = tuple(sorted(tp for tp in moving_to if tp not in astray))
                return _Waited(completed, (), MappingProxyType(astray))
        if now_t >= deadline:
            completed = tuple(sorted(tp for tp in moving_to if tp not in moving))
            return _Waited(completed, tuple(sorted(moving)))
        sleep(min(options.poll_interval, max(0.0, deadline - now_t)))


def _replicas(state: ClusterState, tp: TopicPartition) -> tuple[int, ...]:
    topic = state.topics.get(tp[0])
    if topic is None:
        return ()
    return next((p.replicas for p in topic.partitions if p.id == tp[1]), ())


# --- after the moves -------------------------------------------------------------------


def _clear(admin: ClusterAdmin, brokers: Collection[int], topics: Collection[str], notes: list[str]) -> bool:
    """Remove throttles; a failure becomes a note (the moves themselves succeeded)."""
    failed = [o for o in admin.clear_replication_throttle(sorted(brokers), sorted(topics)) if not o.ok]
    for o in failed:
        notes.append(
            f"could not remove the replication throttle from {o.target.describe()}: {o.error}; "
            "`kadmin reassignments wait` tries again"
        )
    return not failed


def _elect(admin: ClusterAdmin, partitions: Sequence[TopicPartition], notes: list[str]) -> None:
    """Hand leadership back to each moved partition's first replica, so leaders stay balanced as placed.

    A failed election is a note, not a failed move: the replicas are where they should
    be, and with auto.leader.rebalance.enable (on by default) the controller retries
    within leader.imbalance.check.interval.seconds.
    """
    if not partitions:
        return
    for o in admin.elect_preferred_leaders(partitions):
        if not o.ok:
            notes.append(f"preferred leader election for {o.target.describe()} failed: {o.error}")


def _in_order(actions: Sequence[ReassignReplicas], failed: Mapping[Target, Outcome]) -> tuple[Outcome, ...]:
    return tuple(failed.get(a.target) or Outcome(a.target, True) for a in actions)


def _partitions(ids: Sequence[int]) -> str:
    shown = ", ".join(map(str, sorted(ids)))
    return f"partition {shown} is" if len(ids) == 1 else f"partitions {shown} are"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
