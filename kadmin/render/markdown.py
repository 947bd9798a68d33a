"""The pull-request view of a plan: markdown with the body in a ``diff`` block.

It shows the same lines as the text view (`render.text.plan_lines`), with the
change symbol moved to the first column, where GitHub's diff highlighting looks:
``+`` green, ``-`` red, and ``!`` (an update) orange.
"""

from __future__ import annotations

import html
import re

from kadmin.core.plan import Plan
from kadmin.render.text import (
    NO_CHANGES,
    Line,
    destructive_warning,
    plan_lines,
    refusal_where,
    summary_lines,
)

COLLAPSE_AFTER = 30
"""Bodies longer than this many lines are folded into a <details> element."""

_DIFF_MARK = {"+": "+", "-": "-", "~": "!", "!": "!", "": " "}


def render_plan_markdown(plan: Plan) -> str:
    """The plan as a markdown comment: heading, warning, diff body, refusals, notices."""
    counts = summary_lines(plan)
    empty = not plan.actions and not plan.refusals
    parts = [f"### {NO_CHANGES if empty else counts[0]}", _cluster_line(plan)]
    warning = destructive_warning(plan)
    if warning:
        parts.append(f"> [!WARNING]\n> {warning}")
    if plan.actions:
        body = [_diff_line(line) for line in plan_lines(plan)]
        block = _fenced("diff", body)
        if len(body) > COLLAPSE_AFTER:
            noun = "change" if len(plan.actions) == 1 else "changes"
            summary = html.escape(f"Show {len(plan.actions)} {noun} ({len(body)} lines)")
            block = f"<details><summary>{summary}</summary>\n\n{block}\n\n</details>"
        parts.append(block)
    if plan.refusals:
        items = []
        for refusal in sorted(plan.refusals, key=lambda r: (r.target, r.message)):
            item = f"- **{_escape(refusal.target.describe())}**: {_escape(refusal.message)}"
            where = refusal_where(refusal)
            if where:
                item += f" ({_code(where)})"
            if refusal.hint:
                item += f"<br>Hint: {_escape(refusal.hint)}"
            items.append(item)
        parts.append(
            "**Refused**: the plan cannot be applied until these are resolved.\n\n" + "\n".join(items)
        )
    if plan.notices:
        items = [
            f"- **{_escape(n.target.describe())}**: {_escape(n.message)}"
            for n in sorted(plan.notices, key=lambda n: (n.target, n.message))
        ]
        parts.append("**Notices**\n\n" + "\n".join(items))
    # Refused and unmanaged counts; an empty plan has no refusals, so at most the unmanaged one.
    parts.append(" ".join(counts[1:]))
    return "\n\n".join(part for part in parts if part) + "\n"


def _cluster_line(plan: Plan) -> str:
    name = (
        f"{_code(plan.cluster_name)} ({_code(plan.cluster_id)})"
        if plan.cluster_name
        else _code(plan.cluster_id)
    )
    when = f", planned at {plan.created_at}" if plan.created_at else ""
    return f"Cluster {name}{when}."


def _diff_line(line: Line) -> str:
    return f"{_DIFF_MARK[line.change]} {'    ' * line.depth}{line.text}"


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
