"""Placement strategies: table-driven cases over replica-list literals, then properties over many shapes."""

from __future__ import annotations

from collections import Counter

import pytest

from kadmin.core.errors import PlanError
from kadmin.core.model import Assignment, Broker, InZone, Placement, Spread, Static
from kadmin.plan.placement import Zones, assign, evaluate, extend, rebalance


def brokers(count: int, racks: int | None) -> list[Broker]:
    """Brokers 1..count; broker i in zone-a, zone-b, ... round robin; racks=None gives no racks at all."""
    if racks is None:
        return [Broker(i, None) for i in range(1, count + 1)]
    return [Broker(i, f"zone-{'abcdefgh'[(i - 1) % racks]}") for i in range(1, count + 1)]


def rows(*lists: list[int]) -> Assignment:
    return tuple(tuple(r) for r in lists)


B3 = brokers(3, 3)
B6 = brokers(6, 3)
UNEVEN = [Broker(1, "zone-a"), Broker(2, "zone-a"), Broker(3, "zone-b")]
NO_RACKS = brokers(3, None)


def zone_count(assignment: Assignment, fleet: list[Broker]) -> list[int]:
    racks = {b.id: b.rack if b.rack is not None else b.id for b in fleet}
    return [len({racks[b] for b in replicas}) for replicas in assignment]


# --- assign --------------------------------------------------------------------------------------

ASSIGN_CASES: list[tuple[str, list[Broker], int, int, Placement, Zones, Assignment]] = [
    ("3 brokers 3 zones rf3", B3, 3, 3, Spread(), {}, rows([1, 2, 3], [2, 3, 1], [3, 1, 2])),
    ("3 brokers 3 zones rf2", B3, 3, 2, Spread(), {}, rows([1, 2], [3, 1], [2, 3])),
    (
        "6 brokers 3 zones rf3",
        B6,
        6,
        3,
        Spread(),
        {},
        rows([1, 2, 3], [4, 5, 6], [3, 4, 5], [6, 1, 2], [5, 6, 1], [2, 3, 4]),
    ),
    ("6 brokers rf1 rotates zones", B6, 4, 1, Spread(), {}, rows([1], [2], [3], [4])),
    ("no racks: distinct brokers", NO_RACKS, 3, 2, Spread(), {}, rows([1, 2], [3, 1], [2, 3])),
    # Zone b has one broker, so every partition needs broker 3 to span two zones.
    ("uneven zones", UNEVEN, 4, 2, Spread(), {}, rows([1, 3], [2, 3], [3, 2], [1, 3])),
    ("in zone by rack", B6, 4, 2, InZone("zone-a"), {}, rows([1, 4], [4, 1], [1, 4], [4, 1])),
    ("in declared zone", B6, 3, 2, InZone("east"), {"east": (2, 3, 6)}, rows([2, 3], [6, 2], [3, 6])),
    ("static as written", B3, 2, 2, Static(rows([3, 1], [1, 2])), {}, rows([3, 1], [1, 2])),
]


@pytest.mark.parametrize(
    ("fleet", "partitions", "rf", "placement", "zones", "expected"),
    [case[1:] for case in ASSIGN_CASES],
    ids=[case[0] for case in ASSIGN_CASES],
)
def test_assign(
    fleet: list[Broker], partitions: int, rf: int, placement: Placement, zones: Zones, expected: Assignment
) -> None:
    assert assign(partitions, rf, fleet, placement, zones) == expected


def test_assign_uses_declared_zones_over_racks() -> None:
    # Racks say all one zone; the declaration splits them, and spread follows the declaration.
    fleet = [Broker(1, "dc"), Broker(2, "dc"), Broker(3, "dc"), Broker(4, "dc")]
    zones = {"left": (1, 2), "right": (3, 4)}
    result = assign(4, 2, fleet, Spread(), zones)
    assert all({r[0] in (1, 2), r[1] in (1, 2)} == {True, False} for r in result)


@pytest.mark.parametrize(
    ("fleet", "rf", "placement", "zones", "message"),
    [
        (B3, 4, Spread(), {}, "replication factor 4 needs 4 brokers; the cluster has 3"),
        (B6, 3, InZone("zone-a"), {}, "replication factor 3 needs 3 brokers in zone zone-a; it has 2 live"),
        (B6, 1, InZone("zone-x"), {}, "replication factor 1 needs 1 brokers in zone zone-x; it has 0 live"),
        (
            B3,
            2,
            Static(rows([1, 9], [2, 3])),
            {},
            "static placement names broker 9, which is not in the cluster",
        ),
        (B3, 2, Static(rows([1, 2])), {}, "static placement lists 1 partitions; the topic needs 2"),
    ],
)
def test_assign_refuses_what_cannot_be_placed(
    fleet: list[Broker], rf: int, placement: Placement, zones: Zones, message: str
) -> None:
    with pytest.raises(PlanError) as caught:
        assign(2, rf, fleet, placement, zones)
    assert caught.value.message == message
    assert caught.value.hint


