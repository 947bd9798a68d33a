"""`kadmin plan`, `apply` and `drift` with --env and --all-envs, over one in-memory cluster per
environment: one section per environment and the total, the exit codes over all of them, the
options that name one cluster refused for several, a saved plan of several applied per cluster.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.fleet_cmds as fleet_cmds
import kadmin.cli.plan_view as plan_view
from kadmin.cli.app import app
from kadmin.core.model import Broker, ClusterSpec
from tests.fakes import InMemoryCluster

IDS = {"dev": "ZGV2LWNsdXN0ZXItaWQtMD", "prod": "cHJvZC1jbHVzdGVyLWlkLT"}

SPEC = """\
version: 1
environments:
  dev:
    name: dev-eu
    bootstrap: dev-kafka:9092
    id: {dev}
  prod:
    name: prod-eu
    bootstrap: prod-kafka:9092
    id: {prod}
    overrides:
      topics:
        t.orders:
          partitions: 6
topics:
  t.orders:
    partitions: 3
    replication_factor: 1
"""


@pytest.fixture
def clusters(monkeypatch: pytest.MonkeyPatch) -> dict[str, InMemoryCluster]:
    found = {env: InMemoryCluster(brokers=(Broker(1, "zone-a"),), cluster_id=i) for env, i in IDS.items()}
    reached: list[str] = []

    def connect(cluster: ClusterSpec, **_: Any) -> InMemoryCluster:
        assert cluster.environment is not None
        reached.append(cluster.environment)
        return found[cluster.environment]

    monkeypatch.setattr(fleet_cmds, "connect_environment", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    return found


def write_spec(directory: Path, **ids: str) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "fleet.yaml").write_text(SPEC.format(**{**IDS, **ids}))
    return directory


def run(*args: str | Path, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_plan_of_every_environment_has_a_section_each_and_the_total(
    clusters: dict[str, InMemoryCluster], tmp_path: Path
) -> None:
    clusters["prod"].add_topic("t.orders", 3, 1)

    code, out, err = run("plan", write_spec(tmp_path / "specs"), "--all-envs", "--detailed-exitcode")

    assert code == 2, err
    dev, prod = out.split("== Environment prod ==")
    assert "== Environment dev ==" in dev and "+ topic t.orders: 3 partitions" in dev
    assert "~ topic t.orders" in prod and "partitions: 3 -> 6" in prod.replace("→", "->")
    assert out.rstrip().endswith("Total over 2 environments: 1 to create, 1 to update, 0 to delete.")


def test_an_environment_that_fails_makes_exit_1_and_the_other_is_still_planned(
    clusters: dict[str, InMemoryCluster], tmp_path: Path
) -> None:
    clusters["dev"].raise_on("snapshot")

    code, out, err = run("plan", write_spec(tmp_path / "specs"), "--all-envs", "--detailed-exitcode")

    assert code == 1
    assert "error: cluster 127.0.0.1:9092: no answer" in out
    assert "Plan: 1 to create" in out
    # A plan applies nothing anyway: its error does not say "nothing was applied".
    assert "error: 1 environment failed (dev)\n" in err


def test_one_env_plans_only_that_cluster(clusters: dict[str, InMemoryCluster], tmp_path: Path) -> None:
    code, out, _ = run("plan", write_spec(tmp_path / "specs"), "--env", "prod", "-o", "json")

    assert code == 0
    document = json.loads(out)
    assert [c["env"] for c in document["clusters"]] == ["prod"]
    assert clusters["dev"].calls == []


@pytest.mark.parametrize(
    ("option", "named"),
    [(("-b", "k:9092"), "--bootstrap-server"), (("--command-config", "c.properties"), "--command-config")],
)
def test_options_naming_one_cluster_are_refused_for_several(
    clusters: dict[str, InMemoryCluster], tmp_path: Path, option: tuple[str, str], named: str
) -> None:
    code, _, err = run("plan", write_spec(tmp_path / "specs"), "--all-envs", *option)

    assert code == 1
    assert f"{named} (or KADMIN_" in err and "2 environments are selected (dev, prod)" in err
    assert all(not c.calls for c in clusters.values())


def test_env_and_all_envs_together_are_refused(clusters: dict[str, InMemoryCluster], tmp_path: Path) -> None:
    code, _, err = run("plan", write_spec(tmp_path / "specs"), "--all-envs", "--env", "dev")
    assert code == 1 and "--env and --all-envs both select environments" in err


def test_apply_changes_the_clusters_one_after_another(
    clusters: dict[str, InMemoryCluster], tmp_path: Path
) -> None:
    code, out, err = run("apply", write_spec(tmp_path / "specs"), "--all-envs", "--auto-approve", "--no-lock")

    assert code == 0, err
    assert len(clusters["dev"].topics["t.orders"].partitions) == 3
    assert len(clusters["prod"].topics["t.orders"].partitions) == 6
    assert out.index("== Environment dev ==") < out.index("== Environment prod ==")


def test_apply_asks_once_naming_the_clusters_it_changes(
    clusters: dict[str, InMemoryCluster], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan_view, "interactive", lambda: True)
    clusters["dev"].add_topic("t.orders", 3, 1)

    code, _, err = run("apply", write_spec(tmp_path / "specs"), "--all-envs", "--no-lock", stdin="n\n")

    assert code == 1
    assert f"Apply 1 change to 1 cluster, one after another (prod: prod-eu ({IDS['prod']})" in err
    assert "Apply cancelled; nothing was changed." in err
    assert "t.orders" not in clusters["prod"].topics


def test_apply_refuses_everything_when_one_environment_cannot_be_planned(
    clusters: dict[str, InMemoryCluster], tmp_path: Path
) -> None:
    specs = write_spec(tmp_path / "specs", prod=IDS["dev"])  # prod's spec names dev's cluster id

    code, out, err = run("apply", specs, "--all-envs", "--auto-approve", "--no-lock")

    assert code == 1
    assert (
        f"the spec is for cluster prod-eu {IDS['dev']}, but the cluster connected to is {IDS['prod']}" in out
    )
    assert "nothing was applied" in err
    assert clusters["dev"].topics == {} and clusters["prod"].topics == {}


def test_a_saved_plan_of_several_is_applied_and_one_environment_of_it_alone(
    clusters: dict[str, InMemoryCluster], tmp_path: Path
) -> None:
    specs = write_spec(tmp_path / "specs")
    plan_file = tmp_path / "plan.json"
    code, _, err = run("plan", specs, "--all-envs", "--out", plan_file)
    assert code == 0 and "Plan saved to" in err

    code, _, err = run("apply", plan_file, "--env", "prod", "--no-lock")
    assert code == 0, err
    assert "t.orders" in clusters["prod"].topics and "t.orders" not in clusters["dev"].topics

    # prod's part is stale now: the file as a whole is refused, and dev is not changed either.
    code, _, err = run("apply", plan_file, "--no-lock")
    assert code == 1 and "environment prod" in err and "nothing was applied" in err
    assert "t.orders" not in clusters["dev"].topics

    code, _, err = run("apply", plan_file, "--env", "qa", "--no-lock")
    assert code == 1 and "holds no plan of environment qa (it holds dev, prod)" in err


def test_a_plan_with_a_failed_environment_is_not_saved(
    clusters: dict[str, InMemoryCluster], tmp_path: Path
) -> None:
    clusters["prod"].raise_on("snapshot")
    plan_file = tmp_path / "plan.json"

    code, _, err = run("plan", write_spec(tmp_path / "specs"), "--all-envs", "--out", plan_file)

    assert code == 1 and "Plan not saved" in err and not plan_file.exists()


def test_drift_over_environments(clusters: dict[str, InMemoryCluster], tmp_path: Path) -> None:
    clusters["dev"].add_topic("t.orders", 3, 1)
    clusters["prod"].add_topic("t.orders", 3, 1)

    code, out, _ = run("drift", write_spec(tmp_path / "specs"), "--all-envs", "--detailed-exitcode")

    assert code == 2
    assert "Drift over 2 environments: 1 drifted (prod)." in out


def test_a_spec_without_environments_refuses_all_envs(
    clusters: dict[str, InMemoryCluster], tmp_path: Path
) -> None:
    (tmp_path / "one.yaml").write_text(
        "version: 1\ntopics:\n  t.a:\n    partitions: 1\n    replication_factor: 1\n"
    )
    code, _, err = run("plan", tmp_path / "one.yaml", "--all-envs")
    assert code == 1 and "declares no environments" in err


def test_export_of_an_environment_needs_its_spec(tmp_path: Path) -> None:
    code, _, err = run("export", "--env", "prod")
    assert code == 1 and "--env names an environment of a spec, and no --spec is given" in err


def test_validate_checks_every_environment_or_refuses_all_envs_without_any(tmp_path: Path) -> None:
    code, out, _ = run("validate", write_spec(tmp_path / "specs"), "--all-envs")
    assert code == 0 and "2 environments (dev: 1 topic, prod: 1 topic)" in out
    (tmp_path / "one.yaml").write_text(
        "version: 1\ntopics:\n  t.a:\n    partitions: 1\n    replication_factor: 1\n"
    )
    code, _, err = run("validate", tmp_path / "one.yaml", "--all-envs")
    assert code == 1 and "declares no environments" in err
