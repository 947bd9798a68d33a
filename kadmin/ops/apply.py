"""`apply_plan`: a preflight, then the phases of a plan, one batched admin call per kind.

The preflight asks the brokers to validate every creation, partition addition and
config change (`validate_only`, one call per kind) before anything changes, so a
bad config value or a create-topic policy is reported while the cluster is still
untouched. The phases then run in `ACTION_ORDER` (`in_phases`: one batch per kind), each
kind with its own writer; a target that failed in one phase is not touched again, and
deletes run only when everything else succeeded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar, assert_never

from kadmin.core.access_actions import AlterQuota, CreateAcl, DeleteAcl, DeleteScram, RemoveQuota, UpsertScram
from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    CreateTopic,
    DeleteTopic,
    FinishMove,
    ReassignReplicas,
    RemoveThrottle,
    ResetOffsets,
    in_phases,
)
from kadmin.core.errors import KadminError, PlanError
from kadmin.core.plan import Plan
from kadmin.core.targets import Target
from kadmin.kafka.port import ClusterAdmin, Outcome
from kadmin.ops.access import ACCESS_STEPS, quota_alterations, write_access
from kadmin.ops.offsets import execute_reset
from kadmin.ops.reassignment import MoveProgress, ReassignOptions, finish_moves, reassign
from kadmin.ops.settle import SETTLE_TIMEOUT_S, await_settled
from kadmin.ops.stopping import StopRequest

A = TypeVar(
    "A",
    CreateTopic,
    AddPartitions,
    AlterConfigs,
    ReassignReplicas,
    DeleteTopic,
    ResetOffsets,
    FinishMove,
    RemoveThrottle,
    AlterQuota,
    Action,
)

PER_PARTITION_S = 0.02
"""Extra wait, per partition created, before a created topic that does not show counts as failed."""


class Progress(Protocol):
    """Told after each step: what is being done, and how many of the plan's actions are finished."""

    def __call__(self, step: str, done: int, total: int) -> None: ...


@dataclass(frozen=True, slots=True)
class ApplyReport:
    """Per-target outcomes, in the order applied.

    With `preflight_rejected`, the outcomes are the brokers' rejections from the
    validation pass and nothing was changed.
    """

    results: tuple[tuple[Action, Outcome], ...]
    preflight_rejected: bool = False
    backups: tuple[Path, ...] = field(default=())
    """Offset backups written before resets, for restoring by hand."""
    notes: tuple[str, ...] = ()
    """What is worth knowing but failed nothing: a replication throttle left for later, a leader
    election that did not happen (from `kadmin.ops.reassignment`)."""

    @property
    def ok(self) -> bool:
        return not self.preflight_rejected and all(outcome.ok for _, outcome in self.results)

    @property
    def failed(self) -> tuple[tuple[Action, Outcome], ...]:
        return tuple((a, o) for a, o in self.results if not o.ok)


def preflight(plan: Plan, admin: ClusterAdmin) -> list[tuple[Action, Outcome]]:
    """The brokers' rejections of the plan's creations, partition additions, config changes and
    client-quota values, each kind validated in one call (Kafka validates nothing else: ACLs and
    SCRAM credentials have no validate-only mode); empty when the brokers accept everything. A call that
    cannot be made rejects every action it was for, with the reason."""
    creates = [a for a in plan.actions if isinstance(a, CreateTopic)]
    additions = [a for a in plan.actions if isinstance(a, AddPartitions)]
    alters = [a for a in plan.actions if isinstance(a, AlterConfigs)]
    rejected: list[tuple[Action, Outcome]] = []
    rejected += _rejections(creates, _answers(creates, lambda b: admin.create_topics(b, validate_only=True)))
    rejected += _rejections(
        additions, _answers(additions, lambda b: admin.create_partitions(b, validate_only=True))
    )
    rejected += _rejections(alters, _answers(alters, lambda b: admin.alter_configs(b, validate_only=True)))
    quotas = [a for a in plan.actions if isinstance(a, AlterQuota)]
    rejected += _rejections(
        quotas, _answers(quotas, lambda b: admin.alter_quotas(quota_alterations(b), validate_only=True))
    )
    return rejected


