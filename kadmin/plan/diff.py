"""`diff`: desired state + observed state -> a typed `Plan`, by set algebra over topic names and
then field by field per topic.

Pure: no I/O, no printing, no Kafka client. Everything is a dict lookup per
topic, so ten thousand topics diff in a fraction of a second. Offset resets are
planned elsewhere and added to the plan afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    Notice,
    PartitionMove,
    ReassignReplicas,
    Refusal,
    by_target,
    in_apply_order,
)
from kadmin.core.errors import Location, PlanError
from kadmin.core.kafka_configs import THROTTLED_REPLICAS_KEYS, canonical
from kadmin.core.model import (
    Assignment,
    Broker,
    ClusterSpec,
    ClusterState,
    DesiredState,
    ObservedTopic,
    Spread,
    TopicSpec,
    is_internal_topic,
)
from kadmin.core.plan import DeleteCandidate, Plan
from kadmin.core.targets import Target, TargetKind
from kadmin.plan import placement
from kadmin.plan.fingerprint import fingerprint
from kadmin.plan.zones import check_zones

_MIN_ISR = "min.insync.replicas"


@dataclass(slots=True)
class _Findings:
    """What the per-topic steps found, collected before the plan is frozen."""

    brokers: Sequence[Broker]
    zones: Mapping[str, tuple[int, ...]]
    down: tuple[int, ...] = ()
    """Brokers the cluster knows (in replica lists, or the spec's zones) that are not up now."""
    actions: list[Action] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def refuse(self, spec: TopicSpec, field_name: str, message: str, hint: str) -> None:
        self.refusals.append(Refusal(Target.topic(spec.name), message, spec.where(field_name), hint))


def diff(
    desired: DesiredState,
    observed: ClusterState,
    *,
    allow_delete: bool = False,
    prune_configs: bool = False,
    now: str = "",
) -> Plan:
    """The plan that takes `observed` to `desired`.

    Topics in the spec but not the cluster are created; topics in both are
    compared (partitions, replication factor and placement, configs); topics in
    the cluster but not the spec are deleted only when they fall in the managed
    scope (`cluster.manage`) and `allow_delete` is set. Things Kafka cannot do
    become refusals, drift that is kept becomes notices.
    """
    refusals, notices = check_zones(desired.cluster, observed.brokers)
    found = _Findings(
        observed.brokers, desired.cluster.zones, _down(desired, observed), refusals=refusals, notices=notices
    )
    racked = any(b.rack is not None for b in observed.brokers)
    for name in sorted(desired.topics):
        spec = desired.topics[name]
        topic = observed.topics.get(name)
        if topic is None:
            _create(spec, racked, found)
        elif not (topic.internal or is_internal_topic(name)):
            _update(spec, topic, prune_configs, found)

    unmanaged: list[str] = []
    deletes: list[DeleteCandidate] = []
    managed = _compile_scope(desired.cluster)
    _check_described(desired, observed, managed)
    for name in sorted((observed.topics.keys() | observed.others) - desired.topics.keys()):
        topic = observed.topics.get(name)
        if (topic is not None and topic.internal) or is_internal_topic(name):
            continue
        if topic is None or not any(pattern.fullmatch(name) for pattern in managed):
            unmanaged.append(name)
            continue
        deletes.append(DeleteCandidate(name, len(topic.partitions), enabled=allow_delete))
        if allow_delete:
            found.actions.append(DeleteTopic(name, len(topic.partitions)))

    actions = in_apply_order(found.actions)
    touched = [a.target for a in actions] + [r.target for r in found.refusals]
    scope = {t.name for t in touched if t.kind is TargetKind.TOPIC}
    topics_in_scope = tuple(sorted(scope))
    return Plan(
        actions=actions,
        cluster_id=observed.cluster_id,
        fingerprint=fingerprint(observed, topics_in_scope),
        refusals=by_target(found.refusals),
        notices=by_target(found.notices),
        unmanaged=tuple(unmanaged),
        created_at=now,
        cluster_name=desired.cluster.name,
        topics_in_scope=topics_in_scope,
        deletes=tuple(deletes),
        origins=_origins(desired, scope),
        broker_racks=MappingProxyType({b.id: b.rack for b in observed.brokers if b.rack is not None}),
    )


def _origins(desired: DesiredState, topics: set[str]) -> Mapping[str, Mapping[str, Location]]:
    """Where the fields of the topics the plan touches were written, for reviewers."""
    found: dict[str, Mapping[str, Location]] = {}
    for name in sorted(topics & desired.topics.keys()):
        spec = desired.topics[name]
        fields = dict(spec.origins)
        if spec.origin is not None:
            fields["topic"] = spec.origin
        found[name] = MappingProxyType(fields)
    return MappingProxyType(found)


def _check_described(desired: DesiredState, observed: ClusterState, managed: list[re.Pattern[str]]) -> None:
    """A snapshot that left out a topic this plan needs in full would plan it wrongly: a spec
    topic as missing, a managed one as unmanaged. That is a caller's bug, never the user's."""
    missed = sorted(
        name
        for name in observed.others
        if name in desired.topics or any(pattern.fullmatch(name) for pattern in managed)
    )
    if missed:
        raise ValueError(f"the snapshot did not describe topics the plan needs: {', '.join(missed[:5])}")


def _compile_scope(cluster: ClusterSpec) -> list[re.Pattern[str]]:
    patterns = []
    for text in cluster.manage:
        try:
            patterns.append(re.compile(text))
        except re.error as err:
            where: Location | str = (
                cluster.origin.at("cluster.manage") if cluster.origin else "cluster.manage"
            )
            raise PlanError(
                f"cluster.manage pattern {text!r} is not a valid regular expression: {err}",
                where=where,
                hint="write a Python regular expression that matches whole topic names, e.g. 'orders\\..*'",
            ) from None
    return patterns


def _create(spec: TopicSpec, racked: bool, found: _Findings) -> None:
    if not _placeable(spec, None, found):
        return
    assignment = None
    # Without racks, "spread" only means distinct brokers, which Kafka's own assignment already
    # guarantees while also balancing against every other topic; so let the broker choose.
    if racked or not isinstance(spec.placement, Spread):
        try:
            assignment = placement.assign(
                spec.partitions, spec.replication_factor, found.brokers, spec.placement, found.zones
            )
        except PlanError as err:
            found.refuse(spec, "placement", err.message, err.hint)
            return
    found.actions.append(
        CreateTopic(spec.name, spec.partitions, spec.replication_factor, spec.configs, assignment)
    )


def _placeable(spec: TopicSpec, observed_min_isr: str | None, found: _Findings) -> bool:
    """Refuse a replication factor the cluster cannot hold, or one min.insync.replicas makes unwritable."""
    rf = spec.replication_factor
    if rf > len(found.brokers) and rf <= len(found.brokers) + len(found.down):
        down = ("broker " if len(found.down) == 1 else "brokers ") + ", ".join(map(str, found.down))
        found.refuse(
            spec,
            "replication_factor",
            f"replication factor {rf} needs {rf} live brokers; {len(found.brokers)} are up and "
            f"{down} {'is' if len(found.down) == 1 else 'are'} down",
            f"start {down} again and plan again (kadmin places replicas on live brokers only)",
        )
        return False
    if rf > len(found.brokers):
        found.refuse(
            spec,
            "replication_factor",
            f"replication factor {rf} needs {rf} brokers; the cluster has {len(found.brokers)}",
            "lower replication_factor or add brokers",
        )
        return False
    min_isr = _as_int(spec.configs.get(_MIN_ISR) or observed_min_isr)
    if min_isr is not None and rf < min_isr:
        found.refuse(
            spec,
            "replication_factor",
            f"replication factor {rf} is below {_MIN_ISR} {min_isr}",
            f"raise replication_factor to at least {min_isr} or lower {_MIN_ISR}; with fewer replicas than "
            f"{_MIN_ISR}, producers using acks=all are rejected",
        )
        return False
    return True


def _down(desired: DesiredState, observed: ClusterState) -> tuple[int, ...]:
    # Metadata lists live brokers only; one that is down still appears in replica lists
    # (and in the spec's zones), which is how a stopped broker differs from a missing one.
    live = {b.id for b in observed.brokers}
    known = {r for t in observed.topics.values() for p in t.partitions for r in p.replicas}
    known.update(b for ids in desired.cluster.zones.values() for b in ids)
    return tuple(sorted(known - live))


def _as_int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _update(spec: TopicSpec, topic: ObservedTopic, prune_configs: bool, found: _Findings) -> None:
    ordered = sorted(topic.partitions, key=lambda p: p.id)
    current = tuple(p.replicas for p in ordered)
    target = _reassign(spec, topic, current, [p.id for p in ordered], prune_configs, found)
    count = len(current)
    if spec.partitions < count:
        found.refuse(
            spec,
            "partitions",
            f"cannot shrink partitions {count} → {spec.partitions}",
            "Kafka cannot remove partitions; recreate the topic under a new name or restore the count",
        )
    elif spec.partitions > count:
        try:
            new = placement.extend(
                target, spec.partitions, spec.replication_factor, found.brokers, spec.placement, found.zones
            )
        except PlanError as err:
            found.refuse(spec, "partitions", err.message, err.hint)
        else:
            found.actions.append(AddPartitions(spec.name, count, spec.partitions, new))
    _alter_configs(spec, topic, prune_configs, found)


def _reassign(
    spec: TopicSpec,
    topic: ObservedTopic,
    current: Assignment,
    ids: list[int],
    prune_configs: bool,
    found: _Findings,
) -> Assignment:
    """Plan replica moves for a replication-factor change or placement drift; the target assignment."""
    rf = spec.replication_factor
    problems = placement.evaluate(current, rf, found.brokers, spec.placement, found.zones)
    if not problems:
        return current
    before = topic.replication_factor
    # An override the spec does not set is removed when pruning, so it no longer limits the new factor.
    kept_min_isr = None if prune_configs else topic.overrides.get(_MIN_ISR)
    if before != rf and not _placeable(spec, kept_min_isr, found):
        return current
    try:
        target = placement.rebalance(current, rf, found.brokers, spec.placement, found.zones)
    except PlanError as err:
        found.refuse(spec, "replication_factor" if before != rf else "placement", err.message, err.hint)
        return current
    moves = tuple(
        PartitionMove(pid, old, new) for pid, old, new in zip(ids, current, target, strict=True) if old != new
    )
    if moves:
        if before != rf:
            reason = f"replication factor {before} → {rf}"
        else:
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            reason = f"placement {spec.placement}: {problems[0]}{more}"
        found.actions.append(ReassignReplicas(spec.name, moves, reason))
    return target


def _alter_configs(spec: TopicSpec, topic: ObservedTopic, prune_configs: bool, found: _Findings) -> None:
    """Compare only what the spec sets against the topic's own overrides; broker defaults are never drift."""
    have = topic.overrides
    changes = [
        ConfigChange(key, have.get(key), value)
        for key, value in sorted(spec.configs.items())
        if key not in have or canonical(key, have[key]) != canonical(key, value)
    ]
    # Throttled-replica lists the spec does not set belong to a replica move, not to the topic's
    # settings: they become `RemoveThrottle` actions (`kadmin.plan.leftovers`), never drift.
    extra = sorted(have.keys() - spec.configs.keys() - set(THROTTLED_REPLICAS_KEYS))
    if prune_configs:
        changes += [ConfigChange(key, have[key], None) for key in extra]
        changes.sort(key=lambda c: c.key)
    elif extra:
        listed = ", ".join(f"{key}={have[key]}" for key in extra)
        found.notices.append(
            Notice(
                Target.topic(spec.name),
                f"configs set on the topic but not in the spec: {listed} "
                "(drift kept; use --prune-configs to remove)",
            )
        )
    if changes:
        found.actions.append(AlterConfigs(spec.name, tuple(changes)))
