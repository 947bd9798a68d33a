"""The reconciler on real Kafka: apply spec A, plan spec B, check the exact actions, apply B,
plan B again → empty. Specs are YAML files written per test, naming topics in the test's
namespace, with `cluster.manage` limited to it so no test touches another's topics.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource
from confluent_kafka.admin._config import ConfigSource as KafkaConfigSource
from confluent_kafka.cimpl import NewTopic

from kadmin.core.actions import (
    AddPartitions,
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    Notice,
    ReassignReplicas,
)
from kadmin.core.errors import StalePlanError
from kadmin.core.model import DesiredState
from kadmin.core.plan import DeleteCandidate, Plan
from kadmin.core.targets import Target
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.apply import ApplyReport, apply_plan
from kadmin.ops.freshness import check_fresh
from kadmin.ops.planning import plan_specs

from .conftest import KafkaHandle, Namespace, eventually


@dataclass
class Reconciler:
    """Writes specs for one namespace, and plans and applies them with kadmin's own pipeline."""

    kafka: KafkaHandle
    ns: Namespace
    directory: Path
    written: int = 0

    def spec(
        self,
        topics: Mapping[str, Mapping[str, Any] | None],
        *,
        profiles: dict[str, Any] | None = None,
        manage: str = r"\..*",
    ) -> Path:
        """A spec file for `topics` (short names, put in the namespace); `manage` follows the prefix."""
        document: dict[str, Any] = {
            "version": 1,
            "cluster": {"manage": [re.escape(self.ns.prefix) + manage]},
            "topics": {self.ns.topic(name): body for name, body in topics.items()},
        }
        if profiles:
            document["profiles"] = profiles
        self.written += 1
        path = self.directory / f"spec-{self.written}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path

    def admin(self) -> ClusterAdmin:
        return self.kafka.admin()

    def plan(self, spec: Path, *, allow_delete: bool = False, prune_configs: bool = False) -> Plan:
        def connect(_: DesiredState) -> ClusterAdmin:
            return self.admin()

        return plan_specs([spec], connect, allow_delete=allow_delete, prune_configs=prune_configs).plan

    def apply(self, spec: Path, *, allow_delete: bool = False, prune_configs: bool = False) -> ApplyReport:
        plan = self.plan(spec, allow_delete=allow_delete, prune_configs=prune_configs)
        assert plan.applyable, plan.refusals
        with self.kafka.admin() as admin:
            report = apply_plan(plan, admin)
        assert report.ok, report.failed
        return report

    def migrate(self, a: Path, b: Path, *, allow_delete: bool = False, prune_configs: bool = False) -> Plan:
        """Apply A, plan B (returned), apply B, and check that planning B again finds nothing to do."""
        self.apply(a, allow_delete=allow_delete, prune_configs=prune_configs)
        planned = self.plan(b, allow_delete=allow_delete, prune_configs=prune_configs)
        self.apply(b, allow_delete=allow_delete, prune_configs=prune_configs)
        again = self.plan(b, allow_delete=allow_delete, prune_configs=prune_configs)
        assert (again.actions, again.refusals) == ((), ()), again
        return planned


@pytest.fixture
def rec(kafka_single: KafkaHandle, ns: Namespace, tmp_path: Path) -> Iterator[Reconciler]:
    yield Reconciler(kafka_single, ns, tmp_path)


@pytest.fixture
def rec3(kafka_3zones: KafkaHandle, ns3: Namespace, tmp_path: Path) -> Iterator[Reconciler]:
    yield Reconciler(kafka_3zones, ns3, tmp_path)


def configs(**items: str) -> MappingProxyType[str, str]:
    return MappingProxyType({key.replace("_", "."): value for key, value in items.items()})


# --- A → B pairs ------------------------------------------------------------------------------


def test_new_topics_are_created(rec: Reconciler) -> None:
    orders = {"partitions": 1, "replication_factor": 1}
    payments = {"partitions": 3, "replication_factor": 1, "configs": {"retention.ms": "2d"}}
    plan = rec.migrate(rec.spec({"orders": orders}), rec.spec({"orders": orders, "payments": payments}))
    assert plan.actions == (
        CreateTopic(
            rec.ns.topic("payments"),
            3,
            1,
            configs(retention_ms="172800000"),
            assignment=((1,), (1,), (1,)),
        ),
    )


def test_more_partitions_are_added(rec: Reconciler) -> None:
    plan = rec.migrate(
        rec.spec({"events": {"partitions": 2, "replication_factor": 1}}),
        rec.spec({"events": {"partitions": 5, "replication_factor": 1}}),
    )
    assert plan.actions == (AddPartitions(rec.ns.topic("events"), 2, 5, ((1,), (1,), (1,))),)
    assert len(rec.admin().snapshot([rec.ns.topic("events")]).topics[rec.ns.topic("events")].partitions) == 5


