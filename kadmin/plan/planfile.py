"""The plan file: a `Plan` as a versioned JSON document, written and read back.

The document is the same one `kadmin plan -o json` prints (docs/plan-json.md),
so a plan saved with `--out` and one captured from stdout are one artifact.
A plan file is input, not truth: `load_plan` reads it strictly (`planfile_read`:
every field, named by its path on error) and then checks every action against the
planner's rules (`planfile_rules`); apply later recomputes it from the recorded
inputs (`kadmin.ops.saved_plan`). This module imports only `kadmin.core`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, assert_never

from kadmin import __version__
from kadmin.core.access_actions import AlterQuota, CreateAcl, DeleteAcl, DeleteScram, RemoveQuota, UpsertScram
from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    CreateTopic,
    DeleteTopic,
    FinishMove,
    PartitionMove,
    ReassignReplicas,
    Refusal,
    RemoveThrottle,
    ResetOffsets,
)
from kadmin.core.errors import Location
from kadmin.core.model import Assignment, ResetTo
from kadmin.core.paths import path_problem
from kadmin.core.plan import Plan, PlanInputs
from kadmin.plan.planfile_access import access_action_to_document
from kadmin.plan.planfile_read import REWRITE_HINT, PlanFileError, plan_from_document
from kadmin.plan.planfile_rules import check_plan_rules

__all__ = [
    "PlanFileError",
    "action_to_document",
    "load_plan",
    "plan_from_document",
    "plan_to_document",
    "save_plan",
]


# --- Plan -> document ------------------------------------------------------------


def plan_to_document(plan: Plan) -> dict[str, Any]:
    """The plan as plain JSON values; actions in apply order (`Plan.ordered`)."""
    return {
        "format_version": plan.format_version,
        "kadmin_version": __version__,
        "cluster_id": plan.cluster_id,
        "cluster_name": plan.cluster_name,
        "cluster": {"name": plan.cluster_name, "id": plan.cluster_id, "bootstrap": plan.bootstrap},
        "spec_hash": plan.spec_hash,
        "created_at": plan.created_at,
        "fingerprint": plan.fingerprint,
        "topics_in_scope": list(plan.topics_in_scope),
        "applyable": plan.applyable,
        "summary": plan.summary(),
        "actions": [action_to_document(a) for a in plan.ordered()],
        "refusals": [_refusal_to_document(r) for r in plan.refusals],
        "notices": [{"target": str(n.target), "message": n.message} for n in plan.notices],
        "unmanaged": list(plan.unmanaged),
        "deletes": [
            {
                "topic": d.topic,
                "partitions": d.partitions,
                "enabled": d.enabled,
                "log_end_offsets": d.log_end_offsets,
            }
            for d in plan.deletes
        ],
        "only": list(plan.only),
        "broker_racks": {str(broker): rack for broker, rack in sorted(plan.broker_racks.items())},
        "origins": {
            topic: {name: _location_to_document(where) for name, where in sorted(fields.items())}
            for topic, fields in sorted(plan.origins.items())
        },
        "inputs": _inputs_to_document(plan.inputs),
    }


def _inputs_to_document(inputs: PlanInputs | None) -> dict[str, Any] | None:
    if inputs is None:
        return None
    document: dict[str, Any] = {
        "specs": list(inputs.specs),
        "manage": list(inputs.manage),
        "allow_delete": inputs.allow_delete,
        "prune_configs": inputs.prune_configs,
        "planned_at_ms": inputs.planned_at_ms,
        "partitions": dict(inputs.partitions),
    }
    # Only with environments, so that the plan file of specs without any keeps its format.
    if inputs.environment is not None:
        document["environment"] = inputs.environment
    # Likewise only when they say something, for specs without access sections.
    if inputs.manage_principals:
        document["manage_principals"] = list(inputs.manage_principals)
    if inputs.rotate_unknown:
        document["rotate_unknown"] = True
    return document


def _location_to_document(where: Location) -> dict[str, Any]:
    return {"file": where.file, "line": where.line, "column": where.column, "field": where.field}


def action_to_document(action: Action) -> dict[str, Any]:
    """One action: its kind, its topic or group, `destructive`, and its before/after fields."""
    match action:
        case CreateTopic():
            return {
                **_topic_head(action),
                "partitions": action.partitions,
                "replication_factor": action.replication_factor,
                "configs": dict(sorted(action.configs.items())),
                "assignment": _assignment_to_document(action.assignment),
            }
        case AddPartitions():
            return {
                **_topic_head(action),
                "before": action.before,
                "after": action.after,
                "new_assignment": _assignment_to_document(action.new_assignment),
            }
        case AlterConfigs():
            return {
                **_topic_head(action),
                "changes": [{"key": c.key, "before": c.before, "after": c.after} for c in action.changes],
            }
        case ReassignReplicas():
            return {
                **_topic_head(action),
                "moves": _moves_to_document(action.moves),
                "reason": action.reason,
            }
        case DeleteTopic():
            return {**_topic_head(action), "partitions": action.partitions}
        case ResetOffsets():
            return {
                "kind": action.kind,
                "target": str(action.target),
                "group": action.group,
                "destructive": action.destructive,
                "reset_id": action.reset_id,
                "group_exists": action.group_exists,
                "mode": _reset_to_document(action.to),
                "moves": [
                    {
                        "topic": m.topic,
                        "partition": m.partition,
                        "before": m.before,
                        "after": m.after,
                        # No committed offset means nothing is replayed or skipped: say so with null, not 0.
                        "delta": None if m.before is None else m.delta,
                    }
                    for m in action.moves
                ],
            }
        case FinishMove():
            return {**_topic_head(action), "moves": _moves_to_document(action.moves)}
        case RemoveThrottle():
            return {
                "kind": action.kind,
                "target": str(action.target),
                "topic": action.topic,
                "broker": action.broker,
                "destructive": action.destructive,
                "configs": dict(sorted(action.configs.items())),
            }
        case UpsertScram() | CreateAcl() | AlterQuota() | RemoveQuota() | DeleteAcl() | DeleteScram():
            return access_action_to_document(action)
        case _:
            assert_never(action)


_TopicAction = CreateTopic | AddPartitions | AlterConfigs | ReassignReplicas | DeleteTopic | FinishMove


def _moves_to_document(moves: tuple[PartitionMove, ...]) -> list[dict[str, Any]]:
    return [{"partition": m.partition, "before": list(m.before), "after": list(m.after)} for m in moves]


def _topic_head(action: _TopicAction) -> dict[str, Any]:
    return {
        "kind": action.kind,
        "target": str(action.target),
        "topic": action.topic,
        "destructive": action.destructive,
    }


def _assignment_to_document(assignment: Assignment | None) -> list[list[int]] | None:
    return None if assignment is None else [list(replicas) for replicas in assignment]


def _reset_to_document(to: ResetTo) -> dict[str, Any]:
    rows = None
    if to.file_offsets is not None:
        rows = [
            {"topic": topic, "partition": partition, "offset": offset}
            for (topic, partition), offset in sorted(to.file_offsets.items())
        ]
    return {"mode": to.mode.value, "value": to.value, "text": to.text, "file_offsets": rows}


def _refusal_to_document(refusal: Refusal) -> dict[str, Any]:
    where = refusal.where
    location = _location_to_document(where) if isinstance(where, Location) else None
    return {
        "target": str(refusal.target),
        "message": refusal.message,
        "where": None if where is None else str(where),
        "location": location,
        "hint": refusal.hint,
        "blocking": refusal.blocking,
    }


# --- files -----------------------------------------------------------------------


def save_plan(plan: Plan, path: Path, *, document: Mapping[str, Any] | None = None) -> None:
    """Write the plan document to `path`, byte for byte what `kadmin plan -o json` prints.

    `document` is that printed document when the caller has one (it adds fields for
    people, such as values in human units); the plan's own document otherwise.
    """
    save_plan_document(document if document is not None else plan_to_document(plan), path)


def save_plan_document(document: Mapping[str, Any], path: Path) -> None:
    """Write a plan document (one cluster's, or several environments') to `path` as JSON."""
    text = json.dumps(document, indent=2) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise PlanFileError(
            f"cannot write the plan file: {err.strerror or err}",
            where=str(path),
            hint="check that the directory exists and is writable",
        ) from None


def load_plan(path: Path) -> Plan:
    """Read a plan file written by `save_plan` or `kadmin plan -o json`, and check its actions
    against the planner's rules (`PlanFileError` names the file and the field)."""
    source = str(path)
    plan = plan_from_document(read_plan_document(path), source=source)
    check_plan_rules(plan, source)
    return plan


