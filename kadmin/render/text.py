"""The human view of a plan and of an apply: terraform-style `+ ~ - !` lines.

`plan_lines` turns a plan into styled-agnostic lines (the markdown view reuses
them); `render_plan` and `render_apply_report` print them on a rich console,
which alone decides whether colour is shown. Only this module and its siblings
in `kadmin.render` print.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, assert_never

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    ConfigChange,
    CreateTopic,
    DeleteTopic,
    FinishMove,
    OffsetMove,
    ReassignReplicas,
    RemoveThrottle,
    ResetOffsets,
)
from kadmin.core.plan import DeleteCandidate, Plan
from kadmin.kafka.port import Outcome
from kadmin.render.drift import cluster_name
from kadmin.render.review import (
    DETAIL_LIMIT,
    count,
    layer_of,
    placement_summary,
    refusal_groups,
    replicas,
    shared_changes,
    show_change,
    show_value,
    spot,
    targets_text,
)

NO_CHANGES = "No changes. The cluster matches the spec."

CHANGE_STYLES = {"+": "green", "~": "yellow", "-": "red", "!": "bold red"}
"""Colour per change symbol: create, update, delete, refused."""


class Line(NamedTuple):
    """One line of a plan body.

    `change` is ``+``, ``~``, ``-`` or empty; `marked` says whether the symbol is
    shown (per-partition detail lines inherit their parent's change unmarked);
    `header` marks a topic, group or shared-settings heading; `where` is the
    ``file:line`` the change was written at, or empty. A NamedTuple rather than a
    frozen dataclass: a 10,000-topic plan has tens of thousands of lines, and tuple
    construction is several times cheaper.
    """

    depth: int
    change: str
    text: str
    marked: bool = True
    header: bool = False
    where: str = ""


# --- what to say -----------------------------------------------------------------


def plan_lines(plan: Plan, *, detailed: bool = False) -> list[Line]:
    """The body of a plan: changes shared through `defaults` or a profile first, then one
    heading per topic and per group, each sorted by name, with its actions in apply order.

    Deletes are not here: `delete_lines` gives them their own section. `detailed` lists
    every replica list instead of placement summaries.
    """
    brokers: dict[int, list[RemoveThrottle]] = {}
    topics: dict[str, list[Action]] = {}
    groups: dict[str, list[ResetOffsets]] = {}
    configs: list[tuple[str, ConfigChange, bool]] = []
    for action in plan.ordered():
        if isinstance(action, ResetOffsets):
            groups.setdefault(action.group, []).append(action)
        elif isinstance(action, RemoveThrottle) and action.broker is not None:
            brokers.setdefault(action.broker, []).append(action)
        elif not isinstance(action, DeleteTopic) and action.topic is not None:
            topics.setdefault(action.topic, []).append(action)
        if isinstance(action, CreateTopic):
            configs.extend((action.topic, ConfigChange(k, None, v), True) for k, v in action.configs.items())
        elif isinstance(action, AlterConfigs):
            configs.extend((action.topic, change, False) for change in action.changes)
    shared, covered = shared_changes(plan, configs)
    created = {a.topic for a in plan.actions if isinstance(a, CreateTopic)}
    lines: list[Line] = []
    for broker in sorted(brokers):
        lines.append(Line(0, "~", f"broker {broker}", header=True))
        for throttle in brokers[broker]:
            lines.extend(_throttle_lines(throttle))
    for block in shared:
        mark = "+" if block.creates else "~"
        noun = "new topic" if block.creates else "topic"
        lines.append(Line(0, mark, f"{block.layer}: {count(len(block.topics), noun)}", header=True))
        for change, at, missed in block.changes:
            but = f" (not on {', '.join(missed)})" if missed else ""
            lines.append(Line(1, mark, show_change(change) + but, where=spot(at)))
        every = block.creates and set(block.topics) == created
        on = "on every new topic" if every else "on " + ", ".join(block.topics)
        lines.append(Line(1, "", on, marked=False))
    for name in sorted(topics):
        view = _Topic(plan, name, covered, detailed)
        body = [line for action in topics[name] for line in view.lines(action)]
        creates = any(isinstance(a, CreateTopic) for a in topics[name])
        if not body and not creates:
            continue  # every change it has is shown under its profile or defaults
        lines.extend(view.heading(topics[name]))
        lines.extend(body)
    for name in sorted(groups):
        resets = groups[name]
        new = "" if all(r.group_exists for r in resets) else " (new group)"
        lines.append(Line(0, "~", f"group {_clean(name)}{new}", header=True))
        for reset in resets:
            lines.extend(_reset_lines(reset))
    return lines


class _Topic:
    """The lines of one topic's actions, knowing what is already shown in shared blocks."""

    def __init__(self, plan: Plan, name: str, covered: set[tuple[str, str]], detailed: bool) -> None:
        self.plan, self.name, self.covered, self.detailed = plan, name, covered, detailed
        self.origins = plan.origins.get(name, {})

    def spot(self, field_name: str) -> str:
        return spot(self.origins.get(field_name))

    def heading(self, actions: list[Action]) -> list[Line]:
        create = next((a for a in actions if isinstance(a, CreateTopic)), None)
        if create is None:
            return [Line(0, "~", f"topic {self.name}", header=True, where=self.spot("topic"))]
        summary = placement_summary(create.assignment, self.plan.broker_racks)
        size = f"{count(create.partitions, 'partition')}, RF {create.replication_factor}"
        text = f"topic {self.name}: {size}, {summary}"
        return [Line(0, "+", text, header=True, where=self.spot("topic"))]

    def config(self, mark: str, change: ConfigChange) -> Line:
        where = self.origins.get(f"configs.{change.key}")
        layer = layer_of(where)
        text = show_change(change) + (f" (from {layer})" if layer else "")
        if change.after is None:
            text += " (not in the spec)"
        return Line(1, mark, text, where=spot(where) if change.after is not None else "")

    def lines(self, action: Action) -> Iterator[Line]:
        match action:
            case CreateTopic():
                for key, value in sorted(action.configs.items()):
                    if (self.name, key) not in self.covered:
                        yield self.config("+", ConfigChange(key, None, value))
                if self.detailed and action.assignment is not None:
                    yield Line(1, "+", "replicas:")
                    for pid, ids in enumerate(action.assignment):
                        yield Line(2, "+", f"p{pid}: {replicas(ids)}", marked=False)
            case AddPartitions():
                new = action.new_assignment
                placed = f" (new: {placement_summary(new, self.plan.broker_racks)})" if new else ""
                text = f"partitions: {action.before} → {action.after}{placed}"
                yield Line(1, "~", text, where=self.spot("partitions"))
                if self.detailed:
                    for offset, ids in enumerate(new or ()):
                        yield Line(2, "+", f"p{action.before + offset}: {replicas(ids)}")
            case AlterConfigs():
                for change in sorted(action.changes, key=lambda c: c.key):
                    if (self.name, change.key) in self.covered:
                        continue
                    mark = "+" if change.before is None else "-" if change.after is None else "~"
                    yield self.config(mark, change)
            case ReassignReplicas():
                moves = sorted(action.moves, key=lambda m: m.partition)
                reason = f"{_clean(action.reason)}, " if action.reason else ""
                field_name = "placement" if action.reason.startswith("placement") else "replication_factor"
                text = f"replicas: {reason}{count(len(moves), 'partition')} move"
                yield Line(1, "~", text, where=self.spot(field_name))
                shown = moves if self.detailed else moves[:DETAIL_LIMIT]
                for pmove in shown:
                    text = f"p{pmove.partition}: {replicas(pmove.before)} → {replicas(pmove.after)}"
                    yield Line(2, "~", text, marked=False)
                if len(shown) < len(moves):
                    more = f"… {len(moves) - len(shown)} more (--detailed lists them)"
                    yield Line(2, "~", more, marked=False)
            case FinishMove():
                yield Line(1, "~", "replicas: finish the move left running")
                for pmove in sorted(action.moves, key=lambda m: m.partition):
                    # While copying, Kafka already lists the target first: a replica list that only
                    # grows shows no difference, so say what is going on instead.
                    text = (
                        f"p{pmove.partition}: still copying to {replicas(pmove.after)}"
                        if pmove.before == pmove.after
                        else f"p{pmove.partition}: {replicas(pmove.before)} → {replicas(pmove.after)}"
                    )
                    yield Line(2, "~", text, marked=False)
            case RemoveThrottle():
                yield from _throttle_lines(action)
            case DeleteTopic() | ResetOffsets():
                return
            case _:
                assert_never(action)


def _throttle_lines(action: RemoveThrottle) -> Iterator[Line]:
    for key, value in sorted(action.configs.items()):
        yield Line(1, "-", f"{key}: {show_value(key, value)} (replication throttle left behind)")


def _reset_lines(action: ResetOffsets) -> Iterator[Line]:
    reset_id = f" (reset id {action.reset_id})" if action.reset_id else ""
    yield Line(1, "~", _clean(f"offsets: reset to {action.to}{reset_id}"))
    for omove in sorted(action.moves, key=lambda m: (m.topic, m.partition)):
        yield Line(2, "~", _offset_move(omove), marked=False)


def _offset_move(move: OffsetMove) -> str:
    head = f"{move.topic}/{move.partition}: "
    if move.before is None:
        return f"{head}(none) → {move.after}"
    delta = move.delta
    effect = f"replays {-delta}" if delta < 0 else f"skips {delta}" if delta > 0 else "unchanged"
    return f"{head}{move.before} → {move.after} ({effect})"


def delete_lines(plan: Plan) -> tuple[list[str], list[str]]:
    """The topics that will be deleted and those that would be with ``--allow-delete``:
    ``legacy.audit: 8 partitions, holds data (1234 messages written)``."""
    will: list[str] = []
    would: list[str] = []
    known = {d.topic for d in plan.deletes}
    # A plan file written before deletes were listed still has its DeleteTopic actions.
    extra = [
        DeleteCandidate(a.topic, a.partitions, enabled=True)
        for a in plan.actions
        if isinstance(a, DeleteTopic) and a.topic not in known
    ]
    for candidate in sorted((*plan.deletes, *extra), key=lambda d: d.topic):
        (will if candidate.enabled else would).append(f"{candidate.topic}: {_delete_facts(candidate)}")
    return will, would


def _delete_facts(candidate: DeleteCandidate) -> str:
    written = candidate.log_end_offsets
    data = (
        "data unknown"
        if written is None
        else "empty (never written)"
        if written == 0
        else f"holds data ({written} messages written)"
    )
    return f"{count(candidate.partitions, 'partition')}, {data}"


WILL_DELETE = "Will delete (--allow-delete):"
WOULD_DELETE = "Would delete, not enabled (kept; --allow-delete deletes them):"


def cluster_line(plan: Plan) -> str:
    """Which cluster the plan is about: ``Cluster prod-eu (MkU3…) via kafka-1:9092, planned at …``."""
    when = f", planned at {plan.created_at}" if plan.created_at else ""
    return f"Cluster {cluster_name(plan.identity)}{when}."


def destructive_warning(plan: Plan) -> str | None:
    """One sentence naming what the plan destroys, or None when nothing is destroyed."""
    deletes = sum(1 for a in plan.actions if isinstance(a, DeleteTopic))
    groups = len({a.group for a in plan.actions if isinstance(a, ResetOffsets)})
    parts = []
    if deletes:
        parts.append(f"deletes {count(deletes, 'topic')}")
    if groups:
        parts.append(f"resets offsets of {count(groups, 'group')}")
    return f"This plan {' and '.join(parts)}." if parts else None


def partial_line(plan: Plan) -> str | None:
    """Said first when ``--topic`` limited the plan: the rest of the spec was not compared."""
    if not plan.only:
        return None
    patterns = ", ".join(plan.only)
    return f"Partial plan: only topics matching {patterns}; everything else in the spec was left out."


def summary_lines(plan: Plan) -> list[str]:
    """The closing lines: the terraform-style count, then refused and unmanaged counts when nonzero."""
    counts = plan.summary()
    lines = [
        f"Plan: {counts['create']} to create, {counts['update']} to update, {counts['delete']} to delete."
    ]
    if counts["refused"]:
        lines.append(f"{counts['refused']} refused.")
    if counts["unmanaged"]:
        lines.append(f"{count(counts['unmanaged'], 'unmanaged topic')} left alone.")
    return lines


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


_CONTROL_CHARACTERS: dict[int, str | None] = {
    **dict.fromkeys((*range(0x20), 0x7F, *range(0x80, 0xA0))),
    0x09: " ",
    0x0A: " ",
}


def _clean(text: str) -> str:
    # Messages can quote what a user or a broker wrote; an escape sequence in a group
    # name or an error must not reach the terminal, and a newline must not break a line.
    return text.translate(_CONTROL_CHARACTERS)


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
