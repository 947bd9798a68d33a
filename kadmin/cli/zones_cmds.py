"""`kadmin zones`: how replicas sit across zones (Kafka's broker.rack).

Parses options, calls `kadmin.plan.zones`, picks a renderer from `kadmin.render.zones`.
No Kafka here.
"""

from __future__ import annotations

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
    stdout,
)
from kadmin.cli.connection import connect
from kadmin.plan.zones import zone_report
from kadmin.render.zones import render_zones, zones_document

NOT_ZONE_SAFE_EXIT = 2


@app.command("zones")
@guarded
def zones(
    output: OutputOption = OutputFormat.text,
    check: Annotated[
        bool, typer.Option("--check", help=f"Exit {NOT_ZONE_SAFE_EXIT} when a partition is not zone-safe.")
    ] = False,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Brokers per zone (broker.rack) with their replica and leader counts, and the partitions
    that one zone outage would take down: replicas in fewer zones than min(RF, zones).

    Example (fail a CI job when a topic is not zone-safe):

    \b
        kadmin zones --check -o json
    """
    observed = connect(bootstrap, command_config, timeout=timeout).snapshot()
    report = zone_report(observed)
    if output is OutputFormat.json:
        print_json(zones_document(report, observed.cluster_id))
    else:
        render_zones(stdout(), report, observed.cluster_id)
    if check and not report.is_zone_safe:
        raise typer.Exit(NOT_ZONE_SAFE_EXIT)
