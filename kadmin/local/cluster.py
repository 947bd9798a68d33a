"""`LocalCluster`: create, start again, heal and stop a KRaft cluster of 1 or 3 nodes on 127.0.0.1.

Each node is one JVM (combined broker + controller) with a fixed heap, its own ports,
data directory and log, and with three nodes a rack each (``zone-a``, ``zone-b``,
``zone-c``). The first start formats fresh storage under a new cluster id; every later
start of the same directory runs the recorded cluster again, with its data, cluster id
and ports, starting only the nodes that are not running (dead ones included).

Optionally each node also has a SASL_PLAINTEXT listener with SCRAM (SHA-256 and SHA-512),
whose first user (SCRAM-SHA-512) is created when the storage is formatted; its client properties are
written to ``<dir>/client-sasl.properties`` (mode 0600), never to ``cluster.json``.
And optionally an SSL listener serving a PEM key and certificate the caller made (the
tests sign one with a throwaway CA). PLAINTEXT is the inter-broker and readiness listener,
but in a cluster that enforces ACLs (``acls``: the SASL user and the nodes' own principal are
its super users) the nodes talk over an internal SASL/PLAIN listener (see `config`). The
files the nodes run with come from `config`, the processes are handled by `procs`,
and the record of the cluster is `record`.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path

from kadmin.core.errors import LocalClusterError
from kadmin.local import config, logs, procs
from kadmin.local.config import jvm_command, node_command
from kadmin.local.dist import KAFKA_VERSION, check_java, ensure_kafka
from kadmin.local.record import (
    DEFAULT_HEAP,
    SCRAM_MECHANISM,
    ZONES,
    ClusterInfo,
    Node,
    ScramUser,
    check_heap,
    read_info,
    write_info,
)

READY_TIMEOUT_S = 120.0
FORMAT_TIMEOUT_S = 120.0

Progress = Callable[[str], None]


class NodeState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    """Stopped by kadmin (`kadmin local down`); `kadmin local up` starts it again."""
    DEAD = "dead"
    """Its JVM is gone though nobody stopped it: it crashed or was killed."""


def node_state(info: ClusterInfo, node: Node) -> NodeState:
    if node.pid == 0:
        return NodeState.STOPPED
    return NodeState.RUNNING if procs.is_cluster_process(node.pid, info.dir) else NodeState.DEAD


def running_nodes(info: ClusterInfo) -> list[Node]:
    """Nodes whose recorded pid is still a JVM of this cluster (pids get reused)."""
    return [n for n in info.nodes if node_state(info, n) is NodeState.RUNNING]


def stop_cluster(info: ClusterInfo, *, owned: dict[int, procs.Owned] | None = None) -> ClusterInfo:
    """Stop every node (and any stray process of the cluster), and record them as stopped."""
    owned = owned or {}
    pids = {n.pid for n in info.nodes} | set(procs.cluster_processes(info.dir))
    survivors = procs.terminate(pids, info.dir, owned=owned.values())
    if survivors:
        raise LocalClusterError(
            f"processes {', '.join(map(str, survivors))} did not stop, even after SIGKILL",
            where=f"local cluster {info.dir}",
            hint="look at them with `ps`; kill them by pid",
        )
    stopped = replace(info, nodes=tuple(replace(n, pid=0) for n in info.nodes))
    if Path(info.dir).is_dir():
        write_info(stopped)
    return stopped


class LocalCluster:
    """Start, check and stop the local KRaft cluster rooted at `directory`.

    ``nodes`` is the size of a new cluster (1 or 3; default 1); for an existing one it
    must match or be None. ``heap`` is the JVM heap of the nodes this start runs
    (default: ``KADMIN_LOCAL_HEAP``, else what each node had, else 256m).
    ``bound_to_owner`` ties the JVMs' lives to this process (`procs.spawn_owned`): the
    test harness uses it so an interrupted test run never leaves brokers behind;
    `kadmin local up` leaves it off, since its cluster must outlive the command.
    ``sasl`` adds a SASL_PLAINTEXT listener with SCRAM, that user its first, on every
    node of a new cluster; ``tls_keystore`` (a PEM file with an unencrypted PKCS#8 key and
    its certificate chain, valid for 127.0.0.1) adds an SSL listener. ``acls`` (with ``sasl``)
    makes a new cluster enforce ACLs, with the ``sasl`` user as its super user.
    """

    def __init__(
        self,
        directory: Path,
        *,
        nodes: int | None = None,
        bound_to_owner: bool = False,
        ready_timeout: float = READY_TIMEOUT_S,
        heap: str | None = None,
        progress: Progress | None = None,
        sasl: ScramUser | None = None,
        tls_keystore: Path | None = None,
        acls: bool = False,
        tie: procs.Tie | None = None,
    ) -> None:
        if nodes not in (None, 1, 3):
            raise LocalClusterError(
                f"a local cluster has 1 or 3 nodes, not {nodes}",
                where="--nodes",
                hint="use --nodes 1 or --nodes 3",
            )
        self.directory = directory.resolve()
        self.node_count = nodes
        self.bound_to_owner = bound_to_owner
        self.ready_timeout = ready_timeout
        explicit = heap or os.environ.get("KADMIN_LOCAL_HEAP")
        self.heap = check_heap(explicit) if explicit else None
        self.progress = progress or (lambda _msg: None)
        if acls and sasl is None:
            raise LocalClusterError(
                "ACLs need the SASL user (their super user)", where="--acls", hint="add --sasl"
            )
        self.sasl = sasl
        self.acls = acls
        self.tls_keystore = tls_keystore.resolve() if tls_keystore else None
        self.tie = tie
        self.info: ClusterInfo | None = None
        self.started: tuple[int, ...] = ()
        """Ids of the nodes the last `start` ran; the others were running already."""
        self._owned: dict[int, procs.Owned] = {}

    # --- lifecycle -----------------------------------------------------------------

    def start(self) -> ClusterInfo:
        """Run the cluster and wait until it is usable: a new one, or the recorded one again."""
        existing = read_info(self.directory)
        if existing is not None and all(n.formatted for n in existing.nodes):
            return self._restart(existing)
        return self._create()

    def stop(self) -> None:
        info = self.info or read_info(self.directory)
        if info is not None:
            self.info = stop_cluster(info, owned=self._owned)
        self._owned.clear()

    def __enter__(self) -> ClusterInfo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _create(self) -> ClusterInfo:
        java = check_java()
        self.progress(f"Resolving Kafka {KAFKA_VERSION} jars (cached after the first run)")
        lib = ensure_kafka()
        nodes = self._layout()
        cluster_id = _kafka_uuid()
        enforcing = None
        if self.acls and self.sasl is not None:
            enforcing = config.Enforcing(self.sasl.username, secrets.token_urlsafe(24))
        config.write_configs(self.directory, nodes, self.tls_keystore, enforcing)
        self.progress(f"Formatting storage of {len(nodes)} node(s)")
        self._format(java, lib, nodes, cluster_id)
        info = ClusterInfo(
            str(self.directory), cluster_id, KAFKA_VERSION, tuple(nodes), time.time(), acls=self.acls
        )
        config.write_client_properties(info, self.sasl)
        return self._run(java, lib, info, nodes)

    def _restart(self, existing: ClusterInfo) -> ClusterInfo:
        self._check_same_shape(existing)
        to_start = [n for n in existing.nodes if node_state(existing, n) is not NodeState.RUNNING]
        if not to_start:
            self.info, self.started = existing, ()
            return existing
        java = check_java()
        lib = ensure_kafka()
        heaped = [replace(n, heap=self.heap or n.heap) for n in to_start]
        return self._run(java, lib, existing, heaped)

    def _run(self, java: str, lib: Path, info: ClusterInfo, nodes: list[Node]) -> ClusterInfo:
        """Start `nodes` of `info`, record their pids, and wait for the whole cluster."""
        self.progress(f"Starting KRaft node(s) {', '.join(str(n.node_id) for n in nodes)}")
        # All at once: with three nodes none is unfenced before a controller majority is up.
        spawned = {n.node_id: self._spawn(java, lib, n) for n in nodes}
        merged = tuple(spawned.get(n.node_id, n) for n in info.nodes)
        self.info = replace(info, nodes=merged, started_at=time.time())
        self.started = tuple(spawned)
        write_info(self.info)
        try:
            self._wait_ready(self.info, list(spawned.values()))
        except BaseException:
            self._stop_started(self.info)
            raise
        return self.info

    def _stop_started(self, info: ClusterInfo) -> None:
        """After a failed start: stop what this start ran; nodes running before keep running."""
        mine = [n for n in info.nodes if n.node_id in self.started]
        procs.terminate([n.pid for n in mine], info.dir, owned=self._owned.values())
        self._owned.clear()
        self.info = replace(
            info, nodes=tuple(replace(n, pid=0) if n.node_id in self.started else n for n in info.nodes)
        )
        write_info(self.info)

    def _check_same_shape(self, existing: ClusterInfo) -> None:
        """Options that only shape a new cluster must not contradict the recorded one."""
        where = f"local cluster {self.directory}"
        hint = "leave the option out to start the recorded cluster, or use another --dir for a new one"
        if existing.kafka_version != KAFKA_VERSION:
            # KIP-1170: storage is not forward-compatible, and an older broker may not read newer storage.
            raise LocalClusterError(
                f"the cluster was made with Kafka {existing.kafka_version}; this kadmin runs {KAFKA_VERSION}",
                where=where,
                hint="use another --dir for a new cluster, or delete this directory",
            )
        if self.node_count is not None and self.node_count != len(existing.nodes):
            raise LocalClusterError(
                f"this directory holds a {len(existing.nodes)}-node cluster, not {self.node_count} nodes",
                where=where,
                hint=hint,
            )
        if self.acls and not existing.acls:
            raise LocalClusterError("the recorded cluster does not enforce ACLs", where=where, hint=hint)
        if self.sasl is not None and not existing.sasl_bootstrap:
            raise LocalClusterError("the recorded cluster has no SASL listener", where=where, hint=hint)
        if self.tls_keystore is not None and not existing.tls_bootstrap:
            raise LocalClusterError("the recorded cluster has no SSL listener", where=where, hint=hint)

    # --- steps ---------------------------------------------------------------------

    def _layout(self) -> list[Node]:
        # No record (or storage never fully formatted): what is left is the debris of a
        # start that failed early, and a formatted log dir would refuse a new cluster id.
        if self.directory.exists():
            for child in self.directory.iterdir():
                if child.is_dir() and child.name.startswith("node-"):
                    shutil.rmtree(child, ignore_errors=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        count = self.node_count or 1
        per_node = 2 + bool(self.sasl) + bool(self.tls_keystore) + self.acls
        ports = _free_ports(per_node * count)
        nodes = []
        for i in range(count):
            node_dir = self.directory / f"node-{i + 1}"
            (node_dir / "data").mkdir(parents=True)
            mine = ports[per_node * i : per_node * (i + 1)]
            extra = iter(mine[2:])
            nodes.append(
                Node(
                    i + 1,
                    ZONES[i],
                    mine[0],
                    mine[1],
                    str(node_dir),
                    sasl_port=next(extra) if self.sasl else 0,
                    tls_port=next(extra) if self.tls_keystore else 0,
                    internal_port=next(extra) if self.acls else 0,
                    heap=self.heap or DEFAULT_HEAP,
                )
            )
        return nodes

    def _format(self, java: str, lib: Path, nodes: list[Node], cluster_id: str) -> None:
        if len(nodes) == 1:
            quorum = ["--standalone"]
        else:
            # Every node is formatted with the same voter set: id@host:port:directory-id.
            voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}:{_kafka_uuid()}" for n in nodes)
            quorum = ["--initial-controllers", voters]
        running = []
        for node in nodes:
            cmd = [*jvm_command(java, lib, self.directory, "128m"), "kafka.tools.StorageTool", "format"]
            cmd += ["-t", cluster_id, "-c", str(node.config), *quorum]
            if self.sasl:
                # KRaft has no ZooKeeper to hold SCRAM credentials before the first start:
                # StorageTool writes them into the bootstrap metadata (KIP-900).
                user = self.sasl
                cmd += ["--add-scram", f"{SCRAM_MECHANISM}=[name={user.username},password={user.password}]"]
            out = open(Path(node.dir) / "format.log", "wb")  # noqa: SIM115 - closed after wait below
            running.append((node, out, subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)))
        for node, out, proc in running:
            try:
                code = proc.wait(timeout=FORMAT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                code = -1
            finally:
                out.close()
            if code != 0:
                log = Path(node.dir) / "format.log"
                raise LocalClusterError(
                    f"formatting the storage of node {node.node_id} failed (exit {code}):\n{logs.tail(log)}",
                    where=f"node {node.node_id}",
                    hint=f"see {log}",
                )

    def _spawn(self, java: str, lib: Path, node: Node) -> Node:
        if not node.config.exists():
            raise LocalClusterError(
                f"{node.config} is missing", where=f"node {node.node_id}", hint="delete the directory"
            )
        logs.rotate(node.log)
        cmd = node_command(java, lib, self.directory, node)
        if self.bound_to_owner:
            owned = procs.spawn_owned(cmd, node.log, tie=self.tie)
            self._owned[owned.pid] = owned
            return replace(node, pid=owned.pid)
        return replace(node, pid=procs.spawn_detached(cmd, node.log))

    def _alive(self, node: Node) -> bool:
        owned = self._owned.get(node.pid)
        if owned is not None:
            return owned.proc.poll() is None
        return procs.is_cluster_process(node.pid, self.directory)

    def _wait_ready(self, info: ClusterInfo, started: list[Node]) -> None:
        """Wait for the broker port of every node started, then for the cluster as a whole.

        A broker opens its PLAINTEXT port only once it is caught up and unfenced, so an
        accepted connection per node is the first signal; the admin check that every
        broker is listed with its rack and that a topic can be created is the second.
        """
        deadline = time.monotonic() + self.ready_timeout
        pending = list(started)
        while pending:
            for node in list(pending):
                if not self._alive(node):
                    owned = self._owned.get(node.pid)
                    code = f" with code {owned.proc.returncode}" if owned is not None else ""
                    raise self._node_failed(node, f"exited{code} during startup")
                if _port_open(node.broker_port):
                    pending.remove(node)
            if pending and time.monotonic() > deadline:
                raise self._node_failed(pending[0], f"was not ready within {self.ready_timeout:.0f} s")
            if pending:
                time.sleep(0.2)
        self.progress("Checking brokers, racks and topic creation")
        from kadmin.local.ready import check_ready  # the admin client is only needed from here on

        try:
            check_ready(info, timeout=max(5.0, deadline - time.monotonic()))
        except LocalClusterError as err:
            raise LocalClusterError(
                f"{err.message}\n{logs.tail(info.nodes[0].log)}", where=err.where, hint=err.hint
            ) from None

    def _node_failed(self, node: Node, what: str) -> LocalClusterError:
        return LocalClusterError(
            f"Kafka node {node.node_id} {what}. Last lines of {node.log}:\n{logs.tail(node.log)}",
            where=f"node {node.node_id}",
            hint="fix the cause shown in the log (a small heap: --heap), then run the command again",
        )


def _kafka_uuid() -> str:
    """A random Kafka Uuid in its base64 form; Kafka never makes one starting with '-'
    (it would read as a command-line flag), nor one of its reserved low values."""
    while True:
        raw = uuid.uuid4().bytes
        text = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        if not text.startswith("-"):
            return text


def _free_ports(count: int) -> list[int]:
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0
