"""The machine view: the plan document (docs/plan-json.md) and the apply report document.

The plan document is built by `kadmin.plan.planfile`, because a saved plan
file is that same document; this module adds what is there for people only
(config values in the spec's units beside Kafka's strings), which reading a
plan file back ignores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kadmin import __version__
from kadmin.core.access_actions import ACCESS_ACTIONS
from kadmin.core.actions import Action, RemoveThrottle, ResetOffsets
from kadmin.core.plan import FORMAT_VERSION, Plan
from kadmin.kafka.port import Outcome
from kadmin.plan.planfile import plan_to_document
from kadmin.render.review import human


def plan_document(plan: Plan) -> dict[str, Any]:
    """The stable plan document; `kadmin.plan.planfile.load_plan` reads it back.

    Config values keep Kafka's strings; `configs_human` (created topics) and
    `before_human`/`after_human` (config changes) give them in the spec's units
    (``"7d"`` for ``"604800000"``), or as they are when the key has no unit.
    """
    document = plan_to_document(plan)
    for action in document["actions"]:
        if action["kind"] == "create_topic":
            action["configs_human"] = {k: _human(k, v) for k, v in action["configs"].items()}
        elif action["kind"] == "alter_configs":
            for change in action["changes"]:
                change["before_human"] = _human(change["key"], change["before"])
                change["after_human"] = _human(change["key"], change["after"])
    return document


def _human(key: str, value: str | None) -> str | None:
    return None if value is None else human(key, value) or value


def apply_report_document(results: Sequence[tuple[Action, Outcome]]) -> dict[str, Any]:
    """One entry per action applied, in the order applied, with the counts."""
    entries: list[dict[str, Any]] = []
    for action, outcome in results:
        name: dict[str, str | int | None]
        if isinstance(action, ResetOffsets):
            name = {"group": action.group}
        elif isinstance(action, RemoveThrottle) and action.broker is not None:
            name = {"broker": action.broker}
        elif isinstance(action, ACCESS_ACTIONS):
            name = {}
        else:
            name = {"topic": action.topic}
        entries.append(
            {
                "kind": action.kind,
                "target": str(outcome.target),
                **name,
                "ok": outcome.ok,
                "error": None if outcome.ok else outcome.error,
            }
        )
    failed = sum(1 for entry in entries if not entry["ok"])
    return {
        "format_version": FORMAT_VERSION,
        "kadmin_version": __version__,
        "results": entries,
        "summary": {"succeeded": len(entries) - failed, "failed": failed},
    }
