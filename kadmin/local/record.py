"""What a local cluster's directory records about it: its nodes and ports, in ``cluster.json``.

The record is written when the cluster is created and kept for its whole life, also
while it is stopped: it is what lets `kadmin local up` start the same cluster again
(same cluster id, same ports, the data in ``node-*``). A node's pid is 0 while kadmin
has stopped it; a non-zero pid that no longer names one of the cluster's JVMs means the
node died. This module holds values and the file format only; it starts nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kadmin.core.errors import LocalClusterError

ZONES = ("zone-a", "zone-b", "zone-c")
DEFAULT_HEAP = "256m"
"""JVM heap per node: three nodes fit a small machine. ~5,000 topics × 2 partitions on
three nodes need about 1g (`kadmin local up --heap 1g`); 256m dies of OutOfMemoryError."""
STATE_FILE = "cluster.json"
SASL_PROPERTIES_FILE = "client-sasl.properties"
SCRAM_MECHANISM = "SCRAM-SHA-512"
BROKER_PRINCIPAL_NAME = "kadmin-local-broker"
"""The principal the nodes of a cluster that enforces ACLs authenticate as to each other (SASL/PLAIN
on the internal and controller listeners), a super user like the SASL listener's admin user."""

_HEAP = re.compile(r"[1-9][0-9]*[kKmMgG]")


def check_heap(heap: str) -> str:
    """`heap` if the JVM accepts it as ``-Xmx`` (a number and a unit, e.g. 256m or 1g)."""
    if not _HEAP.fullmatch(heap):
        raise LocalClusterError(
            f"{heap!r} is not a heap size",
            where="--heap",
            hint="give a number with the unit k, m or g, e.g. --heap 1g",
        )
    return heap


@dataclass(frozen=True, slots=True)
class Node:
    node_id: int
    rack: str
    broker_port: int
    controller_port: int
    dir: str
    pid: int = 0
    """The JVM's pid; 0 while the node is stopped."""
    sasl_port: int = 0
    """Port of the SASL_PLAINTEXT (SCRAM-SHA-256 and -512) listener; 0 when there is none."""
    tls_port: int = 0
    """Port of the SSL listener; 0 when there is none."""
    internal_port: int = 0
    """Port of the inter-broker listener (SASL_PLAINTEXT, PLAIN) of a cluster that enforces ACLs; 0
    when there is none (PLAINTEXT is then the inter-broker listener)."""
    heap: str = DEFAULT_HEAP
    """The heap (-Xmx) the node was last started with."""

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.broker_port}"

    @property
    def log(self) -> Path:
        return Path(self.dir) / "node.log"

    @property
    def config(self) -> Path:
        return Path(self.dir) / "server.properties"

    @property
    def formatted(self) -> bool:
        """Whether StorageTool formatted the node's log directory (it writes meta.properties)."""
        return (Path(self.dir) / "data" / "meta.properties").exists()


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """What `cluster.json` records about a local cluster, running or stopped."""

    dir: str
    cluster_id: str
    kafka_version: str
    nodes: tuple[Node, ...]
    started_at: float
    acls: bool = False
    """Whether the nodes enforce ACLs (StandardAuthorizer, `kadmin local up --acls`)."""

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
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise LocalClusterError(
            f"{path} is not a kadmin cluster record ({err})",
            where=str(path),
            hint=f"stop any Kafka started from {directory} and delete the directory",
        ) from None


def write_info(info: ClusterInfo) -> None:
    # Written aside and renamed: a reader never sees half a record.
    path = Path(info.dir) / STATE_FILE
    partial = path.with_suffix(".partial")
    partial.write_text(info.to_json())
    partial.replace(path)


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
                    where="--sasl",
                    hint="choose another one (the characters of a random token are fine)",
                )


_SCRAM_SAFE = re.compile(r"[A-Za-z0-9._~-]{1,64}")
