"""`kadmin local up | status | down`: a local KRaft cluster for demos and tests."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated

import typer

from kadmin.cli.app import OutputFormat, guarded, print_json, stderr, stdout
from kadmin.core.errors import LocalClusterError
from kadmin.local import state
from kadmin.local.cluster import (
    READY_TIMEOUT_S,
    ClusterInfo,
    LocalCluster,
    ScramUser,
    read_info,
    running_nodes,
    stop_nodes,
)

local_app = typer.Typer(
    help=(
        "Run a local Kafka cluster (KRaft, jars from Maven Central) for demos and tests.\n\n"
        "Example:\n\n\b\n"
        "    kadmin local up --nodes 3     # three brokers in zone-a, zone-b, zone-c\n"
        "    kadmin plan specs/            # later commands find the cluster by themselves\n"
        "    kadmin local down"
    ),
    no_args_is_help=True,
)

DirOption = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        help="Directory for the cluster's data and logs. Default: ~/.kadmin/local.",
        show_default=False,
    ),
]


@local_app.command("up")
@guarded
def up(
    nodes: Annotated[
        int, typer.Option("--nodes", "-n", help="1 node, or 3 nodes with one zone (broker.rack) each.")
    ] = 3,
    directory: DirOption = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the cluster to be ready.")
    ] = READY_TIMEOUT_S,
    sasl: Annotated[
        bool,
        typer.Option(
            "--sasl",
            help=(
                "Also open a SASL_PLAINTEXT listener (SCRAM-SHA-512) on every node, with user kadmin and "
                "the password in KADMIN_LOCAL_SASL_PASSWORD (else a random one); its client properties "
                "go to <dir>/client-sasl.properties."
            ),
        ),
    ] = False,
) -> None:
    """Start a local cluster and wait until it is ready.

    Example: kadmin local up --nodes 3

    Example (an authenticated cluster, to try --command-config):

    \b
        kadmin local up --sasl && kadmin plan specs/ --command-config ~/.kadmin/local/client-sasl.properties
    """
    target = directory or state.default_dir()
    existing = read_info(target)
    if existing and running_nodes(existing):
        stdout().print(f"A local cluster is already running: {existing.bootstrap}")
        _print_nodes(existing)
        state.remember(target)
        return
    err = stderr()
    with err.status("Starting a local Kafka cluster") as status:
        user = None
        if sasl:
            password = os.environ.get("KADMIN_LOCAL_SASL_PASSWORD") or secrets.token_urlsafe(18)
            user = ScramUser("kadmin", password)
        cluster = LocalCluster(target, nodes=nodes, ready_timeout=timeout, progress=status.update, sasl=user)
        info = cluster.start()
    state.remember(target)
    out = stdout()
    out.print(f"Kafka {info.kafka_version} is up: {info.bootstrap}")
    _print_nodes(info)
    _print_sasl(info)
    out.print("Later kadmin commands use this cluster by default. Stop it with `kadmin local down`.")


@local_app.command("status")
@guarded
def status(
    directory: DirOption = None,
    output: Annotated[OutputFormat, typer.Option("--output", "-o", help="text or json.")] = OutputFormat.text,
) -> None:
    """Show the local cluster's nodes, ports, zones and memory; exit 1 when none is running.

    Example: kadmin local status -o json
    """
    target = directory or state.remembered_dir()
    info = read_info(target)
    alive = running_nodes(info) if info else []
    if output is OutputFormat.json:
        print_json(
            {
                "running": bool(alive),
                "bootstrap": info.bootstrap if info and alive else None,
                "sasl_bootstrap": (info.sasl_bootstrap or None) if info and alive else None,
                "sasl_properties": str(info.sasl_properties)
                if info and alive and info.sasl_properties
                else None,
                "dir": str(target),
                "nodes": [
                    {
                        "id": n.node_id,
                        "rack": n.rack,
                        "port": n.broker_port,
                        "pid": n.pid,
                        "rss_mb": _rss_mb(n.pid),
                    }
                    for n in alive
                ],
            }
        )
    elif info and alive:
        stdout().print(f"Running: {info.bootstrap}  (data in {info.dir})")
        _print_nodes(info)
        _print_sasl(info)
    else:
        stdout().print(f"No local cluster is running from {target}.")
    if not alive:
        raise typer.Exit(1)


@local_app.command("down")
@guarded
def down(directory: DirOption = None) -> None:
    """Stop the local cluster (SIGTERM to every node, then SIGKILL after 30 s).

    Example: kadmin local down
    """
    target = directory or state.remembered_dir()
    info = read_info(target)
    if info is None or not running_nodes(info):
        stdout().print(f"No local cluster is running from {target}.")
        return
    stop_nodes(info)
    if running_nodes(info):
        raise LocalClusterError(
            "some nodes did not stop", where=f"local cluster {target}", hint="kill them by pid"
        )
    stdout().print(f"Stopped the local cluster ({info.bootstrap}). Data stays in {info.dir}.")


def _print_nodes(info: ClusterInfo) -> None:
    out = stdout()
    for node in info.nodes:
        rss = _rss_mb(node.pid)
        memory = f"  {rss} MB" if rss else ""
        out.print(
            f"  broker {node.node_id}  {node.rack:<7} 127.0.0.1:{node.broker_port}  pid {node.pid}{memory}"
        )


def _print_sasl(info: ClusterInfo) -> None:
    if not info.sasl_bootstrap:
        return
    out = stdout()
    out.print(f"SASL_PLAINTEXT (SCRAM-SHA-512, user kadmin): {info.sasl_bootstrap}")
    if info.sasl_properties:
        out.print(f"  client properties (with the password): --command-config {info.sasl_properties}")


def _rss_mb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None
