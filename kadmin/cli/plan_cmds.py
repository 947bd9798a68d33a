"""`kadmin plan` and `kadmin apply`: parse options, run `kadmin.ops.planning` and `kadmin.ops.apply`,
show the result through `cli.plan_view`, and map it to an exit code.

Results go to stdout; warnings, progress and the confirmation prompt to stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from kadmin.cli.app import (
    DEFAULT_TIMEOUT_S,
    BootstrapOption,
    CommandConfigOption,
    OutputFormat,
    OutputOption,
    TimeoutOption,
    app,
    guarded,
    print_json,
    stderr,
    stdout,
)
from kadmin.cli.connection import connect
from kadmin.cli.interrupt import orderly_stop
from kadmin.cli.plan_options import (
    AllEnvsOption,
    AllowDeleteOption,
    DetailedOption,
    EnvOption,
    PlanFormat,
    PruneConfigsOption,
    RotateUnknownOption,
    SpecArgs,
    TopicFilterOption,
    env_selection,
)
from kadmin.cli.plan_view import (
    apply_document,
    apply_progress,
    confirm_apply,
    move_lines,
    one_plan_file_at_most,
    reading_spinner,
    refuse,
    report_held,
    show_plan,
    show_report,
)
from kadmin.core.errors import KadminError
from kadmin.core.model import KADMIN_STATE_TOPIC, DesiredState
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.planning import Planned, check_spec_hash, is_plan_file, plan_specs
from kadmin.ops.reassign_options import DEFAULT_TIMEOUT_S as REASSIGN_TIMEOUT_S
from kadmin.ops.reassign_options import ReassignOptions
from kadmin.plan.planfile import save_plan
from kadmin.render.json import plan_document
from kadmin.render.text import render_plan

DEFAULT_BACKUP_DIR = Path("kadmin-backups")


@app.command()
@guarded
def plan(
    specs: SpecArgs,
    output: Annotated[
        PlanFormat, typer.Option("--output", "-o", help="text, json (docs/plan-json.md) or markdown.")
    ] = PlanFormat.text,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Also save the plan as a JSON plan file, for `kadmin apply FILE`.",
            show_default=False,
        ),
    ] = None,
    detailed_exitcode: Annotated[
        bool,
        typer.Option(
            "--detailed-exitcode", help="Exit 0 when there are no changes, 2 when there are, 1 on error."
        ),
    ] = False,
    allow_delete: AllowDeleteOption = False,
    prune_configs: PruneConfigsOption = False,
    rotate_unknown: RotateUnknownOption = False,
    detailed: DetailedOption = False,
    topic: TopicFilterOption = None,
    env: EnvOption = None,
    all_envs: AllEnvsOption = False,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Show what apply would change to make the cluster match the spec. Changes nothing.

    Lines read like terraform's: + create, ~ update, - delete, ! refused. A refused
    change (such as fewer partitions) exits 1.

    Example (a CI gate on a pull request, then apply exactly that plan on merge):

    \b
        kadmin plan specs/ -o markdown --out plan.json --detailed-exitcode
        kadmin apply plan.json
        kadmin plan specs/ --topic 'orders\\..*'    # only the orders topics (a partial plan)
        kadmin plan specs/ --all-envs -o markdown  # every environment's cluster, read at once
    """
    if (selection := env_selection(env, all_envs)) is not None:
        # Imported here: a plan of one cluster need not load the fleet code (start-up cost).
        from kadmin.cli.fleet_cmds import plan_fleet

        plan_fleet(specs, selection, output, out, detailed_exitcode, allow_delete, prune_configs, detailed,
                   topic or [], bootstrap, command_config, timeout, rotate_unknown)  # fmt: skip
        return
    planned = _plan(
        specs, bootstrap, command_config, timeout, allow_delete, prune_configs, topic or [],
        rotate_unknown=rotate_unknown,
    )  # fmt: skip
    show_plan(planned.plan, output, detailed)
    if out is not None:
        if planned.plan.applyable:
            save_plan(planned.plan, out, document=plan_document(planned.plan))
            stderr().print(f"Plan saved to {out}; apply it with: kadmin apply {out}", markup=False)
        else:
            stderr().print(f"Plan not saved to {out}: it has refused changes.", markup=False)
    refuse(planned.plan, shown=True)
    report_held(planned.plan, applied=False)
    if detailed_exitcode and not planned.plan.is_empty:
        raise typer.Exit(2)