def apply_plan(
    plan: Plan,
    admin: ClusterAdmin,
    *,
    backup_dir: Path | None = None,
    progress: Progress | None = None,
    settle_timeout: float = SETTLE_TIMEOUT_S,
    reassignment: ReassignOptions | None = None,
    moves: MoveProgress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    stop: StopRequest | None = None,
) -> ApplyReport:
    """Carry out `plan`: preflight, then one phase per kind of action, in `ACTION_ORDER` (moves
    left running are finished and their throttles removed first, deletes run last).

    Replica moves go through `kadmin.ops.reassignment` with `reassignment` (throttle,
    wait, timeout; default: unthrottled, waiting); `moves` hears how many moved partitions are done.

    Every action ends with an outcome, whatever fails: a call that raises (a broker gone,
    a timeout) becomes a failed outcome for each target of that call, and the phases
    after it still run for the other targets. When `stop` is requested, the call in
    progress finishes (a replica move is cancelled, its throttle removed) and the
    actions not started yet are reported as not attempted.

    Raises `PlanError` for a plan with refusals. A rejected preflight changes nothing.
    After the creations, and again at the end, waits (up to `settle_timeout`) until a
    fresh read shows the changes; a change still not visible then counts as failed.
    """
    if not plan.applyable:
        blocking = [r for r in plan.refusals if r.blocking]
        first = blocking[0]
        raise PlanError(
            f"the plan has {len(blocking)} refused change(s) and cannot be applied: {first.message}",
            where=first.where or first.target.describe(),
            hint=first.hint or "fix the spec, then plan again",
        )
    if not plan.actions:
        return ApplyReport(())
    report = _Run(admin, len(plan.actions), progress, backup_dir, stop)
    report.step("validating", 0)
    rejected = preflight(plan, admin)
    if rejected:
        return ApplyReport(tuple(rejected), preflight_rejected=True)

    ordered = plan.ordered()
    options = reassignment or ReassignOptions()
    notes: list[str] = []

    def finish(batch: Sequence[FinishMove]) -> list[Outcome]:
        done = finish_moves(admin, batch, options, progress=moves, sleep=sleep, clock=clock, stop=stop)
        notes.extend(done.notes)
        return list(done.outcomes)

    def unthrottle(batch: Sequence[RemoveThrottle]) -> list[Outcome]:
        brokers = [a.broker for a in batch if a.broker is not None]
        topics = [a.topic for a in batch if a.topic is not None]
        return admin.clear_replication_throttle(brokers, topics)

    def move(batch: Sequence[ReassignReplicas]) -> list[Outcome]:
        done = reassign(admin, batch, options, progress=moves, sleep=sleep, clock=clock, stop=stop)
        notes.extend(done.notes)
        return list(done.outcomes)

    for batch in in_phases(ordered):
        match batch[0]:
            case FinishMove():
                report.phase(_only(batch, FinishMove), finish, "finishing replica moves left running")
            case RemoveThrottle():
                throttles = _only(batch, RemoveThrottle)
                if report.failures:
                    # A throttle still has work to do while a move it throttles goes on.
                    report.skip(throttles, "not attempted: a replica move left running has not finished")
                else:
                    report.phase(throttles, unthrottle, "removing replication throttles left behind")
            case CreateTopic():
                creates = _only(batch, CreateTopic)
                report.phase(creates, admin.create_topics, "creating topics")
                # Later phases (and the next plan) must see the new topics with all their partitions.
                # KRaft's controller writes one CreateTopics request's records together, in request
                # order, and each broker applies the metadata log in order: once the first and last
                # topic of the batch are visible, every topic between them is too. Re-reading just
                # those two keeps a 1,000-topic apply from describing 1,000 topics' configs again.
                created = [a for a in creates if report.succeeded(a)]
                # A broker shows a new topic only after it has made the topic's partition logs, a few
                # milliseconds each: a large batch earns a longer wait.
                allowance = PER_PARTITION_S * sum(a.partitions for a in created)
                watch = created[:1] + created[1:][-1:]
                report.settle(created, settle_timeout + allowance, sleep, clock, watch=watch)
            case AddPartitions():
                report.phase(_only(batch, AddPartitions), admin.create_partitions, "adding partitions")
            case ReassignReplicas():
                report.phase(_only(batch, ReassignReplicas), move, "moving replicas")
            case AlterConfigs():
                report.phase(_only(batch, AlterConfigs), admin.alter_configs, "changing configs")
            case ResetOffsets():
                report.phase(_only(batch, ResetOffsets), report.reset_offsets, "resetting offsets")
            case DeleteTopic():
                report.deletes(_only(batch, DeleteTopic), admin.delete_topics, "deleting topics")
            case UpsertScram() | CreateAcl() | AlterQuota():
                report.phase(batch, lambda b: write_access(admin, b), ACCESS_STEPS[batch[0].kind])
            case RemoveQuota() | DeleteAcl() | DeleteScram():
                report.deletes(batch, lambda b: write_access(admin, b), ACCESS_STEPS[batch[0].kind])
            case other:
                assert_never(other)
    rest = [a for a in ordered if not isinstance(a, CreateTopic) and report.succeeded(a)]
    report.settle(rest, settle_timeout, sleep, clock)
    return ApplyReport(tuple(report.results), backups=tuple(report.backups), notes=tuple(notes))


