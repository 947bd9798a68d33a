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


# What a plan of one cluster's topics never needs: the fleet (--env/--all-envs), apply (and its lock,
# saved-plan checks and replica moves), offset resets (a spec without them), the Markdown renderer
# (-o markdown), the web UI.
NOT_ON_THE_PLAN_PATH = (
    "kadmin.cli.fleet_apply",
    "kadmin.cli.fleet_cmds",
    "kadmin.cli.lock_cmds",
    "kadmin.cli.reassign_cmds",
    "kadmin.core.fleet",
    "kadmin.ops.apply",
    "kadmin.ops.fanout",
    "kadmin.ops.move_wait",
    "kadmin.ops.offsets",
    "kadmin.ops.reassignment",
    "kadmin.ops.saved_plan",
    "kadmin.render.fleet",
    "kadmin.render.markdown",
    "kadmin.render.zones",
    "kadmin.web",
    "rich.progress",
    "rich.live",
)


def on_the_plan_path(loaded: list[str], avoided: tuple[str, ...]) -> list[str]:
    return [m for m in loaded if any(m == a or m.startswith(a + ".") for a in avoided)]


def test_plan_loads_neither_apply_fleet_move_views_markdown_nor_progress_bar_code() -> None:
    # A progress bar is drawn on a terminal only, by apply; the rest is imported where it is used.
    output, code, loaded = run_kadmin("plan", "--help")

    assert (code, "--allow-delete" in output) in ((0, True), (None, True))
    assert "kadmin.cli.plan_cmds" in loaded
    # The Kafka port names what group listings, locks and messages are in annotations only.
    unused_types = ("kadmin.core.inspect", "kadmin.core.lock", "kadmin.core.messages")
    assert on_the_plan_path(loaded, (*NOT_ON_THE_PLAN_PATH, *unused_types)) == []


_PLAN_TOPICS = """
import json, sys
from pathlib import Path
import kadmin.cli.plan_cmds
from kadmin.ops.planning import plan_specs
from kadmin.render.json import plan_document
from tests.fakes import InMemoryCluster
spec = Path(sys.argv[1])
spec.write_text("version: 1\\ntopics:\\n  team.orders:\\n    partitions: 3\\n    replication_factor: 3\\n")
planned = plan_specs([spec], lambda _: InMemoryCluster())
plan_document(planned.plan)
print(json.dumps({"actions": len(planned.plan.actions), "loaded": sorted(sys.modules)}))
"""


def test_a_plan_of_topics_only_loads_neither_access_offsets_nor_apply_code(tmp_path: Path) -> None:
    # Access is planned only for a spec with access sections or cluster.manage_principals, resets
    # only for a spec that declares them.
    done = subprocess.run(
        [sys.executable, "-c", _PLAN_TOPICS, str(tmp_path / "topics.yaml")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])

    assert found["actions"] == 1
    assert on_the_plan_path(found["loaded"], ("kadmin.ops.access", *NOT_ON_THE_PLAN_PATH)) == []
