"""Drift: every difference between the spec and the managed part of the cluster, as typed values.

Pure. Drift is what a plan with every flag given (`--allow-delete`, `--prune-configs`)
would change, plus what no plan can change (a partition count above the spec's, a
broker outside its declared zone): orphan topics inside `cluster.manage`, overrides
set on the cluster that the spec does not set, replica layouts off their placement,
and everything plan shows as a change. Topics outside `cluster.manage` and not in the
spec are not kadmin's and never drift. Offset resets are one-shot instructions, not
state, so they are not drift either. Access (ACLs, credentials, quotas) drifts as an access
plan with deletes allowed would change it, inside `cluster.manage_principals` for deletes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from kadmin.core.access_actions import (
    AccessAction,
    AlterQuota,
    CreateAcl,
    CredentialChange,
    DeleteAcl,
    DeleteScram,
    RemoveQuota,
    UpsertScram,
)
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
)
from kadmin.core.model import ClusterState, DesiredState
from kadmin.core.plan import ClusterIdentity
from kadmin.core.targets import Target, TargetKind
from kadmin.plan.access_diff import AccessPlan
from kadmin.plan.diff import diff


class DriftKind(StrEnum):
    MISSING_TOPIC = "missing_topic"
    """In the spec, not on the cluster."""
    ORPHAN_TOPIC = "orphan_topic"
    """On the cluster inside `cluster.manage`, not in the spec."""
    PARTITIONS = "partitions"
    CONFIG = "config"
    """A key the spec sets, with another value (or none) on the cluster."""
    UNSET_CONFIG = "unset_config"
    """An override on the cluster that the spec does not set."""
    REPLICAS = "replicas"
    """Replication factor or replica layout off the spec's placement."""
    OTHER = "other"
    """What no plan can fix (refused), or a broker outside the declared zones."""
    ACCESS = "access"
    """An ACL, SCRAM credential or quota value off the spec (inside `cluster.manage_principals` for
    what the spec does not have)."""


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the cluster differs from the spec; `spec` and `cluster` hold the two values, if any."""

    target: Target
    kind: DriftKind
    detail: str
    key: str | None = None
    spec: str | None = None
    cluster: str | None = None


@dataclass(frozen=True, slots=True)
class DriftReport:
    cluster: ClusterIdentity
    differences: tuple[Difference, ...]
    unmanaged: int
    """Topics outside `cluster.manage` and the spec: left alone, counted only."""

    @property
    def drifted(self) -> bool:
        return bool(self.differences)


def find_drift(
    desired: DesiredState,
    observed: ClusterState,
    bootstrap: str | None = None,
    access: AccessPlan | None = None,
) -> DriftReport:
    """Every difference between `desired` and the managed part of `observed`; with `access` (the
    access diff planned with deletes allowed), every access difference too."""
    plan = diff(desired, observed, allow_delete=True, prune_configs=True)
    found: list[Difference] = []
    if access is not None:
        found.extend(access_differences(access.actions))
        found.extend(Difference(r.target, DriftKind.OTHER, r.message) for r in access.refusals)
    for action in plan.actions:
        found.extend(_from_action(action))
    for refusal in plan.refusals:
        found.append(Difference(refusal.target, DriftKind.OTHER, refusal.message))
    for notice in plan.notices:
        if notice.target.kind is TargetKind.BROKER:
            found.append(Difference(notice.target, DriftKind.OTHER, notice.message))
    ordered = tuple(sorted(found, key=lambda d: (d.target, d.kind.value, d.key or "")))
    identity = ClusterIdentity(observed.cluster_id, desired.cluster.name, bootstrap)
    return DriftReport(identity, ordered, len(plan.unmanaged))


def _from_action(action: Action) -> list[Difference]:
    target = action.target
    match action:
        case CreateTopic():
            return [Difference(target, DriftKind.MISSING_TOPIC, "in the spec, not on the cluster")]
        case DeleteTopic():
            detail = f"on the cluster ({action.partitions} partitions) inside cluster.manage, not in the spec"
            return [Difference(target, DriftKind.ORPHAN_TOPIC, detail, cluster=str(action.partitions))]
        case AddPartitions():
            return [
                Difference(
                    target,
                    DriftKind.PARTITIONS,
                    f"partitions: spec {action.after}, cluster {action.before}",
                    key="partitions",
                    spec=str(action.after),
                    cluster=str(action.before),
                )
            ]
        case AlterConfigs():
            return [
                Difference(
                    target,
                    DriftKind.UNSET_CONFIG,
                    f"{c.key}={c.before} set on the cluster, not in the spec",
                    key=c.key,
                    cluster=c.before,
                )
                if c.after is None
                else Difference(
                    target,
                    DriftKind.CONFIG,
                    f"{c.key}: spec {c.after}, cluster {'(not set)' if c.before is None else c.before}",
                    key=c.key,
                    spec=c.after,
                    cluster=c.before,
                )
                for c in action.changes
            ]
        case ReassignReplicas():
            moved = ", ".join(f"p{m.partition} {list(m.before)}" for m in action.moves[:3])
            more = f" (+{len(action.moves) - 3} more)" if len(action.moves) > 3 else ""
            return [
                Difference(
                    target,
                    DriftKind.REPLICAS,
                    f"replicas: {action.reason}; off: {moved}{more}",
                    key="replicas",
                )
            ]
        case ResetOffsets() | FinishMove() | RemoveThrottle():  # pragma: no cover - `diff` never plans them
            return []
        case UpsertScram() | CreateAcl() | AlterQuota() | RemoveQuota() | DeleteAcl() | DeleteScram():
            return access_differences([action])
        case _:
            assert_never(action)


def access_differences(actions: Sequence[AccessAction]) -> list[Difference]:
    """What each access action would change, as drift: the ACL, credential or quota that differs."""
    found: list[Difference] = []
    for action in actions:
        target = action.target
        match action:
            case CreateAcl():
                found.append(Difference(target, DriftKind.ACCESS, "in the spec, not on the cluster"))
            case DeleteAcl():
                detail = "on the cluster inside manage_principals, not in the spec"
                found.append(Difference(target, DriftKind.ACCESS, detail))
            case UpsertScram():
                found.append(Difference(target, DriftKind.ACCESS, _CREDENTIAL_DRIFT[action.change]))
            case DeleteScram():
                detail = "a credential on the cluster inside manage_principals, not in the spec"
                found.append(Difference(target, DriftKind.ACCESS, detail))
            case AlterQuota() | RemoveQuota():
                for c in action.changes:
                    spec = None if c.after is None else _number(c.after)
                    cluster = None if c.before is None else _number(c.before)
                    detail = f"{c.key}: spec {spec or '(not set)'}, cluster {cluster or '(not set)'}"
                    found.append(Difference(target, DriftKind.ACCESS, detail, c.key.value, spec, cluster))
            case _:
                assert_never(action)
    return found


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


_CREDENTIAL_DRIFT = {
    CredentialChange.CREATE: "in the spec, not on the cluster",
    CredentialChange.ROTATE: "the password is not the spec's (by the digest kadmin recorded)",
    CredentialChange.ITERATIONS: "the iterations differ from the spec's",
    CredentialChange.UNKNOWN: "kadmin never set this credential",
}
