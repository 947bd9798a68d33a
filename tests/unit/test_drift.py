"""`kadmin drift`: every difference between the spec and the managed part of the cluster, over the
in-memory cluster, with its text, JSON and markdown views and its exit codes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.drift_cmds as drift_cmds
from kadmin.cli.app import app
from kadmin.core.model import Broker
from kadmin.core.targets import Target
from kadmin.plan.drift import DriftKind, find_drift
from kadmin.spec.load import load_specs
from tests.fakes import InMemoryCluster

SPEC = """\
version: 1
cluster:
  name: prod-eu
  manage: ['t\\..*']
topics:
  t.orders:
    partitions: 3
    replication_factor: 1
    configs:
      retention.ms: 1d
  t.new:
    partitions: 1
    replication_factor: 1
"""


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    memory = InMemoryCluster(brokers=(Broker(1, "zone-a"),))

    def connect(*args: Any, **kwargs: Any) -> InMemoryCluster:
        return memory

    monkeypatch.setattr(drift_cmds, "connect", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    return memory


def spec(tmp_path: Path) -> Path:
    path = tmp_path / "topics.yaml"
    path.write_text(SPEC)
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["drift", *(str(a) for a in args)])
    return result.exit_code, result.stdout, result.stderr


def drifted(mem: InMemoryCluster) -> None:
    mem.add_topic("t.orders", 3, 1, {"retention.ms": "3600000", "segment.ms": "1000"})
    mem.add_topic("t.legacy", 2, 1)
    mem.add_topic("someone.else", 1, 1, {"segment.ms": "1000"})


def test_every_difference_is_listed_including_what_plan_needs_flags_for(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    drifted(mem)
    code, out, _ = run(spec(tmp_path), "--detailed-exitcode")
    assert code == 2
    assert out.splitlines() == [
        "Drift: 4 differences between the spec and the cluster. Cluster prod-eu (in-memory-cluster).",
        "- topic t.legacy: on the cluster (2 partitions) inside cluster.manage, not in the spec",
        "+ topic t.new: in the spec, not on the cluster",
        "~ topic t.orders",
        "    retention.ms: spec 86400000, cluster 3600000",
        "    segment.ms=1000 set on the cluster, not in the spec",
        "1 unmanaged topic (outside cluster.manage and the spec) ignored.",
    ]


def test_no_drift_exits_0_and_says_so(mem: InMemoryCluster, tmp_path: Path) -> None:
    mem.add_topic("t.orders", 3, 1, {"retention.ms": "86400000"})
    mem.add_topic("t.new", 1, 1)
    mem.add_topic("someone.else", 1, 1, {"segment.ms": "1000"})
    code, out, _ = run(spec(tmp_path), "--detailed-exitcode")
    assert code == 0
    assert (
        out.splitlines()[0] == "No drift. The cluster matches the spec. Cluster prod-eu (in-memory-cluster)."
    )


def test_without_detailed_exitcode_drift_exits_0_and_warns(mem: InMemoryCluster, tmp_path: Path) -> None:
    drifted(mem)
    code, _, err = run(spec(tmp_path))
    assert code == 0
    assert "drifted" in err


def test_json_names_topic_kind_and_key(mem: InMemoryCluster, tmp_path: Path) -> None:
    drifted(mem)
    code, out, _ = run(spec(tmp_path), "-o", "json")
    document = json.loads(out)
    assert code == 0
    assert document["drifted"] is True
    assert document["cluster"] == {"name": "prod-eu", "id": "in-memory-cluster", "bootstrap": None}
    unset = [d for d in document["differences"] if d["kind"] == DriftKind.UNSET_CONFIG.value]
    assert unset == [
        {
            "target": str(Target.topic("t.orders")),
            "kind": "unset_config",
            "key": "segment.ms",
            "spec": None,
            "cluster": "1000",
            "detail": "segment.ms=1000 set on the cluster, not in the spec",
        }
    ]
    assert document["unmanaged"] == 1


def test_markdown_keeps_hostile_names_literal_inside_a_longer_fence(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    mem.add_topic("t.orders", 3, 1, {"retention.ms": "86400000"})
    mem.add_topic("t.new", 1, 1)
    mem.add_topic("t.```x[b]", 1, 1)
    code, out, _ = run(spec(tmp_path), "-o", "markdown", "--detailed-exitcode")
    assert code == 2
    assert out.startswith("### Drift: 1 difference between the spec and the cluster.\n\n````\n")
    assert "- topic t.```x[b]: on the cluster" in out
    assert out.endswith("\n````\n")


def test_replica_layouts_off_their_placement_are_drift(tmp_path: Path) -> None:
    memory = InMemoryCluster(brokers=(Broker(1, "zone-a"), Broker(2, "zone-b")))
    memory.add_topic("t.orders", 3, 1, {"retention.ms": "86400000"})
    memory.add_topic("t.new", 1, 1)
    path = tmp_path / "topics.yaml"
    path.write_text(
        SPEC.replace("partitions: 3\n    replication_factor: 1", "partitions: 3\n    replication_factor: 2")
    )
    report = find_drift(load_specs([path]), memory.snapshot())
    assert [(d.target.name, d.kind) for d in report.differences] == [("t.orders", DriftKind.REPLICAS)]
    assert report.differences[0].detail.startswith("replicas: replication factor 1 → 2")
