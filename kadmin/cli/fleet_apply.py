"""`kadmin apply --env ...` / `--all-envs`, and the apply of a saved plan of several environments:
every cluster planned (or its saved plan checked) at once, with its apply lock taken first;
then, after one confirmation, the clusters are changed one after another, in the order
selected, and a failed or stopped apply ends the run before the next cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from kadmin.cli.app import OutputFormat, print_json, report_error, stderr, stdout
from kadmin.cli.fleet_cmds import (
    Locked,
    connector,
    env_wait_s,
    fail_unless_clean,
    load_selected,
    single_cluster_options,
)
from kadmin.cli.interrupt import orderly_stop
from kadmin.cli.plan_view import (
    apply_document,
    apply_progress,
    ask,
    move_lines,
    reading_spinner,
    refuse,
    show_report,
)
from kadmin.core.errors import KadminError, PlanError
from kadmin.core.fleet import EnvResult, fleet_changes, plans_of
from kadmin.core.model import DesiredState
from kadmin.core.plan import FORMAT_VERSION, Plan
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.apply import ApplyReport, apply_plan
from kadmin.ops.fanout import fan_out, plan_environments
from kadmin.ops.planning import check_spec_hash
from kadmin.ops.reassignment import ReassignOptions
from kadmin.ops.saved_plan import check_saved_plan
from kadmin.plan.planfile_fleet import EnvPlans, load_plans
from kadmin.render.drift import cluster_name
from kadmin.render.fleet import env_heading, render_fleet
from kadmin.render.literal import say
from kadmin.render.review import count
from kadmin.render.text import render_plan


def apply_fleet_specs(
    specs: list[Path],
    selection: tuple[str, ...],
    locked: Locked,
    auto_approve: bool,
    output: OutputFormat,
    allow_delete: bool,
    prune_configs: bool,
    detailed: bool,
    only: list[str],
    backup_dir: Path,
    moving: ReassignOptions,
    bootstrap: str | None,
    command_config: str | None,
    timeout: float,
    rotate_unknown: bool,
) -> None:
    """Plan every selected environment at once (each cluster's apply lock taken first), show the plans,
    ask once, then apply them one cluster after another."""
    states = load_selected(specs, selection, bootstrap, command_config)
    with reading_spinner():
        results = plan_environments(
            specs, states, connector(bootstrap, command_config, timeout, locked),
            allow_delete=allow_delete, prune_configs=prune_configs, only=only, wait_s=env_wait_s(timeout),
            rotate_unknown=rotate_unknown,
        )  # fmt: skip
    shown = tuple(EnvResult(r.env, r.value.plan if r.value else None, r.error) for r in results)
    if output is OutputFormat.text:
        render_fleet(shown, stdout(), detailed=detailed)
    for result in shown:
        if result.error is not None and output is not OutputFormat.text:
            report_error(result.error)
    fail_unless_clean(shown, applying=True)
    admins = {r.env: r.value.admin for r in results if r.value is not None}
    plans = tuple(plans_of(shown))
    if fleet_changes(shown) and not auto_approve:
        ask(_question(plans))
    _apply_in_turn(plans, admins, output=output, backup_dir=backup_dir, moving=moving)


def apply_if_several(
    path: Path,
    selection: tuple[str, ...] | None,
    locked: Locked,
    output: OutputFormat,
    detailed: bool,
    specs: list[Path] | None,
    backup_dir: Path,
    moving: ReassignOptions,
    bootstrap: str | None,
    command_config: str | None,
    timeout: float,
) -> Plan | None:
    """Apply a saved plan of several environments (or those `selection` names) and return None; return
    a single cluster's plan for the caller to apply. Every cluster is checked against its plan
    (stale, edited) before any is changed, then they are changed one after another."""
    source = str(path)
    saved = load_plans(path)
    if isinstance(saved, Plan) and selection is None:
        return saved
    if isinstance(saved, Plan):
        raise KadminError(
            "the plan file is of one cluster; --env and --all-envs select from a plan of environments",
            where=source,
            hint=f"drop them: kadmin apply {source}",
        )
    saved = _selected_plans(saved, selection, source)
    single_cluster_options([env for env, _ in saved], bootstrap, command_config)
    for _, plan in saved:
        refuse(plan, shown=False)
        if specs:
            check_spec_hash(plan, specs, source=source)
    from kadmin.spec.load import load_environments

    first = saved[0][1].inputs
    recorded = first.specs if first is not None else ()
    states = load_environments(recorded, only=[env for env, _ in saved])
    plans = dict(saved)
    connect = connector(bootstrap, command_config, timeout, locked)

    def checked(env: str, desired: DesiredState) -> ClusterAdmin:
        admin = connect(env, desired)
        check_saved_plan(plans[env], admin, source=f"{source} (environment {env})")
        return admin

    with reading_spinner():
        results = fan_out(states, checked, wait_s=env_wait_s(timeout))
    failed = []
    for result in results:
        if result.error is not None:
            failed.append(result)
            report_error(result.error)
    if failed:
        report_error(
            PlanError(
                f"{count(len(failed), 'environment')} of the plan file could not be checked "
                f"({', '.join(r.env for r in failed)}); nothing was applied",
                where=source,
                hint="plan again (kadmin plan SPEC --env ... --out FILE) and apply that file",
            )
        )
        raise typer.Exit(1)
    if output is OutputFormat.text:
        for env, plan in saved:
            say(stdout(), env_heading(env))
            render_plan(plan, stdout(), detailed=detailed)
            say(stdout())
    admins = {r.env: r.value for r in results if r.value is not None}
    _apply_in_turn(saved, admins, output=output, backup_dir=backup_dir, moving=moving)
    return None


def _selected_plans(saved: EnvPlans, selection: tuple[str, ...] | None, source: str) -> EnvPlans:
    if not selection:
        return saved
    filed = [env for env, _ in saved]
    unknown = [env for env in selection if env not in filed]
    if unknown:
        raise KadminError(
            f"the plan file holds no plan of environment {', '.join(unknown)} (it holds {', '.join(filed)})",
            where=source,
            hint="plan that environment with --out, or pick one the file holds",
        )
    return tuple((env, plan) for env, plan in saved if env in selection)


def _question(plans: Sequence[tuple[str, Plan]]) -> str:
    changing = [(env, plan) for env, plan in plans if not plan.is_empty]
    total = sum(len(plan.actions) for _, plan in changing)
    clusters = "; ".join(
        f"{env}: {cluster_name(plan.identity)}, {count(len(plan.actions), 'change')}"
        for env, plan in changing
    )
    return (
        f"Apply {count(total, 'change')} to {count(len(changing), 'cluster')}, one after another "
        f"({clusters})?"
    )


def _apply_in_turn(
    plans: Sequence[tuple[str, Plan]],
    admins: dict[str, ClusterAdmin],
    *,
    output: OutputFormat,
    backup_dir: Path,
    moving: ReassignOptions,
) -> None:
    """One environment after another, in the order selected; a failed or stopped apply ends the run
    before the next cluster is touched."""
    documents: list[dict[str, Any]] = []
    ended: str | None = None
    held = False
    for env, plan in plans:
        if ended is not None:
            documents.append({"env": env, "cluster_id": plan.cluster_id, "applied": False})
            if output is OutputFormat.text:
                say(stdout(), f"{env_heading(env)}\nNot applied: {ended}.")
            continue
        report = ApplyReport(())
        if output is OutputFormat.text:
            say(stdout(), env_heading(env))
        if not plan.is_empty:
            with orderly_stop(stderr()) as stop, apply_progress() as progress:
                report = apply_plan(
                    plan, admins[env], backup_dir=backup_dir / env, progress=progress, reassignment=moving,
                    moves=move_lines(progress), stop=stop,
                )  # fmt: skip
            if output is OutputFormat.text:
                show_report(plan, report, output, moving.wait)
            if stop.requested:
                ended = f"apply was stopped in environment {env}"
            elif not report.ok:
                ended = f"apply failed in environment {env}"
        elif output is OutputFormat.text:
            say(stdout(), "No changes.")
        for refusal in plan.held:
            held = True
            report_error(
                PlanError(
                    f"environment {env}: {refusal.message}",
                    where=refusal.where or refusal.target.describe(),
                    hint=refusal.hint,
                )
            )
        documents.append(
            {"env": env, "cluster_id": plan.cluster_id, "applied": True, **apply_document(plan, report)}
        )
    if output is OutputFormat.json:
        print_json({"format_version": FORMAT_VERSION, "clusters": documents})
    if ended is not None:
        stderr().print(
            f"{ended[0].upper()}{ended[1:]}; the environments after it were not applied.", markup=False
        )
    if ended is not None or held:
        raise typer.Exit(1)
