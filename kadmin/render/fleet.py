"""Plans and drift of several environments (``--env``, ``--all-envs``): one section per
environment, then the total (text); a summary table then a section per environment (markdown,
one pull-request comment); a ``clusters`` list (JSON, docs/plan-json.md). An environment that
failed has its error in its section instead of a plan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rich.console import Console

from kadmin import __version__
from kadmin.core.errors import KadminError, SpecError
from kadmin.core.fleet import EnvResult, plans_of
from kadmin.core.plan import FORMAT_VERSION, Plan
from kadmin.plan.drift import DriftReport
from kadmin.plan.planfile_fleet import FLEET_KIND
from kadmin.render.drift import drift_document, render_drift, render_drift_markdown
from kadmin.render.json import plan_document
from kadmin.render.literal import say
from kadmin.render.markdown import _code, _escape, render_plan_markdown
from kadmin.render.review import count
from kadmin.render.text import render_plan

T = TypeVar("T")


def error_text(error: KadminError) -> str:
    """An environment's error as one paragraph: each problem of a spec error, else the error with its hint."""
    if isinstance(error, SpecError):
        return "\n".join(str(problem) for problem in error.problems)
    return str(error)


def env_heading(env: str) -> str:
    return f"== Environment {env} =="


def totals(results: Sequence[EnvResult[Plan]]) -> dict[str, int]:
    """create / update / delete / refused summed over the planned environments, and how many failed."""
    summed = {"create": 0, "update": 0, "delete": 0, "refused": 0}
    for _, plan in plans_of(results):
        counts = plan.summary()
        for key in summed:
            summed[key] += counts[key]
    return {**summed, "failed": sum(1 for r in results if r.failed)}


def total_line(results: Sequence[EnvResult[Plan]]) -> str:
    """``Total over 3 environments: 2 to create, 1 to update, 0 to delete. 1 failed: prod.``"""
    t = totals(results)
    line = (
        f"Total over {count(len(results), 'environment')}: {t['create']} to create, "
        f"{t['update']} to update, {t['delete']} to delete."
    )
    if t["refused"]:
        line += f" {t['refused']} refused."
    failed = [r.env for r in results if r.failed]
    if failed:
        line += f" {len(failed)} failed: {', '.join(failed)}."
    return line


def render_fleet(results: Sequence[EnvResult[Plan]], console: Console, *, detailed: bool = False) -> None:
    """One section per environment, in the order given, then the total."""
    for result in results:
        say(console, env_heading(result.env))
        if result.value is not None:
            render_plan(result.value, console, detailed=detailed)
        elif result.error is not None:
            say(console, f"error: {error_text(result.error)}")
        say(console)
    say(console, total_line(results))


def render_fleet_markdown(results: Sequence[EnvResult[Plan]], *, detailed: bool = False) -> str:
    """One comment: the summary table (environment → create/update/delete/refused), then a section each."""
    rows = ["| Environment | Cluster | Create | Update | Delete | Refused |", "|---|---|---:|---:|---:|---:|"]
    for result in results:
        if result.value is not None:
            plan, c = result.value, result.value.summary()
            rows.append(
                f"| {_escape(result.env)} | {_code(plan.cluster_name or plan.cluster_id)} | "
                f"{c['create']} | {c['update']} | {c['delete']} | {c['refused']} |"
            )
        else:
            rows.append(f"| {_escape(result.env)} | — | failed | | | |")
    parts = [
        f"## kadmin plan of {count(len(results), 'environment')}",
        "\n".join(rows),
        _escape(total_line(results)),
    ]
    parts += _sections(results, lambda plan: render_plan_markdown(plan, detailed=detailed), "Not planned")
    return "\n\n".join(parts) + "\n"


def error_document(error: KadminError) -> dict[str, Any]:
    problems = error.problems if isinstance(error, SpecError) else [error]
    return {
        "problems": [
            {"message": p.message, "where": str(p.where) if p.where else None, "hint": p.hint or None}
            for p in problems
        ]
    }


def fleet_document(results: Sequence[EnvResult[Plan]]) -> dict[str, Any]:
    """The plan document over several environments: each cluster's own plan document, or its error."""
    clusters: list[dict[str, Any]] = []
    for result in results:
        if result.value is not None:
            clusters.append(
                {
                    "env": result.env,
                    "cluster_id": result.value.cluster_id,
                    "plan": plan_document(result.value),
                }
            )
        elif result.error is not None:
            clusters.append({"env": result.env, "cluster_id": None, "error": error_document(result.error)})
    hashes = {plan.spec_hash for _, plan in plans_of(results)}
    return {
        "format_version": FORMAT_VERSION,
        "kind": FLEET_KIND,
        "kadmin_version": __version__,
        # Every environment is planned from the same files; the hash names them for CI.
        "spec_hash": hashes.pop() if len(hashes) == 1 else None,
        "clusters": clusters,
        "summary": totals(results),
    }


# --- drift -----------------------------------------------------------------------------


def drift_total_line(results: Sequence[EnvResult[DriftReport]]) -> str:
    drifted = [r.env for r in results if r.value is not None and r.value.drifted]
    failed = [r.env for r in results if r.failed]
    line = f"Drift over {count(len(results), 'environment')}: "
    line += f"{len(drifted)} drifted ({', '.join(drifted)})." if drifted else "none drifted."
    if failed:
        line += f" {len(failed)} failed: {', '.join(failed)}."
    return line


def render_fleet_drift(results: Sequence[EnvResult[DriftReport]], console: Console) -> None:
    for result in results:
        say(console, env_heading(result.env))
        if result.value is not None:
            render_drift(result.value, console)
        elif result.error is not None:
            say(console, f"error: {error_text(result.error)}")
        say(console)
    say(console, drift_total_line(results))


def fleet_drift_markdown(results: Sequence[EnvResult[DriftReport]]) -> str:
    parts = [f"## kadmin drift of {count(len(results), 'environment')}", _escape(drift_total_line(results))]
    parts += _sections(results, render_drift_markdown, "Not read")
    return "\n\n".join(parts) + "\n"


def _sections(results: Sequence[EnvResult[T]], markdown: Callable[[T], str], failed: str) -> list[str]:
    """A markdown section per environment: its document, or its error as a caution block."""
    sections = []
    for result in results:
        heading = f"## Environment {_escape(result.env)}"
        if result.value is not None:
            sections.append(f"{heading}\n\n{markdown(result.value).rstrip()}")
        elif result.error is not None:
            quoted = "\n".join(f"> {_escape(line)}" for line in error_text(result.error).splitlines())
            sections.append(f"{heading}\n\n> [!CAUTION]\n> {failed}:\n{quoted}")
    return sections


def fleet_drift_document(results: Sequence[EnvResult[DriftReport]]) -> dict[str, Any]:
    clusters: list[dict[str, Any]] = []
    for result in results:
        if result.value is not None:
            clusters.append({"env": result.env, **drift_document(result.value)})
        elif result.error is not None:
            clusters.append({"env": result.env, "error": error_document(result.error)})
    return {
        "format_version": FORMAT_VERSION,
        "clusters": clusters,
        "drifted": any(r.value is not None and r.value.drifted for r in results),
        "failed": [r.env for r in results if r.failed],
    }
