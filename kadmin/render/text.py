"""The human view of a plan and of an apply: terraform-style `+ ~ - !` lines.

`render.plan_lines` says what a plan holds, line by line (the markdown view reuses
it); `render_plan` and `render_apply_report` print it on a rich console, which alone
decides whether colour is shown. Only this module and its siblings in `kadmin.render`
print.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import assert_never

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

from kadmin.core.access_actions import AlterQuota, CreateAcl, DeleteAcl, DeleteScram, RemoveQuota, UpsertScram
from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    CreateTopic,
    DeleteTopic,
    FinishMove,
    ReassignReplicas,
    RemoveThrottle,
    ResetOffsets,
)
from kadmin.core.plan import Plan
from kadmin.kafka.port import Outcome
from kadmin.render.access_lines import access_attempt, access_done
from kadmin.render.plan_lines import (
    NO_CHANGES,
    WILL_DELETE,
    WOULD_DELETE,
    Line,
    cluster_line,
    delete_lines,
    destructive_warning,
    partial_line,
    plan_lines,
    summary_lines,
)
from kadmin.render.plan_lines import clean as _clean
from kadmin.render.review import count, refusal_groups, targets_text

CHANGE_STYLES = {"+": "green", "~": "yellow", "-": "red", "!": "bold red"}
"""Colour per change symbol: create, update, delete, refused."""


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


def render_plan(plan: Plan, console: Console, *, detailed: bool = False) -> None:
    """Print the plan: what it is limited to, destructive warning, body, deletes,
    refusals, notices, closing counts. `detailed` lists every replica list."""
    out = _Output()
    out.styled(_clean(cluster_line(plan)), "bold")
    out.plain("\n\n")
    partial = partial_line(plan)
    if partial:
        out.styled(partial, "bold")
        out.plain("\n\n")
    if not plan.actions and not plan.refusals:
        _write_notices(out, plan)
        _write_deletes(out, plan)
        out.plain(NO_CHANGES + "\n")
        if plan.unmanaged:
            out.plain(summary_lines(plan)[-1] + "\n")
        out.print(console)
        return
    warning = destructive_warning(plan)
    if warning:
        out.styled(warning, "bold red")
        out.plain("\n\n")
    body = plan_lines(plan, detailed=detailed)
    _write_lines(out, body)
    if body:
        out.plain("\n")
    _write_deletes(out, plan)
    _write_refusals(out, plan)
    _write_notices(out, plan)
    counts = summary_lines(plan)
    out.styled(counts[0], "bold")
    out.plain("".join(f"\n{line}" for line in counts[1:]))
    out.print(console)


def _write_deletes(out: _Output, plan: Plan) -> None:
    will, would = delete_lines(plan)
    for title, items, mark in ((WILL_DELETE, will, "-"), (WOULD_DELETE, would, "")):
        if not items:
            continue
        out.styled(title, "bold red" if mark else "bold")
        out.plain("\n")
        for item in items:
            if mark:
                out.styled(mark, CHANGE_STYLES[mark])
                out.plain(f" topic {_clean(item)}\n")
            else:
                out.plain(f"  topic {_clean(item)}\n")
        out.plain("\n")


REFUSED = "Refused: the plan cannot be applied until these are resolved."
HELD = "Held back (the rest of the plan is applied; the command then exits 1):"


def _write_refusals(out: _Output, plan: Plan) -> None:
    blocking = [r for r in plan.refusals if r.blocking]
    for title, refusals in ((REFUSED, blocking), (HELD, plan.held)):
        if not refusals:
            continue
        out.styled(title, "bold")
        out.plain("\n")
        for group in refusal_groups(refusals):
            out.styled("!", CHANGE_STYLES["!"])
            if len(group.targets) == 1:
                out.plain(f" {_clean(targets_text(group.targets))}: {_clean(group.message)}\n")
            else:
                out.plain(f" {_clean(group.message)}\n    on {_clean(targets_text(group.targets))}\n")
            if group.where:
                out.styled(f"    at {_clean(group.where)}", "dim")
                out.plain("\n")
            if group.hint:
                out.styled(f"    hint: {_clean(group.hint)}", "dim")
                out.plain("\n")
        out.plain("\n")


def _write_lines(out: _Output, lines: Iterable[Line]) -> None:
    # The hot loop of a large plan: plain text is gathered into one list and
    # only the marks, headings and locations become their own (shared) styled segments.
    marks = {change: Segment(change, _STYLES[style]) for change, style in CHANGE_STYLES.items()}
    bold, dim = _STYLES["bold"], _STYLES["dim"]
    segments, plain = out.take()
    for depth, change, text, marked, header, where in lines:
        if marked and change:
            plain.append("    " * depth)
            segments.append(Segment("".join(plain)))
            segments.append(marks[change])
            if header:
                segments.append(Segment(" "))
                segments.append(Segment(text, bold))
                plain = []
            else:
                plain = [" ", text]
        else:
            plain.append("    " * depth + text)
        if where:
            segments.append(Segment("".join(plain)))
            segments.append(Segment(f"  # {_clean(where)}", dim))
            plain = ["\n"]
        else:
            plain.append("\n")
    out.give(segments, plain)


def _write_notices(out: _Output, plan: Plan) -> None:
    if not plan.notices:
        return
    out.styled("Notices:", "bold")
    out.plain("\n")
    for notice in sorted(plan.notices, key=lambda n: (n.target, n.message)):
        out.plain(f"  {_clean(notice.target.describe())}: {_clean(notice.message)}\n")
    out.plain("\n")


def render_apply_report(
    results: Sequence[tuple[Action, Outcome]], console: Console, *, moves_waited: bool = True
) -> None:
    """Print one ✓/✗ line per target, then ``Apply complete: N succeeded, N failed.``

    `moves_waited` says whether apply followed replica moves to the end (a success then
    means the replicas arrived) or only started them (``--no-wait``).
    """
    out = _Output()
    failed = 0
    for action, outcome in results:
        target = _clean(outcome.target.describe())
        if outcome.ok:
            out.styled("✓", "green")
            out.plain(f" {target}: {_done(action, moves_waited)}\n")
        else:
            failed += 1
            out.styled("✗", "bold red")
            out.plain(f" {target}: {_attempt(action)} failed: {_clean(outcome.error) or 'unknown error'}\n")
    if results:
        out.plain("\n")
    out.styled(f"Apply complete: {len(results) - failed} succeeded, {failed} failed.", "bold")
    out.print(console)


def _done(action: Action, moves_waited: bool) -> str:
    match action:
        case CreateTopic():
            return f"created ({action.partitions} partitions, replication factor {action.replication_factor})"
        case AddPartitions():
            return f"partitions {action.before} → {action.after}"
        case AlterConfigs():
            return f"{count(len(action.changes), 'config')} changed"
        case ReassignReplicas():
            if moves_waited:
                return f"{count(len(action.moves), 'partition')} moved: replicas on their targets"
            started = count(len(action.moves), "partition")
            return f"move of {started} started (`kadmin reassignments wait` follows it)"
        case DeleteTopic():
            return "deleted"
        case ResetOffsets():
            return f"offsets reset on {count(len(action.moves), 'partition')}"
        case FinishMove():
            return f"move of {count(len(action.moves), 'partition')} finished"
        case RemoveThrottle():
            return "replication throttle removed"
        case UpsertScram() | CreateAcl() | AlterQuota() | RemoveQuota() | DeleteAcl() | DeleteScram():
            return access_done(action)
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
        case UpsertScram() | CreateAcl() | AlterQuota() | RemoveQuota() | DeleteAcl() | DeleteScram():
            return access_attempt(action)
        case _:
            assert_never(action)
