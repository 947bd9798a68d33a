"""Declared zones against live racks, and the zone-safety report."""

from __future__ import annotations

from types import MappingProxyType

from kadmin.core.actions import Notice, Refusal
from kadmin.core.errors import Location
from kadmin.core.model import Broker, ClusterSpec, ClusterState, ObservedTopic, Partition
from kadmin.core.targets import Target
from kadmin.plan.zones import BrokerLoad, RackLoad, UnsafePartition, check_zones, zone_report

B3 = (Broker(1, "zone-a"), Broker(2, "zone-b"), Broker(3, "zone-c"))
ORIGIN = Location("specs/cluster.yaml", 2, 1, "cluster")


def spec(zones: dict[str, tuple[int, ...]], origin: Location | None = None) -> ClusterSpec:
    return ClusterSpec(name="dev", zones=MappingProxyType(zones), origin=origin)


def test_no_zones_declared_means_nothing_to_check() -> None:
    assert check_zones(ClusterSpec(), B3) == ([], [])


def test_matching_zones_pass() -> None:
    assert check_zones(spec({"zone-a": (1,), "zone-b": (2,), "zone-c": (3,)}), B3) == ([], [])


def test_rack_mismatch_names_broker_zone_and_rack() -> None:
    refusals, notices = check_zones(spec({"zone-a": (1,), "zone-b": (2, 3)}, ORIGIN), B3)
    assert notices == []
    assert len(refusals) == 1
    refusal = refusals[0]
    assert refusal.target == Target.broker(3)
    assert refusal.message == "broker 3 is declared in zone zone-b but its broker.rack is zone-c"
    assert refusal.where == Location("specs/cluster.yaml", 2, 1, "cluster.zones.zone-b")
    assert "never changes broker.rack" in refusal.hint
    assert "fix cluster.zones" in refusal.hint


def test_broker_without_rack_is_a_mismatch() -> None:
    refusals, _ = check_zones(spec({"zone-a": (1,)}), (Broker(1, None),))
    assert [r.message for r in refusals] == ["broker 1 is declared in zone zone-a but it has no broker.rack"]
    assert refusals[0].where == "broker 1"


def test_missing_declared_broker_is_refused_and_unlisted_live_broker_is_noticed() -> None:
    refusals, notices = check_zones(spec({"zone-a": (1, 4), "zone-b": (2,)}), B3)
    assert refusals == [
        Refusal(
            Target.broker(4),
            "broker 4 is declared in zone zone-a but is not in the cluster",
            "broker 4",
            "start the broker, or remove it from cluster.zones if it left the cluster",
        )
    ]
    assert notices == [Notice(Target.broker(3), "broker 3 (rack zone-c) is in no declared zone")]


def test_findings_come_sorted_by_zone_then_broker() -> None:
    refusals, _ = check_zones(spec({"zone-b": (3, 1), "zone-a": (2,)}), B3)
    assert [r.target for r in refusals] == [Target.broker(2), Target.broker(1), Target.broker(3)]


def cluster(*topics: ObservedTopic, brokers: tuple[Broker, ...] = B3) -> ClusterState:
    return ClusterState("c1", brokers, MappingProxyType({t.name: t for t in topics}))


def topic(name: str, *replicas: tuple[int, ...], leaders: tuple[int | None, ...] = ()) -> ObservedTopic:
    return ObservedTopic(
        name,
        tuple(Partition(i, r, r, leaders[i] if i < len(leaders) else r[0]) for i, r in enumerate(replicas)),
    )


def test_zone_report_counts_replicas_and_current_leaders_per_rack() -> None:
    report = zone_report(
        cluster(
            topic("orders", (1, 2, 3), (2, 3, 1), leaders=(1, 3)),
            topic("__consumer_offsets", (3, 1, 2)),
        )
    )
    assert report.racks == (
        RackLoad("zone-a", (BrokerLoad(1, "zone-a", 3, 1),)),
        RackLoad("zone-b", (BrokerLoad(2, "zone-b", 3, 0),)),
        RackLoad("zone-c", (BrokerLoad(3, "zone-c", 3, 2),)),
    )
    assert report.zone_count == 3
    assert report.unsafe == ()
    assert report.is_zone_safe


def test_zone_report_lists_partitions_in_too_few_zones() -> None:
    fleet = (Broker(1, "zone-a"), Broker(2, "zone-a"), Broker(3, "zone-b"), Broker(4, None))
    report = zone_report(
        cluster(
            topic("payments", (1, 2), (1, 3), (3, 4)),
            topic("audit", (1, 2, 3)),
            topic("solo", (2,)),
            brokers=fleet,
        )
    )
    # Broker 4 has no rack: a zone of its own, so there are three zones.
    assert report.zone_count == 3
    assert report.unsafe == (
        UnsafePartition("audit", 0, (1, 2, 3), 2, 3),
        UnsafePartition("payments", 0, (1, 2), 1, 2),
    )
    assert not report.is_zone_safe
    assert [r.rack for r in report.racks] == ["zone-a", "zone-b", None]
    assert report.racks[0].replicas == 6
    assert report.racks[0].leaders == 4
