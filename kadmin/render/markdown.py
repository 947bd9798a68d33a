"""The pull-request view of a plan: markdown made to be read in a PR comment.

A summary table first, then the changes in a ``diff`` block (the same lines as the
text view, `render.text.plan_lines`, with the change symbol in the first column:
``+`` create, ``~`` update; ``!`` is kept for refusals, which have their own
section), then deletes and refusals in sections of their own. Long sections fold
into ``<details>``.
"""

from __future__ import annotations

import html
import re

from kadmin.core.plan import Plan
from kadmin.render.plan_lines import (
    NO_CHANGES,
    Line,
    delete_lines,
    destructive_warning,
    partial_line,
    plan_lines,
    summary_lines,
)
from kadmin.render.review import RefusalGroup, count, refusal_groups, targets_text

COLLAPSE_AFTER = 30
"""Sections longer than this many lines are folded into a <details> element."""

LEGEND = "`+` create · `~` update · `-` delete · `!` refused"


def render_plan_markdown(plan: Plan, *, detailed: bool = False) -> str:
    """The plan as a markdown comment: title, cluster, summary table, changes, deletes,
    refusals, notices."""
    counts = summary_lines(plan)
    empty = not plan.actions and not plan.refusals
    title = NO_CHANGES if empty else counts[0]
    parts = [f"### {_escape(plan.cluster_name or plan.cluster_id)}: {title}", _cluster_line(plan)]
    partial = partial_line(plan)
    if partial:
        parts.append(f"> [!NOTE]\n> {_escape(partial)}")
    warning = destructive_warning(plan)
    if warning:
        parts.append(f"> [!WARNING]\n> {warning}")
    if not empty:
        parts.append(_summary_table(plan))
    body = [_diff_line(line) for line in plan_lines(plan, detailed=detailed)]
    if body:
        block = _fenced("diff", body)
        changes = len([a for a in plan.actions if a.kind != "delete_topic"])
        parts.append("#### Changes\n\n" + _folded(block, len(body), f"{count(changes, 'change')}"))
    parts.extend(_deletes(plan))
    blocking = [r for r in plan.refusals if r.blocking]
    for title, refusals in (
        ("#### Refused\n\nThe plan cannot be applied until these are resolved.", blocking),
        ("#### Held back\n\nThe rest of the plan is applied; the command then exits 1.", plan.held),
    ):
        if refusals:
            items = [_refusal_item(group) for group in refusal_groups(refusals)]
            parts.append(f"{title}\n\n" + _folded("\n".join(items), len(items), count(len(items), "refusal")))
    if plan.notices:
        items = [
            f"- **{_escape(n.target.describe())}**: {_escape(n.message)}"
            for n in sorted(plan.notices, key=lambda n: (n.target, n.message))
        ]
        parts.append("#### Notices\n\n" + _folded("\n".join(items), len(items), count(len(items), "notice")))
    if plan.unmanaged:
        parts.append(counts[-1])
    return "\n\n".join(part for part in parts if part) + "\n"


def _refusal_item(group: RefusalGroup) -> str:
    item = f"- `!` **{_escape(targets_text(group.targets))}**: {_escape(group.message)}"
    if len(group.targets) > 1:
        item = f"- `!` {_escape(group.message)}<br>On {_escape(targets_text(group.targets))}"
    if group.where:
        item += f" ({_code(group.where)})"
    if group.hint:
        item += f"<br>Hint: {_escape(group.hint)}"
    return item


def _summary_table(plan: Plan) -> str:
    summary = plan.summary()
    would = sum(1 for d in plan.deletes if not d.enabled)
    rows = [
        ("`+`", "create", summary["create"]),
        ("`~`", "update", summary["update"]),
        ("`-`", "delete", summary["delete"]),
    ]
    if would:
        rows.append(("", "would delete, not enabled", would))
    if summary["refused"]:
        rows.append(("`!`", "refused", summary["refused"]))
    lines = ["| | Change | Count |", "|---|---|---:|", *(f"| {m} | {k} | {n} |" for m, k, n in rows)]
    return "\n".join(lines) + f"\n\n{LEGEND}"


def _deletes(plan: Plan) -> list[str]:
    will, would = delete_lines(plan)
    sections = []
    for title, items in (
        ("#### `-` Will delete (`--allow-delete`)", will),
        ("#### Would delete, not enabled (kept; `--allow-delete` deletes them)", would),
    ):
        if items:
            rows = "\n".join(f"- topic {_escape_first(item)}" for item in items)
            sections.append(f"{title}\n\n" + _folded(rows, len(items), count(len(items), "topic")))
    return sections


def _escape_first(item: str) -> str:
    name, _, rest = item.partition(": ")
    return f"{_code(name)}: {_escape(rest)}"


def _folded(block: str, lines: int, what: str) -> str:
    if lines <= COLLAPSE_AFTER:
        return block
    summary = html.escape(f"Show {what} ({lines} lines)")
    return f"<details><summary>{summary}</summary>\n\n{block}\n\n</details>"


def _cluster_line(plan: Plan) -> str:
    name = (
        f"{_code(plan.cluster_name)} ({_code(plan.cluster_id)})"
        if plan.cluster_name
        else _code(plan.cluster_id)
    )
    via = f" via {_code(plan.bootstrap)}" if plan.bootstrap else ""
    when = f", planned at {plan.created_at}" if plan.created_at else ""
    return f"Cluster {name}{via}{when}."


def _diff_line(line: Line) -> str:
    where = f"  # {line.where}" if line.where else ""
    mark = line.change if line.marked and line.change else " "
    return f"{mark} {'    ' * line.depth}{line.text}{where}"


def _fenced(language: str, lines: list[str]) -> str:
    # A fence must be longer than any backtick run inside (a config value could hold one).
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join([f"{fence}{language}", *lines, fence])


def _code(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def _escape(text: str) -> str:
    """Markdown-inert text: messages may quote names with underscores or angle brackets."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))