# --- extend --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fleet", "current", "total", "rf", "placement", "expected"),
    [
        # Broker 3 leads nothing yet, so it leads the first new partition.
        (B3, rows([1, 2], [2, 3]), 4, 2, Spread(), rows([3, 1], [1, 2])),
        (B6, rows([1, 2, 3]), 4, 3, Spread(), rows([4, 5, 6], [3, 4, 5], [6, 1, 2])),
        (B3, rows([1, 2, 3]), 1, 3, Spread(), ()),
        (B3, rows([1, 2]), 3, 2, Static(rows([1, 2], [2, 3], [3, 1])), rows([2, 3], [3, 1])),
        (B6, rows([1, 4]), 3, 2, InZone("zone-a"), rows([4, 1], [1, 4])),
    ],
)
def test_extend_returns_only_new_partitions(
    fleet: list[Broker], current: Assignment, total: int, rf: int, placement: Placement, expected: Assignment
) -> None:
    assert extend(current, total, rf, fleet, placement, {}) == expected


# --- rebalance -----------------------------------------------------------------------------------

REBALANCE_CASES: list[tuple[str, list[Broker], Assignment, int, Placement, Assignment]] = [
    (
        "rf 1 -> 3 adds the missing zones",
        B3,
        rows([1], [2], [3]),
        3,
        Spread(),
        rows([1, 2, 3], [2, 1, 3], [3, 1, 2]),
    ),
    ("rf 2 -> 3", B3, rows([1, 2], [2, 3], [3, 1]), 3, Spread(), rows([1, 2, 3], [2, 3, 1], [3, 1, 2])),
    (
        "rf 3 -> 1 keeps the leader",
        B3,
        rows([1, 2, 3], [2, 3, 1], [3, 1, 2]),
        1,
        Spread(),
        rows([1], [2], [3]),
    ),
    (
        "rf 3 -> 2 drops the replica that shares a zone",
        B6,
        rows([1, 4, 2], [2, 5, 3], [3, 6, 1]),
        2,
        Spread(),
        rows([1, 2], [2, 3], [3, 1]),
    ),
    (
        "drift: a zone used twice is replaced by the missing zone",
        B6,
        rows([1, 2, 4], [2, 5, 3], [3, 6, 1]),
        3,
        Spread(),
        rows([1, 2, 6], [2, 3, 4], [3, 1, 5]),
    ),
    ("leader stays first when it stays", B6, rows([4, 1, 2]), 2, Spread(), rows([4, 2])),
    (
        "only the partition that breaks the rule moves",
        B6,
        rows([1, 2], [4, 1], [3, 4]),
        2,
        Spread(),
        # 1 shares zone a with the leader; 5 is the least-loaded broker next after 4 in the rotation.
        rows([1, 2], [4, 5], [3, 4]),
    ),
    ("into one zone", B6, rows([1, 2], [4, 5]), 2, InZone("zone-a"), rows([1, 4], [4, 1])),
    ("static", B3, rows([1, 2], [2, 3]), 2, Static(rows([2, 3], [3, 1], [1, 2])), rows([2, 3], [3, 1])),
]


@pytest.mark.parametrize(
    ("fleet", "current", "rf", "placement", "expected"),
    [case[1:] for case in REBALANCE_CASES],
    ids=[case[0] for case in REBALANCE_CASES],
)
def test_rebalance(
    fleet: list[Broker], current: Assignment, rf: int, placement: Placement, expected: Assignment
) -> None:
    assert rebalance(current, rf, fleet, placement, {}) == expected


def test_rebalance_keeps_replicas_on_brokers_that_are_down() -> None:
    # Broker 3 is not live; its replica keeps its declared zone and is not moved away.
    live = [Broker(1, "zone-a"), Broker(2, "zone-b")]
    zones = {"zone-a": (1,), "zone-b": (2,), "zone-c": (3,)}
    current = rows([1, 2, 3], [3, 1, 2])
    assert evaluate(current, 3, live, Spread(), zones) == []
    assert rebalance(current, 3, live, Spread(), zones) == current


def test_rebalance_refuses_when_the_zone_is_too_small() -> None:
    with pytest.raises(PlanError, match="in zone zone-a"):
        rebalance(rows([1, 2, 3]), 3, B6, InZone("zone-a"), {})


