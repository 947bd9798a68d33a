"""The JSON view: the plan document has the documented shape, and it is the plan file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType, NoneType
from typing import Any

from kadmin import __version__
from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    Notice,
    OffsetMove,
    PartitionMove,
    ReassignReplicas,
    Refusal,
    ResetOffsets,
)
from kadmin.core.errors import Location
from kadmin.core.model import OffsetMode, ResetTo, frozen_map
from kadmin.core.plan import Plan, PlanInputs
from kadmin.core.targets import Target
from kadmin.kafka.port import Outcome
from kadmin.plan.planfile import load_plan, plan_from_document
from kadmin.render.json import apply_report_document, plan_document

# The shapes docs/plan-json.md documents, as key -> accepted types.
TOP_LEVEL: dict[str, tuple[type, ...]] = {
    "format_version": (int,),
    "kadmin_version": (str,),
    "cluster_id": (str,),
    "cluster_name": (str, NoneType),
    "cluster": (dict,),
    "spec_hash": (str, NoneType),
    "created_at": (str,),
    "fingerprint": (str,),
    "topics_in_scope": (list,),
    "applyable": (bool,),
    "summary": (dict,),
    "actions": (list,),
    "refusals": (list,),
    "notices": (list,),
    "unmanaged": (list,),
    "inputs": (dict, NoneType),
    "deletes": (list,),
    "only": (list,),
    "broker_racks": (dict,),
    "origins": (dict,),
}
COMMON = {"kind": (str,), "target": (str,), "destructive": (bool,)}
PER_KIND: dict[str, dict[str, tuple[type, ...]]] = {
    "create_topic": {
        "topic": (str,),
        "partitions": (int,),
        "replication_factor": (int,),
        "configs": (dict,),
        "configs_human": (dict,),
        "assignment": (list, NoneType),
    },
    "add_partitions": {
        "topic": (str,),
        "before": (int,),
        "after": (int,),
        "new_assignment": (list, NoneType),
    },
    "alter_configs": {"topic": (str,), "changes": (list,)},
    "reassign_replicas": {"topic": (str,), "moves": (list,), "reason": (str,)},
    "delete_topic": {"topic": (str,), "partitions": (int,)},
    "reset_offsets": {
        "group": (str,),
        "reset_id": (str, NoneType),
        "group_exists": (bool,),
        "mode": (dict,),
        "moves": (list,),
    },
}
CONFIG_CHANGE = {
    "key": (str,),
    "before": (str, NoneType),
    "after": (str, NoneType),
    "before_human": (str, NoneType),
    "after_human": (str, NoneType),
}
PARTITION_MOVE = {"partition": (int,), "before": (list,), "after": (list,)}
OFFSET_MODE = {"mode": (str,), "value": (int, NoneType), "text": (str,), "file_offsets": (list, NoneType)}
OFFSET_MOVE = {
    "topic": (str,),
    "partition": (int,),
    "before": (int, NoneType),
    "after": (int,),
    "delta": (int, NoneType),
}
REFUSAL = {
    "target": (str,),
    "message": (str,),
    "where": (str, NoneType),
    "location": (dict, NoneType),
    "hint": (str,),
    "blocking": (bool,),
}
LOCATION = {"file": (str,), "line": (int,), "column": (int,), "field": (str,)}
NOTICE = {"target": (str,), "message": (str,)}
SUMMARY = {"create": (int,), "update": (int,), "delete": (int,), "refused": (int,), "unmanaged": (int,)}


def assert_shape(value: object, shape: Mapping[str, tuple[type, ...]], where: str) -> None:
    assert isinstance(value, dict), where
    assert set(value) == set(shape), f"{where}: keys {sorted(value)} != {sorted(shape)}"
    for key, types in shape.items():
        item = value[key]
        # bool is an int subclass; an int field holding a bool would be a bug in the document.
        ok = isinstance(item, types) and not (isinstance(item, bool) and bool not in types)
        assert ok, f"{where}.{key}: {item!r} is not {types}"


def sample_plan() -> Plan:
    return Plan(
        actions=(
            CreateTopic("orders", 2, 3, frozen_map({"cleanup.policy": "compact"}), ((1, 2, 3), (2, 3, 1))),
            AddPartitions("events", 1, 2, ((3, 1, 2),)),
            ReassignReplicas("events", (PartitionMove(0, (1,), (1, 2, 3)),), "rf 1 → 3"),
            AlterConfigs(
                "events", (ConfigChange("retention.ms", "1", "2"), ConfigChange("segment.ms", "5", None))
            ),
            ResetOffsets(
                "billing",
                ResetTo(OffsetMode.FILE, text="x.csv", file_offsets=MappingProxyType({("orders", 0): 4})),
                (OffsetMove("orders", 0, 9, 4), OffsetMove("orders", 1, None, 0)),
                reset_id="r1",
            ),
            DeleteTopic("audit", 4),
        ),
        cluster_id="c1",
        fingerprint="fp",
        refusals=(
            Refusal(
                Target.topic("p"), "cannot shrink", Location("s.yaml", 3, 7, "topics.p.partitions"), "keep 12"
            ),
            Refusal(Target.broker(2), "wrong rack", "broker 2"),
        ),
        notices=(Notice(Target.topic("events"), "kept"),),
        unmanaged=("scratch",),
        created_at="2026-01-01T00:00:00Z",
        cluster_name="prod",
        topics_in_scope=("audit", "events", "orders"),
        inputs=PlanInputs(("specs/",), ("audit",), allow_delete=True, prune_configs=True, planned_at_ms=1),
    )


def test_document_has_the_documented_shape() -> None:
    document = plan_document(sample_plan())
    assert_shape(document, TOP_LEVEL, "plan")
    assert_shape(document["summary"], SUMMARY, "summary")
    seen = set()
    for i, action in enumerate(document["actions"]):
        seen.add(action["kind"])
        assert_shape(action, COMMON | PER_KIND[action["kind"]], f"actions[{i}]")
        for change in action.get("changes", ()):
            assert_shape(change, CONFIG_CHANGE, f"actions[{i}].changes")
        if action["kind"] == "reassign_replicas":
            for move in action["moves"]:
                assert_shape(move, PARTITION_MOVE, f"actions[{i}].moves")
        if action["kind"] == "reset_offsets":
            assert_shape(action["mode"], OFFSET_MODE, f"actions[{i}].mode")
            for move in action["moves"]:
                assert_shape(move, OFFSET_MOVE, f"actions[{i}].moves")
    assert seen == set(PER_KIND)
    for i, refusal in enumerate(document["refusals"]):
        assert_shape(refusal, REFUSAL, f"refusals[{i}]")
        if refusal["location"] is not None:
            assert_shape(refusal["location"], LOCATION, f"refusals[{i}].location")
    for i, notice in enumerate(document["notices"]):
        assert_shape(notice, NOTICE, f"notices[{i}]")


def test_document_values() -> None:
    document = plan_document(sample_plan())
    assert document["format_version"] == 1
    assert document["kadmin_version"] == __version__
    assert document["cluster_name"] == "prod"
    assert document["applyable"] is False
    assert document["summary"] == {"create": 1, "update": 4, "delete": 1, "refused": 2, "unmanaged": 1}
    assert [(a["kind"], a["target"]) for a in document["actions"]] == [
        ("create_topic", "topic:orders"),
        ("add_partitions", "topic:events"),
        ("reassign_replicas", "topic:events"),
        ("alter_configs", "topic:events"),
        ("reset_offsets", "group:billing"),
        ("delete_topic", "topic:audit"),
    ]
    create, add, move, alter, reset, delete = document["actions"]
    assert create["assignment"] == [[1, 2, 3], [2, 3, 1]]
    assert create["configs"] == {"cleanup.policy": "compact"}
    assert add == {
        "kind": "add_partitions",
        "target": "topic:events",
        "topic": "events",
        "destructive": False,
        "before": 1,
        "after": 2,
        "new_assignment": [[3, 1, 2]],
    }
    assert move["moves"] == [{"partition": 0, "before": [1], "after": [1, 2, 3]}]
    assert alter["changes"][1] == {
        "key": "segment.ms",
        "before": "5",
        "after": None,
        "before_human": "5",
        "after_human": None,
    }
    assert reset["destructive"] is True
    assert reset["mode"] == {
        "mode": "file",
        "value": None,
        "text": "x.csv",
        "file_offsets": [{"topic": "orders", "partition": 0, "offset": 4}],
    }
    assert reset["moves"] == [
        {"topic": "orders", "partition": 0, "before": 9, "after": 4, "delta": -5},
        {"topic": "orders", "partition": 1, "before": None, "after": 0, "delta": None},
    ]
    assert delete == {
        "kind": "delete_topic",
        "target": "topic:audit",
        "topic": "audit",
        "destructive": True,
        "partitions": 4,
    }
    assert document["refusals"][0]["where"] == "s.yaml:3:7: topics.p.partitions"
    assert document["refusals"][0]["location"] == {
        "file": "s.yaml",
        "line": 3,
        "column": 7,
        "field": "topics.p.partitions",
    }
    assert document["refusals"][1]["where"] == "broker 2"
    assert document["refusals"][1]["location"] is None


def test_document_is_plain_json_and_reads_back_as_the_plan(tmp_path: Path) -> None:
    plan = sample_plan()
    text = json.dumps(plan_document(plan), indent=2) + "\n"
    assert plan_from_document(json.loads(text)) == plan
    # What `kadmin plan -o json > plan.json` leaves on disk is a plan file.
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    assert load_plan(path) == plan


def test_apply_report_document() -> None:
    results: list[tuple[Action, Outcome]] = [
        (CreateTopic("orders", 1, 1), Outcome(Target.topic("orders"), True)),
        (
            ResetOffsets("billing", ResetTo(OffsetMode.LATEST), ()),
            Outcome(Target.group("billing"), True),
        ),
        (DeleteTopic("audit", 1), Outcome(Target.topic("audit"), False, "TOPIC_AUTHORIZATION_FAILED")),
    ]
    assert apply_report_document(results) == {
        "format_version": 1,
        "kadmin_version": __version__,
        "results": [
            {"kind": "create_topic", "target": "topic:orders", "topic": "orders", "ok": True, "error": None},
            {
                "kind": "reset_offsets",
                "target": "group:billing",
                "group": "billing",
                "ok": True,
                "error": None,
            },
            {
                "kind": "delete_topic",
                "target": "topic:audit",
                "topic": "audit",
                "ok": False,
                "error": "TOPIC_AUTHORIZATION_FAILED",
            },
        ],
        "summary": {"succeeded": 2, "failed": 1},
    }


def test_apply_report_document_is_json_serialisable() -> None:
    document: dict[str, Any] = apply_report_document(
        [(DeleteTopic("a", 1), Outcome(Target.topic("a"), False, "boom"))]
    )
    assert json.loads(json.dumps(document)) == document
