"""kadmin's command line: one typer app (`kadmin.cli.app.app`); each command module registers
its commands on it, and is imported only when one of its commands runs (`app.COMMANDS`).

`main` answers ``kadmin --version`` before typer is even imported: a version check in a
script or a CI step should not pay for loading the command line.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from kadmin import __version__

        sys.stdout.write(f"kadmin {__version__}\n")
        return
    from kadmin.cli.app import app

    app(prog_name="kadmin")
