"""`kadmin validate`, `kadmin show` and `kadmin schema` through the real typer app."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import yaml
from typer.testing import CliRunner

import kadmin.cli  # noqa: F401 - registers every command on the app
from kadmin.cli.app import app
from kadmin.spec.editor_schema import editor_schema
from kadmin.spec.load import schema

runner = CliRunner()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
    version: 1
    defaults: {replication_factor: 1}
    topics:
      orders.created:
        partitions: 3
        configs: {retention.ms: 1d}
      orders.cancelled: {partitions: 1}
    """


def test_validate_a_valid_spec_exits_0_with_a_summary_and_warnings_on_stderr(tmp_path: Path) -> None:
    file = write(tmp_path, "s.yaml", GOOD)
    empty = write(tmp_path, "t.yaml", "# nothing yet\n")
    result = runner.invoke(app, ["validate", str(file), str(empty)])
    assert result.exit_code == 0
    assert result.stdout == "valid: 2 files, 2 topics, 0 offset resets\n"
    assert result.stderr == f"warning: {empty}:1:1: holds no YAML document; it adds nothing to the spec\n"


def test_validate_reports_every_problem_of_every_file_sorted_and_exits_1(tmp_path: Path) -> None:
    b = write(tmp_path, "b.yaml", "version: 1\ntopics:\n  payments: {partitions: 0, replication_factor: 1}\n")
    a = write(
        tmp_path,
        "a.yaml",
        """\
        version: 1
        topics:
          orders:
            partiton: 3
            replication_factor: 1
            configs: {retention.ms: 7 days}
        """,
    )
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{a}:4:5: topics.orders: unknown key (partiton) — did you mean partitions?",
        f'{a}:6:29: topics.orders.configs.retention.ms: is not a duration (found "7 days")'
        " — write a whole number of milliseconds or a duration such as 500ms, 30s, 15m, 12h, 7d, 1h30m",
        f"{b}:3:26: topics.payments.partitions: must be at least 1 (found 0)"
        " — a topic needs at least one partition",
        "invalid: 3 problems",
    ]
    assert "Traceback" not in result.output


def test_validate_needs_a_path() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1  # a usage error; 2 only ever means changes


def test_show_prints_the_resolved_state_as_yaml(tmp_path: Path) -> None:
    file = write(tmp_path, "s.yaml", GOOD)
    result = runner.invoke(app, ["show", str(file)])
    assert result.exit_code == 0
    assert result.stdout == textwrap.dedent(
        """\
        version: 1
        topics:
          orders.cancelled:
            partitions: 1
            replication_factor: 1
            placement: spread
            configs: {}
          orders.created:
            partitions: 3
            replication_factor: 1
            placement: spread
            configs:
              retention.ms: '86400000'
        """
    )
    assert result.stderr == ""


def test_show_as_json_is_the_same_document(tmp_path: Path) -> None:
    file = write(tmp_path, "s.yaml", GOOD)
    as_yaml = yaml.safe_load(runner.invoke(app, ["show", str(file)]).stdout)
    result = runner.invoke(app, ["show", str(file), "-o", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == as_yaml


def test_show_reports_problems_like_every_other_command(tmp_path: Path) -> None:
    file = write(tmp_path, "s.yaml", "version: 1\ntopics: {t: {partitions: 1}}\n")
    result = runner.invoke(app, ["show", str(file)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {file}:2:10: topics.t: has no replication_factor",
        "  hint: set replication_factor: on the topic, in its profile, or under defaults:",
    ]


FLEET = """\
    version: 1
    environments:
      dev:
        bootstrap: 127.0.0.1:9092
        command_config: dev.properties
        overrides:
          all: {replication_factor: 1}
          topics: {orders.created: {configs: {retention.ms: 1h}}}
      prod:
        bootstrap: ${KADMIN_TEST_PROD_BOOTSTRAP}
        variables: KADMIN_PROD_
    defaults: {replication_factor: 3}
    topics:
      orders.created: {partitions: 3, configs: {retention.ms: 1d}}
    """


def test_validate_checks_every_environment_or_those_named(tmp_path: Path) -> None:
    file = write(tmp_path, "s.yaml", FLEET)
    everything = runner.invoke(app, ["validate", str(file)], env={"KADMIN_TEST_PROD_BOOTSTRAP": "p:9092"})
    assert everything.exit_code == 0
    assert (
        everything.stdout == "valid: 1 file, 2 environments (dev: 1 topic, prod: 1 topic), 0 offset resets\n"
    )
    unset = runner.invoke(app, ["validate", str(file)])
    assert unset.exit_code == 1
    assert "environments.prod.bootstrap: variable KADMIN_TEST_PROD_BOOTSTRAP is not set" in unset.stderr
    dev = runner.invoke(app, ["validate", str(file), "--env", "dev"])
    assert (dev.exit_code, dev.stdout) == (
        0,
        "valid: 1 file, 1 environment (dev: 1 topic), 0 offset resets\n",
    )


def test_show_env_prints_one_environment_and_what_its_overrides_changed(tmp_path: Path) -> None:
    file = write(tmp_path, "s.yaml", FLEET)
    result = runner.invoke(app, ["show", str(file), "--env", "dev"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == textwrap.dedent(
        f"""\
        version: 1
        environment: dev
        cluster:
          bootstrap: 127.0.0.1:9092
          command_config: {tmp_path / "dev.properties"}
        topics:
          orders.created:
            partitions: 3
            replication_factor: 1
            placement: spread
            configs:
              retention.ms: '3600000'
            overridden:
              configs.retention.ms: overrides.topics.orders.created ({file}:8)
              replication_factor: overrides.all ({file}:7)
        """
    )
    assert runner.invoke(app, ["show", str(file)]).exit_code == 1


def test_schema_prints_the_json_schema_for_editors() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed == editor_schema()
    assert printed["properties"] == schema()["properties"]