@app.command()
@guarded
def apply(
    targets: Annotated[
        list[Path],
        typer.Argument(
            metavar="SPEC|PLAN.json",
            help="Spec files or directories to plan and apply, or one plan file from `kadmin plan --out`.",
            show_default=False,
        ),
    ],
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Apply without asking (for CI). Needed without a terminal.")
    ] = False,
    output: OutputOption = OutputFormat.text,
    allow_delete: AllowDeleteOption = False,
    prune_configs: PruneConfigsOption = False,
    rotate_unknown: RotateUnknownOption = False,
    detailed: DetailedOption = False,
    topic: TopicFilterOption = None,
    backup_dir: Annotated[
        Path, typer.Option("--backup-dir", help="Where offsets are saved before a declared offset reset.")
    ] = DEFAULT_BACKUP_DIR,
    throttle: Annotated[
        int | None,
        typer.Option(
            "--throttle",
            metavar="BYTES_PER_SEC",
            min=1,
            help=(
                "Cap the replication traffic of replica moves on each broker involved (Kafka's "
                "reassignment throttle); removed once the moves finish."
            ),
            show_default=False,
        ),
    ] = None,
    no_wait: Annotated[
        bool,
        typer.Option(
            "--no-wait",
            help=(
                "Start replica moves and return; `kadmin reassignments wait` later removes the throttle "
                "and elects the preferred leaders."
            ),
        ),
    ] = False,
    reassign_timeout: Annotated[
        float,
        typer.Option(
            "--reassign-timeout",
            metavar="SECONDS",
            min=1.0,
            max=604800.0,
            help="Longest wait for replica moves to finish (at most a week).",
        ),
    ] = REASSIGN_TIMEOUT_S,
    specs: Annotated[
        list[Path] | None,
        typer.Option(
            "--specs",
            metavar="SPEC",
            help="With a plan file: apply it only if it was planned from exactly these spec files "
            "(same paths, same contents), e.g. --specs specs/.",
            show_default=False,
        ),
    ] = None,
    no_lock: Annotated[
        bool,
        typer.Option(
            "--no-lock",
            help=f"Do not take the cluster's apply lock (a record in {KADMIN_STATE_TOPIC}); "
            "two applies may then run at once.",
        ),
    ] = False,
    lock_timeout: Annotated[
        float,
        typer.Option(
            "--lock-timeout",
            metavar="SECONDS",
            min=0.0,
            max=86400.0,
            envvar="KADMIN_LOCK_TIMEOUT",
            help="How long to wait for another apply's lock before refusing.",
        ),
    ] = 0.0,
    force_unlock: Annotated[
        str | None,
        typer.Option(
            "--force-unlock",
            metavar="LOCK_ID",
            help="Break the apply lock with this id (the one a refused apply named), then apply.",
            show_default=False,
        ),
    ] = None,
    env: EnvOption = None,
    all_envs: AllEnvsOption = False,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Make the cluster match the spec: plan, show the plan, ask, then apply it.

    Given one plan file, apply exactly that plan, without asking, after checking that
    the cluster has not changed since it was computed. Before anything changes, the
    brokers validate every creation and config change; deletes run last, and only
    when everything else succeeded. Exit 1 if anything failed; running it again
    continues where it stopped.

    Apply holds the cluster's apply lock while it runs: a second apply is refused,
    naming the holder. SIGINT or SIGTERM stops it in order (a replica move in flight
    is cancelled and its throttle removed); a second signal exits at once.

    --env NAME (repeatable), --all-envs: planned at once, then applied in turn; a failure stops.

    Example:

    \b
        kadmin apply specs/
        kadmin plan specs/ --out plan.json && kadmin apply plan.json
        kadmin apply specs/ --throttle 50000000    # replica moves at most 50 MB/s per broker
        kadmin apply plan.json --specs specs/      # CI: only the plan of these very specs
        kadmin apply specs/ --force-unlock 3f9c2a1b7d4e   # after the holder is gone for good
    """
    # Imported here: `plan` shares this module and never takes the lock (start-up cost).
    from kadmin.cli.lock_cmds import apply_lock

    one_plan_file_at_most(targets)
    with apply_lock(not no_lock, force_unlock, lock_timeout) as locked:
        _apply(
            targets, locked, auto_approve, output, allow_delete, prune_configs, backup_dir,
            ReassignOptions(throttle=throttle, wait=not no_wait, timeout=reassign_timeout),
            specs, bootstrap, command_config, timeout, detailed, topic or [], rotate_unknown,
            env_selection(env, all_envs),
        )  # fmt: skip


def _apply(
    targets: list[Path],
    locked: Callable[[ClusterAdmin], ClusterAdmin],
    auto_approve: bool,
    output: OutputFormat,
    allow_delete: bool,
    prune_configs: bool,
    backup_dir: Path,
    moving: ReassignOptions,
    specs: list[Path] | None,
    bootstrap: str | None,
    command_config: str | None,
    timeout: float,
    detailed: bool,
    only: list[str],
    rotate_unknown: bool,
    selection: tuple[str, ...] | None,
) -> None:
    # Imported here: `plan` shares this module and needs neither the apply nor the fleet code.
    from kadmin.cli.fleet_apply import apply_fleet_specs, apply_if_several
    from kadmin.ops.apply import ApplyReport, apply_plan
    from kadmin.ops.saved_plan import check_saved_plan

    if specs and not (len(targets) == 1 and is_plan_file(targets[0])):
        raise KadminError(
            "--specs checks a saved plan against spec files; here the specs are planned directly",
            where=str(targets[0]),
            hint="pass one plan file: kadmin apply plan.json --specs specs/",
        )
    if len(targets) == 1 and is_plan_file(targets[0]):
        if allow_delete or prune_configs or only or rotate_unknown:
            raise KadminError(
                "--allow-delete, --prune-configs, --rotate-unknown and --topic take effect when planning; "
                "a saved plan is applied as it is",
                where=str(targets[0]),
                hint="drop the options, or plan again with them: kadmin plan SPEC --out FILE",
            )
        saved = apply_if_several(targets[0], selection, locked, output, detailed, specs, backup_dir, moving,
                                 bootstrap, command_config, timeout)  # fmt: skip
        if saved is None:
            return
        if specs:
            check_spec_hash(saved, specs, source=str(targets[0]))
        admin: ClusterAdmin = locked(connect(bootstrap, command_config, timeout=timeout))
        refuse(saved, shown=False)
        check_saved_plan(saved, admin, source=str(targets[0]))
        if output is OutputFormat.text:
            render_plan(saved, stdout(), detailed=detailed)
        the_plan = saved
    elif selection is not None:
        apply_fleet_specs(targets, selection, locked, auto_approve, output, allow_delete, prune_configs,
                          detailed, only, backup_dir, moving, bootstrap, command_config, timeout,
                          rotate_unknown)  # fmt: skip
        return
    else:
        planned = _plan(
            targets, bootstrap, command_config, timeout, allow_delete, prune_configs, only, locked,
            rotate_unknown=rotate_unknown,
        )  # fmt: skip
        the_plan, admin = planned.plan, planned.admin
        if output is OutputFormat.text:
            render_plan(the_plan, stdout(), detailed=detailed)
        refuse(the_plan, shown=output is OutputFormat.text)
        if not the_plan.is_empty and not auto_approve:
            confirm_apply(the_plan)
    if the_plan.is_empty:
        if output is OutputFormat.json:
            print_json(apply_document(the_plan, ApplyReport(())))
        report_held(the_plan, applied=True)
        return
    with orderly_stop(stderr()) as stop, apply_progress() as progress:
        report = apply_plan(
            the_plan,
            admin,
            backup_dir=backup_dir,
            progress=progress,
            reassignment=moving,
            moves=move_lines(progress),
            stop=stop,
        )
    show_report(the_plan, report, output, moving.wait)
    if stop.requested:
        left = "; ".join(stop.left_behind)
        stderr().print(
            "Apply was stopped" + (f"; left in the cluster: {left}" if left else "")
            + ". `kadmin plan` shows what is still to do.",
            markup=False,
        )  # fmt: skip
    if not report.ok:
        raise typer.Exit(1)
    report_held(the_plan, applied=True)


# --- steps ---------------------------------------------------------------------------


def _plan(
    specs: list[Path],
    bootstrap: str | None,
    command_config: str | None,
    timeout: float,
    allow_delete: bool,
    prune_configs: bool,
    only: list[str],
    opened: Callable[[ClusterAdmin], ClusterAdmin] | None = None,
    *,
    rotate_unknown: bool = False,
) -> Planned:
    def open_cluster(desired: DesiredState) -> ClusterAdmin:
        admin = connect(bootstrap, command_config, spec_bootstrap=desired.cluster.bootstrap, timeout=timeout)
        return opened(admin) if opened is not None else admin

    # With -b the spec cannot change the cluster, so plan connects while the specs load; apply
    # (`opened` takes its lock) connects after, so that nothing is read before the lock is held.
    early = None
    if bootstrap and opened is None:
        early = lambda: connect(bootstrap, command_config, timeout=timeout)  # noqa: E731
    with reading_spinner():
        planned = plan_specs(
            specs, open_cluster, allow_delete=allow_delete, prune_configs=prune_configs, only=only,
            early=early, wait_s=2 * timeout + 5, rotate_unknown=rotate_unknown,
        )  # fmt: skip
    for warning in planned.desired.warnings:
        stderr().print(f"warning: {warning}", markup=False)
    return planned
