"""A plan file cannot widen what apply may do: edited actions are refused by the planner's rules
on load, or by the recomputation from the recorded inputs at apply time, and nothing changes.
Over the in-memory cluster, through the real CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.plan_cmds as plan_cmds
from kadmin.cli.app import app
from kadmin.core.actions import AlterConfigs, ConfigChange, CreateTopic
from kadmin.core.model import Broker
from kadmin.ops.saved_plan import FieldDifference, differences, explain
from tests.fakes import InMemoryCluster

SPEC = """\
version: 1
cluster:
  manage: ['t\\..*']
topics:
  t.orders:
    partitions: 3
    replication_factor: 1
    configs:
      retention.ms: 1d
"""


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    memory = InMemoryCluster(brokers=(Broker(1, "zone-a"),))
    memory.add_topic("t.orders", 3, 1, {"retention.ms": "1000"})
    memory.add_topic("other.keep", 1, 1)
    memory.add_topic("__consumer_offsets", 1, 1)

    def connect(*args: Any, **kwargs: Any) -> InMemoryCluster:
        return memory

    monkeypatch.setattr(plan_cmds, "connect", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    return memory


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def saved(tmp_path: Path, spec: str = SPEC, *flags: str) -> tuple[Path, dict[str, Any]]:
    spec_file = tmp_path / "topics.yaml"
    spec_file.write_text(spec)
    plan_file = tmp_path / "plan.json"
    code, _, err = run("plan", spec_file, "--out", plan_file, *flags)
    assert code == 0, err
    return plan_file, json.loads(plan_file.read_text())


def tamper(plan_file: Path, document: dict[str, Any]) -> tuple[int, str]:
    plan_file.write_text(json.dumps(document, indent=2))
    code, _, err = run("apply", plan_file)
    return code, err


def writes(mem: InMemoryCluster) -> list[str]:
    """Changes to the cluster: reads and the apply lock's own records left out."""
    reads = ("snapshot", "describe_groups", "applied_resets", "ongoing_reassignments", "broker_throttles")
    return [m for m in mem.methods() if m not in (*reads, "lock_records", "append_lock_record")]


