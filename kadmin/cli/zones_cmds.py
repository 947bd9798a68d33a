"""`kadmin zones` and `kadmin reassignments list | wait | cancel`: how replicas sit across
zones, and the replica moves running in the cluster.

Parses options, calls `kadmin.reconcile.zones` and `kadmin.reassignment`, renders text
or JSON. Also owns the progress display of waiting moves (`move_progress`), which
`kadmin apply` shares. No Kafka here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kadmin.cli.app import (
    BootstrapOption,
    CommandConfigOption,
    OutputFormat,
    app,
    guarded,
    print_json,
    stderr,
    stdout,
)
from kadmin.cli.connection import connect
from kadmin.reassignment import (
    DEFAULT_TIMEOUT_S,
    MoveProgress,
    ReassignmentResult,
    Reassignments,
    ReassignOptions,
    Throttles,
    cancel,
    describe,
    finish,
)
from kadmin.reconcile.zones import ZoneReport, zone_report

reassignments_app = typer.Typer(
    help=(
        "List, finish and cancel replica moves (partition reassignments) running in the cluster.\n\n"
        "Example:\n\n\b\n"
        "    kadmin reassignments list\n"
        "    kadmin reassignments wait     # after `kadmin apply --no-wait`\n"
        "    kadmin reassignments cancel --topic orders"
    ),
    no_args_is_help=True,
)
app.add_typer(reassignments_app, name="reassignments")

NOT_ZONE_SAFE_EXIT = 2

OutputOption = Annotated[OutputFormat, typer.Option("--output", "-o", help="text or json.")]


@app.command("zones")
@guarded
def zones(
    output: OutputOption = OutputFormat.text,
    check: Annotated[
        bool, typer.Option("--check", help=f"Exit {NOT_ZONE_SAFE_EXIT} when a partition is not zone-safe.")
    ] = False,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
) -> None:
    """Brokers per zone (broker.rack) with their replica and leader counts, and the partitions
    that one zone outage would take down: replicas in fewer zones than min(RF, zones).

    Example (fail a CI job when a topic is not zone-safe):

    \b
        kadmin zones --check -o json
    """
    observed = connect(bootstrap, command_config).snapshot()
    report = zone_report(observed)
    if output is OutputFormat.json:
        print_json(zones_document(report, observed.cluster_id))
    else:
        _print_zones(report, observed.cluster_id)
    if check and not report.is_zone_safe:
        raise typer.Exit(NOT_ZONE_SAFE_EXIT)


@reassignments_app.command("list")
@guarded
def list_reassignments(
    output: OutputOption = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
) -> None:
    """The partitions being moved, with their replicas now and their target, and the replication
    throttles in place.

    Example: kadmin reassignments list -o json
    """
    found = describe(connect(bootstrap, command_config))
    if output is OutputFormat.json:
        print_json(reassignments_document(found))
    else:
        _print_reassignments(found)


@reassignments_app.command("wait")
@guarded
def wait(
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds to wait for the moves to finish.")
    ] = DEFAULT_TIMEOUT_S,
    output: OutputOption = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
) -> None:
    """Wait for the ongoing moves to finish, then remove the replication throttles and elect the
    preferred leaders of the moved partitions: what `kadmin apply --no-wait` leaves for later.

    Example: kadmin reassignments wait --timeout 3600
    """
    admin = connect(bootstrap, command_config)
    with move_progress() as progress:
        result = finish(admin, ReassignOptions(timeout=timeout), progress=progress)
    _report(result, output, verb="finished", nothing="no reassignment in progress")


@reassignments_app.command("cancel")
@guarded
def cancel_reassignments(
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", "-t", help="Cancel only this topic's moves. Repeatable.", show_default=False),
    ] = None,
    output: OutputOption = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
) -> None:
    """Cancel ongoing moves (all, or those of --topic): each partition goes back to its replicas
    from before the move. Once nothing moves any more, the replication throttles are removed.

    Example: kadmin reassignments cancel --topic orders
    """
    result = cancel(connect(bootstrap, command_config), topic or None)
    _report(result, output, verb="cancelled", nothing="no reassignment in progress")


# --- progress of waiting moves ----------------------------------------------------------


@contextlib.contextmanager
def move_progress(console: Console | None = None) -> Iterator[MoveProgress]:
    """A `MoveProgress` on stderr: a live bar on a terminal, one plain line per change otherwise."""
    err = console or stderr()
    if err.is_terminal:
        bar = Progress(
            TextColumn("moving replicas"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("partitions"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        task = bar.add_task("moves", total=None)

        def show(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        with bar:
            yield show
        return

    def write(done: int, total: int) -> None:
        err.print(f"moving replicas: {done}/{total} partitions done")

    yield write


# --- zones ------------------------------------------------------------------------------


def zones_document(report: ZoneReport, cluster_id: str = "") -> dict[str, Any]:
    """The JSON view of a zone report."""
    unsafe: dict[str, list[dict[str, Any]]] = {}
    for p in report.unsafe:
        unsafe.setdefault(p.topic, []).append(
            {"partition": p.partition, "replicas": list(p.replicas), "zones": p.zones, "needed": p.needed}
        )
    return {
        "cluster_id": cluster_id,
        "zone_count": report.zone_count,
        "zone_safe": report.is_zone_safe,
        "zones": [
            {
                "zone": rack.rack,
                "replicas": rack.replicas,
                "leaders": rack.leaders,
                "brokers": [
                    {"id": b.broker, "replicas": b.replicas, "leaders": b.leaders} for b in rack.brokers
                ],
            }
            for rack in report.racks
        ],
        "not_zone_safe": [{"topic": topic, "partitions": parts} for topic, parts in unsafe.items()],
    }


def _print_zones(report: ZoneReport, cluster_id: str) -> None:
    out = stdout()
    brokers = sum(len(r.brokers) for r in report.racks)
    name = f"cluster {cluster_id}" if cluster_id else "cluster"
    out.print(f"{name}: {_count(brokers, 'broker')} in {_count(report.zone_count, 'zone')}")
    out.print("")
    rows = []
    for rack in report.racks:
        for i, b in enumerate(rack.brokers):
            # Brokers without a rack are each a zone of their own; say so on every row.
            zone = rack.rack if rack.rack is not None else "(no rack)"
            rows.append(
                (zone if i == 0 or rack.rack is None else "", str(b.broker), str(b.replicas), str(b.leaders))
            )
    for line in _table(("ZONE", "BROKER", "REPLICAS", "LEADERS"), rows):
        out.print(line)
    out.print("")
    if report.is_zone_safe:
        out.print("every partition is zone-safe: its replicas span min(RF, zones) zones")
        return
    topics = {p.topic for p in report.unsafe}
    out.print(
        f"not zone-safe: {_count(len(report.unsafe), 'partition')} in {_count(len(topics), 'topic')} "
        "have replicas in fewer zones than min(RF, zones); one zone outage can take them offline"
    )
    out.print("")
    unsafe_rows = [
        (p.topic, str(p.partition), _list(p.replicas), f"{p.zones} of {p.needed}") for p in report.unsafe
    ]
    for line in _table(("TOPIC", "PARTITION", "REPLICAS", "ZONES"), unsafe_rows):
        out.print(line)
    out.print("")
    out.print("set placement: spread on these topics and run `kadmin apply` to move their replicas")


# --- reassignments ----------------------------------------------------------------------


def reassignments_document(found: Reassignments) -> dict[str, Any]:
    """The JSON view of the ongoing reassignments and throttles."""
    return {
        "reassignments": [
            {
                "topic": m.topic,
                "partition": m.partition,
                "replicas": list(m.replicas),
                "target": list(m.target),
                "removing": list(m.removing),
            }
            for m in found.moves
        ],
        "throttles": _throttles_document(found.throttles),
    }


def _throttles_document(throttles: Throttles) -> dict[str, Any]:
    return {
        "brokers": {str(b): dict(rates) for b, rates in throttles.brokers.items()},
        "topics": {t: dict(lists) for t, lists in throttles.topics.items()},
    }


def _print_reassignments(found: Reassignments) -> None:
    out = stdout()
    if not found.moves:
        out.print("no reassignment in progress")
    else:
        out.print(f"{_count(len(found.moves), 'partition')} being moved:")
        out.print("")
        rows = [
            (
                m.topic,
                str(m.partition),
                _list(m.replicas),
                _list(m.target),
                _list(m.removing) if m.removing else "-",
            )
            for m in found.moves
        ]
        for line in _table(("TOPIC", "PARTITION", "REPLICAS", "TARGET", "REMOVING"), rows):
            out.print(line)
    _print_throttles(out, found.throttles)


def _print_throttles(out: Console, throttles: Throttles) -> None:
    if not throttles:
        return
    out.print("")
    out.print("replication throttles in place:")
    for broker, rates in throttles.brokers.items():
        shown = ", ".join(f"{key.split('.', 1)[0]} {value} B/s" for key, value in sorted(rates.items()))
        out.print(f"  broker {broker}: {shown}")
    for topic, lists in throttles.topics.items():
        shown = "; ".join(f"{key.split('.', 1)[0]} {value}" for key, value in sorted(lists.items()))
        out.print(f"  topic {topic}: {shown}")


def _report(result: ReassignmentResult, output: OutputFormat, *, verb: str, nothing: str) -> None:
    if output is OutputFormat.json:
        print_json(
            {
                "ok": result.ok,
                "outcomes": [{"target": o.target, "ok": o.ok, "error": o.error} for o in result.outcomes],
                verb: [{"topic": t, "partition": p} for t, p in result.completed],
                "pending": [{"topic": t, "partition": p} for t, p in result.pending],
                "throttle_removed": result.throttle_removed,
                "notes": list(result.notes),
            }
        )
    else:
        out = stdout()
        if not result.outcomes and not result.notes:
            out.print(nothing)
        for o in result.outcomes:
            topic = o.target.removeprefix("topic:")
            if o.ok:
                parts = [p for t, p in result.completed if t == topic]
                out.print(f"topic {topic}: {verb} ({_count(len(parts), 'partition')})")
            else:
                out.print(f"topic {topic}: failed: {o.error}")
        if result.throttle_removed:
            out.print("replication throttles removed")
        for note in result.notes:
            out.print(f"note: {note}")
    if not result.ok:
        raise typer.Exit(1)


# --- text helpers -----------------------------------------------------------------------


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def _list(brokers: Sequence[int]) -> str:
    return "[" + ", ".join(map(str, brokers)) + "]"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
