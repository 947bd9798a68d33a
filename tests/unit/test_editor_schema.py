"""The schema `kadmin schema` prints for editors: value rules from the config catalog, `${VAR}`
accepted where numbers go, and every example spec valid as written (before expansion)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from kadmin.cli.app import app
from kadmin.core.kafka_configs import CATALOG
from kadmin.spec.editor_schema import editor_schema

ROOT = Path(__file__).parent.parent.parent


def errors(topic: dict[str, Any]) -> list[str]:
    document = {"version": 1, "topics": {"t": topic}}
    return [e.message for e in Draft202012Validator(editor_schema()).iter_errors(document)]


def test_it_is_a_valid_2020_12_schema_and_what_kadmin_schema_prints() -> None:
    printed = CliRunner().invoke(app, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == editor_schema()
    assert editor_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(editor_schema())


def test_every_example_spec_is_valid_as_written() -> None:
    files = sorted((ROOT / "specs").glob("*.yaml")) + sorted((ROOT / "specs" / "more").glob("*.yaml"))
    assert len(files) >= 5
    validator = Draft202012Validator(editor_schema())
    for path in files:
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            assert [e.message for e in validator.iter_errors(document)] == [], path


@pytest.mark.parametrize(
    "configs",
    [
        {"compression.type": "zstd"},
        {"cleanup.policy": ["compact", "delete"]},
        {"cleanup.policy": "compact,delete"},
        {"cleanup.policy": "${POLICY:-delete}"},
        {"message.timestamp.type": "LogAppendTime"},
        {"retention.ms": "7d"},
        {"retention.ms": "1h30m"},
        {"retention.ms": -1},
        {"segment.ms": "500ms"},
        {"max.message.bytes": "1MiB"},
        {"retention.bytes": "2GB"},
        {"unclean.leader.election.enable": False},
        {"min.insync.replicas": 2},
        {"compression.gzip.level": -1},
    ],
)
def test_values_kadmin_accepts_are_valid(configs: dict[str, Any]) -> None:
    assert errors({"configs": configs}) == []


@pytest.mark.parametrize(
    "configs",
    [
        {"compression.type": "zstdd"},
        {"compression.type": True},
        {"cleanup.policy": ["compact", "dlete"]},
        {"cleanup.policy": "compact,dlete"},
        {"message.timestamp.type": "createtime"},
        {"retention.ms": "7 days"},
        {"max.message.bytes": "1Mb"},
        {"min.insync.replicas": 0},
        {"unclean.leader.election.enable": "yes"},
    ],
)
def test_values_kadmin_refuses_are_flagged(configs: dict[str, Any]) -> None:
    assert errors({"configs": configs}) != []


def test_variables_go_where_numbers_go() -> None:
    assert errors({"partitions": "${N:-6}", "replication_factor": "${RF}"}) == []
    assert errors({"partitions": "six"}) != []


def test_each_config_key_has_generated_rules() -> None:
    configs = editor_schema()["$defs"]["configs"]["properties"]
    assert set(configs) == set(CATALOG)
    assert configs["compression.type"]["anyOf"][0] == {"enum": list(CATALOG["compression.type"].allowed)}
    assert all("description" in rule for rule in configs.values())
