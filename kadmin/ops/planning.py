"""The composition behind `kadmin plan`, `kadmin apply` and `kadmin drift`: specs → cluster →
snapshot → diff → declared offset resets → one `Plan` (or a drift report); and reading a saved
plan back, checked against the spec files it claims.

The command line (and the benchmark) call these; they never print. The cluster
comes in through a factory, so this module never imports the confluent adapter
and tests plan against the in-memory fake.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

from kadmin.core.access_spec import AccessSpec
from kadmin.core.actions import Action, by_target, in_apply_order
from kadmin.core.errors import KadminError
from kadmin.core.model import ClusterState, DesiredState
from kadmin.core.plan import Plan, PlanInputs
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.early import Connector, EarlyConnector, load_while_connecting
from kadmin.ops.freshness import plan_groups
from kadmin.plan.diff import diff
from kadmin.plan.drift import DriftReport, find_drift
from kadmin.plan.fingerprint import fingerprint
from kadmin.plan.identity import check_cluster
from kadmin.plan.leftovers import as_finished, finish_moves, in_scope, may_be_moving, stray_throttles
from kadmin.plan.planfile import load_plan
from kadmin.spec.digest import files_digest, spec_digest

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Planned:
    """A plan and what it was computed from; `admin` is kept for applying it."""

    desired: DesiredState
    observed: ClusterState
    plan: Plan
    admin: ClusterAdmin


def plan_specs(
    paths: Sequence[str | Path],
    connect: Connector,
    *,
    allow_delete: bool = False,
    prune_configs: bool = False,
    now: datetime | None = None,
    only: Sequence[str] = (),
    early: EarlyConnector | None = None,
    wait_s: float = 65.0,
    rotate_unknown: bool = False,
) -> Planned:
    """Load the specs (raising `SpecError` with every problem), read the cluster once, and plan.

    `only` (``--topic``) limits the plan to topics whose whole name matches one of these
    regular expressions, in the spec and on the cluster alike, like terraform's ``-target``;
    the plan then says it is partial. `early` connects while the specs load (`ops.early`).
    """
    desired, observed, admin = _read(paths, connect, only, early, wait_s)
    return plan_read(
        paths,
        desired,
        observed,
        admin,
        allow_delete=allow_delete,
        prune_configs=prune_configs,
        now=now,
        only=only,
        rotate_unknown=rotate_unknown,
    )


def plan_read(
    paths: Sequence[str | Path],
    desired: DesiredState,
    observed: ClusterState,
    admin: ClusterAdmin,
    *,
    allow_delete: bool = False,
    prune_configs: bool = False,
    now: datetime | None = None,
    only: Sequence[str] = (),
    environment: str | None = None,
    rotate_unknown: bool = False,
) -> Planned:
    """The plan of specs already loaded against a snapshot already read (`read_cluster`), with the
    inputs a saved plan records; `environment` is the one of the specs' environments planned."""
    # Whole milliseconds, so that apply can plan again at exactly this moment (`PlanInputs`).
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    plan = plan_cluster(
        admin,
        desired,
        observed,
        allow_delete=allow_delete,
        prune_configs=prune_configs,
        now=moment,
        rotate_unknown=rotate_unknown,
    )
    inputs = PlanInputs(
        specs=tuple(str(p) for p in paths),
        manage=desired.cluster.manage,
        allow_delete=allow_delete,
        prune_configs=prune_configs,
        planned_at_ms=epoch_ms(moment),
        environment=environment,
        manage_principals=desired.cluster.manage_principals,
        rotate_unknown=rotate_unknown,
        partitions=tuple(
            (name, len(observed.topics[name].partitions))
            for name in plan.topics_in_scope
            if name in observed.topics
        ),
    )
    plan = replace(
        plan,
        bootstrap=address(admin),
        spec_hash=files_digest(desired.files),
        inputs=inputs,
        only=tuple(only),
    )
    return Planned(desired, observed, plan, admin)


def topic_patterns(only: Sequence[str]) -> list[re.Pattern[str]]:
    """The ``--topic`` regular expressions, compiled; a bad one is an error naming it."""
    patterns = []
    for text in only:
        try:
            patterns.append(re.compile(text))
        except re.error as err:
            raise KadminError(
                f"{text!r} is not a valid regular expression: {err}",
                where="--topic",
                hint="write a Python regular expression matching whole topic names, e.g. 'orders\\..*'",
            ) from None
    return patterns


