"""`kadmin local up | status | down`: a local KRaft cluster for demos and tests."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from kadmin.cli.app import OutputFormat, app, guarded, print_json, stderr, stdout
from kadmin.local import logs, state
from kadmin.local.cluster import READY_TIMEOUT_S, LocalCluster, NodeState, node_state, stop_cluster
from kadmin.local.procs import rss_mb
from kadmin.local.record import ClusterInfo, Node, ScramUser, check_heap, read_info

local_app = typer.Typer(
    help=(
        "Run a local Kafka cluster (KRaft, jars from Maven Central) for demos and tests.\n\n"
        "Example:\n\n\b\n"
        "    kadmin local up --nodes 3     # three brokers in zone-a, zone-b, zone-c\n"
        "    kadmin plan specs/            # later commands find the cluster by themselves\n"
        "    kadmin local down             # stops it; the data stays for the next `local up`"
    ),
    no_args_is_help=True,
)
app.add_typer(local_app, name="local")

DirOption = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        help="Directory for the cluster's data and logs. Default: ~/.kadmin/local (for status and down: "
        "the cluster `kadmin local up` started last).",
        show_default=False,
    ),
]

UNEXPLAINED = "its log ends without an error (killed by a signal?)"


@local_app.command("up")
@guarded
def up(
    nodes: Annotated[
        int | None,
        typer.Option(
            "--nodes",
            "-n",
            help="1 node, or 3 nodes with one zone (broker.rack) each. Default: 3 for a new cluster, "
            "else the recorded cluster's.",
            show_default=False,
        ),
    ] = None,
    directory: DirOption = None,
    heap: Annotated[
        str | None,
        typer.Option(
            "--heap",
            help="JVM heap of each node started now, e.g. 1g. Default: 256m, or what the node had; "
            "~5,000 topics × 2 partitions on 3 nodes need about 1g (KADMIN_LOCAL_HEAP sets it too).",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the cluster to be ready.")
    ] = READY_TIMEOUT_S,
    sasl: Annotated[
        bool,
        typer.Option(
            "--sasl",
            help=(
                "Also open a SASL_PLAINTEXT listener (SCRAM-SHA-256 and -512) on every node of a new "
                "cluster, with user kadmin (SCRAM-SHA-512) and the password in KADMIN_LOCAL_SASL_PASSWORD "
                "(else a random one); its client properties go to <dir>/client-sasl.properties."
            ),
        ),
    ] = False,
    acls: Annotated[
        bool,
        typer.Option(
            "--acls",
            help=(
                "Enforce ACLs on a new cluster (implies --sasl): every node runs Kafka's StandardAuthorizer, "
                "and only the SASL user kadmin (and the nodes themselves, over an internal listener) are "
                "super users. Other SASL users get what ACLs grant them; PLAINTEXT clients are "
                "User:ANONYMOUS and denied unless an ACL allows it."
            ),
        ),
    ] = False,
) -> None:
    """Start a local cluster and wait until it is ready; start a stopped one again with its data.

    A directory that already holds a cluster keeps it: the same cluster id, ports, topics
    and messages. Nodes that are not running (stopped, or dead) are started again.

    Example: kadmin local up --nodes 3

    Example (more memory for thousands of topics): kadmin local up --heap 1g

    Example (an authenticated cluster, to try --command-config):

    \b
        kadmin local up --sasl && kadmin plan specs/ --command-config ~/.kadmin/local/client-sasl.properties

    Example (a cluster that enforces ACLs, to apply users, acls and quotas):

    \b
        kadmin local up --acls && kadmin apply specs/ --command-config ~/.kadmin/local/client-sasl.properties
    """
    if heap is not None:
        check_heap(heap)
    target = directory or state.default_dir()
    existing = read_info(target)
    if existing and all(node_state(existing, n) is NodeState.RUNNING for n in existing.nodes):
        _say(f"A local cluster is already running: {existing.bootstrap}")
        _print_nodes(existing)
        if heap is not None:
            _say("--heap applies to nodes as they start: `kadmin local down`, then `kadmin local up --heap`.")
        state.remember(target)
        return
    dead = (
        {n.node_id: _reason(n) for n in existing.nodes if node_state(existing, n) is NodeState.DEAD}
        if existing
        else {}
    )
    with stderr().status("Starting a local Kafka cluster") as status:
        user = None
        if sasl or acls:
            password = os.environ.get("KADMIN_LOCAL_SASL_PASSWORD") or secrets.token_urlsafe(18)
            user = ScramUser("kadmin", password)
        cluster = LocalCluster(
            target,
            nodes=nodes if nodes is not None or existing else 3,
            heap=heap,
            ready_timeout=timeout,
            progress=status.update,
            sasl=user,
            acls=acls,
        )
        info = cluster.start()
    state.remember(target)
    for node_id in cluster.started:
        if node_id in dead:
            _say(f"Restarted node {node_id}, which had died: {dead[node_id]}")
    again = " again, with its data" if existing else ""
    _say(f"Kafka {info.kafka_version} is up{again}: {info.bootstrap}  (cluster id {info.cluster_id})")
    _print_nodes(info)
    _print_sasl(info)
    _say("Later kadmin commands use this cluster by default. Stop it with `kadmin local down`.")


@local_app.command("status")
@guarded
def status(
    directory: DirOption = None,
    output: Annotated[OutputFormat, typer.Option("--output", "-o", help="text or json.")] = OutputFormat.text,
) -> None:
    """Show the local cluster's nodes, ports, zones and memory, and why a dead node died.

    Exits 0 when every node runs, 1 when a node is dead or the cluster is stopped or absent.

    Example: kadmin local status -o json
    """
    target = directory or state.remembered_dir()
    info = read_info(target)
    states = {n.node_id: node_state(info, n) for n in info.nodes} if info else {}
    running = [i for i, s in states.items() if s is NodeState.RUNNING]
    dead = [i for i, s in states.items() if s is NodeState.DEAD]
    overall = _overall(states)
    if output is OutputFormat.json:
        print_json(_status_document(target, info, states, overall))
    elif info is None:
        _say(f"No local cluster in {target}. Start one with `kadmin local up`.")
    else:
        if running:
            about = f"cluster id {info.cluster_id}, data in {info.dir}"
            _say(f"{overall.capitalize()}: {info.bootstrap}  ({about})")
        else:
            _say(
                f"No local cluster is running from {target}; its data is kept (cluster id {info.cluster_id})."
            )
        _print_nodes(info, states)
        if running:
            _print_sasl(info)
        if dead:
            _say(f"Dead: node(s) {', '.join(map(str, dead))}. `kadmin local up` starts them again.")
        elif not running:
            _say("`kadmin local up` starts it again.")
    if overall != "running":
        raise typer.Exit(1)


@local_app.command("down")
@guarded
def down(directory: DirOption = None) -> None:
    """Stop the local cluster (SIGTERM to every node, then SIGKILL after 30 s); its data stays.

    Later commands no longer default to it; `kadmin local up` starts it again with its data.

    Example: kadmin local down
    """
    target = directory or state.remembered_dir()
    info = read_info(target)
    state.forget(target)
    if info is None:
        _say(f"No local cluster in {target}.")
        return
    was_running = any(node_state(info, n) is NodeState.RUNNING for n in info.nodes)
    stop_cluster(info)
    if was_running:
        _say(f"Stopped the local cluster ({info.bootstrap}). Data stays in {info.dir}.")
    else:
        _say(f"No node of the local cluster in {info.dir} was running; its data stays.")
    _say("`kadmin local up` starts it again with its data.")


def _overall(states: dict[int, NodeState]) -> str:
    values = set(states.values())
    if not values:
        return "absent"
    if values == {NodeState.RUNNING}:
        return "running"
    if NodeState.RUNNING in values:
        return "degraded"
    return "dead" if NodeState.DEAD in values else "stopped"


def _status_document(
    target: Path, info: ClusterInfo | None, states: dict[int, NodeState], overall: str
) -> dict[str, Any]:
    running = bool(info) and any(s is NodeState.RUNNING for s in states.values())
    nodes = []
    for node in info.nodes if info else ():
        node_now = states[node.node_id]
        nodes.append(
            {
                "id": node.node_id,
                "rack": node.rack,
                "port": node.broker_port,
                "state": node_now.value,
                "pid": node.pid if node_now is NodeState.RUNNING else None,
                "rss_mb": rss_mb(node.pid) if node_now is NodeState.RUNNING else None,
                "heap": node.heap,
                "reason": _reason(node) if node_now is NodeState.DEAD else None,
                "log": str(node.log),
            }
        )
    return {
        "running": running,
        "state": overall,
        "cluster_id": info.cluster_id if info else None,
        "bootstrap": info.bootstrap if info and running else None,
        "sasl_bootstrap": (info.sasl_bootstrap or None) if info and running else None,
        "sasl_properties": str(info.sasl_properties) if info and running and info.sasl_properties else None,
        "acls": info.acls if info else None,
        "dir": str(target),
        "nodes": nodes,
    }


def _reason(node: Node) -> str:
    return logs.death_reason(node.log) or UNEXPLAINED


def _print_nodes(info: ClusterInfo, states: dict[int, NodeState] | None = None) -> None:
    for node in info.nodes:
        now = states[node.node_id] if states else NodeState.RUNNING
        where = f"  broker {node.node_id}  {node.rack:<7} 127.0.0.1:{node.broker_port}"
        if now is NodeState.RUNNING:
            rss = rss_mb(node.pid)
            memory = f"  {rss} MB" if rss else ""
            _say(f"{where}  pid {node.pid}{memory}  heap {node.heap}")
        elif now is NodeState.DEAD:
            _say(f"{where}  dead: {_reason(node)}")
            _say(f"      log: {node.log}")
        else:
            _say(f"{where}  stopped")


def _print_sasl(info: ClusterInfo) -> None:
    if not info.sasl_bootstrap:
        return
    _say(f"SASL_PLAINTEXT (SCRAM-SHA-512, user kadmin): {info.sasl_bootstrap}")
    if info.acls:
        _say("  ACLs are enforced (StandardAuthorizer); kadmin is a super user, PLAINTEXT clients are denied")
    if info.sasl_properties:
        _say(f"  client properties (with the password): --command-config {info.sasl_properties}")


def _say(text: str) -> None:
    # Paths and log lines are printed as they are, never read as markup or emoji codes.
    stdout().print(text, markup=False, emoji=False, highlight=False)