@dataclass
class _Run:
    """The outcomes gathered while the phases run, in order, and the targets that failed."""

    admin: ClusterAdmin
    total: int
    progress: Progress | None
    backup_dir: Path | None
    stop: StopRequest | None = None
    results: list[tuple[Action, Outcome]] = field(default_factory=list)
    failed_targets: set[Target] = field(default_factory=set)
    backups: list[Path] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return sum(1 for _, o in self.results if not o.ok)

    @property
    def stopped(self) -> bool:
        return self.stop is not None and self.stop.requested

    def step(self, step: str, done: int) -> None:
        if self.progress is not None:
            self.progress(step, done, self.total)

    def phase(self, batch: Sequence[A], run: Callable[[Sequence[A]], list[Outcome]], name: str) -> None:
        if not batch:
            return
        if self.stopped:
            self.skip(batch, STOPPED)
            return
        self.step(name, len(self.results))
        if self.stop is not None:
            self.stop.doing(f"{name} ({len(batch)})")
        runnable = [a for a in batch if a.target not in self.failed_targets]
        self.skip(
            [a for a in batch if a.target in self.failed_targets],
            "not attempted: an earlier change to this target failed",
        )
        answered = _by_target(_answers(runnable, run))
        for action in runnable:
            outcome = answered.get(action.target) or Outcome(
                action.target, False, "no answer from the cluster"
            )
            self._record(action, outcome)
        self.step(name, len(self.results))

    def deletes(self, batch: Sequence[A], run: Callable[[Sequence[A]], list[Outcome]], name: str) -> None:
        """A phase that deletes or takes away: run only when every other change succeeded."""
        if self.failures:
            reason = (
                f"not attempted: deletes run only when every other change succeeded ({self.failures} failed)"
            )
            self.skip(batch, reason)
        else:
            self.phase(batch, run, name)

    def skip(self, actions: Sequence[Action], reason: str) -> None:
        for action in actions:
            self._record(action, Outcome(action.target, False, reason))

    def succeeded(self, action: Action) -> bool:
        return action.target not in self.failed_targets

    def reset_offsets(self, actions: Sequence[ResetOffsets]) -> list[Outcome]:
        # A group's offsets are committed through its coordinator, one group per request.
        outcomes: list[Outcome] = []
        for action in actions:
            if self.stopped:
                outcomes.append(Outcome(action.target, False, STOPPED))
                continue
            try:
                done = execute_reset(self.admin, action, backup_dir=self.backup_dir)
            except KadminError as err:
                outcomes.append(Outcome(action.target, False, err.with_hint()))
                continue
            if done.backup is not None:
                self.backups.append(done.backup)
            error = f"{done.error} ({done.hint})" if done.error and done.hint else done.error
            outcomes.append(Outcome(done.target, done.ok, error))
        return outcomes

    def settle(
        self,
        actions: Sequence[Action],
        timeout: float,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        *,
        watch: Sequence[Action] | None = None,
    ) -> None:
        """Wait until `watch` (default: all of `actions`) shows; when it does not, every one of
        `actions` that `watch` stands for counts as failed."""
        watched = actions if watch is None else watch
        if not watched:
            return
        self.step("waiting for the cluster to show the changes", len(self.results))
        try:
            pending = await_settled(self.admin, watched, timeout=timeout, sleep=sleep, clock=clock)
        except KadminError as err:
            # The writes were acknowledged; only the read back failed. Say so per target.
            self._unconfirmed(
                {id(a) for a in actions},
                f"accepted, but the cluster could not be read back to confirm it ({err.with_hint()}); "
                "run `kadmin plan` again to see whether it converged",
            )
            return
        if not pending:
            return
        self._unconfirmed(
            {id(a) for a in (pending if watch is None else actions)},
            f"accepted, but not visible in the cluster's metadata after {timeout:.0f} s; "
            "run `kadmin plan` again to see whether it converged",
        )

    def _unconfirmed(self, late: set[int], why: str) -> None:
        for i, (action, outcome) in enumerate(self.results):
            if outcome.ok and id(action) in late:
                self.results[i] = (action, Outcome(outcome.target, False, why))
                self.failed_targets.add(action.target)

    def _record(self, action: Action, outcome: Outcome) -> None:
        self.results.append((action, outcome))
        if not outcome.ok:
            self.failed_targets.add(action.target)


STOPPED = "not attempted: apply was stopped (SIGINT/SIGTERM) before it got here"


def _answers(batch: Sequence[A], run: Callable[[Sequence[A]], list[Outcome]]) -> list[Outcome]:
    """`run(batch)`'s outcomes; when the call itself fails (a broker gone, a timeout), a failed
    outcome for every target of the call, so the report still accounts for each."""
    if not batch:
        return []
    try:
        return run(batch)
    except KadminError as err:
        return [Outcome(a.target, False, err.with_hint()) for a in batch]


def _only(batch: Sequence[Action], kind: type[A]) -> list[A]:
    """The actions of one phase, typed as their kind."""
    return [a for a in batch if isinstance(a, kind)]


def _by_target(outcomes: Sequence[Outcome]) -> dict[Target, Outcome]:
    return {o.target: o for o in outcomes}


def _rejections(actions: Sequence[Action], outcomes: Sequence[Outcome]) -> list[tuple[Action, Outcome]]:
    answered = _by_target(outcomes)
    rejected: list[tuple[Action, Outcome]] = []
    for action in actions:
        outcome = answered.get(action.target) or Outcome(action.target, False, "no answer from the cluster")
        if not outcome.ok:
            rejected.append((action, outcome))
    return rejected
