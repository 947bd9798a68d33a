"""`kadmin offsets show | reset`: consumer-group offsets, with the modes of Kafka's
``kafka-consumer-groups --reset-offsets``; a reset is a dry run until ``--execute``.

Parses options, calls `kadmin.ops.offsets`, picks a renderer from `kadmin.render.offsets`.
No Kafka here.
"""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from kadmin.cli.app import (
    DEFAULT_TIMEOUT_S,
    BootstrapOption,
    CommandConfigOption,
    OutputFormat,
    OutputOption,
    TimeoutOption,
    app,
    guarded,
    print_json,
)
from kadmin.cli.connection import connect
from kadmin.cli.pinning import SpecOption, check_pinned, pinned_cluster
from kadmin.core.durations import KAFKA_DATETIME, KAFKA_DURATION, parse_iso_datetime, parse_iso_duration
from kadmin.core.errors import KadminError
from kadmin.core.model import OffsetMode, ResetTo
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.inspect import read_groups
from kadmin.ops.offsets import execute_reset, plan_group_reset, show_group
from kadmin.render.literal import PlainLines
from kadmin.render.offsets import (
    group_offsets_csv,
    group_offsets_document,
    render_group_offsets,
    render_reset,
    reset_document,
)
from kadmin.spec.offsets_csv import read_offsets_csv

offsets_app = typer.Typer(
    help=(
        "Show and reset consumer-group offsets (the modes of kafka-consumer-groups).\n\n"
        "Example:\n\n\b\n"
        "    kadmin offsets show --group billing\n"
        "    kadmin offsets reset --group billing --topic orders --to-datetime 2024-05-01T08:00:00 --execute"
    ),
    no_args_is_help=True,
)
app.add_typer(offsets_app, name="offsets")

DEFAULT_BACKUP_DIR = Path("kadmin-backups")


class ShowFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


GroupOption = Annotated[str, typer.Option("--group", "-g", help="The consumer group.", show_default=False)]


@offsets_app.command("show")
@guarded
def show(
    group: Annotated[
        str | None,
        typer.Option(
            "--group", "-g", help="The consumer group; every group when left out.", show_default=False
        ),
    ] = None,
    output: Annotated[
        ShowFormat,
        typer.Option("--output", "-o", help="text, json, or csv (topic,partition,offset for --from-file)."),
    ] = ShowFormat.text,
    spec: SpecOption = None,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Show a group's state, members and, per partition, committed offset, log start, log end and lag.

    Without --group, every group, one after the other (CSV needs --group).

    Example (save the offsets, to restore them later with reset --from-file):

    \b
        kadmin offsets show --group billing -o csv > billing.csv
    """
    if group is not None:
        _check_group(group)
    cluster = pinned_cluster(spec)
    admin = connect(bootstrap, command_config, spec_bootstrap=cluster.bootstrap, timeout=timeout)
    check_pinned(admin, cluster)
    if group is None:
        _show_all(admin, output)
        return
    found = show_group(admin, group)
    if output is ShowFormat.csv:
        typer.echo(group_offsets_csv(found), nl=False)
    elif output is ShowFormat.json:
        print_json(group_offsets_document(found))
    else:
        render_group_offsets(PlainLines(sys.stdout), found)


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
        typer.Option(
            "--from-file",
            metavar="CSV",
            help="To the offsets in a topic,partition,offset file; with --topic, only those topics' rows.",
        ),
    ] = None,
    execute: Annotated[
        bool, typer.Option("--execute", help="Commit the offsets; without it, a dry run.")
    ] = False,
    backup_dir: Annotated[
        Path, typer.Option("--backup-dir", help="Where --execute saves the current offsets first.")
    ] = DEFAULT_BACKUP_DIR,
    output: OutputOption = OutputFormat.text,
    spec: SpecOption = None,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Plan (and with --execute, commit) new offsets for an inactive group.

    Example (replay the last two hours of orders, after stopping the consumers; --spec
    refuses any cluster but the one specs/ pins with cluster.id):

    \b
        kadmin offsets reset --group billing --topic orders --by-duration PT2H
        kadmin offsets reset --group billing --topic orders --by-duration PT2H --execute --spec specs/
    """
    _check_group(group)
    to = _reset_to(
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
    cluster = pinned_cluster(spec)
    admin = connect(bootstrap, command_config, spec_bootstrap=cluster.bootstrap, timeout=timeout)
    check_pinned(admin, cluster)
    action = plan_group_reset(admin, group, scope, to, int(time.time() * 1000))
    outcome = execute_reset(admin, action, backup_dir=backup_dir) if execute and action.moves else None
    if output is OutputFormat.json:
        print_json(reset_document(action, execute, outcome))
    else:
        render_reset(PlainLines(sys.stdout), action, execute, outcome)
    if outcome is not None and not outcome.ok:
        if output is OutputFormat.json:
            raise typer.Exit(1)
        raise KadminError(outcome.error, where=f"group {group}", hint=outcome.hint)


def _show_all(admin: ClusterAdmin, output: ShowFormat) -> None:
    if output is ShowFormat.csv:
        raise KadminError(
            "the CSV backup holds one group's offsets", hint="pass --group G with -o csv, once per group"
        )
    every = [g.offsets for g in read_groups(admin)]
    if output is ShowFormat.json:
        print_json({"groups": [group_offsets_document(g) for g in every]})
        return
    console = PlainLines(sys.stdout)
    if not every:
        console.print("no consumer groups")
    for number, found in enumerate(every):
        if number:
            console.print("")
        render_group_offsets(console, found)


# --- options -----------------------------------------------------------------------


def _check_group(group: str) -> None:
    # An empty group id is no group: librdkafka raises a ValueError on it, Kafka's tool a usage error.
    if not group.strip():
        raise KadminError(
            f"names no consumer group (found {group!r})",
            where="--group",
            hint="pass the group's id, e.g. --group billing (`kadmin offsets show` lists them all)",
        )


def _reset_to(
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
) -> ResetTo:
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
        return ResetTo(OffsetMode.EARLIEST)
    if to_latest:
        return ResetTo(OffsetMode.LATEST)
    if to_current:
        return ResetTo(OffsetMode.CURRENT)
    if to_offset is not None:
        return ResetTo(OffsetMode.OFFSET, _integer("--to-offset", to_offset), to_offset)
    if shift_by is not None:
        return ResetTo(OffsetMode.SHIFT_BY, _integer("--shift-by", shift_by), shift_by)
    if to_datetime is not None:
        return ResetTo(
            OffsetMode.DATETIME,
            _parsed("--to-datetime", to_datetime, lambda t: parse_iso_datetime(t, KAFKA_DATETIME)),
            to_datetime,
        )
    if by_duration is not None:
        return ResetTo(
            OffsetMode.DURATION,
            _parsed("--by-duration", by_duration, lambda t: parse_iso_duration(t, KAFKA_DURATION)),
            by_duration,
        )
    assert from_file is not None
    return ResetTo(
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
