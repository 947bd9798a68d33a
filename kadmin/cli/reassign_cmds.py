"""`kadmin reassignments list | wait | cancel`: the replica moves running in the cluster.

Parses options, calls `kadmin.ops.reassignment`, picks a renderer from
`kadmin.render.zones`. Also owns the progress display of waiting moves
(`move_progress`). No Kafka here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
from kadmin.ops.reassignment import (
    DEFAULT_TIMEOUT_S,
    MoveProgress,
    ReassignmentResult,
    ReassignOptions,
)
from kadmin.ops.running_moves import cancel, describe, finish
from kadmin.render.zones import (
    reassignment_result_document,
    reassignments_document,
    render_reassignment_result,
    render_reassignments,
)

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
