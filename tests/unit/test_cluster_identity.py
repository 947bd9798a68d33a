"""Which cluster a plan is about: `cluster.id` pins it, plans name it, and a saved plan is tied
to the exact spec files it was computed from (the spec hash), over the in-memory cluster.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.plan_cmds as plan_cmds
from kadmin.cli.app import app
from kadmin.core.model import Broker, ClusterSpec
from kadmin.plan.identity import WrongClusterError, check_cluster
from kadmin.spec.digest import files_digest, spec_digest
from tests.fakes import InMemoryCluster

OURS = "MkU3OEVBNTcwNTJENDM2Qk"
OTHER = "Zm9vYmFyYmF6cXV4MTIzNA"

SPEC = """\
version: 1
cluster:
  name: prod-eu
  id: {cluster_id}
topics:
  t.orders:
    partitions: {partitions}
    replication_factor: 1
"""


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    memory = InMemoryCluster(brokers=(Broker(1, "zone-a"),), cluster_id=OURS)

    def connect(*args: Any, **kwargs: Any) -> InMemoryCluster:
        return memory

    monkeypatch.setattr(plan_cmds, "connect", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    return memory


def write_spec(directory: Path, cluster_id: str = OURS, partitions: int = 3) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "topics.yaml").write_text(SPEC.format(cluster_id=cluster_id, partitions=partitions))
    return directory


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_the_same_cluster_id_passes_and_another_is_refused_naming_both() -> None:
    check_cluster(ClusterSpec(id=OURS), OURS, "b:9092")
    check_cluster(ClusterSpec(), OTHER, None)
    with pytest.raises(WrongClusterError) as raised:
        check_cluster(ClusterSpec(name="prod-eu", id=OURS), OTHER, "staging:9092")
    assert str(raised.value.message) == (
        f"the spec is for cluster prod-eu {OURS}, but the cluster connected to is {OTHER} "
        "(reached through staging:9092)"
    )
    assert raised.value.hint


def test_plan_against_another_cluster_exits_1_naming_both_ids(mem: InMemoryCluster, tmp_path: Path) -> None:
    code, out, err = run("plan", write_spec(tmp_path / "specs", cluster_id=OTHER), "--detailed-exitcode")
    assert code == 1
    assert OURS in err and OTHER in err
    assert "cluster.id" in err
    assert out == ""


def test_apply_of_specs_for_another_cluster_changes_nothing(mem: InMemoryCluster, tmp_path: Path) -> None:
    code, _, err = run("apply", write_spec(tmp_path / "specs", cluster_id=OTHER), "--auto-approve")
    assert code == 1 and OTHER in err
    assert mem.topics == {}


def test_a_malformed_cluster_id_is_a_spec_error_at_its_line(tmp_path: Path) -> None:
    specs = write_spec(tmp_path / "specs", cluster_id="kadmin-3zones-demo-0001")
    code, _, err = run("validate", specs)
    assert code == 1
    assert f"{specs / 'topics.yaml'}:4:7: cluster.id" in err
    assert "22 characters" in err


def test_the_plan_document_names_its_cluster_and_spec_hash(mem: InMemoryCluster, tmp_path: Path) -> None:
    specs = write_spec(tmp_path / "specs")
    code, out, _ = run("plan", specs, "-o", "json")
    document = json.loads(out)
    assert code == 0
    assert document["cluster"] == {"name": "prod-eu", "id": OURS, "bootstrap": None}
    assert document["spec_hash"] == spec_digest([specs])
    assert document["spec_hash"].startswith("sha256:")


def test_the_spec_hash_follows_content_and_paths_not_history(tmp_path: Path) -> None:
    one = write_spec(tmp_path / "one")
    same = spec_digest([one])
    assert spec_digest([one]) == same
    (one / "topics.yaml").write_text((one / "topics.yaml").read_text() + "\n")
    assert spec_digest([one]) != same
    (one / "topics.yaml").rename(one / "renamed.yaml")
    assert files_digest([str(one / "renamed.yaml")]) != spec_digest([write_spec(tmp_path / "two")])


def test_apply_of_a_saved_plan_checks_the_spec_hash(mem: InMemoryCluster, tmp_path: Path) -> None:
    specs = write_spec(tmp_path / "specs")
    plan_file = tmp_path / "plan.json"
    assert run("plan", specs, "--out", plan_file)[0] == 0
    write_spec(specs, partitions=4)  # the merged specs are not the reviewed ones
    code, _, err = run("apply", plan_file, "--specs", specs)
    assert code == 1
    assert "the plan was computed from other spec files" in err
    assert mem.topics == {}
    write_spec(specs, partitions=3)
    code, _, err = run("apply", plan_file, "--specs", specs)
    assert code == 0, err
    assert set(mem.topics) == {"t.orders"}


def test_specs_is_refused_when_applying_specs_directly(mem: InMemoryCluster, tmp_path: Path) -> None:
    specs = write_spec(tmp_path / "specs")
    code, _, err = run("apply", specs, "--specs", specs, "--auto-approve")
    assert code == 1 and "--specs checks a saved plan" in err
    assert mem.topics == {}