def _limited(
    desired: DesiredState, observed: ClusterState, patterns: Sequence[re.Pattern[str]]
) -> tuple[DesiredState, ClusterState]:
    def wanted(name: str) -> bool:
        return any(p.fullmatch(name) for p in patterns)

    topics = {name: spec for name, spec in desired.topics.items() if wanted(name)}
    # A declared offset reset stays only when every topic it resets is in the partial plan.
    resets = tuple(r for r in desired.offset_resets if all(wanted(t) for t in r.topics))
    seen = {name: topic for name, topic in observed.topics.items() if wanted(name)}
    # Topics the snapshot only listed are limited alike: a partial plan counts no others as unmanaged.
    listed = frozenset(name for name in observed.others if wanted(name))
    # Access (users, ACLs, quotas) is about principals, not topics: a partial plan leaves it out.
    cluster = replace(desired.cluster, manage_principals=())
    return (
        replace(
            desired,
            topics=MappingProxyType(topics),
            offset_resets=resets,
            access=AccessSpec(),
            cluster=cluster,
        ),
        replace(observed, topics=MappingProxyType(seen), others=listed),
    )


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, in integers (a float product can land one millisecond short)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def moment_of(ms: int) -> datetime:
    """The UTC moment `epoch_ms` gave `ms` for."""
    return _EPOCH + timedelta(milliseconds=ms)


def address(admin: ClusterAdmin) -> str | None:
    """The bootstrap address the adapter dialled, for naming the cluster; fakes have none."""
    found = getattr(admin, "bootstrap", None)
    return found if isinstance(found, str) and found else None


