"""The replication throttle of a reassignment, as Kafka's reassignment tool lays it out, through
the `ClusterAdmin` port: computed for a batch of moves (`throttle_for`, pure), found wherever it
is set (`find_throttles`) and removed (`clear_throttles`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from kadmin.core.actions import ReassignReplicas
from kadmin.core.errors import KadminError
from kadmin.core.model import ClusterState
from kadmin.kafka.port import (
    FOLLOWER_THROTTLED_REPLICAS,
    LEADER_THROTTLED_REPLICAS,
    ClusterAdmin,
    ReplicationThrottle,
)

_THROTTLED_REPLICAS = (LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS)


@dataclass(frozen=True, slots=True)
class Throttles:
    """Replication throttles in place: rates on brokers, throttled-replica lists on topics."""

    brokers: Mapping[int, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    topics: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))

    def __bool__(self) -> bool:
        return bool(self.brokers or self.topics)


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


def find_throttles(admin: ClusterAdmin, observed: ClusterState | None = None) -> Throttles:
    """The replication throttles set anywhere: broker rates, and topics listing throttled replicas."""
    state = observed if observed is not None else admin.snapshot()
    topics = {
        name: MappingProxyType({k: v for k, v in topic.overrides.items() if k in _THROTTLED_REPLICAS})
        for name, topic in sorted(state.topics.items())
        if any(k in _THROTTLED_REPLICAS for k in topic.overrides)
    }
    # The snapshot already names the live brokers: no second DescribeCluster to find them.
    rates_set = admin.broker_throttles([b.id for b in state.brokers])
    brokers = {b: MappingProxyType(dict(rates)) for b, rates in sorted(rates_set.items())}
    return Throttles(MappingProxyType(brokers), MappingProxyType(topics))


def clear_throttles(
    admin: ClusterAdmin, brokers: Collection[int], topics: Collection[str], notes: list[str]
) -> bool:
    """Remove throttles; a failure becomes a note (the moves themselves succeeded)."""
    try:
        failed = [
            (o.target.describe(), o.error)
            for o in admin.clear_replication_throttle(sorted(brokers), sorted(topics))
            if not o.ok
        ]
    except KadminError as err:
        failed = [("the brokers and topics", err.with_hint())]
    for what, error in failed:
        notes.append(
            f"could not remove the replication throttle from {what}: {error}; "
            "`kadmin reassignments wait` tries again"
        )
    return not failed
