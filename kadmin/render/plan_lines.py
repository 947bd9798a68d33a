"""What a plan says, line by line, before any styling: the body (`plan_lines`), the deletes,
the cluster it is about, the warning and the closing counts.

Shared by the text view (`render.text`, which styles and prints it) and the markdown view
(`render.markdown`, which puts it in a ``diff`` block). Prints nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple, assert_never

from kadmin.core.access_actions import (
    ACCESS_ACTIONS,
    AccessAction,
    AlterQuota,
    CreateAcl,
    DeleteAcl,
    DeleteScram,
    RemoveQuota,
    UpsertScram,
)
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
from kadmin.render.drift import cluster_name
from kadmin.render.review import (
    DETAIL_LIMIT,
    count,
    layer_of,
    placement_summary,
    replicas,
    shared_changes,
    show_change,
    show_value,
    spot,
)

NO_CHANGES = "No changes. The cluster matches the spec."


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
    access: list[AccessAction] = []
    for action in plan.ordered():
        if isinstance(action, ACCESS_ACTIONS):
            access.append(action)
        elif isinstance(action, ResetOffsets):
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
        lines.append(Line(0, "~", f"group {clean(name)}{new}", header=True))
        for reset in resets:
            lines.extend(_reset_lines(reset))
    if access:
        from kadmin.render.access_lines import access_lines  # it builds on `Line` and `clean`

        lines.extend(access_lines(access))
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
                reason = f"{clean(action.reason)}, " if action.reason else ""
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
            case UpsertScram() | CreateAcl() | AlterQuota() | RemoveQuota() | DeleteAcl() | DeleteScram():
                return
            case _:
                assert_never(action)


def _throttle_lines(action: RemoveThrottle) -> Iterator[Line]:
    for key, value in sorted(action.configs.items()):
        yield Line(1, "-", f"{key}: {show_value(key, value)} (replication throttle left behind)")


def _reset_lines(action: ResetOffsets) -> Iterator[Line]:
    reset_id = f" (reset id {action.reset_id})" if action.reset_id else ""
    yield Line(1, "~", clean(f"offsets: reset to {action.to}{reset_id}"))
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
    acls = sum(1 for a in plan.actions if isinstance(a, DeleteAcl))
    credentials = sum(1 for a in plan.actions if isinstance(a, DeleteScram))
    quotas = sum(1 for a in plan.actions if isinstance(a, RemoveQuota))
    parts = []
    if deletes:
        parts.append(f"deletes {count(deletes, 'topic')}")
    if groups:
        parts.append(f"resets offsets of {count(groups, 'group')}")
    if acls:
        parts.append(f"deletes {count(acls, 'ACL')}")
    if credentials:
        parts.append(f"deletes {count(credentials, 'SCRAM credential')}")
    if quotas:
        parts.append(f"removes client-quota values of {quotas} {'entity' if quotas == 1 else 'entities'}")
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


_CONTROL_CHARACTERS: dict[int, str | None] = {
    **dict.fromkeys((*range(0x20), 0x7F, *range(0x80, 0xA0))),
    0x09: " ",
    0x0A: " ",
}


def clean(text: str) -> str:
    # Messages can quote what a user or a broker wrote; an escape sequence in a group
    # name or an error must not reach the terminal, and a newline must not break a line.
    return text.translate(_CONTROL_CHARACTERS)