def plan_cluster(
    admin: ClusterAdmin,
    desired: DesiredState,
    observed: ClusterState,
    *,
    allow_delete: bool = False,
    prune_configs: bool = False,
    now: datetime | None = None,
    rotate_unknown: bool = False,
) -> Plan:
    """The plan from `desired` to `observed`, with the spec's pending offset resets folded in.

    Resets need reads of their own (kadmin's ledger, the groups, watermarks) and are only
    planned when the spec declares some; access (ACLs, credentials, quotas) likewise, only
    for a spec with access sections or `cluster.manage_principals` (`ops.access`). The groups
    resets move join the fingerprint, so a commit behind the plan's back makes a saved plan
    stale; so do the ACLs, credentials and quota entities the access actions touch.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    stamp = moment.isoformat(timespec="seconds").replace("+00:00", "Z")
    # Moves left running are planned as finished, and they and leftover throttles become actions.
    # The fingerprint stays over what was read: a move that lands meanwhile makes a saved plan stale.
    ongoing = in_scope(observed, admin.ongoing_reassignments()) if may_be_moving(observed) else {}
    rates = admin.broker_throttles([b.id for b in observed.brokers])
    landed = as_finished(observed, ongoing)
    plan = diff(desired, landed, allow_delete=allow_delete, prune_configs=prune_configs, now=stamp)
    unfinished: list[Action] = [*finish_moves(observed, ongoing), *stray_throttles(observed, rates, desired)]
    plan = replace(
        plan,
        actions=in_apply_order((*unfinished, *plan.actions)),
        fingerprint=fingerprint(observed, plan.topics_in_scope) if ongoing else plan.fingerprint,
    )
    plan = _with_delete_sizes(admin, plan, observed)
    access_facts: tuple[list[object], ...] = ()
    if desired.access.reads(desired.cluster.manage_principals).any:
        # Imported here: a spec without access sections never loads the access planning (start-up cost).
        from kadmin.ops.access import plan_access

        access = plan_access(admin, desired, allow_delete=allow_delete, rotate_unknown=rotate_unknown)
        plan = replace(
            plan,
            actions=in_apply_order((*plan.actions, *access.plan.actions)),
            notices=by_target((*plan.notices, *access.plan.notices)),
            refusals=by_target((*plan.refusals, *access.plan.refusals)),
        )
        access_facts = access.facts
    if access_facts:
        fresh = fingerprint(observed, plan.topics_in_scope, access=access_facts)
        plan = replace(plan, fingerprint=fresh)
    if not desired.offset_resets:
        return plan
    # Imported here: a spec without offset resets never loads the offsets code (start-up cost).
    from kadmin.ops.offsets import read_spec_resets

    resets = read_spec_resets(admin, desired, epoch_ms(moment), observed=observed)
    combined = replace(
        plan,
        actions=in_apply_order((*plan.actions, *resets.actions)),
        notices=by_target((*plan.notices, *resets.notices)),
        refusals=by_target((*plan.refusals, *resets.refusals)),
    )
    groups = plan_groups(combined)
    if not groups:
        return combined
    # The group states the resets were computed from, not a second read: a commit between
    # two reads would otherwise be baked into the fingerprint and never make the plan stale.
    states = {g: resets.groups[g] for g in groups if g in resets.groups}
    return replace(
        combined, fingerprint=fingerprint(observed, combined.topics_in_scope, states, access_facts)
    )


def _with_delete_sizes(admin: ClusterAdmin, plan: Plan, observed: ClusterState) -> Plan:
    """Say whether each topic the plan deletes (or would) holds data: one batched read of
    the log-end offsets of those topics only."""
    if not plan.deletes:
        return plan
    partitions = [
        (d.topic, p.id)
        for d in plan.deletes
        if d.topic in observed.topics
        for p in observed.topics[d.topic].partitions
    ]
    try:
        marks = admin.watermarks(partitions)
    except KadminError:
        # Whether a topic holds data is for people, not for the plan's actions: a partition whose
        # leader is not elected yet (a topic created a moment ago answers NOT_LEADER_FOR_PARTITION)
        # leaves it unknown rather than failing the plan.
        return plan
    written: dict[str, int] = {}
    for (topic, _), mark in marks.items():
        written[topic] = written.get(topic, 0) + mark.end
    deletes = tuple(replace(d, log_end_offsets=written.get(d.topic)) for d in plan.deletes)
    return replace(plan, deletes=deletes)


def is_plan_file(path: Path) -> bool:
    """Whether `path` names a saved plan (``*.json``) rather than a spec (``*.yaml`` / ``*.yml``).

    Decided by the name alone, so that a damaged, truncated, dangling or unreadable plan
    file is reported by `load_plan` as what it is, not read as a spec.
    """
    return path.suffix.lower() == ".json" and not path.is_dir()


def read_plan_file(path: Path) -> Plan:
    """A saved plan, checked field by field (`PlanFileError` names the file and field)."""
    return load_plan(path)


class SpecMismatchError(KadminError):
    """A saved plan computed from spec files other than the ones it is to be applied for."""


def check_spec_hash(plan: Plan, paths: Sequence[str | Path], *, source: str) -> None:
    """Refuse `plan` unless it was planned from exactly the spec files `paths` name (`kadmin.spec.digest`).

    This is what lets CI apply the plan a pull request reviewed whatever the merge
    style: the merged files either are the reviewed ones, byte for byte, or not.
    """
    current = spec_digest(paths)
    shown = " ".join(str(p) for p in paths)
    if plan.spec_hash is None:
        raise SpecMismatchError(
            "the plan file records no spec hash, so it cannot be matched to spec files",
            where=source,
            hint=f"plan again with this kadmin: kadmin plan {shown} --out {source}",
        )
    if plan.spec_hash != current:
        raise SpecMismatchError(
            f"the plan was computed from other spec files than {shown}: "
            f"plan {plan.spec_hash}, specs {current}",
            where=source,
            hint="nothing was applied; review a plan of these specs (a pull request, or "
            f"kadmin plan {shown} --out FILE) and apply that",
        )


def drift_specs(
    paths: Sequence[str | Path],
    connect: Connector,
    *,
    only: Sequence[str] = (),
    early: EarlyConnector | None = None,
    wait_s: float = 65.0,
) -> DriftReport:
    """Load the specs, read the cluster once, check its identity, and list every difference;
    with `only`, of the topics whose whole name matches one of those patterns; `early` as for plan."""
    desired, observed, admin = _read(paths, connect, only, early, wait_s)
    return drift_of(desired, observed, admin)


def drift_of(desired: DesiredState, observed: ClusterState, admin: ClusterAdmin) -> DriftReport:
    """The drift of `observed` from `desired`, access included when the spec has access sections
    (read from `admin` then, as a plan with deletes allowed would)."""
    access = None
    if desired.access.reads(desired.cluster.manage_principals).any:
        from kadmin.ops.access import plan_access  # only with access sections (start-up cost)

        access = plan_access(admin, desired, allow_delete=True).plan
    return find_drift(desired, observed, address(admin), access)


def _read(
    paths: Sequence[str | Path],
    connect: Connector,
    only: Sequence[str],
    early: EarlyConnector | None,
    wait_s: float,
) -> tuple[DesiredState, ClusterState, ClusterAdmin]:
    """The specs and the one scoped snapshot plan and drift start from: loaded while connecting,
    the cluster's identity checked against ``cluster.id``, both sides limited to `only`."""
    topic_patterns(only)  # a bad --topic is reported before anything is read
    desired, admin = load_while_connecting(paths, connect, early, wait_s=wait_s)
    desired, observed = read_cluster(desired, admin, only)
    return desired, observed, admin


def read_cluster(
    desired: DesiredState, admin: ClusterAdmin, only: Sequence[str] = ()
) -> tuple[DesiredState, ClusterState]:
    """The one scoped snapshot of `admin` for `desired`, trusted only once the cluster's identity
    matches ``cluster.id``; both sides limited to `only` (``--topic``)."""
    patterns = topic_patterns(only)
    observed = admin.snapshot(desired.read_scope())
    check_cluster(desired.cluster, observed.cluster_id, address(admin))
    if patterns:
        desired, observed = _limited(desired, observed, patterns)
    return desired, observed
