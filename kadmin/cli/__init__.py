"""kadmin's command line: one typer app; each command module registers its commands on it.

The modules are imported in the order `kadmin --help` lists them; one that fails to
import fails loudly.
"""

from __future__ import annotations

from importlib import import_module

from kadmin.cli.app import app

__all__ = ["app", "main"]

_COMMAND_MODULES = (
    "spec_cmds",
    "plan_cmds",
    "drift_cmds",
    "offsets_cmds",
    "zones_cmds",
    "reassign_cmds",
    "lock_cmds",
    "export_cmds",
    "inspect_cmds",
    "messages_cmds",
)

for _name in _COMMAND_MODULES:
    import_module(f"kadmin.cli.{_name}")

from kadmin.cli.local_cmds import local_app  # noqa: E402 - after the commands, so `local` lists last
from kadmin.cli.offsets_cmds import offsets_app  # noqa: E402

app.add_typer(offsets_app, name="offsets")
app.add_typer(local_app, name="local")


def main() -> None:
    app(prog_name="kadmin")
