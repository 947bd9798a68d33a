"""`kadmin tail TOPIC` and `kadmin produce TOPIC`: the console consumer and producer.

Parses options, calls `kadmin.ops.messages`, writes a view from `kadmin.render.messages`.
No Kafka here.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from kadmin.cli.app import (
    DEFAULT_TIMEOUT_S,
    BootstrapOption,
    CommandConfigOption,
    OutputFormat,
    TimeoutOption,
    app,
    guarded,
    print_json,
)
from kadmin.cli.connection import connect
from kadmin.core.durations import KAFKA_DATETIME, parse_iso_datetime
from kadmin.core.errors import KadminError
from kadmin.ops.messages import Start, StartKind, parse_header, produce, records_from_lines, tail
from kadmin.render.messages import message_document, message_line, produce_document, produce_lines

TAIL_IDLE_S = 10.0
DELIVERY = (
    "Delivery: each message is acknowledged by every in-sync replica (acks=all) and the producer is "
    "idempotent, so a retry never writes a message twice or out of order within its partition; "
    "a message that is not acknowledged is reported and the command exits 1."
)

OutputOption = Annotated[
    OutputFormat, typer.Option("--output", "-o", help="text or json (tail: one JSON document per line).")
]


class Acks(StrEnum):
    all = "all"
    leader = "1"
    none = "0"


@app.command("tail")
@guarded
def tail_command(
    topic: Annotated[str, typer.Argument(metavar="TOPIC", help="The topic to read.", show_default=False)],
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the first message kept.")
    ] = False,
    offset: Annotated[
        int | None,
        typer.Option(
            "--offset", metavar="N", help="Start at offset N; a negative N starts N messages before the end."
        ),
    ] = None,
    from_datetime: Annotated[
        str | None,
        typer.Option(
            "--from-datetime",
            metavar="ISO8601",
            help="Start at the first message at or after this time (no zone: UTC): 2026-11-20T08:00:00Z.",
        ),
    ] = None,
    partition: Annotated[
        list[int] | None,
        typer.Option("--partition", "-p", help="Read only this partition. Repeatable.", show_default=False),
    ] = None,
    max_messages: Annotated[
        int | None,
        typer.Option("--max", metavar="N", min=1, help="Stop after N messages.", show_default=False),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            "-g",
            help="Read as a member of this consumer group, from its committed offsets, and commit what "
            "was read. Without it nothing is ever committed.",
            show_default=False,
        ),
    ] = None,
    output: OutputOption = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            min=1.0,
            help="Stop after this long without a new message (also the longest wait for any answer).",
        ),
    ] = TAIL_IDLE_S,
) -> None:
    """Print the messages of a topic: partition/offset, timestamp, key, headers and value. Starts at
    the end (new messages only) unless told otherwise; stops after --max messages or --timeout
    seconds without one. Never commits offsets unless --group is given.

    Example (the last 10 messages of each partition, then the next ones, as JSON lines):

    \b
        kadmin tail orders.created --offset -10 -o json
        kadmin tail orders.created --from-datetime 2026-11-20T08:00:00Z --partition 3 --max 100
    """
    start = _start(from_beginning, offset, from_datetime)
    if group is not None and (partition or start.kind in (StartKind.OFFSET, StartKind.TIME)):
        raise KadminError(
            "--group reads from the group's committed offsets, on the partitions the group assigns",
            where=f"group {group}",
            hint="leave out --partition, --offset and --from-datetime with --group (or --group without them)",
        )
    admin = connect(bootstrap, command_config, timeout=timeout)
    found = tail(
        admin,
        topic,
        start=start,
        partitions=partition,
        group=group,
        limit=max_messages,
        idle_s=timeout,
    )
    try:
        for message in found:
            if output is OutputFormat.json:
                line = json.dumps(message_document(message), separators=(",", ":"))
            else:
                line = message_line(message)
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`); stop quietly, as a console consumer does.
        sys.stderr.close()


def _start(from_beginning: bool, offset: int | None, from_datetime: str | None) -> Start:
    given = [
        name
        for name, on in (
            ("--from-beginning", from_beginning),
            ("--offset", offset is not None),
            ("--from-datetime", from_datetime is not None),
        )
        if on
    ]
    if len(given) > 1:
        raise KadminError(
            f"choose one start, not {' and '.join(given)}",
            hint="one of --from-beginning, --offset N, --from-datetime ISO8601 (default: the end)",
        )
    if from_beginning:
        return Start(StartKind.BEGINNING)
    if offset is not None:
        return Start(StartKind.OFFSET, offset)
    if from_datetime is not None:
        try:
            return Start(StartKind.TIME, parse_iso_datetime(from_datetime, KAFKA_DATETIME))
        except ValueError as err:
            raise KadminError(f"--from-datetime: {err}", hint="for example 2026-11-20T08:00:00Z") from None
    return Start(StartKind.END)


PRODUCE_HELP = f"""Write the lines of stdin as messages, one per line (empty lines skipped), and report
where each went (partition and offset). Exits 1 if any message failed.

{DELIVERY}

Example (keyed messages with a header):

\b
    printf 'o-1:created\\no-2:created\\n' | kadmin produce orders.created --key-separator : -H src=cli
"""


@app.command("produce", help=PRODUCE_HELP)
@guarded
def produce_command(
    topic: Annotated[str, typer.Argument(metavar="TOPIC", help="The topic to write.", show_default=False)],
    key_separator: Annotated[
        str | None,
        typer.Option(
            "--key-separator",
            metavar="SEP",
            help="Each line is KEY SEP VALUE (split at the first SEP); without it lines have no key.",
            show_default=False,
        ),
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option("--header", "-H", metavar="NAME=VALUE", help="A header on every message. Repeatable."),
    ] = None,
    partition: Annotated[
        int | None,
        typer.Option(
            "--partition",
            "-p",
            min=0,
            help="Write to this partition (default: by key, else spread).",
            show_default=False,
        ),
    ] = None,
    acks: Annotated[
        Acks,
        typer.Option("--acks", help="all (every in-sync replica, idempotent), 1 (the leader) or 0 (none)."),
    ] = Acks.all,
    output: Annotated[OutputFormat, typer.Option("--output", "-o", help="text or json.")] = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    records = records_from_lines(
        sys.stdin.buffer,
        key_separator=key_separator,
        headers=tuple(parse_header(h) for h in header or ()),
        partition=partition,
    )
    report = produce(connect(bootstrap, command_config, timeout=timeout), topic, records, acks=acks.value)
    if output is OutputFormat.json:
        print_json(produce_document(report))
    else:
        typer.echo("\n".join(produce_lines(report)))
    if report.failed:
        if output is OutputFormat.json:
            raise typer.Exit(1)
        raise KadminError(
            f"{len(report.failed)} of {len(report.deliveries)} message(s) were not written",
            where=f"topic {topic}",
            hint="the lines listed above failed; send them again once the cause is fixed",
        )
