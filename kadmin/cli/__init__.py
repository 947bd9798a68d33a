"""kadmin's command line: one typer app; each command module registers itself on it."""

from __future__ import annotations

from importlib import import_module

from kadmin.cli.app import app
from kadmin.cli.local_cmds import local_app

app.add_typer(local_app, name="local")

# Command modules of the other areas; each registers its commands on `app` when imported.
for _module in ("spec_cmds", "plan_cmds", "offsets_cmds", "zones_cmds", "export_cmds"):
    try:
        _mod = import_module(f"kadmin.cli.{_module}")
    except ModuleNotFoundError as _missing:
        if _missing.name != f"kadmin.cli.{_module}":
            raise
        continue
    if _module == "offsets_cmds":
        app.add_typer(_mod.offsets_app, name="offsets")


def main() -> None:
    app(prog_name="kadmin")
