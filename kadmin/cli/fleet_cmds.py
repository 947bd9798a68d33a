"""`kadmin plan`, `apply` and `drift` over the environments of a spec (``--env NAME``, ``--all-envs``):
every selected environment's cluster is read at once (`kadmin.ops.fanout`) and shown in a
section of its own (`kadmin.render.fleet`); apply then changes the clusters one after another.

An environment's cluster, client properties and variables come from its block in the spec
(`connection.connect_environment`); ``-b`` and ``--command-config`` name one cluster, so they
are refused when several environments are selected.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import typer

from kadmin.cli.app import print_json, report_error, stderr, stdout
from kadmin.cli.connection import connect_environment
from kadmin.cli.plan_options import PlanFormat
from kadmin.cli.plan_view import (
    reading_spinner,
)
from kadmin.core.errors import KadminError, PlanError
from kadmin.core.fleet import EnvResult, fleet_changes, fleet_failed, plans_of
from kadmin.core.model import DesiredState
from kadmin.core.plan import Plan
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.fanout import EnvConnector, drift_environments, plan_environments
from kadmin.ops.planning import address
from kadmin.plan.drift import DriftReport
from kadmin.plan.identity import check_cluster
from kadmin.plan.planfile import save_plan_document
from kadmin.render.fleet import (
    fleet_document,
    fleet_drift_document,
    fleet_drift_markdown,
    render_fleet,
    render_fleet_drift,
    render_fleet_markdown,
)
from kadmin.render.review import count

Locked = Callable[[ClusterAdmin], ClusterAdmin]


def load_selected(
    specs: Sequence[Path], selection: tuple[str, ...], bootstrap: str | None, command_config: str | None
) -> dict[str, DesiredState]:
    """The selected environments, resolved from one reading of the files; warnings said once."""
    from kadmin.spec.load import load_environments

    states = load_environments(specs, only=selection)
    single_cluster_options(list(states), bootstrap, command_config)
    for warning in next(iter(states.values())).warnings if states else ():
        stderr().print(f"warning: {warning}", markup=False)
    return states


def single_cluster_options(envs: Sequence[str], bootstrap: str | None, command_config: str | None) -> None:
    """Refuse ``-b`` and ``--command-config`` (or their variables) when several environments are selected."""
    if len(envs) < 2 or not (bootstrap or command_config):
        return
    option = "--bootstrap-server" if bootstrap else "--command-config"
    variable = "KADMIN_BOOTSTRAP_SERVER" if bootstrap else "KADMIN_COMMAND_CONFIG"
    raise KadminError(
        f"{option} (or {variable}) names one cluster, but {len(envs)} environments are selected "
        f"({', '.join(envs)})",
        where=option,
        hint="each environment's cluster and client properties come from its block under environments: "
        f"(bootstrap, command_config, variables); drop {option} and unset {variable}, or select one --env",
    )


def connector(
    bootstrap: str | None, command_config: str | None, timeout: float, opened: Locked | None = None
) -> EnvConnector:
    """How each environment's cluster is reached; with `opened` (apply's lock), its identity is
    checked first, so that no lock is taken on a wrong cluster, and a cluster two environments
    reach is refused rather than locked twice by one apply."""
    guard = threading.Lock()  # the apply lock's hook keeps what it holds in one ExitStack
    reached: dict[str, str] = {}

    def connect(env: str, desired: DesiredState) -> ClusterAdmin:
        admin = connect_environment(
            desired.cluster, bootstrap=bootstrap, command_config=command_config, timeout=timeout
        )
        if opened is None:
            return admin
        cluster_id = admin.snapshot(()).cluster_id
        check_cluster(desired.cluster, cluster_id, address(admin))
        with guard:
            if cluster_id in reached:
                raise KadminError(
                    f"reaches the same cluster as environment {reached[cluster_id]} ({cluster_id})",
                    where=f"environment {env}",
                    hint="give each environment its own cluster and cluster.id; apply one with --env",
                )
            reached[cluster_id] = env
            return opened(admin)

    return connect


def env_wait_s(timeout: float) -> float:
    """The longest one environment's plan may take: a handful of reads, each bounded by `timeout`."""
    return 6 * timeout + 5


