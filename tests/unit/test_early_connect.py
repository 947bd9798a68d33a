"""`plan` and `drift` connect while the specs load when the command line fixes the cluster
(`kadmin.ops.early`): the same plan, spec errors still first, cluster errors raised to the
caller, and a bounded wait. Over the in-memory cluster."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kadmin.core.errors import ClusterError, SpecError
from kadmin.core.model import Broker, DesiredState
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.planning import drift_specs, plan_specs
from tests.fakes import InMemoryCluster

SPEC = """\
version: 1
topics:
  team.orders:
    partitions: 2
    replication_factor: 1
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def mem() -> InMemoryCluster:
    memory = InMemoryCluster(brokers=(Broker(1, "zone-a"),))
    memory.add_topic("team.orders", 1, 1)
    memory.add_topic("other", 1, 1)
    return memory


def never(_: DesiredState) -> ClusterAdmin:
    raise AssertionError("the late connector is not used when the early one is given")


def test_plan_connects_early_then_reads_the_spec_scope(spec: Path, mem: InMemoryCluster) -> None:
    planned = plan_specs([spec], never, early=lambda: mem)

    # The thread only connects; the topics are listed once, by the scoped snapshot.
    assert mem.methods()[:2] == ["check_connection", "snapshot"]
    assert mem.described == [("team.orders",)]
    assert planned.plan.summary()["update"] == 1
    assert planned.plan.unmanaged == ("other",)


def test_drift_connects_early_too(spec: Path, mem: InMemoryCluster) -> None:
    report = drift_specs([spec], never, early=lambda: mem)

    assert mem.methods()[:2] == ["check_connection", "snapshot"]
    assert mem.described == [("team.orders",)]
    assert report.unmanaged == 1


def test_a_spec_error_is_reported_before_a_cluster_that_failed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ntopics:\n  t:\n    partitions: -1\n", encoding="utf-8")

    def unreachable() -> ClusterAdmin:
        raise ClusterError("no broker answered", where="cluster 127.0.0.1:1", hint="check it")

    with pytest.raises(SpecError):
        plan_specs([bad], never, early=unreachable)


def test_a_cluster_error_of_the_early_connection_reaches_the_caller(spec: Path) -> None:
    def unreachable() -> ClusterAdmin:
        raise ClusterError("no broker answered", where="cluster 127.0.0.1:1", hint="check it")

    with pytest.raises(ClusterError, match="no broker answered"):
        plan_specs([spec], never, early=unreachable)


def test_the_wait_for_the_connection_is_bounded(spec: Path, mem: InMemoryCluster) -> None:
    release = threading.Event()

    def stuck() -> ClusterAdmin:
        release.wait(10)
        return mem

    try:
        with pytest.raises(ClusterError, match="took longer than"):
            plan_specs([spec], never, early=stuck, wait_s=0.2)
    finally:
        release.set()
