"""Plan, drift and apply describe only the topics of their spec and of `cluster.manage`; the
cluster's other topics are listed by name only, yet still counted as unmanaged. Over the
in-memory cluster, which honours a snapshot's scope as the adapter does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kadmin.core.errors import StalePlanError
from kadmin.core.model import Broker, ClusterState, ReadScope
from kadmin.kafka.port import in_scope
from kadmin.ops.freshness import check_fresh
from kadmin.ops.planning import drift_specs, plan_specs
from kadmin.plan.diff import diff
from kadmin.spec.load import load_specs
from tests.fakes import InMemoryCluster

SPEC = """\
version: 1
cluster:
  manage: ['team\\..*']
topics:
  team.orders:
    partitions: 2
    replication_factor: 1
    configs:
      retention.ms: 1d
  team.new:
    partitions: 1
    replication_factor: 1
"""

OTHERS = [f"other.t{i:03d}" for i in range(300)]


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def mem() -> InMemoryCluster:
    memory = InMemoryCluster(brokers=(Broker(1, "zone-a"),))
    memory.add_topic("team.orders", 2, 1, {"retention.ms": "1000"})
    memory.add_topic("team.orphan", 3, 1)
    memory.add_topic("__consumer_offsets", 1, 1)
    for name in OTHERS:
        memory.add_topic(name, 1, 1, {"retention.ms": "5000"})
    return memory


def test_a_plan_describes_the_spec_and_managed_topics_only_and_lists_the_rest_as_unmanaged(
    spec: Path, mem: InMemoryCluster
) -> None:
    planned = plan_specs([spec], lambda _: mem)

    assert mem.described == [("team.orders", "team.orphan")]
    assert set(planned.observed.topics) == {"team.orders", "team.orphan"}
    assert planned.plan.unmanaged == tuple(OTHERS)
    assert [d.topic for d in planned.plan.deletes] == ["team.orphan"]
    summary = planned.plan.summary()
    assert (summary["create"], summary["update"]) == (1, 1)


def test_drift_counts_the_topics_it_did_not_describe(spec: Path, mem: InMemoryCluster) -> None:
    report = drift_specs([spec], lambda _: mem)

    assert mem.described == [("team.orders", "team.orphan")]
    assert report.unmanaged == len(OTHERS)
    assert {d.target.name for d in report.differences} == {"team.orders", "team.orphan", "team.new"}


def test_the_stale_plan_guard_ignores_topics_outside_the_scope_and_sees_those_inside(
    spec: Path, mem: InMemoryCluster
) -> None:
    plan = plan_specs([spec], lambda _: mem).plan
    mem.add_topic("other.t000", 4, 1, {"retention.ms": "1"})
    check_fresh(plan, mem)

    mem.add_topic("team.orders", 4, 1, {"retention.ms": "1000"})
    with pytest.raises(StalePlanError):
        check_fresh(plan, mem)


def test_a_snapshot_that_left_out_a_topic_the_plan_needs_is_a_bug_not_a_plan(
    spec: Path, mem: InMemoryCluster
) -> None:
    desired = load_specs([spec])
    too_narrow = mem.snapshot(ReadScope(frozenset({"team.orders"})))
    assert "team.orphan" in too_narrow.others

    with pytest.raises(ValueError, match=r"team\.orphan"):
        diff(desired, too_narrow)


def test_a_spec_topic_left_out_of_the_snapshot_is_never_planned_as_a_create(
    spec: Path, mem: InMemoryCluster
) -> None:
    desired = load_specs([spec])
    full = mem.snapshot(desired.read_scope())
    blind = ClusterState(full.cluster_id, full.brokers, {}, others=full.others | {"team.orders"})

    with pytest.raises(ValueError, match=r"team\.orders"):
        diff(desired, blind)


@pytest.mark.parametrize(
    ("scope", "described"),
    [
        (None, ["a.x", "b.y", "b.z"]),
        (["b.y", "gone"], ["b.y"]),
        (ReadScope(frozenset({"a.x"}), ("b\\.z",)), ["a.x", "b.z"]),
        # A pattern matches whole names, as cluster.manage documents.
        (ReadScope(frozenset(), ("b",)), []),
    ],
)
def test_in_scope_selects_whole_names(scope: ReadScope | list[str] | None, described: list[str]) -> None:
    assert in_scope(scope, ["b.z", "a.x", "b.y"]) == described


def test_a_partial_plan_lists_as_unmanaged_only_the_other_topics_it_is_limited_to(
    spec: Path, mem: InMemoryCluster
) -> None:
    planned = plan_specs([spec], lambda _: mem, only=[r"team\.orders", r"other\.t00[0-2]"])

    assert planned.plan.unmanaged == ("other.t000", "other.t001", "other.t002")
    assert [d.topic for d in planned.plan.deletes] == []
