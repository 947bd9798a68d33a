"""The plan file of several environments: written as `kadmin plan --env ... -o json` prints it,
read back as strictly as a single plan, each plan tied to the environment it is filed under;
a single cluster's plan file keeps its own format and still loads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kadmin.core.fleet import EnvResult
from kadmin.core.plan import Plan
from kadmin.ops.fanout import plan_environments
from kadmin.plan.planfile import PlanFileError, save_plan, save_plan_document
from kadmin.plan.planfile_fleet import fleet_from_document, load_plans
from kadmin.render.fleet import fleet_document
from tests.unit.test_fanout import cluster, connector, desired, plans


def fleet() -> tuple[EnvResult[Plan], ...]:
    clusters = {"dev": cluster("dev"), "prod": cluster("prod")}
    return plans(
        plan_environments(["specs/"], {"dev": desired("dev"), "prod": desired("prod")}, connector(clusters))
    )


def saved(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "plan.json"
    save_plan_document(document, path)
    return path


def test_the_plans_of_several_environments_read_back_as_they_were(tmp_path: Path) -> None:
    shown = fleet()
    loaded = load_plans(saved(tmp_path, fleet_document(shown)))
    assert loaded == tuple((r.env, r.value) for r in shown)


def test_a_single_clusters_plan_file_loads_as_one_plan(tmp_path: Path) -> None:
    plan = fleet()[0].value
    assert plan is not None
    path = tmp_path / "one.json"
    save_plan(plan, path)
    assert load_plans(path) == plan
    assert "kind" not in json.loads(path.read_text())


def test_an_environment_that_was_not_planned_makes_no_plan_file(tmp_path: Path) -> None:
    document = fleet_document(fleet())
    document["clusters"][1] = {"env": "prod", "cluster_id": None, "error": {"problems": []}}
    with pytest.raises(PlanFileError, match=r"clusters\[1\]\.error: an environment that was not planned"):
        load_plans(saved(tmp_path, document))


def test_a_plan_filed_under_another_environment_is_refused() -> None:
    document = fleet_document(fleet())
    document["clusters"][0]["env"] = "prod"
    document["clusters"][1]["env"] = "dev"
    expected = r"clusters\[0\]\.env: is prod, but the plan under it was computed for environment dev"
    with pytest.raises(PlanFileError, match=expected):
        fleet_from_document(document, "plan.json")


def test_an_environment_listed_twice_is_refused() -> None:
    document = fleet_document(fleet())
    document["clusters"][1] = document["clusters"][0]
    with pytest.raises(PlanFileError, match="environment dev is listed twice"):
        fleet_from_document(document, "plan.json")


def test_a_cluster_id_that_is_not_its_plans_is_refused() -> None:
    document = fleet_document(fleet())
    document["clusters"][1]["cluster_id"] = document["clusters"][0]["cluster_id"]
    with pytest.raises(PlanFileError, match=r"clusters\[1\]\.cluster_id: is not the cluster id of the plan"):
        fleet_from_document(document, "plan.json")


def test_an_edited_action_inside_is_named_by_its_path() -> None:
    document = fleet_document(fleet())
    document["clusters"][1]["plan"]["actions"][0]["partitions"] = 0
    with pytest.raises(PlanFileError) as caught:
        fleet_from_document(document, "plan.json")
    assert "plan.json" in str(caught.value.where)


def test_an_empty_list_of_clusters_is_refused() -> None:
    document = fleet_document(fleet())
    document["clusters"] = []
    with pytest.raises(PlanFileError, match="clusters: holds no cluster"):
        fleet_from_document(document, "plan.json")
