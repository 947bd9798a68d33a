"""A plan: the typed actions that take the cluster from what it is to what the spec says."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from kadmin.core.access_actions import AlterQuota, CredentialChange, UpsertScram
from kadmin.core.actions import Action, Notice, Refusal, in_apply_order
from kadmin.core.errors import Location

FORMAT_VERSION = 1

_CREATES = frozenset({"create_topic", "create_acl"})
_DELETES = frozenset({"delete_topic", "delete_acl", "delete_scram"})


@dataclass(frozen=True, slots=True)
class ClusterIdentity:
    """Which cluster a plan is about: the spec's name for it, Kafka's cluster id, the address used."""

    cluster_id: str
    name: str | None = None
    bootstrap: str | None = None


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What `kadmin plan` computed a plan from, recorded so that apply can compute it again.

    A saved plan is a file anyone could have edited; apply re-reads `specs` (as given,
    relative to where plan ran), re-plans with the same flags at the same moment
    (`planned_at_ms`, for duration and datetime resets) and refuses any action the
    recomputation does not contain. `manage` is the spec's `cluster.manage`, so the
    planner's rules on deletes can be checked before the cluster is even contacted.
    """

    specs: tuple[str, ...]
    manage: tuple[str, ...] = ()
    allow_delete: bool = False
    prune_configs: bool = False
    planned_at_ms: int = 0
    partitions: tuple[tuple[str, int], ...] = ()
    """Partition count of each topic in scope that existed when planned, so that a stale plan can say
    which topic gained partitions even when none of its actions is about partitions."""
    environment: str | None = None
    """The spec environment planned (``--env``); None for specs without environments."""
    manage_principals: tuple[str, ...] = ()
    """The spec's `cluster.manage_principals`: ACLs, credentials and quotas may be deleted only inside it."""
    rotate_unknown: bool = False
    """``--rotate-unknown``: credentials kadmin never set are set from the spec."""


@dataclass(frozen=True, slots=True)
class DeleteCandidate:
    """A managed topic the spec no longer names: deleted with ``--allow-delete`` (`enabled`),
    otherwise only shown, so a review sees it either way.

    `log_end_offsets` is the sum of its partitions' log-end offsets (0: never written),
    None when it was not read.
    """

    topic: str
    partitions: int
    enabled: bool
    log_end_offsets: int | None = None


def _no_origins() -> Mapping[str, Mapping[str, Location]]:
    return MappingProxyType({})


def _no_racks() -> Mapping[int, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Plan:
    """What apply would do, and what it was computed from.

    `fingerprint` is a hash of the observed values the actions depend on
    (partition counts, replica lists, config overrides, committed offsets);
    Kafka has no state serial, so apply re-reads those values and refuses a
    plan whose fingerprint no longer matches.
    """

    actions: tuple[Action, ...]
    cluster_id: str
    fingerprint: str
    refusals: tuple[Refusal, ...] = ()
    notices: tuple[Notice, ...] = ()
    unmanaged: tuple[str, ...] = ()
    created_at: str = ""
    cluster_name: str | None = None
    format_version: int = FORMAT_VERSION
    topics_in_scope: tuple[str, ...] = field(default=())
    """Topics the fingerprint covers: those the actions touch."""
    bootstrap: str | None = None
    """The address the plan was computed through, for showing which cluster it is about."""
    spec_hash: str | None = None
    """Content hash of the spec files planned (`kadmin.spec.digest`): ties a saved plan to its specs."""
    inputs: PlanInputs | None = None
    """What the plan was computed from; None for plans made in memory (tests, the benchmark)."""
    deletes: tuple[DeleteCandidate, ...] = ()
    origins: Mapping[str, Mapping[str, Location]] = field(default_factory=_no_origins)
    """Per topic acted on, where each field was written: ``topic`` (the topic's key),
    ``partitions``, ``replication_factor``, ``placement``, ``configs.KEY``."""
    broker_racks: Mapping[int, str] = field(default_factory=_no_racks)
    """The zone (``broker.rack``) of each broker that has one, for placement summaries."""
    only: tuple[str, ...] = ()
    """The ``--topic`` patterns a partial plan was limited to; empty for a whole plan."""

    @property
    def identity(self) -> ClusterIdentity:
        return ClusterIdentity(self.cluster_id, self.cluster_name, self.bootstrap)

    @property
    def is_empty(self) -> bool:
        return not self.actions

    @property
    def applyable(self) -> bool:
        return not any(r.blocking for r in self.refusals)

    @property
    def held(self) -> tuple[Refusal, ...]:
        """Refusals that hold back only their own change; the rest of the plan can be applied."""
        return tuple(r for r in self.refusals if not r.blocking)

    def summary(self) -> dict[str, int]:
        """Counts for the closing line: create / update / delete, per terraform."""
        create = sum(1 for a in self.actions if a.kind in _CREATES or _creates(a))
        delete = sum(1 for a in self.actions if a.kind in _DELETES)
        return {
            "create": create,
            "update": len(self.actions) - create - delete,
            "delete": delete,
            "refused": len(self.refusals),
            "unmanaged": len(self.unmanaged),
        }

    def by_kind(self) -> Counter[str]:
        return Counter(a.kind for a in self.actions)

    def ordered(self) -> tuple[Action, ...]:
        """Actions in apply order, then by target."""
        return in_apply_order(self.actions)


def _creates(action: Action) -> bool:
    """A new credential, or quotas on an entity that had none: a create, though of an update's kind."""
    if isinstance(action, UpsertScram):
        return action.change is CredentialChange.CREATE
    return isinstance(action, AlterQuota) and all(c.before is None for c in action.changes)
