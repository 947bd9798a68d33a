"""`kadmin plan` and `kadmin apply` end to end over the in-memory cluster: real spec files,
the real pipeline and applier, only the adapter factory swapped for the fake.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.plan_cmds as plan_cmds
import kadmin.cli.plan_view as plan_view
from kadmin.cli.app import app
from kadmin.core.model import Broker
from kadmin.core.targets import Target
from tests.fakes import InMemoryCluster

SPEC = """\
version: 1
cluster:
  manage: ['t\\..*']
topics:
  t.orders:
    partitions: {partitions}
    replication_factor: 1
    configs:
      retention.ms: {retention}
"""


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    memory = InMemoryCluster(brokers=(Broker(1, "zone-a"),))

    def connect(*args: Any, **kwargs: Any) -> InMemoryCluster:
        return memory

    monkeypatch.setattr(plan_cmds, "connect", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    return memory


def write_spec(tmp_path: Path, partitions: int = 3, retention: str = "1d", name: str = "topics.yaml") -> Path:
    path = tmp_path / name
    path.write_text(SPEC.format(partitions=partitions, retention=retention))
    return path


def run(*args: str | Path, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


# --- plan ------------------------------------------------------------------------------------


def test_plan_shows_the_changes_and_detailed_exitcode_says_there_are_some(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    spec = write_spec(tmp_path)
    code, out, _ = run("plan", spec, "--detailed-exitcode")
    assert code == 2
    assert out.splitlines()[2:] == [
        f"+ topic t.orders: 3 partitions, RF 1, each partition in zone-a; leaders zone-a ×3  # {spec}:5",
        f"    + retention.ms: 1d (86400000)  # {spec}:9",
        "",
        "Plan: 1 to create, 0 to update, 0 to delete.",
    ]
    code, out, _ = run("plan", spec, "--detailed")
    assert out.splitlines()[4:8] == [
        "    + replicas:",
        "        p0: [1]",
        "        p1: [1]",
        "        p2: [1]",
    ]
    assert run("plan", spec)[0] == 0
    assert mem.topics == {}


def test_plan_of_a_matching_cluster_is_empty_with_exit_0(mem: InMemoryCluster, tmp_path: Path) -> None:
    mem.add_topic("t.orders", 3, 1, {"retention.ms": "86400000"})
    code, out, _ = run("plan", write_spec(tmp_path), "--detailed-exitcode")
    assert (code, out.strip().splitlines()[-1]) == (0, "No changes. The cluster matches the spec.")


def test_a_partition_decrease_is_refused_at_the_specs_line(mem: InMemoryCluster, tmp_path: Path) -> None:
    mem.add_topic("t.orders", 4, 1, {"retention.ms": "86400000"})
    spec = write_spec(tmp_path, partitions=2)
    line = spec.read_text().splitlines().index("    partitions: 2") + 1
    code, out, err = run("plan", spec, "--detailed-exitcode", "--out", tmp_path / "plan.json")
    assert code == 1
    assert "! topic t.orders: cannot shrink partitions 4 → 2" in out
    assert f"    at {spec}:{line}:17: topics.t.orders.partitions" in out
    # Said once, in the plan; stderr only says why the command failed.
    assert "cannot shrink" not in err
    assert "error: the plan has 1 refused change (listed in the plan); nothing was applied" in err
    assert not (tmp_path / "plan.json").exists()


def test_plan_json_is_the_plan_document(mem: InMemoryCluster, tmp_path: Path) -> None:
    mem.add_topic("t.orders", 3, 1, {"retention.ms": "1000"})
    code, out, _ = run("plan", write_spec(tmp_path), "-o", "json")
    document = json.loads(out)
    assert code == 0
    assert document["format_version"] == 1
    assert document["summary"] == {"create": 0, "update": 1, "delete": 0, "refused": 0, "unmanaged": 0}
    assert document["actions"] == [
        {
            "kind": "alter_configs",
            "target": "topic:t.orders",
            "topic": "t.orders",
            "destructive": False,
            "changes": [
                {
                    "key": "retention.ms",
                    "before": "1000",
                    "after": "86400000",
                    "before_human": "1s",
                    "after_human": "1d",
                }
            ],
        }
    ]


def test_plan_markdown_for_pull_requests(mem: InMemoryCluster, tmp_path: Path) -> None:
    code, out, _ = run("plan", write_spec(tmp_path), "-o", "markdown")
    assert code == 0
    assert out.startswith("### in-memory-cluster: Plan: 1 to create, 0 to update, 0 to delete.\n")
    assert "```diff\n+ topic t.orders: 3 partitions, RF 1," in out


def test_deletes_only_in_the_managed_scope_and_only_with_the_flag(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    mem.add_topic("t.orders", 3, 1, {"retention.ms": "86400000"})
    mem.add_topic("t.legacy", 2, 1)
    mem.add_topic("someone.else", 1, 1)
    mem.add_topic("__consumer_offsets", 50, 1)
    spec = write_spec(tmp_path)

    code, out, _ = run("plan", spec, "--detailed-exitcode")
    assert code == 0
    assert (
        "Would delete, not enabled (kept; --allow-delete deletes them):\n"
        "  topic t.legacy: 2 partitions, empty" in out
    )
    assert "1 unmanaged topic left alone." in out

    code, out, _ = run("apply", spec, "--allow-delete", "--auto-approve")
    assert code == 0, out
    assert "- topic t.legacy: 2 partitions" in out and "✓ topic t.legacy: deleted" in out
    assert set(mem.topics) == {"t.orders", "someone.else", "__consumer_offsets"}


def test_a_spec_error_is_one_located_line_per_problem(mem: InMemoryCluster, tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("version: 1\ntopics:\n  t.x:\n    partitions: 0\n    replication_factor: 1\n")
    code, out, err = run("plan", spec)
    assert code == 1 and out == ""
    assert f"{spec}:4:17: topics.t.x.partitions" in err
    assert "Traceback" not in err
    assert mem.calls == []


# --- apply -----------------------------------------------------------------------------------


def test_apply_then_plan_again_shows_no_changes(mem: InMemoryCluster, tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    code, out, _ = run("apply", spec, "--auto-approve")
    assert code == 0, out
    assert "✓ topic t.orders: created (3 partitions, replication factor 1)" in out
    assert out.rstrip().endswith("Apply complete: 1 succeeded, 0 failed.")
    assert run("plan", spec, "--detailed-exitcode")[0] == 0

    bigger = write_spec(tmp_path, partitions=5, retention="2d")
    code, out, _ = run("apply", bigger, "--auto-approve")
    assert code == 0, out
    assert "~ partitions: 3 → 5" in out and "~ retention.ms: 1d → 2d (86400000 → 172800000)" in out
    assert run("plan", bigger, "--detailed-exitcode")[0] == 0


def test_apply_without_a_terminal_or_auto_approve_refuses(mem: InMemoryCluster, tmp_path: Path) -> None:
    code, out, err = run("apply", write_spec(tmp_path))
    assert code == 1
    assert "+ topic t.orders" in out
    assert "error: refusing to apply without confirmation: there is no terminal to ask on" in err
    assert "--auto-approve" in err
    assert mem.topics == {}


@pytest.mark.parametrize(
    ("answer", "applied"), [("y\n", True), ("yes\n", True), ("n\n", False), ("\n", False)]
)
def test_apply_asks_on_a_terminal(
    mem: InMemoryCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, applied: bool
) -> None:
    monkeypatch.setattr(plan_view, "interactive", lambda: True)
    code, _, err = run("apply", write_spec(tmp_path), stdin=answer)
    assert "Apply this change to cluster in-memory-cluster? [y/N]" in err
    assert (code, "t.orders" in mem.topics) == ((0, True) if applied else (1, False))
    if not applied:
        assert "Apply cancelled; nothing was changed." in err


def test_apply_of_an_empty_plan_asks_nothing(mem: InMemoryCluster, tmp_path: Path) -> None:
    mem.add_topic("t.orders", 3, 1, {"retention.ms": "86400000"})
    mem.calls.clear()
    code, out, _ = run("apply", write_spec(tmp_path))
    assert (code, out.strip().splitlines()[-1]) == (0, "No changes. The cluster matches the spec.")
    # Reads only (the snapshot, and the throttles an interrupted apply could have left; every
    # replica is in sync, so no move can be running), inside the apply lock, taken before
    # planning and released after.
    assert mem.methods() == [
        "lock_records",
        "append_lock_record",
        "lock_records",
        "snapshot",
        "broker_throttles",
        "append_lock_record",
    ]


def test_a_preflight_rejection_changes_nothing_and_exits_1(mem: InMemoryCluster, tmp_path: Path) -> None:
    mem.reject[Target.topic("t.orders")] = "POLICY_VIOLATION: topics need an owner"
    code, out, _ = run("apply", write_spec(tmp_path), "--auto-approve")
    assert code == 1
    assert "Preflight: the cluster rejected 1 change; nothing was changed." in out
    assert "✗ topic t.orders: create failed: POLICY_VIOLATION: topics need an owner" in out
    assert mem.topics == {}
    assert "create_topics" not in mem.methods()


def test_a_failed_change_exits_1_and_a_rerun_converges(mem: InMemoryCluster, tmp_path: Path) -> None:
    mem.add_topic("t.orders", 3, 1, {"retention.ms": "1000"})
    mem.fail[Target.topic("t.orders")] = "REQUEST_TIMED_OUT: the broker did not answer"
    spec = write_spec(tmp_path, partitions=4)
    code, out, _ = run("apply", spec, "--auto-approve")
    assert code == 1
    assert "✗ topic t.orders: add partitions failed: REQUEST_TIMED_OUT: the broker did not answer" in out
    mem.fail.clear()
    assert run("apply", spec, "--auto-approve")[0] == 0
    assert run("plan", spec, "--detailed-exitcode")[0] == 0


def test_apply_json_reports_each_result_with_the_plan(mem: InMemoryCluster, tmp_path: Path) -> None:
    code, out, _ = run("apply", write_spec(tmp_path), "--auto-approve", "-o", "json")
    document = json.loads(out)
    assert code == 0
    assert document["results"] == [
        {"kind": "create_topic", "target": "topic:t.orders", "topic": "t.orders", "ok": True, "error": None}
    ]
    assert document["summary"] == {"succeeded": 1, "failed": 0}
    assert document["preflight_rejected"] is False
    assert document["plan"]["actions"][0]["kind"] == "create_topic"


# --- saved plans -----------------------------------------------------------------------------


def test_a_saved_plan_is_applied_as_it_is_without_asking(mem: InMemoryCluster, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    code, _, err = run("plan", write_spec(tmp_path), "--out", plan_file)
    assert code == 0 and f"Plan saved to {plan_file}" in err
    assert json.loads(plan_file.read_text())["actions"][0]["topic"] == "t.orders"

    code, out, _ = run("apply", plan_file)
    assert code == 0, out
    assert "✓ topic t.orders: created" in out
    assert mem.overrides("t.orders") == {"retention.ms": "86400000"}


def test_a_stale_saved_plan_is_refused_naming_the_change(mem: InMemoryCluster, tmp_path: Path) -> None:
    mem.add_topic("t.orders", 3, 1, {"retention.ms": "1000"})
    plan_file = tmp_path / "plan.json"
    assert run("plan", write_spec(tmp_path, partitions=4), "--out", plan_file)[0] == 0
    mem.add_topic("t.orders", 3, 1, {"retention.ms": "5000"})  # someone changed it behind the plan's back
    mem.calls.clear()

    code, out, err = run("apply", plan_file)

    assert code == 1 and out == ""
    assert f"error: {plan_file}: the cluster changed since this plan was computed" in err
    assert "topic t.orders: retention.ms is '5000', the plan expected '1000'" in err
    assert mem.overrides("t.orders") == {"retention.ms": "5000"}
    # Nothing written but the apply lock's claim and release.
    reads = ("snapshot", "describe_groups", "ongoing_reassignments", "broker_throttles", "lock_records")
    assert [m for m in mem.methods() if m not in reads] == [
        "append_lock_record",
        "append_lock_record",
    ]
    assert [r.op for r in mem.lock_log] == ["claim", "release"]


def test_planning_options_on_a_saved_plan_are_an_error(mem: InMemoryCluster, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    run("plan", write_spec(tmp_path), "--out", plan_file)
    code, _, err = run("apply", plan_file, "--allow-delete")
    assert code == 1 and "a saved plan is applied as it is" in err
    assert mem.topics == {}


def test_a_damaged_plan_file_names_the_field(mem: InMemoryCluster, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    run("plan", write_spec(tmp_path), "--out", plan_file)
    document = json.loads(plan_file.read_text())
    document["actions"][0]["partitions"] = "three"
    plan_file.write_text(json.dumps(document))
    code, _, err = run("apply", plan_file)
    assert code == 1
    assert "actions[0].partitions: expected an integer" in err


def test_help_teaches_with_examples() -> None:
    for command in ("plan", "apply"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Example" in out and f"kadmin {command} " in out


def test_topic_limits_the_plan_and_a_bad_pattern_is_an_error(mem: InMemoryCluster, tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    code, out, _ = run("plan", spec, "--topic", "t\\.other", "--detailed-exitcode")
    assert code == 0
    assert "Partial plan: only topics matching t\\.other;" in out
    assert "No changes. The cluster matches the spec." in out

    code, out, _ = run("plan", spec, "--topic", "t\\.other", "--topic", "t\\.ord.*", "-o", "json")
    assert code == 0
    document = json.loads(out)
    assert document["only"] == ["t\\.other", "t\\.ord.*"]
    assert [a["topic"] for a in document["actions"]] == ["t.orders"]

    code, _, err = run("plan", spec, "--topic", "t.(orders")
    assert code == 1
    assert "error: --topic: 't.(orders' is not a valid regular expression" in err