def test_an_untouched_saved_plan_recomputes_to_itself_and_applies(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    plan_file, document = saved(tmp_path)
    assert document["inputs"]["specs"] == [str(tmp_path / "topics.yaml")]
    assert document["inputs"]["manage"] == ["t\\..*"]
    code, out, err = run("apply", plan_file)
    assert code == 0, err
    assert "✓ topic t.orders: 1 config changed" in out
    assert mem.overrides("t.orders") == {"retention.ms": "86400000"}


def test_a_delete_added_by_hand_outside_the_scope_and_without_the_flag_is_refused(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    plan_file, document = saved(tmp_path)
    document["actions"].append(
        {
            "kind": "delete_topic",
            "target": "topic:other.keep",
            "topic": "other.keep",
            "destructive": True,
            "partitions": 1,
        }
    )
    document["topics_in_scope"].append("other.keep")
    mem.calls.clear()
    code, err = tamper(plan_file, document)
    assert code == 1
    assert (
        f"error: {plan_file}: the plan file asks for what no plan may: "
        "actions[1] (delete_topic topic other.keep)" in err
    )
    assert "deletes a topic, but the plan was not made with --allow-delete" in err
    assert "deletes a topic outside the managed scope (cluster.manage: t\\..*)" in err
    assert "other.keep" in mem.topics and mem.calls == []


def test_a_reserved_topic_is_never_deleted_even_with_the_recorded_flag(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    plan_file, document = saved(tmp_path, SPEC.replace("'t\\\\..*'", "'.*'"), "--allow-delete")
    document["actions"].append(
        {
            "kind": "delete_topic",
            "target": "topic:__consumer_offsets",
            "topic": "__consumer_offsets",
            "destructive": True,
            "partitions": 1,
        }
    )
    code, err = tamper(plan_file, document)
    assert code == 1
    assert "__consumer_offsets is a reserved topic (names starting with __ belong to Kafka and kadmin)" in err
    assert "__consumer_offsets" in mem.topics


def test_values_outside_kafkas_limits_are_refused(mem: InMemoryCluster, tmp_path: Path) -> None:
    plan_file, document = saved(tmp_path, SPEC.replace("t.orders", "t.new"))
    create = document["actions"][0]
    assert create["kind"] == "create_topic"
    create["replication_factor"] = 0
    create["configs"]["cleanup.policy"] = "shred"
    create["configs"]["retention.msx"] = "1"
    code, err = tamper(plan_file, document)
    assert code == 1
    assert "replication_factor is 0, below the least Kafka allows here (1)" in err
    assert 'cleanup.policy items must be among compact, delete (found "shred")' in err
    assert "retention.msx is not a topic config Kafka knows" in err
    assert "t.new" not in mem.topics


def test_an_action_on_a_topic_the_fingerprint_does_not_cover_is_refused(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    plan_file, document = saved(tmp_path)
    document["actions"].append(
        {
            "kind": "alter_configs",
            "target": "topic:t.other",
            "topic": "t.other",
            "destructive": False,
            "changes": [{"key": "retention.ms", "before": None, "after": "1"}],
        }
    )
    code, err = tamper(plan_file, document)
    assert code == 1
    assert "topic t.other is not in topics_in_scope, so the stale-plan check never covered it" in err


def test_a_value_changed_within_the_rules_is_refused_by_the_recomputation(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    plan_file, document = saved(tmp_path)
    document["actions"][0]["changes"][0]["after"] = "1"  # a legal retention.ms, not the reviewed one
    mem.calls.clear()
    code, err = tamper(plan_file, document)
    assert code == 1
    assert (
        f"error: {plan_file}: the plan file holds 1 change that planning {tmp_path / 'topics.yaml'} again"
        in err
    )
    assert (
        "alter configs topic t.orders: changes.0.after is '1' in the file, '86400000' when planned again"
        in err
    )
    assert "never edit one by hand" in err
    assert mem.overrides("t.orders") == {"retention.ms": "1000"}
    assert writes(mem) == []


def test_an_action_the_specs_never_asked_for_is_refused_even_when_in_scope(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    plan_file, document = saved(tmp_path)
    document["actions"].insert(
        0,
        {
            "kind": "create_topic",
            "target": "topic:t.sneaky",
            "topic": "t.sneaky",
            "destructive": False,
            "partitions": 1,
            "replication_factor": 1,
            "configs": {},
            "assignment": None,
        },
    )
    document["topics_in_scope"].append("t.sneaky")
    code, err = tamper(plan_file, document)
    assert code == 1
    assert "create topic topic t.sneaky: not in the recomputed plan at all" in err
    assert "t.sneaky" not in mem.topics


def test_edited_specs_since_the_plan_are_named(mem: InMemoryCluster, tmp_path: Path) -> None:
    plan_file, _ = saved(tmp_path)
    (tmp_path / "topics.yaml").write_text(SPEC.replace("1d", "2d"))
    code, _, err = run("apply", plan_file)
    assert code == 1
    assert "changed since the plan was made" in err
    assert "changes.0.after is '86400000' in the file, '172800000' when planned again" in err


def test_specs_missing_where_apply_runs_are_an_error(mem: InMemoryCluster, tmp_path: Path) -> None:
    plan_file, _ = saved(tmp_path)
    (tmp_path / "topics.yaml").unlink()
    code, _, err = run("apply", plan_file)
    assert code == 1
    assert "cannot compute the plan again: its specs" in err
    assert "run apply in a checkout of the commit the plan was made from" in err
    assert mem.overrides("t.orders") == {"retention.ms": "1000"}


def test_a_plan_file_without_recorded_inputs_is_refused(mem: InMemoryCluster, tmp_path: Path) -> None:
    plan_file, document = saved(tmp_path)
    del document["inputs"]
    code, err = tamper(plan_file, document)
    assert code == 1
    assert "the plan file does not record the specs it was computed from" in err


def test_two_plan_files_are_one_too_many(mem: InMemoryCluster, tmp_path: Path) -> None:
    plan_file, _ = saved(tmp_path)
    code, _, err = run("apply", plan_file, plan_file)
    assert code == 1
    assert "apply takes one plan file, or spec files; found 2 plan files" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the plan file is empty"),
        (
            '{"format_version": 1, "actions": [',
            "the plan file is cut short: its JSON stops unfinished after line 1",
        ),
        ("[" * 100_000, "not a plan file: its JSON nests lists or objects thousands of levels deep"),
        ("{oops}", "not a JSON plan file: Expecting property name enclosed in double quotes"),
    ],
)
def test_damaged_files_say_what_is_wrong(
    mem: InMemoryCluster, tmp_path: Path, text: str, message: str
) -> None:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(text)
    code, _, err = run("apply", plan_file)
    assert code == 1
    assert message in err
    assert "Traceback" not in err


def test_differences_are_typed_values() -> None:
    planned = AlterConfigs("t", (ConfigChange("retention.ms", "1", "2"),))
    edited = AlterConfigs("t", (ConfigChange("retention.ms", "1", "3"),))
    assert differences(edited, planned) == [FieldDifference(("changes", 0, "after"), "3", "2")]
    assert explain([CreateTopic("x", 1, 1)], [planned]) == [
        "create topic topic x: not in the recomputed plan at all"
    ]


def test_a_stale_plan_names_partitions_added_to_a_topic_it_only_reconfigures(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    plan_file, document = saved(tmp_path)
    assert document["inputs"]["partitions"] == {"t.orders": 3}
    mem.add_topic("t.orders", 6, 1, {"retention.ms": "1000"})  # partitions added behind the plan's back
    code, _, err = run("apply", plan_file)
    assert code == 1
    assert "the cluster changed since this plan was computed" in err
    assert "topic t.orders has 6 partitions, the plan saw 3 (partition 3-5 added since)" in err
