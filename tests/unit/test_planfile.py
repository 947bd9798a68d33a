"""The plan file: every action kind survives save -> load, and damaged files fail with where and a hint."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from kadmin.core.actions import (
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
from kadmin.core.errors import KadminError, Location
from kadmin.core.model import OffsetMode, ResetTo, frozen_map
from kadmin.core.plan import FORMAT_VERSION, DeleteCandidate, Plan, PlanInputs
from kadmin.core.targets import Target
from kadmin.plan.planfile import (
    PlanFileError,
    load_plan,
    plan_from_document,
    plan_to_document,
    save_plan,
)


def every_kind_plan() -> Plan:
    """One action of each kind, in apply order, plus refusals of both location shapes."""
    return Plan(
        actions=(
            CreateTopic(
                "orders.created",
                3,
                2,
                frozen_map({"cleanup.policy": "compact", "min.insync.replicas": "2"}),
                ((1, 2), (2, 3), (3, 1)),
            ),
            CreateTopic("orders.plain", 1, 1),
            AddPartitions("orders.events", 2, 4, ((1, 2), (2, 3))),
            AddPartitions("orders.late", 1, 2),
            ReassignReplicas(
                "orders.events", (PartitionMove(0, (1,), (1, 2)), PartitionMove(1, (2,), (2, 3))), "rf 1 → 2"
            ),
            AlterConfigs(
                "orders.events",
                (
                    ConfigChange("retention.ms", "86400000", "604800000"),
                    ConfigChange("cleanup.policy", None, "compact"),
                    ConfigChange("segment.ms", "3600000", None),
                ),
            ),
            ResetOffsets(
                "billing",
                ResetTo(OffsetMode.EARLIEST),
                (OffsetMove("orders.created", 0, 120, 0), OffsetMove("orders.created", 1, None, 0)),
                reset_id="replay-1",
            ),
            ResetOffsets(
                "ledger",
                ResetTo(
                    OffsetMode.FILE,
                    text="offsets.csv",
                    file_offsets=MappingProxyType({("orders.created", 0): 5, ("orders.created", 1): 7}),
                ),
                (OffsetMove("orders.created", 0, 3, 5),),
                group_exists=False,
            ),
            ResetOffsets(
                "search", ResetTo(OffsetMode.SHIFT_BY, -100, "-100"), (OffsetMove("t", 0, 500, 400),)
            ),
            DeleteTopic("legacy.audit", 8),
        ),
        cluster_id="kRaFt-cluster-1",
        fingerprint="sha256:0f1e2d",
        refusals=(
            Refusal(
                Target.topic("payments"),
                "cannot shrink partitions 12 → 6",
                Location("specs/topics.yaml", 14, 5, "topics.payments.partitions"),
                "keep 12 or recreate the topic",
            ),
            Refusal(Target.broker(3), "rack is eu-1b, the spec says eu-1a", "broker 3"),
            Refusal(Target.topic("x"), "no where"),
        ),
        notices=(Notice(Target.topic("orders.events"), "retention.bytes set on the topic, kept"),),
        unmanaged=("scratch.a", "scratch.b"),
        created_at="2026-01-02T03:04:05Z",
        cluster_name="prod-eu",
        topics_in_scope=("legacy.audit", "orders.created", "orders.events", "orders.late", "orders.plain"),
        inputs=PlanInputs(
            specs=("specs/",),
            manage=(r"legacy\..*",),
            allow_delete=True,
            prune_configs=True,
            planned_at_ms=1_767_323_045_000,
        ),
    )


def test_round_trip_keeps_every_action_kind(tmp_path: Path) -> None:
    plan = every_kind_plan()
    assert plan.ordered() == plan.actions, "fixture must be in apply order for exact equality"
    kinds = {a.kind for a in plan.actions}
    assert kinds == {
        "create_topic",
        "add_partitions",
        "alter_configs",
        "reassign_replicas",
        "delete_topic",
        "reset_offsets",
    }

    path = tmp_path / "plan.json"
    save_plan(plan, path)
    loaded = load_plan(path)

    assert loaded == plan
    assert loaded.summary() == plan.summary()
    assert loaded.fingerprint == "sha256:0f1e2d"


def test_round_trip_of_an_empty_plan(tmp_path: Path) -> None:
    plan = Plan((), "c1", "fp")
    path = tmp_path / "empty.json"
    save_plan(plan, path)
    assert load_plan(path) == plan


def test_round_trip_keeps_what_reviewers_read(tmp_path: Path) -> None:
    where = Location("specs/defaults.yaml", 21, 7, "profiles.events.configs.retention.ms")
    plan = Plan(
        (),
        "c1",
        "fp",
        deletes=(
            DeleteCandidate("legacy", 8, enabled=False, log_end_offsets=12),
            DeleteCandidate("x", 1, True),
        ),
        only=(r"orders\..*",),
        broker_racks=MappingProxyType({1: "zone-a", 2: "zone-b"}),
        origins=MappingProxyType({"orders": MappingProxyType({"configs.retention.ms": where})}),
    )
    path = tmp_path / "review.json"
    save_plan(plan, path)
    assert load_plan(path) == plan


def test_a_plan_file_without_the_review_fields_reads_them_as_empty() -> None:
    document = plan_to_document(Plan((), "c1", "fp"))
    for key in ("deletes", "only", "broker_racks", "origins"):
        del document[key]
    plan = plan_from_document(document)
    assert (plan.deletes, plan.only, dict(plan.broker_racks), dict(plan.origins)) == ((), (), {}, {})


def test_actions_come_back_in_apply_order(tmp_path: Path) -> None:
    delete, create = DeleteTopic("old", 1), CreateTopic("new", 1, 1)
    plan = Plan(
        (delete, create),
        "c1",
        "fp",
        topics_in_scope=("new", "old"),
        inputs=PlanInputs(("s.yaml",), ("old",), allow_delete=True),
    )
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    assert load_plan(path).actions == (create, delete)


def test_file_is_the_printed_json_document(tmp_path: Path) -> None:
    plan = every_kind_plan()
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    # `kadmin plan -o json` prints json.dumps(document, indent=2) + newline; the file must be byte-identical.
    assert path.read_text(encoding="utf-8") == json.dumps(plan_to_document(plan), indent=2) + "\n"


def test_loaded_configs_are_read_only(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(every_kind_plan(), path)
    create = load_plan(path).actions[0]
    assert isinstance(create, CreateTopic)
    with pytest.raises(TypeError):
        create.configs["x"] = "y"  # type: ignore[index]


# --- damaged files ---------------------------------------------------------------


def saved_document() -> dict[str, Any]:
    return plan_to_document(every_kind_plan())


def load_broken(tmp_path: Path, document: object) -> PlanFileError:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    return info.value


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    err = info.value
    assert isinstance(err, KadminError)
    assert err.where == str(path)
    assert "cannot read the plan file" in err.message
    assert "kadmin plan --out" in err.hint


def test_not_json_points_at_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format_version": 1,\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    assert info.value.where == Location(str(path), 3, 3)
    assert info.value.message.startswith("not a JSON plan file")
    assert info.value.hint


@pytest.mark.parametrize("version", [0, FORMAT_VERSION + 1])
def test_unknown_format_version(tmp_path: Path, version: int) -> None:
    document = saved_document()
    document["format_version"] = version
    document["kadmin_version"] = "9.9.9"
    err = load_broken(tmp_path, document)
    assert err.where == f"{tmp_path / 'plan.json'}: format_version"
    assert f"format {version} is not supported" in err.message
    assert "kadmin 9.9.9" in err.message
    assert "same kadmin version" in err.hint


def test_format_version_of_wrong_type(tmp_path: Path) -> None:
    document = saved_document()
    document["format_version"] = "1"
    err = load_broken(tmp_path, document)
    assert err.where == f"{tmp_path / 'plan.json'}: format_version"
    assert err.message == 'expected an integer, found the string "1"'


def test_document_that_is_not_an_object(tmp_path: Path) -> None:
    err = load_broken(tmp_path, [1, 2])
    assert err.where == str(tmp_path / "plan.json")
    assert err.message == "expected an object, found a list"


def _set(document: dict[str, Any], path: tuple[str | int, ...], value: object) -> None:
    node: Any = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _drop(document: dict[str, Any], path: tuple[str | int, ...]) -> None:
    node: Any = document
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (("cluster_id",), 7, "cluster_id", "expected a string, found the number 7"),
        (
            ("actions", 0, "partitions"),
            "3",
            "actions[0].partitions",
            'expected an integer, found the string "3"',
        ),
        (("actions", 0, "partitions"), True, "actions[0].partitions", "expected an integer, found a boolean"),
        (
            ("actions", 0, "configs", "cleanup.policy"),
            1,
            "actions[0].configs.cleanup.policy",
            "expected a string",
        ),
        (
            ("actions", 0, "assignment", 1, 0),
            None,
            "actions[0].assignment[1][0]",
            "expected an integer, found null",
        ),
        (
            ("actions", 4, "moves", 1, "after"),
            {},
            "actions[4].moves[1].after",
            "expected a list, found an object",
        ),
        (
            ("actions", 5, "changes", 2, "key"),
            None,
            "actions[5].changes[2].key",
            "expected a string, found null",
        ),
        (("actions", 6, "group_exists"), "yes", "actions[6].group_exists", "expected true or false"),
        (
            ("actions", 6, "mode", "mode"),
            "yesterday",
            "actions[6].mode.mode",
            "unknown offset mode 'yesterday'",
        ),
        (
            ("actions", 7, "mode", "file_offsets", 0, "offset"),
            1.5,
            "actions[7].mode.file_offsets[0].offset",
            "1.5",
        ),
        (("actions", 9, "kind"), "truncate_topic", "actions[9].kind", "unknown action kind 'truncate_topic'"),
        (("refusals", 0, "location", "line"), "14", "refusals[0].location.line", "expected an integer"),
        (("notices",), {}, "notices", "expected a list, found an object"),
        (("notices", 0, "target"), "orders", "notices[0].target", "'orders' is not a target"),
        (("refusals", 1, "target"), "table:x", "refusals[1].target", "'table:x' is not a target"),
        (("unmanaged", 1), 3, "unmanaged[1]", "expected a string"),
    ],
)
def test_mistyped_field_is_named_by_path(
    tmp_path: Path, path: tuple[str | int, ...], value: object, field: str, message: str
) -> None:
    document = saved_document()
    _set(document, path, value)
    err = load_broken(tmp_path, document)
    assert err.where == f"{tmp_path / 'plan.json'}: {field}"
    assert message in err.message
    assert "kadmin plan --out FILE" in err.hint


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("fingerprint",), "fingerprint"),
        (("actions", 1, "replication_factor"), "actions[1].replication_factor"),
        (("actions", 2, "new_assignment"), "actions[2].new_assignment"),
        (("actions", 6, "moves", 0, "before"), "actions[6].moves[0].before"),
        (("refusals", 1, "hint"), "refusals[1].hint"),
    ],
)
def test_missing_field_is_named_by_path(tmp_path: Path, path: tuple[str | int, ...], field: str) -> None:
    document = saved_document()
    _drop(document, path)
    err = load_broken(tmp_path, document)
    assert err.where == f"{tmp_path / 'plan.json'}: {field}"
    assert err.message == "missing field"


def test_derived_fields_are_recomputed_not_trusted() -> None:
    document = copy.deepcopy(saved_document())
    document["applyable"] = True
    document["summary"] = {"create": 99}
    document["actions"][9]["destructive"] = False
    plan = plan_from_document(document)
    assert plan == every_kind_plan()
    assert not plan.applyable
    assert plan.actions[9].destructive


def test_save_into_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "plan.json"
    with pytest.raises(PlanFileError) as info:
        save_plan(Plan((), "c", "f"), path)
    assert info.value.where == str(path)
    assert "cannot write the plan file" in info.value.message
    assert info.value.hint
