"""Zone-aware replica placement: pure strategies over plain replica lists.

Owns where replicas go for a new topic (`assign`), for added partitions
(`extend`), after a replication-factor change or placement drift (`rebalance`),
and whether an assignment satisfies a placement (`evaluate`). Inputs and outputs
are plain `Assignment` tuples; nothing here talks to Kafka or prints.

Zones. A broker's zone is the zone `cluster.zones` declares it in, else its
`broker.rack`. A broker with neither counts as a zone of its own: Kafka's own
rack-aware assignment refuses to mix racked and unracked brokers, and treating
each unracked broker as its own failure domain is the reading that never
claims two replicas are apart when they might not be. A replica on a broker
that is not live keeps its declared zone, or is a zone of its own; kadmin never
moves replicas just because a broker is down.

Strategies.
- `Spread`: each partition's replicas in min(RF, live zones) distinct zones;
  replicas and preferred leaders balanced over brokers, with the starting
  broker rotating per partition through a zone-alternating order.
- `InZone(zone)`: every replica on a broker of that zone.
- `Static(replicas)`: the replica lists as written.

Everything is deterministic: the same inputs give the same lists.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kadmin.core.errors import PlanError
from kadmin.core.model import Assignment, Broker, InZone, Placement, Spread, Static

Zone = str | int
"""A zone name, or the id of a broker that is a zone of its own (no rack, not declared)."""

Zones = Mapping[str, tuple[int, ...]]
"""Declared zones, as in `ClusterSpec.zones`: zone name -> broker ids."""


@dataclass(frozen=True, slots=True)
class _Layout:
    """The live brokers seen through zones."""

    live: tuple[int, ...]
    racks: Mapping[int, str | None]
    zones: Mapping[int, Zone]
    """Zone of every live or declared broker that has one; any other broker is a zone of its own."""
    rotation: Mapping[int, int]
    """Position of each live broker in the zone-alternating order (a1, b1, c1, a2, b2, ...)."""
    zone_count: int

    def zone(self, broker: int) -> Zone:
        return self.zones.get(broker, broker)


def _layout(brokers: Sequence[Broker], zones: Zones) -> _Layout:
    # diff asks once per topic with the same brokers and zones; the cache keeps that linear in topics.
    return _cached_layout(tuple(brokers), tuple((z, tuple(ids)) for z, ids in zones.items()))


@functools.lru_cache(maxsize=16)
def _cached_layout(brokers: tuple[Broker, ...], zones: tuple[tuple[str, tuple[int, ...]], ...]) -> _Layout:
    racks = {b.id: b.rack for b in brokers}
    by_broker: dict[int, Zone] = {b: rack for b, rack in racks.items() if rack is not None}
    by_broker.update({b: zone for zone, ids in zones for b in ids})
    live = tuple(sorted(racks))
    by_zone: dict[Zone, list[int]] = {}
    for b in live:
        by_zone.setdefault(by_broker.get(b, b), []).append(b)
    # Sort names before broker-id zones, so the order never compares str with int.
    columns = [by_zone[z] for z in sorted(by_zone, key=lambda z: (isinstance(z, int), str(z)))]
    order = [
        col[row]
        for row in range(max((len(c) for c in columns), default=0))
        for col in columns
        if row < len(col)
    ]
    return _Layout(live, racks, by_broker, {b: i for i, b in enumerate(order)}, len(columns))


def _pool(placement: Spread | InZone, layout: _Layout, zones: Zones) -> tuple[int, ...]:
    """Live brokers a strategy may place new replicas on, in rotation order."""
    brokers = sorted(layout.live, key=layout.rotation.__getitem__)
    if isinstance(placement, Spread):
        return tuple(brokers)
    return tuple(b for b in brokers if _in_zone(b, placement.zone, layout, zones))


def _in_zone(broker: int, zone: str, layout: _Layout, zones: Zones) -> bool:
    if zone in zones:
        return broker in zones[zone]
    return layout.racks.get(broker) == zone


def _check_pool(replication_factor: int, pool: tuple[int, ...], placement: Spread | InZone) -> None:
    if replication_factor <= len(pool):
        return
    if isinstance(placement, Spread):
        raise PlanError(
            f"replication factor {replication_factor} needs {replication_factor} brokers; "
            f"the cluster has {len(pool)}",
            hint="lower replication_factor or add brokers",
        )
    raise PlanError(
        f"replication factor {replication_factor} needs {replication_factor} brokers in zone "
        f"{placement.zone}; it has {len(pool)} live",
        hint="lower replication_factor, place the topic in a larger zone, or use placement spread",
    )


def _static_rows(placement: Static, start: int, stop: int, layout: _Layout) -> Assignment:
    rows = placement.replicas
    if len(rows) < stop:
        raise PlanError(
            f"static placement lists {len(rows)} partitions; the topic needs {stop}",
            hint="write one replica list per partition",
        )
    for row in rows[start:stop]:
        for b in row:
            if b not in layout.racks:
                raise PlanError(
                    f"static placement names broker {b}, which is not in the cluster",
                    hint=f"live brokers: {', '.join(map(str, layout.live)) or 'none'}",
                )
    return tuple(tuple(row) for row in rows[start:stop])


class _Loads:
    """Replica and preferred-leader counts per broker, kept up to date while placing."""

    def __init__(self, layout: _Layout, current: Assignment = ()) -> None:
        self.replicas = dict.fromkeys(layout.live, 0)
        self.leaders = dict.fromkeys(layout.live, 0)
        for replicas in current:
            for i, b in enumerate(replicas):
                self.add(b, leader=i == 0)

    def add(self, broker: int, *, leader: bool) -> None:
        if broker in self.replicas:
            self.replicas[broker] += 1
            if leader:
                self.leaders[broker] += 1

    def copy(self) -> _Loads:
        twin = _Loads.__new__(_Loads)
        twin.replicas, twin.leaders = dict(self.replicas), dict(self.leaders)
        return twin

    def remove(self, broker: int, *, leader: bool) -> None:
        if broker in self.replicas:
            self.replicas[broker] -= 1
            if leader:
                self.leaders[broker] -= 1


def _fill(
    partition: int,
    chosen: list[int],
    replication_factor: int,
    pool: tuple[int, ...],
    spread: bool,
    layout: _Layout,
    loads: _Loads,
    *,
    zone_target: int | None = None,
) -> list[int]:
    """Add brokers from `pool` to `chosen` until it holds `replication_factor` (or `zone_target` zones).

    The leader slot goes to the broker leading fewest partitions; each follower to
    the least-loaded broker, for `Spread` first in a zone the partition does not
    use yet. Ties go to the broker next in the rotation, so partitions start on
    different brokers and zones.
    """
    # Rotate within the pool, so a zone-pinned topic also starts each partition on the next broker.
    position = {b: i for i, b in enumerate(pool)}
    n = max(len(pool), 1)
    added: list[int] = []
    while len(chosen) + len(added) < replication_factor:
        taken = chosen + added
        used = [layout.zone(b) for b in taken]
        if zone_target is not None and len(set(used)) >= zone_target:
            break
        candidates = [b for b in pool if b not in taken]
        if not taken:
            start = partition % n
            pick = min(
                candidates,
                key=lambda b: (loads.leaders[b], loads.replicas[b], (position[b] - start) % n),
            )
        else:
            anchor = position.get(taken[0], partition % n)
            pick = min(
                candidates,
                # For spread, a zone the partition does not use yet (count 0) beats any load.
                key=lambda b: (
                    used.count(layout.zone(b)) if spread else 0,
                    loads.replicas[b],
                    (position[b] - anchor) % n,
                ),
            )
        loads.add(pick, leader=not taken)
        added.append(pick)
    return added


def assign(
    partitions: int, replication_factor: int, brokers: Sequence[Broker], placement: Placement, zones: Zones
) -> Assignment:
    """Replica lists for a new topic of `partitions` partitions.

    Raises `PlanError` when the strategy cannot be met (too few brokers, a static
    list naming an unknown broker).
    """
    return extend((), partitions, replication_factor, brokers, placement, zones)


def extend(
    current: Assignment,
    new_total: int,
    replication_factor: int,
    brokers: Sequence[Broker],
    placement: Placement,
    zones: Zones,
) -> Assignment:
    """Replica lists for partitions ``len(current) .. new_total - 1`` only.

    The existing partitions count towards broker load, so new partitions go
    where there is room.
    """
    layout = _layout(brokers, zones)
    if isinstance(placement, Static):
        return _static_rows(placement, len(current), new_total, layout)
    pool = _pool(placement, layout, zones)
    _check_pool(replication_factor, pool, placement)
    loads = _Loads(layout, current)
    spread = isinstance(placement, Spread)
    return tuple(
        tuple(_fill(p, [], replication_factor, pool, spread, layout, loads))
        for p in range(len(current), new_total)
    )


def rebalance(
    current: Assignment,
    replication_factor: int,
    brokers: Sequence[Broker],
    placement: Placement,
    zones: Zones,
) -> Assignment:
    """The full target assignment after a replication-factor change or to repair placement drift.

    Partitions that already satisfy the strategy stay exactly as they are. The
    others keep as many of their replicas as the strategy allows, in their order
    (so the current leader stays first when it stays at all), and gain new
    replicas after them: first in zones the partition does not use yet. A
    replication-factor decrease drops the last replicas that do not add a zone.
    """
    layout = _layout(brokers, zones)
    if isinstance(placement, Static):
        return _static_rows(placement, 0, len(current), layout)
    pool = _pool(placement, layout, zones)
    loads = _Loads(layout, current)
    target: list[tuple[int, ...]] = []
    for p, replicas in enumerate(current):
        if not _problem(p, replicas, replication_factor, placement, layout, zones):
            target.append(replicas)
            continue
        _check_pool(replication_factor, pool, placement)
        repaired = _repair(p, replicas, replication_factor, placement, pool, layout, loads, zones)
        for i, b in enumerate(replicas):
            loads.remove(b, leader=i == 0)
        for i, b in enumerate(repaired):
            loads.add(b, leader=i == 0)
        target.append(repaired)
    return tuple(target)


def _repair(
    partition: int,
    replicas: tuple[int, ...],
    replication_factor: int,
    placement: Spread | InZone,
    pool: tuple[int, ...],
    layout: _Layout,
    loads: _Loads,
    zones: Zones,
) -> tuple[int, ...]:
    # `_fill` books what it picks; the caller re-books the whole partition, so work on a scratch copy.
    scratch = loads.copy()
    if isinstance(placement, InZone):
        kept = list(dict.fromkeys(b for b in replicas if _in_zone(b, placement.zone, layout, zones)))
        kept = kept[:replication_factor]
        added = _fill(partition, kept, replication_factor, pool, False, layout, scratch)
        return (*kept, *added)
    keep: set[int] = set()
    seen: set[Zone] = set()
    for b in replicas:
        if len(keep) < replication_factor and b not in keep and layout.zone(b) not in seen:
            keep.add(b)
            seen.add(layout.zone(b))
    in_order = [b for b in replicas if b in keep]
    added = _fill(
        partition,
        in_order,
        replication_factor,
        pool,
        True,
        layout,
        scratch,
        zone_target=min(replication_factor, layout.zone_count),
    )
    # The partition spans enough zones now; the rest of the slots go to its other current
    # replicas before any new broker, since keeping a replica moves no data.
    for b in replicas:
        if len(keep) + len(added) < replication_factor and b not in keep:
            keep.add(b)
    in_order = [b for b in replicas if b in keep]
    added += _fill(partition, in_order + added, replication_factor, pool, True, layout, scratch)
    return (*in_order, *added)


def evaluate(
    assignment: Assignment,
    replication_factor: int,
    brokers: Sequence[Broker],
    placement: Placement,
    zones: Zones,
) -> list[str]:
    """Why `assignment` does not satisfy the strategy, one line per partition; empty when it does."""
    layout = _layout(brokers, zones)
    if isinstance(placement, Static):
        rows = placement.replicas
        problems = []
        for p, replicas in enumerate(assignment):
            if p >= len(rows):
                problems.append(f"partition {p} is not listed in the static placement")
            elif tuple(rows[p]) != replicas:
                problems.append(f"partition {p} has replicas {list(replicas)}, expected {list(rows[p])}")
        return problems
    return [
        problem
        for p, replicas in enumerate(assignment)
        if (problem := _problem(p, replicas, replication_factor, placement, layout, zones))
    ]


def _problem(
    partition: int,
    replicas: tuple[int, ...],
    replication_factor: int,
    placement: Spread | InZone,
    layout: _Layout,
    zones: Zones,
) -> str:
    if len(set(replicas)) != len(replicas):
        return f"partition {partition} lists a broker more than once: {list(replicas)}"
    if len(replicas) != replication_factor:
        noun = "replica" if len(replicas) == 1 else "replicas"
        return f"partition {partition} has {len(replicas)} {noun}, expected {replication_factor}"
    if isinstance(placement, InZone):
        outside = [b for b in replicas if not _in_zone(b, placement.zone, layout, zones)]
        if outside:
            names = ", ".join(map(str, outside))
            return f"partition {partition} has replicas outside zone {placement.zone} on broker(s) {names}"
        return ""
    zone_of = layout.zones
    spanned = len({zone_of.get(b, b) for b in replicas})
    if spanned < min(replication_factor, layout.zone_count):
        return f"partition {partition} has replicas in {spanned} zone{'' if spanned == 1 else 's'}"
    return ""
