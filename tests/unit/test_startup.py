"""What starting the command line loads: each command's module is imported when it runs, so the
offline commands never load the Kafka clients, rich or deepdiff, and `--version` not even typer.
No command loads pydantic (typer below 0.28), and a valid spec is checked without jsonschema,
which only words the errors of an invalid one.
Checked structurally, from `sys.modules` of a fresh interpreter, never by timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from kadmin import __version__
from kadmin.cli.app import COMMANDS, app

REPO = Path(__file__).resolve().parents[2]
HEAVY = (
    "confluent_kafka",
    "kafka",
    "rich",
    "deepdiff",
    "psutil",
    "kadmin.kafka",
    "kadmin.ops",
    "kadmin.local",
    "pydantic",
    "jsonschema",
)

_RUN = """
import json, sys
sys.argv = ["kadmin", *sys.argv[1:]]
from kadmin.cli import main
code = 0
try:
    main()
except SystemExit as exit:
    code = exit.code
watched = ("confluent_kafka", "kafka", "rich", "deepdiff", "psutil", "typer", "pydantic", "jsonschema")
loaded = sorted({m for m in sys.modules if m.split(".")[0] in watched or m.startswith("kadmin.")})
print(json.dumps({"code": code, "loaded": loaded}))
"""


def run_kadmin(*args: str) -> tuple[str, int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    *output, report = done.stdout.splitlines()
    found = json.loads(report)
    return "\n".join(output), found["code"], found["loaded"]


def heavy(loaded: list[str]) -> list[str]:
    return [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_validate_loads_neither_the_kafka_clients_nor_rich() -> None:
    output, code, loaded = run_kadmin("validate", "specs/")

    assert (code, output.startswith("valid:")) in ((0, True), (None, True))
    assert "kadmin.cli.spec_cmds" in loaded
    assert heavy(loaded) == []


def test_version_is_answered_before_the_command_line_is_loaded() -> None:
    output, code, loaded = run_kadmin("--version")

    assert (output, code) == (f"kadmin {__version__}", 0)
    assert not [m for m in loaded if m.startswith("typer") or m.startswith("kadmin.cli.")]


def test_the_command_table_names_every_command_its_module_registers() -> None:
    for module in sorted(set(COMMANDS.values())):
        __import__(f"kadmin.cli.{module}")
    registered = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    registered |= {g.name or "" for g in app.registered_groups}

    assert registered == set(COMMANDS)


def test_help_lists_every_command_in_the_tables_order() -> None:
    shown = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    listed = [line.split()[0] for line in shown.output.split("Commands:")[1].splitlines() if line.strip()]

    assert listed == list(COMMANDS)


def test_offsets_reset_loads_neither_rich_nor_kafka_python() -> None:
    # Its views are plain lines (render.literal.PlainLines), and kafka-python serves only moves.
    output, code, loaded = run_kadmin("offsets", "reset", "--help")

    assert (code, "--to-earliest" in output) in ((0, True), (None, True))
    assert "kadmin.cli.offsets_cmds" in loaded
    assert [m for m in loaded if m.split(".")[0] in ("rich", "kafka", "pydantic", "jsonschema")] == []


def test_plan_loads_no_progress_bar_code() -> None:
    # A progress bar is drawn on a terminal only; the module imports rich.progress when it is.
    output, code, loaded = run_kadmin("plan", "--help")

    assert (code, "--allow-delete" in output) in ((0, True), (None, True))
    assert "kadmin.cli.reassign_cmds" in loaded
    assert [m for m in loaded if m.startswith("rich.progress") or m.startswith("rich.live")] == []
