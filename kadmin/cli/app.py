"""The typer app and what every command shares: output, errors, connection settings.

Command modules register themselves on `app`; `kadmin.cli` imports them all.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Mapping
from enum import StrEnum
from importlib import import_module
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
import typer.main
from typer.core import TyperGroup

from kadmin import __version__
from kadmin.core.errors import KadminError, SpecError

if TYPE_CHECKING:
    from rich.console import Console

P = ParamSpec("P")
R = TypeVar("R")


# typer 0.2x vendors click and exports only some of its classes; `UsageError` is the base
# of the one it exports, whichever click it uses.
_UsageError: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class _Commands(TyperGroup):
    """The root command: every usage error (a bad flag, a missing argument, a value out of
    range) exits 1, because click's 2 would read as `--detailed-exitcode`'s "changes".

    Sub-groups and commands run inside this group's `invoke`, so their usage errors pass
    through here too.
    """

    # Typed loosely: the click classes typer vendors are not part of its public API.
    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except _UsageError as err:
            err.exit_code = 1  # type: ignore[attr-defined]
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _UsageError as err:
            err.exit_code = 1  # type: ignore[attr-defined]
            raise

    # Each command's module is imported when the command runs (or --help lists it), not at start:
    # `kadmin validate` never loads the Kafka client, `kadmin plan` never the local-cluster code.
    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            import_module(f"kadmin.cli.{COMMANDS[cmd_name]}")
            built = _registered(cmd_name)
            if built is not None:
                self.add_command(built, cmd_name)
        return super().get_command(ctx, cmd_name)


COMMANDS: Mapping[str, str] = {
    "validate": "spec_cmds",
    "show": "spec_cmds",
    "schema": "spec_cmds",
    "plan": "plan_cmds",
    "apply": "plan_cmds",
    "drift": "drift_cmds",
    "zones": "zones_cmds",
    "unlock": "lock_cmds",
    "export": "export_cmds",
    "topics": "inspect_cmds",
    "tail": "messages_cmds",
    "produce": "messages_cmds",
    "reassignments": "reassign_cmds",
    "describe": "inspect_cmds",
    "groups": "inspect_cmds",
    "offsets": "offsets_cmds",
    "ui": "ui_cmds",
    "local": "local_cmds",
}
"""Every top-level command or group, in the order `kadmin --help` lists them, with the module under
`kadmin.cli` that registers it on `app` (a unit test checks the two agree)."""


def _registered(name: str) -> Any:
    """The click command (or group) for `name` as its module registered it on `app`; None if it did not."""
    for command in app.registered_commands:
        callback = command.callback
        if (command.name or (callback and typer.main.get_command_name(callback.__name__))) == name:
            return typer.main.get_command_from_info(
                command,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    for group in app.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                suggest_commands=app.suggest_commands,
                rich_markup_mode=app.rich_markup_mode,
            )
    return None


app = typer.Typer(
    name="kadmin",
    cls=_Commands,
    help=(
        "Declarative cluster administration for Apache Kafka.\n\n"
        "Keep topics, configs, zones and consumer-group offset resets in YAML, "
        "see the plan, then apply it.\n\n"
        "Example:\n\n\b\n"
        "    kadmin local up --nodes 3 && kadmin plan specs/ && kadmin apply specs/"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _Flags:
    debug = False


def stdout() -> Console:
    """Console for results; colour only when stdout is a terminal (and NO_COLOR is unset).

    Markup and emoji codes are off: what kadmin prints quotes names, paths and values
    from users and the cluster (a group `[prod]billing`, a topic `x:fire:y`, a location
    `a.yaml:100:3`), and those are printed literally. Styles come from `Text` and segments.
    """
    return _console(stderr=False)


def stderr() -> Console:
    """Console for errors, warnings, progress and prompts; literal like `stdout()`."""
    return _console(stderr=True)


def _console(*, stderr: bool) -> Console:
    from rich.console import Console  # rich is loaded by the commands that print with it only

    return Console(
        stderr=stderr,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=True,
        no_color=bool(os.environ.get("NO_COLOR")) or None,
    )


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


OutputOption = Annotated[OutputFormat, typer.Option("--output", "-o", help="text or json.")]
"""`--output` of every command that prints a view as text or JSON."""


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=False) + "\n")


def report_error(err: KadminError) -> None:
    """One clean message per problem on stderr; the hint on its own line."""
    from rich.text import Text

    console = stderr()
    problems = err.problems if isinstance(err, SpecError) else [err]
    for problem in problems:
        where = f"{problem.where}: " if problem.where else ""
        # Messages quote user input ("[a, b]", "x:fire:y"): plain Text, never markup or emoji codes.
        console.print(Text.assemble(("error:", "bold red"), " ", where + problem.message))
        if problem.hint:
            console.print(Text.assemble("  ", ("hint:", "dim"), " ", problem.hint))


_AT_COMMAND_END: list[Callable[[], None]] = []


def close_at_command_end(close: Callable[[], None]) -> None:
    """Run `close` when the running command ends, however it ends (see `guarded`)."""
    _AT_COMMAND_END.append(close)


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn an expected `KadminError` into a clean message and its exit code (1 unless set),
    and release what the command opened (`close_at_command_end`) however it ends.

    Anything else is a bug and keeps its traceback. `--debug` re-raises everything.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except KadminError as err:
            if _Flags.debug:
                raise
            report_error(err)
            raise typer.Exit(err.exit_code) from None
        finally:
            while _AT_COMMAND_END:
                _AT_COMMAND_END.pop()()

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kadmin {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show full tracebacks, also for expected errors.")
    ] = False,
) -> None:
    _Flags.debug = debug


BootstrapOption = Annotated[
    str | None,
    typer.Option(
        "--bootstrap-server",
        "-b",
        envvar="KADMIN_BOOTSTRAP_SERVER",
        help=(
            "host:port of a broker. Default: the spec's cluster.bootstrap, "
            "else the cluster `kadmin local up` started."
        ),
        show_default=False,
    ),
]
CommandConfigOption = Annotated[
    str | None,
    typer.Option(
        "--command-config",
        envvar="KADMIN_COMMAND_CONFIG",
        help="File of librdkafka client properties (security.protocol, sasl.*, ssl.*).",
        show_default=False,
    ),
]
TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        min=1.0,
        max=3600.0,
        help="Longest wait for any one answer from the cluster (1 to 3600).",
    ),
]
"""`--timeout` of every command that talks to a cluster; the default is `DEFAULT_TIMEOUT_S`.
librdkafka refuses request timeouts above an hour with a ValueError, hence the bound."""
DEFAULT_TIMEOUT_S = 30.0
