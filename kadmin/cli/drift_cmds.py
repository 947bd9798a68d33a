"""`kadmin drift`: every difference between the spec and the managed part of the cluster.

Parses options, calls `kadmin.ops.planning.drift_specs`, renders with `kadmin.render.drift`,
and maps the result to an exit code (2 = drift, with --detailed-exitcode).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kadmin.cli.app import (
    DEFAULT_TIMEOUT_S,
    BootstrapOption,
    CommandConfigOption,
    TimeoutOption,
    app,
    guarded,
    print_json,
    stderr,
    stdout,
)
from kadmin.cli.connection import connect
from kadmin.cli.fleet_cmds import drift_fleet
from kadmin.cli.plan_options import (
    AllEnvsOption,
    EnvOption,
    PlanFormat,
    SpecArgs,
    TopicFilterOption,
    env_selection,
)
from kadmin.core.model import DesiredState
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.planning import drift_specs
from kadmin.render.drift import drift_document, render_drift, render_drift_markdown

DRIFT_EXIT = 2


@app.command()
@guarded
def drift(
    specs: SpecArgs,
    output: Annotated[
        PlanFormat, typer.Option("--output", "-o", help="text, json or markdown (for an issue).")
    ] = PlanFormat.text,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 0 when there is no drift, 2 when there is.")
    ] = False,
    topic: TopicFilterOption = None,
    env: EnvOption = None,
    all_envs: AllEnvsOption = False,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """List every difference between the spec and the managed part of the cluster. Changes nothing.

    More than plan shows as changes: also what plan acts on only with a flag (topics
    inside cluster.manage but not in the spec, config overrides the spec does not set)
    and what it cannot change (more partitions than the spec, a broker outside its
    zone). Topics outside cluster.manage and not in the spec are not drift.

    Example (a scheduled CI check: exit 2 when the cluster drifted):

    \b
        kadmin drift specs/ --detailed-exitcode -o markdown > drift.md
        kadmin drift specs/ --all-envs --detailed-exitcode   # every environment, read at once
    """
    selection = env_selection(env, all_envs)
    if selection is not None:
        drift_fleet(
            specs, selection, output=output, detailed_exitcode=detailed_exitcode, only=topic or [],
            bootstrap=bootstrap, command_config=command_config, timeout=timeout,
        )  # fmt: skip
        return

    def open_cluster(desired: DesiredState) -> ClusterAdmin:
        return connect(bootstrap, command_config, spec_bootstrap=desired.cluster.bootstrap, timeout=timeout)

    # With -b the spec cannot change the cluster: connect while the specs load.
    early = (lambda: connect(bootstrap, command_config, timeout=timeout)) if bootstrap else None
    report = drift_specs(specs, open_cluster, only=topic or [], early=early, wait_s=2 * timeout + 5)
    if output is PlanFormat.json:
        print_json(drift_document(report))
    elif output is PlanFormat.markdown:
        sys.stdout.write(render_drift_markdown(report))
    else:
        render_drift(report, stdout())
    if report.drifted and not detailed_exitcode:
        stderr().print("The cluster drifted from the spec.", markup=False)
    if detailed_exitcode and report.drifted:
        raise typer.Exit(DRIFT_EXIT)