# --- plan ------------------------------------------------------------------------------


def plan_fleet(
    specs: list[Path],
    selection: tuple[str, ...],
    output: PlanFormat,
    out: Path | None,
    detailed_exitcode: bool,
    allow_delete: bool,
    prune_configs: bool,
    detailed: bool,
    only: list[str],
    bootstrap: str | None,
    command_config: str | None,
    timeout: float,
    rotate_unknown: bool,
) -> None:
    states = load_selected(specs, selection, bootstrap, command_config)
    with reading_spinner():
        results = plan_environments(
            specs, states, connector(bootstrap, command_config, timeout), allow_delete=allow_delete,
            prune_configs=prune_configs, only=only, wait_s=env_wait_s(timeout), rotate_unknown=rotate_unknown,
        )  # fmt: skip
    shown = tuple(EnvResult(r.env, r.value.plan if r.value else None, r.error) for r in results)
    if output is PlanFormat.json:
        print_json(fleet_document(shown))
    elif output is PlanFormat.markdown:
        sys.stdout.write(render_fleet_markdown(shown, detailed=detailed))
    else:
        render_fleet(shown, stdout(), detailed=detailed)
    if out is not None:
        # As for one cluster: changes held back on their own (a busy group's reset) do not stop the save.
        if any(r.failed for r in shown) or not all(plan.applyable for _, plan in plans_of(shown)):
            stderr().print(
                f"Plan not saved to {out}: not every environment was planned cleanly.", markup=False
            )
        else:
            save_plan_document(fleet_document(shown), out)
            stderr().print(f"Plan saved to {out}; apply it with: kadmin apply {out}", markup=False)
    fail_unless_clean(shown, applying=False)
    if detailed_exitcode and fleet_changes(shown):
        raise typer.Exit(2)


def fail_unless_clean(shown: Sequence[EnvResult[Plan]], *, applying: bool) -> None:
    """Exit 1, saying why on stderr, when an environment failed or holds refused or held-back changes
    (for apply, before it changes any cluster)."""
    if not fleet_failed(shown):
        return
    failed = [r.env for r in shown if r.failed]
    refused = [env for env, plan in plans_of(shown) if not plan.applyable]
    held = [env for env, plan in plans_of(shown) if plan.applyable and plan.held]
    reasons = []
    if failed:
        reasons.append(f"{count(len(failed), 'environment')} failed ({', '.join(failed)})")
    if refused:
        reasons.append(f"refused changes in {', '.join(refused)}")
    if held:
        reasons.append(f"changes held back in {', '.join(held)}")
    done = "; nothing was applied" if applying else ""
    report_error(
        PlanError(
            f"{'; '.join(reasons)}{done}",
            hint="each environment's section says what went wrong; the others were planned as shown",
        )
    )
    raise typer.Exit(1)


# --- drift -----------------------------------------------------------------------------


def drift_fleet(
    specs: list[Path],
    selection: tuple[str, ...],
    *,
    output: PlanFormat,
    detailed_exitcode: bool,
    only: list[str],
    bootstrap: str | None,
    command_config: str | None,
    timeout: float,
) -> None:
    states = load_selected(specs, selection, bootstrap, command_config)
    results: tuple[EnvResult[DriftReport], ...] = drift_environments(
        states, connector(bootstrap, command_config, timeout), only=only, wait_s=env_wait_s(timeout)
    )
    if output is PlanFormat.json:
        print_json(fleet_drift_document(results))
    elif output is PlanFormat.markdown:
        sys.stdout.write(fleet_drift_markdown(results))
    else:
        render_fleet_drift(results, stdout())
    failed = [r.env for r in results if r.failed]
    if failed:
        report_error(
            KadminError(
                f"{count(len(failed), 'environment')} could not be read ({', '.join(failed)})",
                hint="each environment's section says why; the others were read as shown",
            )
        )
        raise typer.Exit(1)
    if any(r.value is not None and r.value.drifted for r in results):
        if detailed_exitcode:
            raise typer.Exit(2)
        stderr().print("A cluster drifted from the spec.", markup=False)
