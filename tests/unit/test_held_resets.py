"""A declared offset reset of a group that has members is held back on its own: the rest of the
plan is saved and applied, and plan and apply exit 1 naming the group (over the in-memory cluster).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.plan_cmds as plan_cmds
from kadmin.cli.app import app
from kadmin.core.model import Broker, ConsumerGroupState, GroupMember, GroupState
from kadmin.plan.planfile import load_plan
from tests.fakes import InMemoryCluster

SPEC = """\
version: 1
topics:
  orders:
    partitions: 2
    replication_factor: 1
    configs:
      retention.ms: 2d
offset_resets:
  - id: billing-replay
    group: billing
    topics: [orders]
    to: earliest
"""


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    memory = InMemoryCluster(brokers=(Broker(1, "zone-a"),))
    memory.add_topic("orders", 2, 1, {"retention.ms": "86400000"})
    memory.groups["billing"] = GroupState(
        "billing", ConsumerGroupState.STABLE, members=(GroupMember("m-1", "billing-app", "/10.0.0.7"),)
    )

    def connect(*args: Any, **kwargs: Any) -> InMemoryCluster:
        return memory

    monkeypatch.setattr(plan_cmds, "connect", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    return memory


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_plan_saves_the_rest_and_exits_1_naming_the_busy_group(mem: InMemoryCluster, tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    code, _, err = run("plan", spec, "--out", tmp_path / "plan.json", "--detailed-exitcode")
    assert code == 1
    assert "offset reset 'billing-replay': group billing is" in err
    assert "1 change held back; the rest of the plan can be applied." in err
    saved = load_plan(tmp_path / "plan.json")
    assert saved.applyable and [a.kind for a in saved.actions] == ["alter_configs"]
    assert [r.blocking for r in saved.refusals] == [False]


def test_apply_applies_the_unrelated_change_and_exits_1(mem: InMemoryCluster, tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC)
    code, _, err = run("apply", spec, "--auto-approve")
    assert code == 1
    assert mem.overrides("orders")["retention.ms"] == "172800000"
    assert "group billing is" in err and "the rest was applied" in err
    assert mem.groups["billing"].committed == {}
