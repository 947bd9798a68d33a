"""Broker zones: checking the declared `cluster.zones` against live racks, and reporting zone safety.

Zones are checked, never applied: `broker.rack` is static broker configuration
that only a broker restart changes, so a mismatch is a refusal naming the broker
rather than an action. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kadmin.core.actions import Notice, Refusal
from kadmin.core.model import Broker, ClusterSpec, ClusterState
from kadmin.core.targets import Target
from kadmin.plan.placement import Zone

_RACK_HINT = (
    "kadmin never changes broker.rack (it is static broker config); "
    "fix cluster.zones in the spec, or set broker.rack on the broker and restart it"
)


def check_zones(cluster: ClusterSpec, brokers: Sequence[Broker]) -> tuple[list[Refusal], list[Notice]]:
    """Compare declared zones with the live brokers' racks.

    A live broker whose rack differs from its declared zone, and a declared
    broker that is not live, are refusals; a live broker in no declared zone is a
    notice. With no zones declared there is nothing to check.
    """
    if not cluster.zones:
        return [], []
    racks = {b.id: b.rack for b in brokers}
    refusals: list[Refusal] = []
    notices: list[Notice] = []
    declared: set[int] = set()
    for zone in sorted(cluster.zones):
        where = cluster.origin.at(f"cluster.zones.{zone}") if cluster.origin else None
        for broker in sorted(cluster.zones[zone]):
            declared.add(broker)
            if broker not in racks:
                refusals.append(
                    Refusal(
                        target=Target.broker(broker),
                        message=f"broker {broker} is declared in zone {zone} but is not in the cluster",
                        where=where or f"broker {broker}",
                        hint="start the broker, or remove it from cluster.zones if it left the cluster",
                    )
                )
            elif racks[broker] != zone:
                rack = racks[broker]
                actual = f"its broker.rack is {rack}" if rack is not None else "it has no broker.rack"
                refusals.append(
                    Refusal(
                        target=Target.broker(broker),
                        message=f"broker {broker} is declared in zone {zone} but {actual}",
                        where=where or f"broker {broker}",
                        hint=_RACK_HINT,
                    )
                )
    for broker in sorted(racks.keys() - declared):
        rack = racks[broker] if racks[broker] is not None else "none"
        notices.append(
            Notice(
                target=Target.broker(broker),
                message=f"broker {broker} (rack {rack}) is in no declared zone",
            )
        )
    return refusals, notices


@dataclass(frozen=True, slots=True)
class BrokerLoad:
    """One broker's share of the cluster: replicas it holds and partitions it currently leads."""

    broker: int
    rack: str | None
    replicas: int
    leaders: int


@dataclass(frozen=True, slots=True)
class RackLoad:
    """The brokers of one rack (None: brokers without a rack, each a zone of its own)."""

    rack: str | None
    brokers: tuple[BrokerLoad, ...]

    @property
    def replicas(self) -> int:
        return sum(b.replicas for b in self.brokers)

    @property
    def leaders(self) -> int:
        return sum(b.leaders for b in self.brokers)


@dataclass(frozen=True, slots=True)
class UnsafePartition:
    """A partition whose replicas span fewer zones than min(RF, zones in the cluster)."""

    topic: str
    partition: int
    replicas: tuple[int, ...]
    zones: int
    needed: int


@dataclass(frozen=True, slots=True)
class ZoneReport:
    """How replicas and leaders sit across racks, and which partitions one zone outage would take down."""

    racks: tuple[RackLoad, ...]
    unsafe: tuple[UnsafePartition, ...]
    zone_count: int

    @property
    def is_zone_safe(self) -> bool:
        return not self.unsafe


def zone_report(observed: ClusterState) -> ZoneReport:
    """Replica and leader counts per broker grouped by rack, and the partitions that are not zone-safe.

    Leaders are the current leaders the cluster reports, not the preferred ones.
    Internal topics are included: losing ``__consumer_offsets`` to one zone
    outage stops every consumer group.
    """
    replicas = {b.id: 0 for b in observed.brokers}
    leaders = {b.id: 0 for b in observed.brokers}
    # The same rule as placement: a broker without a rack, or one that is not live, is a zone of its own.
    zone: dict[int, Zone] = {b.id: b.rack if b.rack is not None else b.id for b in observed.brokers}
    zone_count = len(set(zone.values()))
    unsafe: list[UnsafePartition] = []
    for name in sorted(observed.topics):
        for partition in sorted(observed.topics[name].partitions, key=lambda p: p.id):
            for b in partition.replicas:
                if b in replicas:
                    replicas[b] += 1
            if partition.leader in leaders:
                leaders[partition.leader] += 1
            spanned = {zone.get(b, b) for b in partition.replicas}
            needed = min(len(partition.replicas), zone_count)
            if len(spanned) < needed:
                unsafe.append(UnsafePartition(name, partition.id, partition.replicas, len(spanned), needed))
    by_rack: dict[str | None, list[BrokerLoad]] = {}
    for broker in sorted(observed.brokers, key=lambda b: b.id):
        by_rack.setdefault(broker.rack, []).append(
            BrokerLoad(broker.id, broker.rack, replicas[broker.id], leaders[broker.id])
        )
    racks = tuple(
        RackLoad(rack, tuple(loads))
        for rack, loads in sorted(by_rack.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    )
    return ZoneReport(racks, tuple(unsafe), zone_count)
