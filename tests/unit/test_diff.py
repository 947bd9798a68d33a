"""`diff`: hand-built desired and observed states in, the exact plan out."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from kadmin.core.actions import (
    AddPartitions,
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    Notice,
    PartitionMove,
    ReassignReplicas,
    Refusal,
)
from kadmin.core.errors import Location, PlanError
from kadmin.core.model import (
    Broker,
    ClusterSpec,
    ClusterState,
    ConfigEntry,
    ConfigSource,
    DesiredState,
    InZone,
    ObservedTopic,
    Partition,
    Placement,
    Spread,
    Static,
    TopicSpec,
)
from kadmin.core.plan import DeleteCandidate
from kadmin.core.targets import Target
from kadmin.plan.diff import diff
from kadmin.plan.fingerprint import fingerprint

B3 = (Broker(1, "zone-a"), Broker(2, "zone-b"), Broker(3, "zone-c"))
B6 = tuple(Broker(i, f"zone-{'abc'[(i - 1) % 3]}") for i in range(1, 7))
NO_RACKS = (Broker(1, None), Broker(2, None), Broker(3, None))
FILE = "specs/topics.yaml"


def spec(
    name: str,
    partitions: int = 3,
    rf: int = 3,
    configs: dict[str, str] | None = None,
    placement: Placement | None = None,
    line: int = 10,
) -> TopicSpec:
    return TopicSpec(
        name,
        partitions,
        rf,
        MappingProxyType(configs or {}),
        placement if placement is not None else Spread(),
        origin=Location(FILE, line, 3, f"topics.{name}"),
    )


def at(name: str, field: str, line: int = 10) -> Location:
    return Location(FILE, line, 3, f"topics.{name}.{field}")


def desired(*specs: TopicSpec, cluster: ClusterSpec | None = None) -> DesiredState:
    return DesiredState(MappingProxyType({s.name: s for s in specs}), cluster or ClusterSpec(name="dev"))


def observed(
    name: str,
    *replicas: tuple[int, ...],
    overrides: dict[str, str] | None = None,
    inherited: dict[str, str] | None = None,
) -> ObservedTopic:
    configs = {k: ConfigEntry(v, ConfigSource.TOPIC) for k, v in (overrides or {}).items()}
    configs |= {k: ConfigEntry(v, ConfigSource.BROKER) for k, v in (inherited or {}).items()}
    partitions = tuple(Partition(i, r, r, r[0]) for i, r in enumerate(replicas))
    return ObservedTopic(name, partitions, MappingProxyType(configs))


def cluster(*topics: ObservedTopic, brokers: tuple[Broker, ...] = B3) -> ClusterState:
    return ClusterState("cluster-1", brokers, MappingProxyType({t.name: t for t in topics}))


SPREAD3 = ((1, 2, 3), (2, 3, 1), (3, 1, 2))


# --- create --------------------------------------------------------------------------------------


def test_create_on_a_racked_cluster_carries_a_zone_aware_assignment() -> None:
    plan = diff(desired(spec("orders", 3, 3, {"retention.ms": "1000"})), cluster())
    assert plan.actions == (CreateTopic("orders", 3, 3, MappingProxyType({"retention.ms": "1000"}), SPREAD3),)
    assert plan.refusals == ()
    assert plan.notices == ()


def test_create_without_racks_lets_the_broker_choose_for_spread() -> None:
    plan = diff(desired(spec("orders", 2, 2)), cluster(brokers=NO_RACKS))
    assert plan.actions == (CreateTopic("orders", 2, 2, MappingProxyType({}), None),)


def test_create_without_racks_still_places_static() -> None:
    placement = Static(((3, 1), (1, 2)))
    plan = diff(desired(spec("orders", 2, 2, placement=placement)), cluster(brokers=NO_RACKS))
    assert plan.actions == (CreateTopic("orders", 2, 2, MappingProxyType({}), ((3, 1), (1, 2))),)


def test_create_in_zone() -> None:
    plan = diff(desired(spec("orders", 2, 2, placement=InZone("zone-b"))), cluster(brokers=B6))
    assert plan.actions == (CreateTopic("orders", 2, 2, MappingProxyType({}), ((2, 5), (5, 2))),)


def test_create_refuses_more_replicas_than_brokers() -> None:
    plan = diff(desired(spec("orders", 3, 4)), cluster())
    assert plan.actions == ()
    assert plan.refusals == (
        Refusal(
            Target.topic("orders"),
            "replication factor 4 needs 4 brokers; the cluster has 3",
            at("orders", "replication_factor"),
            "lower replication_factor or add brokers",
        ),
    )
    assert not plan.applyable


def test_create_refuses_a_zone_too_small() -> None:
    plan = diff(desired(spec("orders", 1, 3, placement=InZone("zone-a"))), cluster(brokers=B6))
    assert plan.actions == ()
    assert [(r.message, r.where) for r in plan.refusals] == [
        ("replication factor 3 needs 3 brokers in zone zone-a; it has 2 live", at("orders", "placement"))
    ]


def test_create_refuses_replication_below_min_insync_replicas() -> None:
    plan = diff(desired(spec("orders", 1, 2, {"min.insync.replicas": "3"})), cluster())
    assert plan.actions == ()
    assert [(r.target, r.message, r.where) for r in plan.refusals] == [
        (
            Target.topic("orders"),
            "replication factor 2 is below min.insync.replicas 3",
            at("orders", "replication_factor"),
        )
    ]
    assert "acks=all" in plan.refusals[0].hint


def test_spec_field_locations_win_over_the_topic_origin() -> None:
    exact = Location(FILE, 14, 7, "topics.orders.replication_factor")
    topic = TopicSpec(
        "orders",
        1,
        9,
        origin=Location(FILE, 10, 3, "topics.orders"),
        origins=MappingProxyType({"replication_factor": exact}),
    )
    assert diff(desired(topic), cluster()).refusals[0].where == exact


# --- partitions ----------------------------------------------------------------------------------


def test_more_partitions_are_added_with_their_replica_lists() -> None:
    plan = diff(desired(spec("orders", 5, 3)), cluster(observed("orders", *SPREAD3)))
    assert plan.actions == (AddPartitions("orders", 3, 5, ((1, 2, 3), (2, 3, 1))),)


def test_fewer_partitions_are_refused() -> None:
    current = [(1, 2, 3)] * 12
    plan = diff(desired(spec("orders", 6, 3)), cluster(observed("orders", *current)))
    assert plan.actions == ()
    assert plan.refusals == (
        Refusal(
            Target.topic("orders"),
            "cannot shrink partitions 12 → 6",
            at("orders", "partitions"),
            "Kafka cannot remove partitions; recreate the topic under a new name or restore the count",
        ),
    )


# --- replication factor and placement ------------------------------------------------------------


def test_replication_factor_increase_moves_every_partition() -> None:
    plan = diff(desired(spec("orders", 3, 3)), cluster(observed("orders", (1,), (2,), (3,))))
    assert plan.actions == (
        ReassignReplicas(
            "orders",
            (
                PartitionMove(0, (1,), (1, 2, 3)),
                PartitionMove(1, (2,), (2, 1, 3)),
                PartitionMove(2, (3,), (3, 1, 2)),
            ),
            "replication factor 1 → 3",
        ),
    )


def test_replication_factor_decrease_keeps_leaders() -> None:
    plan = diff(desired(spec("orders", 3, 2)), cluster(observed("orders", *SPREAD3)))
    assert plan.actions == (
        ReassignReplicas(
            "orders",
            (
                PartitionMove(0, (1, 2, 3), (1, 2)),
                PartitionMove(1, (2, 3, 1), (2, 3)),
                PartitionMove(2, (3, 1, 2), (3, 1)),
            ),
            "replication factor 3 → 2",
        ),
    )


def test_placement_drift_moves_only_the_partitions_that_break_it() -> None:
    current = ((1, 2, 3), (2, 3, 1), (1, 4, 3), (6, 4, 1))
    plan = diff(desired(spec("orders", 4, 3)), cluster(observed("orders", *current), brokers=B6))
    assert plan.actions == (
        ReassignReplicas(
            "orders",
            (PartitionMove(2, (1, 4, 3), (1, 3, 5)), PartitionMove(3, (6, 4, 1), (6, 4, 5))),
            "placement spread: partition 2 has replicas in 2 zones (+1 more)",
        ),
    )


def test_placement_drift_reason_names_the_partition() -> None:
    current = ((1, 2), (2, 3), (1, 4))
    plan = diff(desired(spec("orders", 3, 2)), cluster(observed("orders", *current), brokers=B6))
    assert [a.reason for a in plan.actions if isinstance(a, ReassignReplicas)] == [
        "placement spread: partition 2 has replicas in 1 zone"
    ]


def test_replication_factor_below_the_clusters_min_insync_override_is_refused() -> None:
    topic = observed("orders", *SPREAD3, overrides={"min.insync.replicas": "2"})
    plan = diff(desired(spec("orders", 3, 1, {"min.insync.replicas": "2"})), cluster(topic))
    assert plan.actions == ()
    assert [r.message for r in plan.refusals] == ["replication factor 1 is below min.insync.replicas 2"]

    plan = diff(desired(spec("orders", 3, 1)), cluster(topic))
    assert [r.message for r in plan.refusals] == ["replication factor 1 is below min.insync.replicas 2"]
    assert all(not isinstance(a, ReassignReplicas) for a in plan.actions)


def test_pruning_the_min_insync_override_lets_the_factor_drop() -> None:
    topic = observed("orders", *SPREAD3, overrides={"min.insync.replicas": "2"})
    plan = diff(desired(spec("orders", 3, 1)), cluster(topic), prune_configs=True)
    assert plan.refusals == ()
    assert plan.by_kind() == {"reassign_replicas": 1, "alter_configs": 1}


def test_replication_factor_above_live_brokers_is_refused_for_existing_topics() -> None:
    plan = diff(desired(spec("orders", 3, 4)), cluster(observed("orders", *SPREAD3)))
    assert plan.actions == ()
    assert [(r.message, r.where) for r in plan.refusals] == [
        ("replication factor 4 needs 4 brokers; the cluster has 3", at("orders", "replication_factor"))
    ]


def test_static_placement_drift() -> None:
    placement = Static(((2, 3), (3, 1)))
    plan = diff(
        desired(spec("orders", 2, 2, placement=placement)), cluster(observed("orders", (1, 2), (3, 1)))
    )
    assert plan.actions == (
        ReassignReplicas(
            "orders",
            (PartitionMove(0, (1, 2), (2, 3)),),
            "placement static [[2, 3], [3, 1]]: partition 0 has replicas [1, 2], expected [2, 3]",
        ),
    )


def test_new_partitions_follow_a_replication_factor_change() -> None:
    plan = diff(desired(spec("orders", 2, 2)), cluster(observed("orders", (1,))))
    assert plan.ordered() == (
        AddPartitions("orders", 1, 2, ((3, 1),)),
        ReassignReplicas("orders", (PartitionMove(0, (1,), (1, 2)),), "replication factor 1 → 2"),
    )


# --- configs -------------------------------------------------------------------------------------


def test_configs_compare_only_what_the_spec_sets_in_canonical_form() -> None:
    topic = observed(
        "orders",
        *SPREAD3,
        overrides={
            "cleanup.policy": "delete,compact",
            "retention.ms": "1000",
            "unclean.leader.election.enable": "TRUE",
        },
        inherited={"segment.bytes": "1073741824", "max.message.bytes": "1048588"},
    )
    configs = {
        "cleanup.policy": "compact,delete",
        "retention.ms": "2000",
        "max.message.bytes": "2097152",
        "unclean.leader.election.enable": "true",
    }
    plan = diff(desired(spec("orders", 3, 3, configs)), cluster(topic))
    assert plan.actions == (
        AlterConfigs(
            "orders",
            (
                ConfigChange("max.message.bytes", None, "2097152"),
                ConfigChange("retention.ms", "1000", "2000"),
            ),
        ),
    )
    assert plan.notices == ()


def test_overrides_the_spec_does_not_set_are_kept_as_notices() -> None:
    topic = observed("orders", *SPREAD3, overrides={"retention.ms": "1000", "segment.ms": "60000"})
    plan = diff(desired(spec("orders", 3, 3)), cluster(topic))
    assert plan.actions == ()
    assert plan.notices == (
        Notice(
            Target.topic("orders"),
            "configs set on the topic but not in the spec: retention.ms=1000, segment.ms=60000 "
            "(drift kept; use --prune-configs to remove)",
        ),
    )


def test_prune_configs_removes_overrides_the_spec_does_not_set() -> None:
    topic = observed("orders", *SPREAD3, overrides={"retention.ms": "1000", "segment.ms": "60000"})
    plan = diff(desired(spec("orders", 3, 3, {"segment.ms": "1"})), cluster(topic), prune_configs=True)
    assert plan.actions == (
        AlterConfigs(
            "orders",
            (ConfigChange("retention.ms", "1000", None), ConfigChange("segment.ms", "60000", "1")),
        ),
    )
    assert plan.notices == ()


# --- topics not in the spec ----------------------------------------------------------------------

MANAGED = ClusterSpec(name="dev", manage=(r"orders\..*", "audit"))
EXTRA = (
    observed("orders.eu", (1, 2, 3)),
    observed("audit", (1, 2, 3), (2, 3, 1)),
    observed("audit-v2", (1, 2, 3)),
    observed("zeta", (1, 2, 3)),
    observed("alpha", (1, 2, 3)),
    observed("__consumer_offsets", (1, 2, 3)),
    ObservedTopic("_schemas", (Partition(0, (1, 2, 3)),), internal=True),
)


def test_unlisted_topics_are_unmanaged_or_would_be_deleted() -> None:
    plan = diff(desired(cluster=MANAGED), cluster(*EXTRA))
    assert plan.actions == ()
    assert plan.unmanaged == ("alpha", "audit-v2", "zeta")
    assert plan.notices == ()
    assert plan.deletes == (
        DeleteCandidate("audit", 2, enabled=False),
        DeleteCandidate("orders.eu", 1, enabled=False),
    )


def test_allow_delete_deletes_managed_topics_only() -> None:
    plan = diff(desired(cluster=MANAGED), cluster(*EXTRA), allow_delete=True)
    assert plan.actions == (DeleteTopic("audit", 2), DeleteTopic("orders.eu", 1))
    assert plan.notices == ()
    assert plan.deletes == (
        DeleteCandidate("audit", 2, enabled=True),
        DeleteCandidate("orders.eu", 1, enabled=True),
    )
    assert plan.unmanaged == ("alpha", "audit-v2", "zeta")


def test_without_a_managed_scope_nothing_is_deleted() -> None:
    plan = diff(desired(), cluster(*EXTRA), allow_delete=True)
    assert plan.actions == ()
    assert plan.unmanaged == ("alpha", "audit", "audit-v2", "orders.eu", "zeta")


def test_a_bad_managed_pattern_is_an_error_with_its_location() -> None:
    scope = ClusterSpec(manage=("orders.(",), origin=Location("specs/cluster.yaml", 1, 1, "cluster"))
    with pytest.raises(PlanError) as caught:
        diff(desired(cluster=scope), cluster(observed("orders.x", (1,))))
    assert caught.value.where == Location("specs/cluster.yaml", 1, 1, "cluster.manage")
    assert caught.value.hint


# --- zones ---------------------------------------------------------------------------------------


def test_zone_checks_feed_the_plan() -> None:
    zones = ClusterSpec(name="dev", zones=MappingProxyType({"zone-a": (1,), "zone-b": (3,)}))
    plan = diff(desired(spec("orders", 3, 3), cluster=zones), cluster())
    assert [(r.target, r.message) for r in plan.refusals] == [
        (Target.broker(3), "broker 3 is declared in zone zone-b but its broker.rack is zone-c")
    ]
    assert plan.notices == (Notice(Target.broker(2), "broker 2 (rack zone-b) is in no declared zone"),)
    assert plan.topics_in_scope == ("orders",)
    assert not plan.applyable


# --- the plan as a whole -------------------------------------------------------------------------


def test_a_cluster_that_matches_gives_an_empty_plan() -> None:
    topic = observed("orders", *SPREAD3, overrides={"retention.ms": "1000"}, inherited={"segment.ms": "5"})
    plan = diff(
        desired(spec("orders", 3, 3, {"retention.ms": "1000"})), cluster(topic), now="2026-01-01T00:00:00Z"
    )
    assert plan.is_empty
    assert plan.applyable
    assert plan.topics_in_scope == ()
    assert plan.fingerprint == fingerprint(cluster(topic), ())
    assert plan.created_at == "2026-01-01T00:00:00Z"
    assert plan.cluster_name == "dev"
    assert plan.cluster_id == "cluster-1"


def test_actions_are_sorted_and_scope_names_every_topic_touched_or_refused() -> None:
    state = cluster(
        observed("b-grow", (1, 2, 3)),
        observed("a-configs", *SPREAD3, overrides={"retention.ms": "1"}),
        observed("c-shrink", *SPREAD3),
        observed("old", (1, 2, 3)),
        observed("d-ok", *SPREAD3),
    )
    want = desired(
        spec("z-new", 1, 3),
        spec("b-grow", 2, 3),
        spec("a-configs", 3, 3, {"retention.ms": "2"}),
        spec("c-shrink", 1, 3),
        spec("y-new", 1, 3),
        spec("d-ok", 3, 3),
        cluster=ClusterSpec(name="dev", manage=(".*",)),
    )
    plan = diff(want, state, allow_delete=True)
    assert [(a.kind, a.target) for a in plan.actions] == [
        ("create_topic", Target.topic("y-new")),
        ("create_topic", Target.topic("z-new")),
        ("add_partitions", Target.topic("b-grow")),
        ("alter_configs", Target.topic("a-configs")),
        ("delete_topic", Target.topic("old")),
    ]
    assert plan.actions == plan.ordered()
    assert plan.topics_in_scope == ("a-configs", "b-grow", "c-shrink", "old", "y-new", "z-new")
    assert plan.fingerprint == fingerprint(state, plan.topics_in_scope)
    assert plan.fingerprint != fingerprint(state, ())


def test_internal_topics_in_the_cluster_are_never_touched() -> None:
    internal = observed("__consumer_offsets", (1,), overrides={"cleanup.policy": "compact"})
    plan = diff(desired(spec("__consumer_offsets", 50, 3)), cluster(internal))
    assert plan.actions == ()
    assert plan.notices == ()


def test_ten_thousand_topics_diff_to_exactly_the_missing_ones() -> None:
    # How fast this is, bench/plan_scale.py measures; here only what comes out.
    specs = [spec(f"t{i:05d}", 3, 3, {"retention.ms": "1000"}) for i in range(10_000)]
    topics = [observed(s.name, *SPREAD3, overrides={"retention.ms": "1000"}) for s in specs[:9_000]]
    plan = diff(desired(*specs), cluster(*topics))
    assert plan.by_kind() == {"create_topic": 1_000}
    assert {a.target.name for a in plan.actions} == {f"t{i:05d}" for i in range(9_000, 10_000)}
