"""The human view of a plan and of an apply: terraform-style `+ ~ - !` lines.

`plan_lines` turns a plan into styled-agnostic lines (the markdown view reuses
them); `render_plan` and `render_apply_report` print them on a rich console,
which alone decides whether colour is shown. Only this module and its siblings
in `kadmin.render` print.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, assert_never

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    CreateTopic,
    DeleteTopic,
    FinishMove,
    OffsetMove,
    ReassignReplicas,
    Refusal,
    RemoveThrottle,
    ResetOffsets,
)
from kadmin.core.errors import Location
from kadmin.core.plan import Plan
from kadmin.kafka.port import Outcome

NO_CHANGES = "No changes. The cluster matches the spec."

CHANGE_STYLES = {"+": "green", "~": "yellow", "-": "red", "!": "bold red"}
"""Colour per change symbol: create, update, delete, refused."""


class Line(NamedTuple):
    """One line of a plan body.

    `change` is ``+``, ``~``, ``-`` or empty; `marked` says whether the symbol is
    shown (per-partition detail lines inherit their parent's change unmarked);
    `header` marks a topic or group heading. A NamedTuple rather than a frozen
    dataclass: a 10,000-topic plan has a few hundred thousand lines, and tuple
    construction is several times cheaper.
    """

    depth: int
    change: str
    text: str
    marked: bool = True
    header: bool = False


# --- what to say -----------------------------------------------------------------


def plan_lines(plan: Plan) -> list[Line]:
    """The body of a plan: one heading per broker, then per topic, then per group, each sorted
    by name, with the actions on it in apply order below."""
    brokers: dict[int, list[RemoveThrottle]] = {}
    topics: dict[str, list[Action]] = {}
    groups: dict[str, list[ResetOffsets]] = {}
    for action in plan.ordered():
        if isinstance(action, ResetOffsets):
            groups.setdefault(action.group, []).append(action)
        elif isinstance(action, RemoveThrottle) and action.broker is not None:
            brokers.setdefault(action.broker, []).append(action)
        elif action.topic is not None:
            topics.setdefault(action.topic, []).append(action)
    lines: list[Line] = []
    for broker in sorted(brokers):
        lines.append(Line(0, "~", f"broker {broker}", header=True))
        for action in brokers[broker]:
            lines.extend(_action_lines(action))
    for name in sorted(topics):
        actions = topics[name]
        change = (
            "+"
            if any(isinstance(a, CreateTopic) for a in actions)
            else "-"
            if any(isinstance(a, DeleteTopic) for a in actions)
            else "~"
        )
        lines.append(Line(0, change, f"topic {name}", header=True))
        for action in actions:
            lines.extend(_action_lines(action))
    for name in sorted(groups):
        resets = groups[name]
        new = "" if all(r.group_exists for r in resets) else " (new group)"
        lines.append(Line(0, "~", f"group {_clean(name)}{new}", header=True))
        for reset in resets:
            lines.extend(_action_lines(reset))
    return lines


def _action_lines(action: Action) -> Iterator[Line]:
    match action:
        case CreateTopic():
            yield Line(1, "+", f"partitions: {action.partitions}")
            yield Line(1, "+", f"replication_factor: {action.replication_factor}")
            for key, value in sorted(action.configs.items()):
                yield Line(1, "+", f"{key}: {_quote(value)}")
            if action.assignment is not None:
                yield Line(1, "+", "replicas:")
                for pid, replicas in enumerate(action.assignment):
                    yield Line(2, "+", f"p{pid}: {_replicas(replicas)}", marked=False)
        case AddPartitions():
            yield Line(1, "~", f"partitions: {action.before} → {action.after}")
            for offset, replicas in enumerate(action.new_assignment or ()):
                yield Line(2, "+", f"p{action.before + offset}: {_replicas(replicas)}")
        case AlterConfigs():
            for change in sorted(action.changes, key=lambda c: c.key):
                if change.before is None and change.after is not None:
                    yield Line(1, "+", f"{change.key}: {_quote(change.after)}")
                elif change.after is None:
                    yield Line(1, "-", f"{change.key}: {_quote(change.before)}")
                else:
                    yield Line(1, "~", f"{change.key}: {_quote(change.before)} → {_quote(change.after)}")
        case ReassignReplicas():
            yield Line(1, "~", f"replicas: {_clean(action.reason)}" if action.reason else "replicas:")
            for pmove in sorted(action.moves, key=lambda m: m.partition):
                text = f"p{pmove.partition}: {_replicas(pmove.before)} → {_replicas(pmove.after)}"
                yield Line(2, "~", text, marked=False)
        case DeleteTopic():
            yield Line(1, "-", f"partitions: {action.partitions}")
        case FinishMove():
            yield Line(1, "~", "replicas: finish the move left running")
            for pmove in sorted(action.moves, key=lambda m: m.partition):
                text = f"p{pmove.partition}: {_replicas(pmove.before)} → {_replicas(pmove.after)}"
                yield Line(2, "~", text, marked=False)
        case RemoveThrottle():
            for key, value in sorted(action.configs.items()):
                yield Line(1, "-", f"{key}: {_quote(value)} (replication throttle left behind)")
        case ResetOffsets():
            reset_id = f" (reset id {action.reset_id})" if action.reset_id else ""
            yield Line(1, "~", _clean(f"offsets: reset to {action.to}{reset_id}"))
            for omove in sorted(action.moves, key=lambda m: (m.topic, m.partition)):
                yield Line(2, "~", _offset_move(omove), marked=False)
        case _:
            assert_never(action)


def _quote(value: str | None) -> str:
    return "(unset)" if value is None else json.dumps(value, ensure_ascii=False)


def _replicas(replicas: Iterable[int]) -> str:
    return "[" + ", ".join(map(str, replicas)) + "]"


def _offset_move(move: OffsetMove) -> str:
    head = f"{move.topic}/{move.partition}: "
    if move.before is None:
        return f"{head}(none) → {move.after}"
    delta = move.delta
    effect = f"replays {-delta}" if delta < 0 else f"skips {delta}" if delta > 0 else "unchanged"
    return f"{head}{move.before} → {move.after} ({effect})"


def destructive_warning(plan: Plan) -> str | None:
    """One sentence naming what the plan destroys, or None when nothing is destroyed."""
    deletes = sum(1 for a in plan.actions if isinstance(a, DeleteTopic))
    groups = len({a.group for a in plan.actions if isinstance(a, ResetOffsets)})
    parts = []
    if deletes:
        parts.append(f"deletes {_count(deletes, 'topic')}")
    if groups:
        parts.append(f"resets offsets of {_count(groups, 'group')}")
    return f"This plan {' and '.join(parts)}." if parts else None


def summary_lines(plan: Plan) -> list[str]:
    """The closing lines: the terraform-style count, then refused and unmanaged counts when nonzero."""
    counts = plan.summary()
    lines = [
        f"Plan: {counts['create']} to create, {counts['update']} to update, {counts['delete']} to delete."
    ]
    if counts["refused"]:
        lines.append(f"{counts['refused']} refused.")
    if counts["unmanaged"]:
        lines.append(f"{_count(counts['unmanaged'], 'unmanaged topic')} left alone.")
    return lines


def refusal_where(refusal: Refusal) -> str | None:
    """Where a refusal points, unless that only repeats its target."""
    where = refusal.where
    if where is None:
        return None
    text = str(where)
    if not isinstance(where, Location) and text == refusal.target.describe():
        return None
    return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --- printing --------------------------------------------------------------------

_STYLES = {name: Style.parse(name) for name in ("green", "yellow", "red", "bold red", "bold", "dim")}


class _Output:
    """Output built as rich segments, adjacent plain text merged into one.

    rich's `Text` re-splits, re-wraps and re-styles every line; for a 10,000-topic
    plan that takes seconds, while prebuilt segments print in milliseconds. The
    console still decides whether styles become colour codes.
    """

    def __init__(self) -> None:
        self._segments: list[Segment] = []
        self._plain: list[str] = []

    def plain(self, text: str) -> None:
        self._plain.append(text)

    def styled(self, text: str, style: str) -> None:
        self._flush()
        self._segments.append(Segment(text, _STYLES[style]))

    def take(self) -> tuple[list[Segment], list[str]]:
        """The segments and pending plain text, for a loop that appends to them directly."""
        return self._segments, self._plain

    def give(self, segments: list[Segment], plain: list[str]) -> None:
        self._segments, self._plain = segments, plain

    def _flush(self) -> None:
        if self._plain:
            self._segments.append(Segment("".join(self._plain)))
            self._plain = []

    def print(self, console: Console) -> None:
        self._flush()
        # Exactly one newline at the end, however the last section ended.
        while self._segments and self._segments[-1].text.endswith("\n"):
            last = self._segments.pop()
            if last.text.rstrip("\n"):
                self._segments.append(Segment(last.text.rstrip("\n"), last.style))
                break
        self._segments.append(Segment("\n"))
        # soft_wrap: no re-wrapping at console width, so copied lines stay whole.
        console.print(_Segments(self._segments), soft_wrap=True)


class _Segments:
    def __init__(self, segments: list[Segment]) -> None:
        self.segments = segments

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        return self.segments


def render_plan(plan: Plan, console: Console) -> None:
    """Print the plan: destructive warning, body, refusals, notices, closing counts."""
    out = _Output()
    if not plan.actions and not plan.refusals:
        _write_notices(out, plan)
        out.plain(NO_CHANGES + "\n")
        if plan.unmanaged:
            out.plain(summary_lines(plan)[-1] + "\n")
        out.print(console)
        return
    warning = destructive_warning(plan)
    if warning:
        out.styled(warning, "bold red")
        out.plain("\n\n")
    _write_lines(out, plan_lines(plan))
    if plan.refusals:
        if plan.actions:
            out.plain("\n")
        out.styled("Refused: the plan cannot be applied until these are resolved.", "bold")
        out.plain("\n")
        for refusal in sorted(plan.refusals, key=lambda r: (r.target, r.message)):
            out.styled("!", CHANGE_STYLES["!"])
            out.plain(f" {_clean(refusal.target.describe())}: {_clean(refusal.message)}\n")
            where = refusal_where(refusal)
            if where:
                out.styled(f"    at {_clean(where)}", "dim")
                out.plain("\n")
            if refusal.hint:
                out.styled(f"    hint: {_clean(refusal.hint)}", "dim")
                out.plain("\n")
    _write_notices(out, plan)
    counts = summary_lines(plan)
    out.plain("\n")
    out.styled(counts[0], "bold")
    out.plain("".join(f"\n{line}" for line in counts[1:]))
    out.print(console)


def _write_lines(out: _Output, lines: Iterable[Line]) -> None:
    # The hot loop of a large plan: plain text is gathered into one list and
    # only the marks and headings become their own (shared) styled segments.
    marks = {change: Segment(change, _STYLES[style]) for change, style in CHANGE_STYLES.items()}
    bold = _STYLES["bold"]
    segments, plain = out.take()
    for depth, change, text, marked, header in lines:
        if marked and change:
            plain.append("    " * depth)
            segments.append(Segment("".join(plain)))
            segments.append(marks[change])
            if header:
                segments.append(Segment(" "))
                segments.append(Segment(text, bold))
                plain = ["\n"]
            else:
                plain = [" ", text, "\n"]
        else:
            plain.append("    " * depth + text + "\n")
    out.give(segments, plain)


def _write_notices(out: _Output, plan: Plan) -> None:
    if not plan.notices:
        return
    if plan.actions or plan.refusals:
        out.plain("\n")
    out.styled("Notices:", "bold")
    out.plain("\n")
    for notice in sorted(plan.notices, key=lambda n: (n.target, n.message)):
        out.plain(f"  {_clean(notice.target.describe())}: {_clean(notice.message)}\n")
    if not plan.actions and not plan.refusals:
        out.plain("\n")


_CONTROL_CHARACTERS: dict[int, str | None] = {
    **dict.fromkeys((*range(0x20), 0x7F, *range(0x80, 0xA0))),
    0x09: " ",
    0x0A: " ",
}


def _clean(text: str) -> str:
    # Messages can quote what a user or a broker wrote; an escape sequence in a group
    # name or an error must not reach the terminal, and a newline must not break a line.
    return text.translate(_CONTROL_CHARACTERS)


def render_apply_report(results: Sequence[tuple[Action, Outcome]], console: Console) -> None:
    """Print one ✓/✗ line per target, then ``Apply complete: N succeeded, N failed.``"""
    out = _Output()
    failed = 0
    for action, outcome in results:
        target = _clean(outcome.target.describe())
        if outcome.ok:
            out.styled("✓", "green")
            out.plain(f" {target}: {_done(action)}\n")
        else:
            failed += 1
            out.styled("✗", "bold red")
            out.plain(f" {target}: {_attempt(action)} failed: {_clean(outcome.error) or 'unknown error'}\n")
    if results:
        out.plain("\n")
    out.styled(f"Apply complete: {len(results) - failed} succeeded, {failed} failed.", "bold")
    out.print(console)


def _done(action: Action) -> str:
    match action:
        case CreateTopic():
            return f"created ({action.partitions} partitions, replication factor {action.replication_factor})"
        case AddPartitions():
            return f"partitions {action.before} → {action.after}"
        case AlterConfigs():
            return f"{_count(len(action.changes), 'config')} changed"
        case ReassignReplicas():
            return f"reassignment of {_count(len(action.moves), 'partition')} submitted"
        case DeleteTopic():
            return "deleted"
        case ResetOffsets():
            return f"offsets reset on {_count(len(action.moves), 'partition')}"
        case FinishMove():
            return f"move of {_count(len(action.moves), 'partition')} finished"
        case RemoveThrottle():
            return "replication throttle removed"
        case _:
            assert_never(action)


def _attempt(action: Action) -> str:
    match action:
        case CreateTopic():
            return "create"
        case AddPartitions():
            return "add partitions"
        case AlterConfigs():
            return "alter configs"
        case ReassignReplicas():
            return "reassign replicas"
        case DeleteTopic():
            return "delete"
        case ResetOffsets():
            return "reset offsets"
        case FinishMove():
            return "finish the move"
        case RemoveThrottle():
            return "remove the replication throttle"
        case _:
            assert_never(action)