def test_configs_added_changed_and_kept_as_drift(rec: Reconciler) -> None:
    a = rec.spec(
        {
            "t": {
                "partitions": 1,
                "replication_factor": 1,
                "configs": {
                    "retention.ms": "1d",
                    "cleanup.policy": ["delete", "compact"],
                    "segment.ms": "1h",
                },
            }
        }
    )
    b = rec.spec(
        {
            "t": {
                "partitions": 1,
                "replication_factor": 1,
                "configs": {
                    "retention.ms": "2d",
                    "max.message.bytes": "2MiB",
                    "cleanup.policy": "compact,delete",
                },
            }
        }
    )
    plan = rec.migrate(a, b)
    name = rec.ns.topic("t")
    assert plan.actions == (
        AlterConfigs(
            name,
            (
                ConfigChange("max.message.bytes", None, "2097152"),
                ConfigChange("retention.ms", "86400000", "172800000"),
            ),
        ),
    )
    assert plan.notices == (
        Notice(
            Target.topic(name),
            "configs set on the topic but not in the spec: segment.ms=3600000 "
            "(drift kept; use --prune-configs to remove)",
        ),
    )
    assert rec.admin().snapshot([name]).topics[name].overrides == {
        "cleanup.policy": "delete,compact",
        "max.message.bytes": "2097152",
        "retention.ms": "172800000",
        "segment.ms": "3600000",
    }


def test_configs_removed_with_prune(rec: Reconciler) -> None:
    a = rec.spec(
        {
            "t": {
                "partitions": 1,
                "replication_factor": 1,
                "configs": {"retention.ms": "1d", "segment.ms": "1h"},
            }
        }
    )
    b = rec.spec({"t": {"partitions": 1, "replication_factor": 1, "configs": {"retention.ms": "1d"}}})
    plan = rec.migrate(a, b, prune_configs=True)
    name = rec.ns.topic("t")
    assert plan.actions == (AlterConfigs(name, (ConfigChange("segment.ms", "3600000", None),)),)
    assert rec.admin().snapshot([name]).topics[name].overrides == {"retention.ms": "86400000"}


def test_profile_switch(rec: Reconciler) -> None:
    profiles = {
        "events": {"partitions": 3, "replication_factor": 1, "configs": {"retention.ms": "7d"}},
        "table": {
            "partitions": 3,
            "replication_factor": 1,
            "configs": {"cleanup.policy": "compact", "min.compaction.lag.ms": "1m"},
        },
    }
    a = rec.spec({"users": {"profile": "events"}}, profiles=profiles)
    b = rec.spec({"users": {"profile": "table"}}, profiles=profiles)
    plan = rec.migrate(a, b, prune_configs=True)
    assert plan.actions == (
        AlterConfigs(
            rec.ns.topic("users"),
            (
                ConfigChange("cleanup.policy", None, "compact"),
                ConfigChange("min.compaction.lag.ms", None, "60000"),
                ConfigChange("retention.ms", "604800000", None),
            ),
        ),
    )


# --- what must not show as drift ------------------------------------------------------------


def test_a_topic_created_without_overrides_shows_no_config_drift(rec: Reconciler) -> None:
    name = rec.ns.topic("plain")
    raw = rec.kafka.raw_admin()
    raw.create_topics([NewTopic(name, 2, 1)], operation_timeout=20)[name].result(timeout=30)
    spec = rec.spec({"plain": {"partitions": 2, "replication_factor": 1}})

    # The premise, asked of Kafka itself: every config is reported on the topic, min.insync.replicas
    # among them, with a source other than the topic (the broker's, on Kafka 4.x).
    described = eventually(lambda: _describe(raw, name))
    assert described["min.insync.replicas"].source != KafkaConfigSource.DYNAMIC_TOPIC_CONFIG.value
    assert all(e.source != KafkaConfigSource.DYNAMIC_TOPIC_CONFIG.value for e in described.values())

    plan = rec.plan(spec, prune_configs=True)
    assert (plan.actions, plan.refusals, plan.notices) == ((), (), ())


def _describe(raw: AdminClient, name: str) -> dict[str, Any]:
    resource = ConfigResource(ConfigResource.Type.TOPIC, name)
    entries: dict[str, Any] = raw.describe_configs([resource], request_timeout=10)[resource].result(
        timeout=15
    )
    return entries


# --- refusals, deletes, stale plans, preflight ------------------------------------------------


def test_a_partition_decrease_is_refused_at_the_spec_line(rec: Reconciler) -> None:
    rec.apply(rec.spec({"t": {"partitions": 4, "replication_factor": 1}}))
    smaller = rec.spec({"t": {"partitions": 2, "replication_factor": 1}})
    plan = rec.plan(smaller)
    [refusal] = plan.refusals
    assert not plan.applyable and plan.actions == ()
    assert refusal.message == "cannot shrink partitions 4 → 2"
    line = smaller.read_text().splitlines().index("    partitions: 2") + 1
    assert str(refusal.where).startswith(f"{smaller}:{line}:")


