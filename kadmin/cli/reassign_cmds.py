"""`kadmin reassignments list | wait | cancel`: the replica moves running in the cluster.

Parses options, calls `kadmin.ops.reassignment`, picks a renderer from
`kadmin.render.zones`. Also owns the progress display of waiting moves
(`move_progress`). No Kafka here.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Annotated

import typer
from rich.console import Console
from rich.filesize import decimal

from kadmin.cli.app import (
    DEFAULT_TIMEOUT_S as ANSWER_TIMEOUT_S,
)
from kadmin.cli.app import (
    BootstrapOption,
    CommandConfigOption,
    OutputFormat,
    OutputOption,
    TimeoutOption,
    app,
    guarded,
    print_json,
    stderr,
    stdout,
)
from kadmin.cli.connection import connect
from kadmin.ops.move_wait import Copied
from kadmin.ops.reassign_options import DEFAULT_TIMEOUT_S
from kadmin.ops.reassignment import MoveProgress, ReassignmentResult, ReassignOptions
from kadmin.ops.running_moves import cancel, describe, finish
from kadmin.render.zones import (
    reassignment_result_document,
    reassignments_document,
    render_reassignment_result,
    render_reassignments,
)

PLAIN_LINE_EVERY_S = 5.0
"""Without a terminal, how often a line says how far the copying has got (a CI log stays alive)."""


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


@reassignments_app.command("list")
@guarded
def list_reassignments(
    output: OutputOption = OutputFormat.text,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = ANSWER_TIMEOUT_S,
) -> None:
    """The partitions being moved, with their replicas now and their target, and the replication
    throttles in place.

    Example: kadmin reassignments list -o json
    """
    found = describe(connect(bootstrap, command_config, timeout=timeout))
    if output is OutputFormat.json:
        print_json(reassignments_document(found))
    else:
        render_reassignments(stdout(), found)


@reassignments_app.command("wait")
@guarded
def wait(
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=1, max=604800, help="Seconds to wait for the moves to finish (at most a week)."
        ),
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


def _report(result: ReassignmentResult, output: OutputFormat, *, verb: str, nothing: str) -> None:
    if output is OutputFormat.json:
        print_json(reassignment_result_document(result, verb=verb))
    else:
        render_reassignment_result(stdout(), result, verb=verb, nothing=nothing)
    if not result.ok:
        raise typer.Exit(1)


# --- progress of waiting moves ----------------------------------------------------------


@contextlib.contextmanager
def move_progress(console: Console | None = None) -> Iterator[MoveProgress]:
    """A `MoveProgress` on stderr: a live bar of bytes copied on a terminal; otherwise a plain
    line when a partition finishes and every few seconds in between (CI logs)."""
    err = console or stderr()
    if err.is_terminal:
        # Loaded here: plan and apply import this module for `MoveLines`, and most runs
        # (CI, a pipe) never draw a bar.
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn("moving replicas"),
            BarColumn(),
            TextColumn("{task.fields[partitions]}", markup=False),
            TextColumn("{task.fields[bytes]}", markup=False),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        task = bar.add_task("moves", total=None, partitions="", bytes="")

        def show(line: str, status: Copied | None) -> None:
            partitions, _, copying = line.removeprefix("moving replicas: ").partition(", ")
            known = status is not None and status.needed > 0
            bar.update(
                task,
                partitions=partitions,
                bytes=copying,
                completed=status.copied if status is not None and known else None,
                total=status.needed if status is not None and known else None,
            )

        with bar:
            yield MoveLines(show)
        return
    yield MoveLines(lambda line, _: err.print(line, markup=False, highlight=False))


class MoveLines:
    """What moving replicas looks like in words: ``moving replicas: 1/3 partitions done, 120 MB
    of 300 MB copied, 20 MB/s, about 9 s left``. Says it when a partition finishes and, while
    bytes move, at most every `every` seconds (on a terminal the bar redraws on its own)."""

    def __init__(
        self,
        say: Callable[[str, Copied | None], None],
        every: float = PLAIN_LINE_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.say, self.every, self.clock = say, every, clock
        self.done, self.total = 0, 0
        self.first: Copied | None = None
        self.last: Copied | None = None
        self.said_at: float | None = None

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self._say()

    def copied(self, status: Copied) -> None:
        self.first = self.first or status
        self.last = status
        if self.said_at is None or self.clock() - self.said_at >= self.every:
            self._say()

    def _say(self) -> None:
        self.said_at = self.clock()
        self.say(self.line(), self.last)

    def line(self) -> str:
        text = f"moving replicas: {self.done}/{self.total} partitions done"
        status, first = self.last, self.first
        if status is None or first is None or not status.needed:
            return text
        text += f", {decimal(status.copied)} of {decimal(status.needed)} copied"
        spent = status.elapsed - first.elapsed
        if spent > 0 and status.copied > first.copied:
            text += f", {decimal(int((status.copied - first.copied) / spent))}/s"
        eta = status.eta(first)
        if eta is not None:
            text += f", about {eta:.0f} s left"
        return text
