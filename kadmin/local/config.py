"""The files and command lines a local cluster's nodes run with: ``server.properties`` per
node, the quiet log4j2 configuration, the SASL client properties, and the JVM options.

Rendering only: this module writes files into the cluster directory and starts nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kadmin.core.errors import LocalClusterError
from kadmin.local.record import (
    BROKER_PRINCIPAL_NAME,
    SASL_PROPERTIES_FILE,
    SCRAM_MECHANISM,
    ClusterInfo,
    Node,
    ScramUser,
)

LOG4J_FILE = "log4j2.properties"
SCRAM_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")
STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


@dataclass(frozen=True, slots=True)
class Enforcing:
    """A cluster that enforces ACLs: `admin` (the SASL listener's SCRAM user) and the nodes' own
    principal (`BROKER_PRINCIPAL_NAME`, whose password is `broker_password`) are its super users."""

    admin: str
    broker_password: str = field(repr=False)


def server_properties(
    node: Node, nodes: list[Node], tls_keystore: Path | None, enforcing: Enforcing | None = None
) -> dict[str, str]:
    """A combined broker + controller node of a cluster of `nodes`."""
    quorum = ",".join(f"127.0.0.1:{n.controller_port}" for n in nodes)
    replicas = len(nodes)
    min_isr = 2 if replicas >= 3 else 1
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
    props.update(_extra_listeners(node, tls_keystore))
    if enforcing is not None:
        props.update(_authorizer(node, enforcing))
    return props


def write_configs(
    directory: Path, nodes: list[Node], tls_keystore: Path | None, enforcing: Enforcing | None = None
) -> None:
    """Each node's ``server.properties`` and the cluster's log4j2 configuration."""
    for node in nodes:
        props = server_properties(node, nodes, tls_keystore, enforcing)
        # Created private: with ACLs enforced it holds the brokers' password.
        _write_private(node.config, "".join(f"{k}={v}\n" for k, v in props.items()))
    log4j = resources.files("kadmin.local").joinpath(LOG4J_FILE).read_bytes()
    (directory / LOG4J_FILE).write_bytes(log4j)


def write_client_properties(info: ClusterInfo, user: ScramUser | None) -> None:
    """``client-sasl.properties`` for the SASL listeners (a --command-config file), or none."""
    path = Path(info.dir) / SASL_PROPERTIES_FILE
    path.unlink(missing_ok=True)
    if user is None:
        return
    text = "".join(
        f"{k}={v}\n"
        for k, v in (
            ("bootstrap.servers", info.sasl_bootstrap),
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanism", SCRAM_MECHANISM),
            ("sasl.username", user.username),
            ("sasl.password", user.password),
        )
    )
    # Created private: the file holds a password.
    _write_private(path, text)


def admin_client_config(info: ClusterInfo) -> dict[str, str]:
    """What kadmin's own client needs to administer `info`: its PLAINTEXT listeners, or, when the
    cluster enforces ACLs (where an unauthenticated client is denied everything), the SASL listeners
    as the super user of ``client-sasl.properties``."""
    if not info.acls:
        return {"bootstrap.servers": info.bootstrap}
    path = Path(info.dir) / SASL_PROPERTIES_FILE
    try:
        lines = path.read_text().splitlines()
    except OSError as err:
        raise LocalClusterError(
            f"cannot read the admin user's client properties ({err.strerror})",
            where=str(path),
            hint="the cluster enforces ACLs and kadmin needs that file to administer it; "
            "delete the directory and run `kadmin local up --acls` again",
        ) from None
    return dict(line.split("=", 1) for line in lines if "=" in line)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def cluster_marker(directory: Path | str) -> str:
    """The JVM option that names the cluster a process belongs to; process lookups match on it."""
    return f"-Dkadmin.cluster={directory}"


def jvm_command(java: str, lib: Path, directory: Path, heap: str) -> list[str]:
    """The JVM and its options, up to (without) the main class."""
    return [
        java,
        f"-Xmx{heap}",
        # A cluster for tests and demos: C1 only and the serial collector start faster
        # and use less CPU on small machines than the server defaults.
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        # A node out of memory exits (and says so in its log) instead of limping on.
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={directory / LOG4J_FILE}",
        cluster_marker(directory),
        "-cp",
        f"{lib}/*",
    ]


def node_command(java: str, lib: Path, directory: Path, node: Node) -> list[str]:
    """The command line of one Kafka node."""
    return [
        *jvm_command(java, lib, directory, node.heap),
        f"-Xms{node.heap}",
        f"-Dkafka.logs.dir={Path(node.dir) / 'logs'}",
        "kafka.Kafka",
        str(node.config),
    ]


def _extra_listeners(node: Node, tls_keystore: Path | None) -> dict[str, str]:
    """Broker properties for the optional client listeners: SASL (SASL_PLAINTEXT with
    SCRAM-SHA-256 and SCRAM-SHA-512) and SSL (server certificate only)."""
    if not node.sasl_port and not node.tls_port and not node.internal_port:
        return {}
    endpoints = [f"PLAINTEXT://127.0.0.1:{node.broker_port}"]
    protocols = ["PLAINTEXT:PLAINTEXT"]
    props: dict[str, str] = {}
    if node.sasl_port:
        endpoints.append(f"SASL://127.0.0.1:{node.sasl_port}")
        protocols.append("SASL:SASL_PLAINTEXT")
        # Both SCRAM mechanisms, for users a spec creates with either; kadmin's own user is SHA-512.
        props["sasl.enabled.mechanisms"] = ",".join(SCRAM_MECHANISMS)
        for mechanism in SCRAM_MECHANISMS:
            # The listener's login module; users and their salted passwords come from the metadata log.
            props[f"listener.name.sasl.{mechanism.lower()}.sasl.jaas.config"] = (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            )
    if node.tls_port and tls_keystore is not None:
        endpoints.append(f"SSL://127.0.0.1:{node.tls_port}")
        protocols.append("SSL:SSL")
        # KIP-651: a PEM file holding the key and the certificate chain, no JKS needed.
        props["listener.name.ssl.ssl.keystore.type"] = "PEM"
        props["listener.name.ssl.ssl.keystore.location"] = str(tls_keystore)
    if node.internal_port:
        endpoints.append(f"INTERNAL://127.0.0.1:{node.internal_port}")
        protocols.append("INTERNAL:SASL_PLAINTEXT")
    endpoints.append(f"CONTROLLER://127.0.0.1:{node.controller_port}")
    protocols.append("CONTROLLER:SASL_PLAINTEXT" if node.internal_port else "CONTROLLER:PLAINTEXT")
    return {
        "listeners": ",".join(endpoints),
        "advertised.listeners": ",".join(endpoints),
        "listener.security.protocol.map": ",".join(protocols),
        **props,
    }


def _authorizer(node: Node, enforcing: Enforcing) -> dict[str, str]:
    """The StandardAuthorizer, and listeners on which no client gets past it unauthenticated.

    Brokers and controllers authorize each other too, so their own principal must be a super
    user. On a PLAINTEXT listener every peer is User:ANONYMOUS, and making that a super user
    would let any client that reaches the listener bypass the ACLs (the controller listener
    answers admin requests too, KIP-919). So the nodes talk to each other over SASL/PLAIN as
    `BROKER_PRINCIPAL_NAME`, with a static credential in this file: the controller listener
    cannot use SCRAM, whose credentials live in the metadata log the controllers serve. The
    PLAINTEXT client listener stays, for ANONYMOUS clients the ACLs deny (or allow, if granted).
    """
    if not node.internal_port or not node.sasl_port:
        raise LocalClusterError(
            f"node {node.node_id} of a cluster that enforces ACLs needs its SASL and internal listeners",
            where=f"node {node.node_id}",
            hint="delete the directory and run `kadmin local up --acls` again",
        )
    plain = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{BROKER_PRINCIPAL_NAME}" password="{enforcing.broker_password}" '
        f'user_{BROKER_PRINCIPAL_NAME}="{enforcing.broker_password}";'
    )
    return {
        "inter.broker.listener.name": "INTERNAL",
        "sasl.mechanism.inter.broker.protocol": "PLAIN",
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.internal.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.internal.plain.sasl.jaas.config": plain,
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": plain,
        "authorizer.class.name": STANDARD_AUTHORIZER,
        "super.users": f"User:{BROKER_PRINCIPAL_NAME};User:{enforcing.admin}",
        # Kafka's default, said explicitly: a resource without ACLs is closed, not open.
        "allow.everyone.if.no.acl.found": "false",
    }
