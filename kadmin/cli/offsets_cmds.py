"""`kadmin offsets show | reset`: consumer-group offsets, with the modes of Kafka's
``kafka-consumer-groups --reset-offsets``; a reset is a dry run until ``--execute``.

Parses options, calls `kadmin.offsets`, renders text / JSON / CSV. No Kafka here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from kadmin.cli.app import BootstrapOption, CommandConfigOption, OutputFormat, guarded, print_json, stdout
from kadmin.cli.connection import connect
from kadmin.errors import KadminError
from kadmin.model import OffsetMode, OffsetTarget
from kadmin.offsets import GroupOffsets, ResetOutcome, execute_reset, plan_group_reset, show_group
from kadmin.offsets_csv import format_offsets_csv, read_offsets_csv
from kadmin.reconcile.actions import ResetOffsets
from kadmin.reconcile.offsets import parse_datetime, parse_duration

offsets_app = typer.Typer(
    help=(
        "Show and reset consumer-group offsets (the modes of kafka-consumer-groups).\n\n"
        "Example:\n\n\b\n"
        "    kadmin offsets show --group billing\n"
        "    kadmin offsets reset --group billing --topic orders --to-datetime 2024-05-01T08:00:00 --execute"
    ),
    no_args_is_help=True,
)

DEFAULT_BACKUP_DIR = Path("kadmin-backups")


class ShowFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


GroupOption = Annotated[str, typer.Option("--group", "-g", help="The consumer group.", show_default=False)]


@offsets_app.command("show")
@guarded
def show(
    group: GroupOption,
    output: Annotated[
        ShowFormat,
        typer.Option("--output", "-o", help="text, json, or csv (topic,partition,offset for --from-file)."),
    ] = ShowFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
) -> None:
    """Show a group's state, members and, per partition, committed offset, log start, log end and lag.

    Example (save the offsets, to restore them later with reset --from-file):

    \b
        kadmin offsets show --group billing -o csv > billing.csv
    """
    found = show_group(connect(bootstrap, command_config), group)
    if output is ShowFormat.csv:
        typer.echo(format_offsets_csv(found.committed), nl=False)
    elif output is ShowFormat.json:
        print_json(_show_document(found))
    else:
        _print_show(found)


@offsets_app.command("reset")
@guarded
def reset(
    group: GroupOption,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            "-t",
            help="Topic to reset, optionally with partitions: orders or orders:0,1,2. Repeatable.",
            show_default=False,
        ),
    ] = None,
    all_topics: Annotated[
        bool, typer.Option("--all-topics", help="Every topic the group has committed offsets for.")
    ] = False,
    to_earliest: Annotated[bool, typer.Option("--to-earliest", help="To the log start.")] = False,
    to_latest: Annotated[bool, typer.Option("--to-latest", help="To the log end.")] = False,
    to_current: Annotated[
        bool, typer.Option("--to-current", help="To the committed offset (log end where none).")
    ] = False,
    to_offset: Annotated[
        str | None, typer.Option("--to-offset", metavar="N", help="To offset N (kept within the log).")
    ] = None,
    shift_by: Annotated[
        str | None,
        typer.Option("--shift-by", metavar="N", help="Committed offset plus N (negative N replays)."),
    ] = None,
    to_datetime: Annotated[
        str | None,
        typer.Option(
            "--to-datetime",
            metavar="ISO8601",
            help="To the first message at or after this time, e.g. 2024-05-01T08:00:00+02:00 (no zone: UTC).",
        ),
    ] = None,
    by_duration: Annotated[
        str | None,
        typer.Option(
            "--by-duration", metavar="PnDTnHnMnS", help="To the first message since this long ago, e.g. PT2H."
        ),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from-file", metavar="CSV", help="To the offsets in a topic,partition,offset file."),
    ] = None,
    execute: Annotated[
        bool, typer.Option("--execute", help="Commit the offsets; without it, a dry run.")
    ] = False,
    backup_dir: Annotated[
        Path, typer.Option("--backup-dir", help="Where --execute saves the current offsets first.")
    ] = DEFAULT_BACKUP_DIR,
    output: Annotated[OutputFormat, typer.Option("--output", "-o", help="text or json.")] = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
) -> None:
    """Plan (and with --execute, commit) new offsets for an inactive group.

    Example (replay the last two hours of orders, after stopping the consumers):

    \b
        kadmin offsets reset --group billing --topic orders --by-duration PT2H
        kadmin offsets reset --group billing --topic orders --by-duration PT2H --execute
    """
    target = _target(
        group,
        to_earliest=to_earliest,
        to_latest=to_latest,
        to_current=to_current,
        to_offset=to_offset,
        shift_by=shift_by,
        to_datetime=to_datetime,
        by_duration=by_duration,
        from_file=from_file,
    )
    scope = _scope(topic or [], all_topics, file_given=from_file is not None)
    admin = connect(bootstrap, command_config)
    action = plan_group_reset(admin, group, scope, target, int(time.time() * 1000))
    outcome = execute_reset(admin, action, backup_dir=backup_dir) if execute and action.moves else None
    if output is OutputFormat.json:
        print_json(_reset_document(action, execute, outcome))
    else:
        _print_reset(action, execute, outcome)
    if outcome is not None and not outcome.ok:
        if output is OutputFormat.json:
            raise typer.Exit(1)
        raise KadminError(outcome.error, where=f"group {group}", hint=outcome.hint)


# --- options -----------------------------------------------------------------------


def _target(
    group: str,
    *,
    to_earliest: bool,
    to_latest: bool,
    to_current: bool,
    to_offset: str | None,
    shift_by: str | None,
    to_datetime: str | None,
    by_duration: str | None,
    from_file: Path | None,
) -> OffsetTarget:
    given = [
        name
        for name, on in (
            ("--to-earliest", to_earliest),
            ("--to-latest", to_latest),
            ("--to-current", to_current),
            ("--to-offset", to_offset is not None),
            ("--shift-by", shift_by is not None),
            ("--to-datetime", to_datetime is not None),
            ("--by-duration", by_duration is not None),
            ("--from-file", from_file is not None),
        )
        if on
    ]
    if len(given) != 1:
        raise KadminError(
            "choose one reset mode" if not given else f"choose one reset mode, not {' and '.join(given)}",
            hint="one of --to-earliest, --to-latest, --to-current, --to-offset N, --shift-by N, "
            "--to-datetime ISO8601, --by-duration PnDTnHnMnS, --from-file CSV",
        )
    if to_earliest:
        return OffsetTarget(OffsetMode.EARLIEST)
    if to_latest:
        return OffsetTarget(OffsetMode.LATEST)
    if to_current:
        return OffsetTarget(OffsetMode.CURRENT)
    if to_offset is not None:
        return OffsetTarget(OffsetMode.OFFSET, _integer("--to-offset", to_offset), to_offset)
    if shift_by is not None:
        return OffsetTarget(OffsetMode.SHIFT_BY, _integer("--shift-by", shift_by), shift_by)
    if to_datetime is not None:
        return OffsetTarget(
            OffsetMode.DATETIME, _parsed("--to-datetime", to_datetime, parse_datetime), to_datetime
        )
    if by_duration is not None:
        return OffsetTarget(
            OffsetMode.DURATION, _parsed("--by-duration", by_duration, parse_duration), by_duration
        )
    assert from_file is not None
    return OffsetTarget(
        OffsetMode.FILE, text=str(from_file), file_offsets=read_offsets_csv(from_file, group=group)
    )


def _scope(topics: list[str], all_topics: bool, *, file_given: bool) -> dict[str, tuple[int, ...]] | None:
    if all_topics and topics:
        raise KadminError("--all-topics and --topic exclude each other", hint="pass one of them")
    if all_topics or (file_given and not topics):
        return None
    if not topics:
        raise KadminError(
            "say which partitions to reset",
            hint="pass --topic T (or T:0,1) once per topic, "
            "or --all-topics for every topic the group has commits on",
        )
    scope: dict[str, set[int] | None] = {}
    for arg in topics:
        name, sep, partitions = arg.partition(":")
        cells = partitions.split(",")
        if not name or (sep and not all(c.strip().isdigit() for c in cells)):
            raise KadminError(
                f"--topic {arg!r}: expected TOPIC or TOPIC:P,P,... with partition numbers",
                hint="for example --topic orders or --topic orders:0,2",
            )
        if not sep:
            scope[name] = None  # a bare name means every partition, whatever else names it
        elif name not in scope or scope[name] is not None:
            scope[name] = (scope.get(name) or set()) | {int(c) for c in cells}
    return {name: tuple(sorted(parts)) if parts is not None else () for name, parts in scope.items()}


def _integer(flag: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise KadminError(
            f"{flag} takes a whole number, not {text!r}", hint=f"for example {flag} 100"
        ) from None


def _parsed(flag: str, text: str, parse: Any) -> int:
    try:
        value: int = parse(text)
    except ValueError as err:
        raise KadminError(f"{flag}: {err}", hint="see `kadmin offsets reset --help`") from None
    return value


# --- rendering ---------------------------------------------------------------------


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


def _print_show(found: GroupOffsets) -> None:
    out = stdout()
    state = found.group
    if not state.exists:
        out.print(f"group {state.group} does not exist (no members, no committed offsets)")
        return
    out.print(f"group {state.group}: {state.state}, {len(state.members)} member(s)")
    for m in state.members:
        out.print(f"  member {m.client_id or '-'} on {m.host or '-'} ({m.member_id})")
    if not found.partitions:
        out.print("no committed offsets")
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
    out.print("")
    for line in _table(("TOPIC", "PARTITION", "COMMITTED", "LOG-START", "LOG-END", "LAG", "MEMBER"), rows):
        out.print(line)
    total = sum(p.lag or 0 for p in found.partitions)
    out.print(f"\ntotal lag: {total}")


def _show_document(found: GroupOffsets) -> dict[str, Any]:
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


def _print_reset(action: ResetOffsets, executed: bool, outcome: ResetOutcome | None) -> None:
    out = stdout()
    out.print(f"reset offsets of group {action.group} to {action.target_mode}")
    if not action.moves:
        out.print("nothing to reset: no partitions in scope (the group has no committed offsets there)")
        return
    if not action.group_exists:
        out.print(f"group {action.group} does not exist yet: committing these offsets initialises it")
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
    out.print("")
    for line in _table(("TOPIC", "PARTITION", "CURRENT", "", "TARGET", "CHANGE"), rows):
        out.print(line)
    s = _summary(action)
    out.print(
        f"\n{s['partitions']} partition(s) in {s['topics']} topic(s): {s['replayed']} message(s) replayed, "
        f"{s['skipped']} skipped, {s['unchanged']} unchanged, {s['without_commit']} without a commit."
    )
    if not executed:
        out.print("dry run: nothing changed; pass --execute to commit these offsets.")
        return
    if outcome is None:
        return
    if outcome.backup is not None:
        out.print(
            f"backup of the previous offsets: {outcome.backup} "
            f"(undo with: kadmin offsets reset --group {action.group} --from-file {outcome.backup} --execute)"
        )
    if outcome.ok:
        out.print(f"committed {len(action.moves)} offset(s) for group {action.group}.")


def _reset_document(action: ResetOffsets, executed: bool, outcome: ResetOutcome | None) -> dict[str, Any]:
    return {
        "group": action.group,
        "group_exists": action.group_exists,
        "mode": action.target_mode.mode.value,
        "argument": action.target_mode.text or action.target_mode.value,
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
