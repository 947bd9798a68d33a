"""`kadmin ui [SPEC...]`: a local, read-only web view of the cluster beside the spec.

Parses options, resolves the connection as every command does, and hands the socket to
`kadmin.web.server` (imported here only: no other command loads the web stack).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kadmin.cli.app import BootstrapOption, CommandConfigOption, TimeoutOption, app, guarded, stderr
from kadmin.cli.connection import check_bootstrap, check_timeout, client_config, environment_config
from kadmin.core.errors import KadminError
from kadmin.kafka.confluent import ConfluentAdmin
from kadmin.kafka.port import ClusterAdmin

UI_TIMEOUT_S = 10.0
"""Shorter than the other commands' default: a page waits for its reads."""


@app.command("ui")
@guarded
def ui(
    specs: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[SPEC]...",
            help="Spec files or directories: adds the Plan page and the spec beside the cluster.",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to listen on. Anything but loopback is announced with a warning."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on; 0 picks a free one.")
    ] = 0,
    env: Annotated[
        str | None,
        typer.Option(
            "--env",
            metavar="NAME",
            help="This environment of the spec: its cluster, client properties and overrides.",
            show_default=False,
        ),
    ] = None,
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
    timeout: TimeoutOption = UI_TIMEOUT_S,
) -> None:
    """Serve a read-only web view of the cluster on 127.0.0.1 and print its URL (it opens no browser).

    Pages: Cluster (brokers per zone, replica and leader counts, zone-unsafe partitions), Topics,
    Topic (partitions, configs with their source and the spec's value), Groups (lag, refreshed)
    and, with SPEC, Plan (the plan and the drift). Each page has a JSON twin under /json, the
    document of the matching command's -o json. No page or route changes the cluster. Stop it
    with Ctrl-C.

    Example:

    \b
        kadmin ui specs/
        kadmin ui -b kafka-1:9092 --port 8080
        kadmin ui specs/fleet/ --env prod       # one environment of the spec
    """
    check_timeout(timeout)
    paths = list(specs or [])
    if env and not paths:
        raise KadminError(
            "--env names an environment of a spec, and no spec is given",
            where="--env",
            hint=f"pass the spec that declares it: kadmin ui specs/ --env {env}",
        )
    if paths:
        from kadmin.spec.load import load_specs  # a spec error is reported now, before serving

        cluster = load_specs(paths, environment=env).cluster
        if env:  # its cluster and client properties, as `kadmin plan --env` reaches them (checked)
            config = environment_config(cluster, bootstrap=bootstrap, command_config=command_config)
        else:
            config = client_config(bootstrap, command_config, spec_bootstrap=cluster.bootstrap)
            check_bootstrap(config["bootstrap.servers"])
    else:
        config = client_config(bootstrap, command_config)
        check_bootstrap(config["bootstrap.servers"])

    def open_admin() -> ClusterAdmin:
        return ConfluentAdmin(config, timeout=timeout)

    from kadmin.web.app import LOOPBACK
    from kadmin.web.reads import Source
    from kadmin.web.server import bind, serve

    sock = bind(host, port)
    if host not in LOOPBACK:
        stderr().print(
            f"warning: listening on {host}: anyone who can reach it reads this cluster's topics, "
            "configs and consumer groups, without logging in",
            markup=False,
        )

    def announce(url: str) -> None:
        typer.echo(f"kadmin ui: {url} (read-only; Ctrl-C stops it)")

    serve(Source(open_admin, paths, env), sock, host, announce)