# --- evaluate ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fleet", "assignment", "rf", "placement", "zones", "expected"),
    [
        (B3, rows([1, 2, 3], [2, 3, 1]), 3, Spread(), {}, []),
        (
            B6,
            rows([1, 2], [1, 4], [2, 5, 3]),
            2,
            Spread(),
            {},
            [
                "partition 1 has replicas in 1 zone",
                "partition 2 has 3 replicas, expected 2",
            ],
        ),
        (B6, rows([1, 4, 2]), 3, Spread(), {}, ["partition 0 has replicas in 2 zones"]),
        (B3, rows([1]), 2, Spread(), {}, ["partition 0 has 1 replica, expected 2"]),
        (B3, rows([1, 1]), 2, Spread(), {}, ["partition 0 lists a broker more than once: [1, 1]"]),
        # Without racks every broker is its own zone: distinct brokers are enough.
        (NO_RACKS, rows([1, 2], [2, 3]), 2, Spread(), {}, []),
        # Two zones only: rf 3 needs min(3, 2) = 2 zones.
        (UNEVEN, rows([1, 2, 3]), 3, Spread(), {}, []),
        (
            B6,
            rows([1, 4], [4, 2]),
            2,
            InZone("zone-a"),
            {},
            [
                "partition 1 has replicas outside zone zone-a on broker(s) 2",
            ],
        ),
        (B6, rows([2, 3]), 2, InZone("east"), {"east": (2, 3)}, []),
        (
            B3,
            rows([1, 2], [2, 3]),
            2,
            Static(rows([1, 2], [3, 2])),
            {},
            [
                "partition 1 has replicas [2, 3], expected [3, 2]",
            ],
        ),
        (
            B3,
            rows([1, 2], [2, 3]),
            2,
            Static(rows([1, 2])),
            {},
            [
                "partition 1 is not listed in the static placement",
            ],
        ),
    ],
)
def test_evaluate(
    fleet: list[Broker],
    assignment: Assignment,
    rf: int,
    placement: Placement,
    zones: Zones,
    expected: list[str],
) -> None:
    assert evaluate(assignment, rf, fleet, placement, zones) == expected


# --- properties ----------------------------------------------------------------------------------

SHAPES = [(3, 3), (6, 3), (9, 3), (4, 2), (6, 2), (5, 5), (4, None), (12, 3), (12, 4)]


@pytest.mark.parametrize(("count", "racks"), SHAPES)
def test_spread_is_zone_safe_and_balanced(count: int, racks: int | None) -> None:
    fleet = brokers(count, racks)
    zones_total = len({b.rack if b.rack is not None else b.id for b in fleet})
    for rf in range(1, count + 1):
        for partitions in range(1, 3 * count + 1):
            result = assign(partitions, rf, fleet, Spread(), {})
            assert len(result) == partitions
            assert all(len(set(r)) == rf for r in result)
            assert all(z == min(rf, zones_total) for z in zone_count(result, fleet))
            assert evaluate(result, rf, fleet, Spread(), {}) == []
            leaders = Counter(r[0] for r in result)
            lead = [leaders[b.id] for b in fleet]
            assert max(lead) - min(lead) <= 1, (rf, partitions, lead)
            load = Counter(b for r in result for b in r)
            spread = max(load[b.id] for b in fleet) - min(load[b.id] for b in fleet)
            # Greedy placement is exact on small fleets and never more than one replica off elsewhere.
            assert spread <= (1 if count <= 6 else 2), (rf, partitions, load)


@pytest.mark.parametrize(("count", "racks"), SHAPES)
def test_rebalance_of_a_satisfying_assignment_is_identity(count: int, racks: int | None) -> None:
    fleet = brokers(count, racks)
    for rf in range(1, count + 1):
        current = assign(2 * count, rf, fleet, Spread(), {})
        assert rebalance(current, rf, fleet, Spread(), {}) == current


@pytest.mark.parametrize(("count", "racks"), SHAPES)
def test_extend_keeps_spread_and_leader_balance(count: int, racks: int | None) -> None:
    fleet = brokers(count, racks)
    for rf in range(1, count + 1):
        current = assign(count + 1, rf, fleet, Spread(), {})
        whole = current + extend(current, 3 * count, rf, fleet, Spread(), {})
        assert evaluate(whole, rf, fleet, Spread(), {}) == []
        leaders = Counter(r[0] for r in whole)
        assert max(leaders[b.id] for b in fleet) - min(leaders[b.id] for b in fleet) <= 1


@pytest.mark.parametrize(("count", "racks"), [(3, 3), (6, 3), (9, 3), (6, 2)])
def test_rebalance_changes_replication_factor_with_few_moves(count: int, racks: int) -> None:
    fleet = brokers(count, racks)
    for before in range(1, count + 1):
        current = assign(2 * count, before, fleet, Spread(), {})
        for after in range(1, count + 1):
            target = rebalance(current, after, fleet, Spread(), {})
            assert evaluate(target, after, fleet, Spread(), {}) == [], (before, after)
            for old, new in zip(current, target, strict=True):
                assert new[0] == old[0], "the leader stays first"
                if after >= before:
                    assert new[: len(old)] == old, "growing only adds replicas"
                else:
                    assert set(new) <= set(old), "shrinking only drops replicas"


def test_output_is_deterministic_whatever_the_broker_order() -> None:
    shuffled = [B6[i] for i in (4, 0, 5, 2, 1, 3)]
    assert assign(12, 3, shuffled, Spread(), {}) == assign(12, 3, B6, Spread(), {})
