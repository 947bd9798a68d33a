"""The plan file of several environments (``kadmin plan --env ... --out FILE``): one document
holding each cluster's own plan document under ``clusters``, read back as strictly as a
single plan (`planfile_read`, `planfile_rules`), each plan tied to its environment.

A plan file of specs without environments keeps the single-cluster format; `load_plans`
reads either. This module imports only `kadmin.core` and its `kadmin.plan` siblings.
"""

from __future__ import annotations

from pathlib import Path

from kadmin import __version__
from kadmin.core.plan import FORMAT_VERSION, Plan
from kadmin.plan.planfile import read_plan_document
from kadmin.plan.planfile_read import REWRITE_HINT, PlanFileError, _Node, plan_from_document
from kadmin.plan.planfile_rules import check_plan_rules

FLEET_KIND = "kadmin-fleet-plan"
"""The ``kind`` of a plan document over several environments; a single cluster's has none."""

EnvPlans = tuple[tuple[str, Plan], ...]
"""Plans by environment, in the order planned."""


def is_fleet_document(document: object) -> bool:
    return isinstance(document, dict) and document.get("kind") == FLEET_KIND


def load_plans(path: Path) -> Plan | EnvPlans:
    """A saved plan: one cluster's `Plan`, or the plans of several environments, every one checked."""
    source = str(path)
    document = read_plan_document(path)
    if is_fleet_document(document):
        return fleet_from_document(document, source)
    plan = plan_from_document(document, source=source)
    check_plan_rules(plan, source)
    return plan


def fleet_from_document(document: object, source: str = "<plan document>") -> EnvPlans:
    """Each environment's plan, checked as a single plan is and against the environment it is filed under."""
    root = _Node(source, "", document)
    version = root.get("format_version")
    if version.as_int() != FORMAT_VERSION:
        raise PlanFileError(
            f"plan file format {version.value} is not supported (this kadmin {__version__} reads "
            f"format {FORMAT_VERSION})",
            where=f"{source}: format_version",
            hint=f"plan and apply with the same kadmin version, or {REWRITE_HINT}",
        )
    clusters = root.get("clusters").items()
    if not clusters:
        root.get("clusters").fail("holds no cluster")
    plans: list[tuple[str, Plan]] = []
    for node in clusters:
        if "error" in node.as_object():
            node.get("error").fail("an environment that was not planned: a plan file holds plans only")
        env = node.get("env").as_str()
        if any(env == seen for seen, _ in plans):
            node.get("env").fail(f"environment {env} is listed twice")
        plan = plan_from_document(node.get("plan").value, source=f"{source}: {node.path}.plan")
        check_plan_rules(plan, source)
        planned_for = plan.inputs.environment if plan.inputs is not None else None
        if planned_for != env:
            computed = f"environment {planned_for}" if planned_for else "no environment"
            node.get("env").fail(f"is {env}, but the plan under it was computed for {computed}")
        if node.get("cluster_id").as_str() != plan.cluster_id:
            node.get("cluster_id").fail(f"is not the cluster id of the plan under it ({plan.cluster_id})")
        plans.append((env, plan))
    return tuple(plans)