def test_deletes_only_in_the_managed_scope_and_only_with_the_flag(rec: Reconciler) -> None:
    both = {
        "managed.a": {"partitions": 1, "replication_factor": 1},
        "other": {"partitions": 1, "replication_factor": 1},
    }
    rec.apply(rec.spec(both, manage=r"\.managed\..*"))
    neither = rec.spec({"managed.b": {"partitions": 1, "replication_factor": 1}}, manage=r"\.managed\..*")
    dropped, other = rec.ns.topic("managed.a"), rec.ns.topic("other")

    careful = rec.plan(neither)
    assert not any(isinstance(a, DeleteTopic) for a in careful.actions)
    assert DeleteCandidate(dropped, 1, enabled=False, log_end_offsets=0) in careful.deletes
    assert other in careful.unmanaged

    plan = rec.plan(neither, allow_delete=True)
    assert [a for a in plan.actions if isinstance(a, DeleteTopic)] == [DeleteTopic(dropped, 1)]
    rec.apply(neither, allow_delete=True)
    left = rec.admin().snapshot().topics
    assert dropped not in left and other in left and rec.ns.topic("managed.b") in left
    assert rec.plan(neither, allow_delete=True).actions == ()


def test_a_stale_plan_is_refused(rec: Reconciler) -> None:
    rec.apply(rec.spec({"t": {"partitions": 1, "replication_factor": 1, "configs": {"retention.ms": "1d"}}}))
    plan = rec.plan(
        rec.spec({"t": {"partitions": 2, "replication_factor": 1, "configs": {"retention.ms": "1d"}}})
    )
    check_fresh(plan, rec.admin())

    name = rec.ns.topic("t")
    rec.admin().alter_configs([AlterConfigs(name, (ConfigChange("retention.ms", "86400000", "3600000"),))])
    with pytest.raises(StalePlanError) as caught:
        eventually(lambda: _raises_stale(plan, rec.admin()))
    assert f"topic {name} changed in something the plan's actions do not show" in caught.value.message
    assert len(rec.admin().snapshot([name]).topics[name].partitions) == 1


def _raises_stale(plan: Plan, admin: ClusterAdmin) -> None:
    try:
        check_fresh(plan, admin)
    except StalePlanError:
        raise
    raise AssertionError("not stale yet")


def test_a_bad_config_value_is_caught_by_the_preflight_with_nothing_created(rec: Reconciler) -> None:
    spec = rec.spec(
        {
            "good": {"partitions": 1, "replication_factor": 1},
            # Valid to kadmin, but a broker without tiered storage refuses it.
            "tiered": {"partitions": 1, "replication_factor": 1, "configs": {"remote.storage.enable": True}},
        }
    )
    plan = rec.plan(spec)
    assert [a.kind for a in plan.actions] == ["create_topic", "create_topic"]
    report = apply_plan(plan, rec.admin())
    assert report.preflight_rejected and not report.ok
    [(action, outcome)] = report.results
    assert action.target == Target.topic(rec.ns.topic("tiered"))
    assert outcome.error.startswith("INVALID_CONFIG") and "Tiered Storage" in outcome.error
    names = rec.admin().snapshot().topics
    assert rec.ns.topic("good") not in names and rec.ns.topic("tiered") not in names


# --- three zones ---------------------------------------------------------------------------


def test_spread_topics_across_three_zones_then_more_partitions_and_configs(rec3: Reconciler) -> None:
    a = rec3.spec(
        {"orders": {"partitions": 3, "replication_factor": 3, "configs": {"min.insync.replicas": 2}}}
    )
    b = rec3.spec(
        {
            "orders": {
                "partitions": 6,
                "replication_factor": 3,
                "configs": {"min.insync.replicas": 2, "retention.ms": "1d"},
            }
        }
    )
    plan = rec3.migrate(a, b)
    name = rec3.ns.topic("orders")
    assert [type(x) for x in plan.actions] == [AddPartitions, AlterConfigs]
    add = plan.actions[0]
    assert isinstance(add, AddPartitions) and (add.before, add.after) == (3, 6)
    assert plan.actions[1] == AlterConfigs(name, (ConfigChange("retention.ms", None, "86400000"),))
    racks = rec3.admin().snapshot([name]).broker_racks()
    topic = rec3.admin().snapshot([name]).topics[name]
    assert len(topic.partitions) == 6
    assert all(len({racks[b] for b in p.replicas}) == 3 for p in topic.partitions)


def test_a_replication_factor_change_is_planned_and_submitted(rec3: Reconciler) -> None:
    a = rec3.spec({"t": {"partitions": 2, "replication_factor": 1}})
    b = rec3.spec({"t": {"partitions": 2, "replication_factor": 3}})
    rec3.apply(a)
    plan = rec3.plan(b)
    [action] = plan.actions
    assert isinstance(action, ReassignReplicas)
    assert [len(m.after) for m in action.moves] == [3, 3]
    report = apply_plan(plan, rec3.admin())
    assert report.ok, report.failed
    eventually(lambda: _empty(rec3.plan(b)), timeout=60)


def _empty(plan: Plan) -> None:
    assert plan.actions == (), plan.actions