def read_plan_document(path: Path) -> object:
    """The JSON value of a plan file, not yet checked as a plan (`PlanFileError` when it cannot be read)."""
    source = str(path)
    problem = path_problem(path)
    if problem is None and path.is_dir():
        problem = ("is a directory, not a plan file", "give the file `kadmin plan --out FILE` wrote")
    if problem is not None:
        message, hint = problem
        if message == "does not exist":
            hint = "check the path; `kadmin plan --out FILE` writes a plan file"
        raise PlanFileError(f"cannot read the plan file: it {message}", where=source, hint=hint)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise PlanFileError(
            f"the plan file is not UTF-8 text (byte {err.start} is {err.object[err.start]:#04x})",
            where=source,
            hint=f"kadmin writes plan files as UTF-8 JSON; {REWRITE_HINT}",
        ) from None
    except OSError as err:
        reason = err.strerror or str(err)
        raise PlanFileError(
            f"cannot read the plan file: {reason}",
            where=source,
            hint="check the path; `kadmin plan --out FILE` writes a plan file",
        ) from None
    return parse_plan_json(text, source)


def parse_plan_json(text: str, source: str) -> object:
    """The JSON value of a plan file's text; a located `PlanFileError` when it is not JSON,
    is cut short, or nests deeper than Python's parser can follow."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        if not text.strip():
            message = "the plan file is empty"
        elif err.pos >= len(text.rstrip()) or not text.rstrip().endswith(("}", "]")):
            # A plan document is one object: text that stops before its closing brace was cut off.
            lines = text.count("\n") + 1
            message = f"the plan file is cut short: its JSON stops unfinished after line {lines}"
        else:
            message = f"not a JSON plan file: {err.msg}"
        raise PlanFileError(
            message,
            where=Location(source, err.lineno, err.colno),
            hint=f"pass the file `kadmin plan --out FILE` wrote, or {REWRITE_HINT}",
        ) from None
    except RecursionError:
        # A plan nests six levels deep; `[` x 100,000 exhausts the parser's stack.
        raise PlanFileError(
            "not a plan file: its JSON nests lists or objects thousands of levels deep",
            where=source,
            hint=f"pass the file `kadmin plan --out FILE` wrote, or {REWRITE_HINT}",
        ) from None
