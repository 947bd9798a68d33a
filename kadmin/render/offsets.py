"""The views of `kadmin offsets show | reset`: text tables and summaries, JSON documents, CSV.

Pure functions of the values `kadmin.ops.offsets` computes (`GroupOffsets`, `ResetOutcome`)
and of the `ResetOffsets` action; text goes to the console the caller passes, line by
line through `say`: these views have no styles, so the command passes `PlainLines`.
No Kafka here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kadmin.core.actions import ResetOffsets
from kadmin.ops.offsets import GroupOffsets, ResetOutcome
from kadmin.render.literal import PlainLines, say
from kadmin.spec.offsets_csv import format_offsets_csv

if TYPE_CHECKING:
    from rich.console import Console


def group_offsets_csv(found: GroupOffsets) -> str:
    """The CSV view of `offsets show`: topic,partition,offset, what `reset --from-file` reads."""
    return format_offsets_csv(found.committed)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


def render_group_offsets(out: Console | PlainLines, found: GroupOffsets) -> None:
    """The text view of `offsets show`: the group, its members, and a table of partitions with lag."""
    state = found.group
    if not state.exists:
        say(out, f"group {state.group} does not exist (no members, no committed offsets)")
        return
    say(out, f"group {state.group}: {state.state}, {len(state.members)} member(s)")
    for m in state.members:
        say(out, f"  member {m.client_id or '-'} on {m.host or '-'} ({m.member_id})")
    if not found.partitions:
        say(out, "no committed offsets")
        return
    rows = [
        (
            p.topic,
            str(p.partition),
            _cell(p.committed),
            _cell(p.log_start),
            _cell(p.log_end),
            _cell(p.lag),
            f"{p.member.client_id} {p.member.host}" if p.member else "-",
        )
        for p in found.partitions
    ]
    say(out, "")
    for line in _table(("TOPIC", "PARTITION", "COMMITTED", "LOG-START", "LOG-END", "LAG", "MEMBER"), rows):
        say(out, line)
    total = sum(p.lag or 0 for p in found.partitions)
    say(out, f"\ntotal lag: {total}")


def group_offsets_document(found: GroupOffsets) -> dict[str, Any]:
    """The JSON view of `offsets show`."""
    state = found.group
    return {
        "group": state.group,
        "state": state.state,
        "exists": state.exists,
        "members": [
            {
                "member_id": m.member_id,
                "client_id": m.client_id,
                "host": m.host,
                "assignment": [list(tp) for tp in m.assignment],
            }
            for m in state.members
        ],
        "partitions": [
            {
                "topic": p.topic,
                "partition": p.partition,
                "committed": p.committed,
                "log_start": p.log_start,
                "log_end": p.log_end,
                "lag": p.lag,
                "member": p.member.member_id if p.member else None,
            }
            for p in found.partitions
        ],
    }


def _summary(action: ResetOffsets) -> dict[str, int]:
    return {
        "partitions": len(action.moves),
        "topics": len({m.topic for m in action.moves}),
        "replayed": sum(-m.delta for m in action.moves if m.delta < 0),
        "skipped": sum(m.delta for m in action.moves if m.delta > 0),
        "without_commit": sum(1 for m in action.moves if m.before is None),
        "unchanged": sum(1 for m in action.moves if m.before == m.after),
    }


def render_reset(
    out: Console | PlainLines, action: ResetOffsets, executed: bool, outcome: ResetOutcome | None
) -> None:
    """The text view of `offsets reset`: the moves, their summary, and what the execution did."""
    say(out, f"reset offsets of group {action.group} to {action.to}")
    if not action.moves:
        say(out, "nothing to reset: no partitions in scope (the group has no committed offsets there)")
        return
    if not action.group_exists:
        say(out, f"group {action.group} does not exist yet: committing these offsets initialises it")
    rows = []
    for m in action.moves:
        if m.before is None:
            change = "no commit yet"
        elif m.delta < 0:
            change = f"replays {-m.delta}"
        elif m.delta > 0:
            change = f"skips {m.delta}"
        else:
            change = "unchanged"
        rows.append((m.topic, str(m.partition), _cell(m.before), "→", str(m.after), change))
    say(out, "")
    # One print for the whole table: a console print per row costs ~0.5 ms, 0.5 s at 1,000 partitions.
    say(out, "\n".join(_table(("TOPIC", "PARTITION", "CURRENT", "", "TARGET", "CHANGE"), rows)))
    s = _summary(action)
    say(
        out,
        f"\n{s['partitions']} partition(s) in {s['topics']} topic(s): {s['replayed']} message(s) replayed, "
        f"{s['skipped']} skipped, {s['unchanged']} unchanged, {s['without_commit']} without a commit.",
    )
    if not executed:
        say(out, "dry run: nothing changed; pass --execute to commit these offsets.")
        return
    if outcome is None:
        return
    if outcome.backup is not None:
        say(
            out,
            f"backup of the previous offsets: {outcome.backup} (undo with: "
            f"kadmin offsets reset --group {action.group} --from-file {outcome.backup} --execute)",
        )
    if outcome.ok:
        say(out, f"committed {len(action.moves)} offset(s) for group {action.group}.")


def reset_document(action: ResetOffsets, executed: bool, outcome: ResetOutcome | None) -> dict[str, Any]:
    """The JSON view of `offsets reset`: the moves, their summary, and the execution's result."""
    return {
        "group": action.group,
        "group_exists": action.group_exists,
        "mode": action.to.mode.value,
        "argument": action.to.text or action.to.value,
        "moves": [
            {
                "topic": m.topic,
                "partition": m.partition,
                "current": m.before,
                "target": m.after,
                "delta": m.delta,
            }
            for m in action.moves
        ],
        "summary": _summary(action),
        "executed": executed and outcome is not None and outcome.ok,
        "backup": str(outcome.backup) if outcome and outcome.backup else None,
        "error": outcome.error if outcome and not outcome.ok else None,
        "hint": outcome.hint if outcome and not outcome.ok else None,
    }
