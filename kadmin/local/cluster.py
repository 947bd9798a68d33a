"""`LocalCluster`: one to three KRaft nodes (combined broker + controller) on 127.0.0.1.

Each node is one JVM with a small fixed heap, its own ports, data directory and log,
and with three nodes a rack each (``zone-a``, ``zone-b``, ``zone-c``). The state of a
running cluster is kept in ``<dir>/cluster.json`` so that another process (a later
`kadmin local down`) can find and stop it.

Optionally each node also has a SASL_PLAINTEXT listener with SCRAM-SHA-512, whose one
user is created when the storage is formatted; the client properties for it are
written to ``<dir>/client-sasl.properties`` (mode 0600), never to ``cluster.json``.
And optionally an SSL listener serving a PEM key and certificate the caller made (the
tests sign one with a throwaway CA). PLAINTEXT stays the inter-broker and readiness
listener.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path

from kadmin.core.errors import LocalClusterError
from kadmin.local.dist import KAFKA_VERSION, check_java, ensure_kafka

ZONES = ("zone-a", "zone-b", "zone-c")
DEFAULT_HEAP = "256m"
"""Fixed heap per node (``KADMIN_LOCAL_HEAP`` overrides): three nodes fit a small machine."""
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
FORMAT_TIMEOUT_S = 120.0
STATE_FILE = "cluster.json"
SASL_PROPERTIES_FILE = "client-sasl.properties"
SCRAM_MECHANISM = "SCRAM-SHA-512"

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Node:
    node_id: int
    rack: str
    broker_port: int
    controller_port: int
    dir: str
    pid: int = 0
    sasl_port: int = 0
    """Port of the SASL_PLAINTEXT (SCRAM-SHA-512) listener; 0 when there is none."""
    tls_port: int = 0
    """Port of the SSL listener; 0 when there is none."""

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.broker_port}"

    @property
    def log(self) -> Path:
        return Path(self.dir) / "node.log"


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """What `cluster.json` records about a running local cluster."""

    dir: str
    cluster_id: str
    kafka_version: str
    nodes: tuple[Node, ...]
    started_at: float

    @property
    def bootstrap(self) -> str:
        return ",".join(n.bootstrap for n in self.nodes)

    @property
    def sasl_bootstrap(self) -> str:
        """The SASL_PLAINTEXT listeners, or "" when the cluster has none."""
        return ",".join(f"127.0.0.1:{n.sasl_port}" for n in self.nodes if n.sasl_port)

    @property
    def tls_bootstrap(self) -> str:
        """The SSL listeners, or "" when the cluster has none."""
        return ",".join(f"127.0.0.1:{n.tls_port}" for n in self.nodes if n.tls_port)

    @property
    def sasl_properties(self) -> Path | None:
        """Client properties for the SASL listeners (usable as --command-config), if any."""
        path = Path(self.dir) / SASL_PROPERTIES_FILE
        return path if self.sasl_bootstrap and path.exists() else None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> ClusterInfo:
        raw = json.loads(text)
        nodes = tuple(Node(**n) for n in raw.pop("nodes"))
        return cls(nodes=nodes, **raw)


def read_info(directory: Path) -> ClusterInfo | None:
    """The recorded cluster in `directory`, or None when there is none."""
    path = directory / STATE_FILE
    if not path.exists():
        return None
    try:
        return ClusterInfo.from_json(path.read_text())
    except (ValueError, TypeError, KeyError) as err:
        raise LocalClusterError(
            f"{path} is not a kadmin cluster record ({err})",
            hint=f"stop any Kafka started from {directory} and delete the directory",
        ) from None


@dataclass(frozen=True, slots=True)
class ScramUser:
    """The SCRAM-SHA-512 user a local cluster is formatted with.

    The password is limited to characters that need no quoting in StorageTool's
    ``--add-scram`` argument and in a properties file.
    """

    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        for what, value in (("user name", self.username), ("password", self.password)):
            if not _SCRAM_SAFE.fullmatch(value):
                raise LocalClusterError(
                    f"the SASL {what} must be 1-64 letters, digits or . _ ~ -",
                    hint="choose another one (the characters of a random token are fine)",
                )


_SCRAM_SAFE = re.compile(r"[A-Za-z0-9._~-]{1,64}")


def running_nodes(info: ClusterInfo) -> list[Node]:
    """Nodes whose recorded pid is still a JVM of this cluster (pids get reused)."""
    return [n for n in info.nodes if _is_our_jvm(n.pid, info.dir)]


class LocalCluster:
    """Start, check and stop a local KRaft cluster rooted at `directory`.

    ``bound_to_owner`` ties the JVMs' lives to this process (Linux
    ``PR_SET_PDEATHSIG``): the test harness uses it so an interrupted test run
    never leaves brokers behind. `kadmin local up` leaves it off, since its
    cluster must outlive the command. ``sasl`` adds a SASL_PLAINTEXT listener with
    SCRAM-SHA-512 for that user on every node; ``tls_keystore`` (a PEM file with an
    unencrypted PKCS#8 key and its certificate chain, valid for 127.0.0.1) adds an SSL
    listener.
    """

    def __init__(
        self,
        directory: Path,
        *,
        nodes: int = 1,
        bound_to_owner: bool = False,
        ready_timeout: float = READY_TIMEOUT_S,
        heap: str | None = None,
        progress: Progress | None = None,
        sasl: ScramUser | None = None,
        tls_keystore: Path | None = None,
    ) -> None:
        if nodes not in (1, 3):
            raise LocalClusterError(
                f"a local cluster has 1 or 3 nodes, not {nodes}", hint="use --nodes 1 or --nodes 3"
            )
        self.directory = directory.resolve()
        self.node_count = nodes
        self.bound_to_owner = bound_to_owner
        self.ready_timeout = ready_timeout
        self.heap = heap or os.environ.get("KADMIN_LOCAL_HEAP") or DEFAULT_HEAP
        self.progress = progress or (lambda _msg: None)
        self.sasl = sasl
        self.tls_keystore = tls_keystore.resolve() if tls_keystore else None
        self.info: ClusterInfo | None = None
        self._procs: dict[int, subprocess.Popen[bytes]] = {}

    # --- lifecycle -----------------------------------------------------------------

    def start(self) -> ClusterInfo:
        """Resolve jars, format storage, start every node and wait until the cluster is usable."""
        existing = read_info(self.directory)
        if existing and running_nodes(existing):
            raise LocalClusterError(
                f"a local cluster is already running from {self.directory} ({existing.bootstrap})",
                hint="use it, or stop it first with `kadmin local down`",
            )
        java = check_java()
        self.progress(f"Resolving Kafka {KAFKA_VERSION} jars (cached after the first run)")
        lib = ensure_kafka()
        nodes = self._layout()
        cluster_id = _kafka_uuid()
        self._write_configs(nodes, lib)
        self.progress(f"Formatting storage of {len(nodes)} node(s)")
        self._format(java, lib, nodes, cluster_id)
        self.progress(f"Starting {len(nodes)} KRaft node(s)")
        started = tuple(self._spawn(java, lib, node) for node in nodes)
        self.info = ClusterInfo(str(self.directory), cluster_id, KAFKA_VERSION, started, time.time())
        (self.directory / STATE_FILE).write_text(self.info.to_json())
        self._write_client_properties(self.info)
        try:
            self._wait_ready(self.info)
        except BaseException:
            self.stop()
            raise
        return self.info

    def stop(self) -> None:
        info = self.info or read_info(self.directory)
        if info is not None:
            stop_nodes(info, children=self._procs)
        self._procs.clear()

    def __enter__(self) -> ClusterInfo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- steps ---------------------------------------------------------------------

    def _layout(self) -> list[Node]:
        if self.directory.exists() and any(self.directory.iterdir()):
            # Fresh storage every time: a formatted log dir refuses a new cluster id, and
            # stale data of an old run would make the cluster not "fresh" to tests.
            for child in self.directory.iterdir():
                if child.is_dir() and child.name.startswith("node-"):
                    _remove_tree(child)
        self.directory.mkdir(parents=True, exist_ok=True)
        per_node = 2 + bool(self.sasl) + bool(self.tls_keystore)
        ports = _free_ports(per_node * self.node_count)
        nodes = []
        for i in range(self.node_count):
            node_dir = self.directory / f"node-{i + 1}"
            (node_dir / "data").mkdir(parents=True)
            mine = ports[per_node * i : per_node * (i + 1)]
            extra = iter(mine[2:])
            sasl_port = next(extra) if self.sasl else 0
            tls_port = next(extra) if self.tls_keystore else 0
            nodes.append(
                Node(i + 1, ZONES[i], mine[0], mine[1], str(node_dir), sasl_port=sasl_port, tls_port=tls_port)
            )
        return nodes

    def _write_configs(self, nodes: list[Node], lib: Path) -> None:
        quorum = ",".join(f"127.0.0.1:{n.controller_port}" for n in nodes)
        replicas = len(nodes)
        min_isr = 2 if replicas >= 3 else 1
        for node in nodes:
            props = {
                "process.roles": "broker,controller",
                "node.id": str(node.node_id),
                "broker.rack": node.rack,
                "controller.quorum.bootstrap.servers": quorum,
                "listeners": f"PLAINTEXT://127.0.0.1:{node.broker_port},CONTROLLER://127.0.0.1:{node.controller_port}",
                # The voter endpoint is taken from the advertised CONTROLLER listener; an
                # unset host would be advertised as "localhost".
                "advertised.listeners": (
                    f"PLAINTEXT://127.0.0.1:{node.broker_port},CONTROLLER://127.0.0.1:{node.controller_port}"
                ),
                "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names": "CONTROLLER",
                "inter.broker.listener.name": "PLAINTEXT",
                "log.dirs": str(Path(node.dir) / "data"),
                "auto.create.topics.enable": "false",
                # Internal topics default to 50 partitions and RF 3: a single node must say 1.
                "offsets.topic.replication.factor": str(replicas),
                "offsets.topic.num.partitions": "3",
                "transaction.state.log.replication.factor": str(replicas),
                "transaction.state.log.min.isr": str(min_isr),
                "transaction.state.log.num.partitions": "3",
                "share.coordinator.state.topic.replication.factor": str(replicas),
                "share.coordinator.state.topic.min.isr": str(min_isr),
                "share.coordinator.state.topic.num.partitions": "3",
                "group.initial.rebalance.delay.ms": "0",
                "num.network.threads": "2",
                "num.io.threads": "2",
                "background.threads": "4",
                "num.recovery.threads.per.data.dir": "1",
                "broker.heartbeat.interval.ms": "500",
            }
            props.update(_extra_listeners(node, self.tls_keystore))
            text = "".join(f"{k}={v}\n" for k, v in props.items())
            (Path(node.dir) / "server.properties").write_text(text)
        log4j = resources.files("kadmin.local").joinpath("log4j2.properties").read_bytes()
        (self.directory / "log4j2.properties").write_bytes(log4j)

    def _write_client_properties(self, info: ClusterInfo) -> None:
        path = self.directory / SASL_PROPERTIES_FILE
        path.unlink(missing_ok=True)
        if self.sasl is None:
            return
        text = "".join(
            f"{k}={v}\n"
            for k, v in (
                ("bootstrap.servers", info.sasl_bootstrap),
                ("security.protocol", "SASL_PLAINTEXT"),
                ("sasl.mechanism", SCRAM_MECHANISM),
                ("sasl.username", self.sasl.username),
                ("sasl.password", self.sasl.password),
            )
        )
        # Created private: the file holds a password.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(text)

    def _java_base(self, java: str, lib: Path, heap: str) -> list[str]:
        return [
            java,
            f"-Xmx{heap}",
            # A cluster for tests and demos: C1 only and the serial collector start faster
            # and use less CPU on small machines than the server defaults.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.directory / 'log4j2.properties'}",
            f"-Dkadmin.cluster={self.directory}",
            "-cp",
            f"{lib}/*",
        ]

    def _format(self, java: str, lib: Path, nodes: list[Node], cluster_id: str) -> None:
        if len(nodes) == 1:
            quorum = ["--standalone"]
        else:
            # Every node is formatted with the same voter set: id@host:port:directory-id.
            voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}:{_kafka_uuid()}" for n in nodes)
            quorum = ["--initial-controllers", voters]
        procs = []
        for node in nodes:
            config = str(Path(node.dir) / "server.properties")
            cmd = [*self._java_base(java, lib, "128m"), "kafka.tools.StorageTool", "format"]
            cmd += ["-t", cluster_id, "-c", config, *quorum]
            if self.sasl:
                # KRaft has no ZooKeeper to hold SCRAM credentials before the first start:
                # StorageTool writes them into the bootstrap metadata (KIP-900).
                user = self.sasl
                cmd += ["--add-scram", f"{SCRAM_MECHANISM}=[name={user.username},password={user.password}]"]
            out = open(Path(node.dir) / "format.log", "wb")  # noqa: SIM115 - closed after wait below
            procs.append((node, out, subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)))
        for node, out, proc in procs:
            try:
                code = proc.wait(timeout=FORMAT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                code = -1
            finally:
                out.close()
            if code != 0:
                tail = _tail(Path(node.dir) / "format.log")
                raise LocalClusterError(
                    f"formatting the storage of node {node.node_id} failed (exit {code}):\n{tail}",
                    where=f"node {node.node_id}",
                    hint=f"see {Path(node.dir) / 'format.log'}",
                )

    def _spawn(self, java: str, lib: Path, node: Node) -> Node:
        cmd = [
            *self._java_base(java, lib, self.heap),
            f"-Xms{self.heap}",
            f"-Dkafka.logs.dir={Path(node.dir) / 'logs'}",
        ]
        cmd += ["kafka.Kafka", str(Path(node.dir) / "server.properties")]
        if self.bound_to_owner:
            # Broker output goes to a file: an unread pipe fills up and blocks the JVM.
            with open(node.log, "wb") as log:
                proc = subprocess.Popen(
                    cmd,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,
                )
            self._procs[proc.pid] = proc
            return replace(node, pid=proc.pid)
        # A cluster that outlives this command: a short-lived shell starts the JVM in the
        # background and prints its pid, so the JVM is nobody's child here.
        launcher = subprocess.run(
            [
                "sh",
                "-c",
                'log="$1"; shift; "$@" >"$log" 2>&1 </dev/null & echo $!',
                "sh",
                str(node.log),
                *cmd,
            ],
            capture_output=True,
            text=True,
            timeout=30,
            start_new_session=True,
            check=True,
        )
        return replace(node, pid=int(launcher.stdout.strip()))

    def _alive(self, node: Node) -> bool:
        proc = self._procs.get(node.pid)
        if proc is not None:
            return proc.poll() is None
        return _is_our_jvm(node.pid, str(self.directory))

    def _wait_ready(self, info: ClusterInfo) -> None:
        """Wait for every broker port, then for the cluster to answer as a whole.

        A broker opens its PLAINTEXT port only once it is caught up and unfenced, so an
        accepted connection per node is the first signal; the admin check that every
        broker is listed with its rack and that a topic can be created is the second.
        """
        deadline = time.monotonic() + self.ready_timeout
        pending = list(info.nodes)
        while pending:
            for node in list(pending):
                if not self._alive(node):
                    proc = self._procs.get(node.pid)
                    code = f" with code {proc.returncode}" if proc is not None else ""
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
                f"{err.message}\n{_tail(info.nodes[0].log)}", where=err.where, hint=err.hint
            ) from None

    def _node_failed(self, node: Node, what: str) -> LocalClusterError:
        return LocalClusterError(
            f"Kafka node {node.node_id} {what}. Last lines of {node.log}:\n{_tail(node.log)}",
            where=f"node {node.node_id}",
            hint="fix the cause shown in the log, then run the command again",
        )


def _extra_listeners(node: Node, tls_keystore: Path | None) -> dict[str, str]:
    """Broker properties for the optional client listeners: SASL (SASL_PLAINTEXT with
    SCRAM-SHA-512) and SSL (server certificate only)."""
    if not node.sasl_port and not node.tls_port:
        return {}
    endpoints = [f"PLAINTEXT://127.0.0.1:{node.broker_port}"]
    protocols = ["PLAINTEXT:PLAINTEXT"]
    props: dict[str, str] = {}
    if node.sasl_port:
        endpoints.append(f"SASL://127.0.0.1:{node.sasl_port}")
        protocols.append("SASL:SASL_PLAINTEXT")
        props["sasl.enabled.mechanisms"] = SCRAM_MECHANISM
        # The listener's login module; users and their salted passwords come from the metadata log.
        props[f"listener.name.sasl.{SCRAM_MECHANISM.lower()}.sasl.jaas.config"] = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        )
    if node.tls_port and tls_keystore is not None:
        endpoints.append(f"SSL://127.0.0.1:{node.tls_port}")
        protocols.append("SSL:SSL")
        # KIP-651: a PEM file holding the key and the certificate chain, no JKS needed.
        props["listener.name.ssl.ssl.keystore.type"] = "PEM"
        props["listener.name.ssl.ssl.keystore.location"] = str(tls_keystore)
    endpoints.append(f"CONTROLLER://127.0.0.1:{node.controller_port}")
    protocols.append("CONTROLLER:PLAINTEXT")
    return {
        "listeners": ",".join(endpoints),
        "advertised.listeners": ",".join(endpoints),
        "listener.security.protocol.map": ",".join(protocols),
        **props,
    }


def stop_nodes(info: ClusterInfo, *, children: dict[int, subprocess.Popen[bytes]] | None = None) -> None:
    """SIGTERM every node at once, wait, then SIGKILL what is left.

    All at once: a broker stopping alone asks the controller quorum for a controlled
    shutdown, and once the quorum is gone it waits minutes for an answer.
    """
    children = children or {}
    alive = [n.pid for n in info.nodes if n.pid and _is_our_jvm(n.pid, info.dir)]
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            if pid in children:
                if children[pid].poll() is not None:
                    alive.remove(pid)
            elif not _is_our_jvm(pid, info.dir):
                alive.remove(pid)
        if alive:
            time.sleep(0.2)
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid in alive:
        if pid in children:
            children[pid].wait(timeout=STOP_TIMEOUT_S)
        else:
            _wait_gone(pid, info.dir, STOP_TIMEOUT_S)
    for proc in children.values():
        # Reap every child we started so no zombie keeps the data dir's lock.
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=STOP_TIMEOUT_S)
    state = Path(info.dir) / STATE_FILE
    state.unlink(missing_ok=True)


def _is_our_jvm(pid: int, directory: str) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":
        return False
    return f"-Dkadmin.cluster={directory}".encode() in cmdline.split(b"\0")


def _wait_gone(pid: int, directory: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _is_our_jvm(pid, directory) and time.monotonic() < deadline:
        time.sleep(0.1)


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG (1): the kernel sends SIGTERM to the JVM when the process that
    # started it dies, even by SIGKILL, so a killed test run leaves no broker behind.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)


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


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def iter_logs(info: ClusterInfo) -> Iterator[Path]:
    for node in info.nodes:
        yield node.log
