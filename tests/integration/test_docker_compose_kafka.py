"""docker-compose.yml's node settings, read by Kafka's own code from the Maven jars (no Docker engine).

Each service's environment is turned into server properties the way the apache/kafka image
does (KAFKA_FOO_BAR -> foo.bar), and `java/ComposeNodeCheck.java` reads them with
`Uuid.fromString` (the cluster id), `KafkaConfig` (listeners, roles, rack) and `QuorumConfig`
(the voters). The test then checks that the nodes agree with each other.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from kadmin.local.dist import check_java, ensure_kafka

ROOT = Path(__file__).resolve().parents[2]
CHECK = Path(__file__).with_name("java") / "ComposeNodeCheck.java"
_NOT_BROKER_SETTINGS = {
    "KAFKA_HEAP_OPTS",
    "KAFKA_OPTS",
    "KAFKA_JMX_OPTS",
    "KAFKA_LOG4J_OPTS",
    "KAFKA_VERSION",
}


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return found


def properties(environment: dict[str, str]) -> dict[str, str]:
    """The apache/kafka image's rule: KAFKA_X_Y -> x.y, with __ -> _ and ___ -> -."""
    props = {}
    for key, value in environment.items():
        if not key.startswith("KAFKA_") or key in _NOT_BROKER_SETTINGS:
            continue
        name = key.removeprefix("KAFKA_").lower().replace("___", "-").replace("__", "\0").replace("_", ".")
        props[name.replace("\0", "_")] = str(value)
    return props


def read_with_kafka(
    tmp_path: Path, cluster_id_override: str | None = None
) -> subprocess.CompletedProcess[str]:
    files = []
    for name, service in sorted(services().items()):
        environment = service["environment"]
        props = {
            **properties(environment),
            "log.dirs": str(tmp_path / name),
            "kadmin.check.cluster.id": cluster_id_override or environment["CLUSTER_ID"],
        }
        path = tmp_path / f"{name}.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        files.append(str(path))
    java = check_java()
    return subprocess.run(
        [java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", f"{ensure_kafka()}/*", str(CHECK), *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_kafka_accepts_every_node_and_the_nodes_agree(tmp_path: Path) -> None:
    done = read_with_kafka(tmp_path)
    assert done.returncode == 0, done.stderr
    nodes = [dict(field.split("=", 1) for field in line.split("\t")) for line in done.stdout.splitlines()]
    by_service = dict(zip(sorted(services()), nodes, strict=True))
    (cluster_id,) = {s["environment"]["CLUSTER_ID"] for s in services().values()}
    assert {n["cluster"] for n in nodes} == {cluster_id}
    assert sorted(n["rack"] for n in nodes) == ["zone-a", "zone-b", "zone-c"]
    voters = {n["voters"] for n in nodes}
    assert len(voters) == 1  # every node knows the same quorum
    quorum = {
        node: (host, port)
        for node, host, port in re.findall(r"(\d+)=([\w-]+)/<unresolved>:(\d+)", voters.pop())
    }
    assert sorted(quorum) == sorted(n["node"] for n in nodes)
    for name, node in by_service.items():
        service = services()[name]
        assert node["node"] == service["environment"]["KAFKA_NODE_ID"]
        # Each voter is the node with that id, at its hostname, on its controller listener's port.
        controller_port = re.search(r"CONTROLLER://:(\d+)", node["listeners"])
        assert controller_port is not None
        assert quorum[node["node"]] == (service["hostname"], controller_port.group(1))


def test_kafka_refuses_a_cluster_id_that_is_not_a_uuid(tmp_path: Path) -> None:
    # The id the file once had: `docker compose up` failed at storage format with it.
    done = read_with_kafka(tmp_path, cluster_id_override="kadmin-3zones-demo-0001")
    assert done.returncode != 0
    assert "decoded as 17 bytes, which is not equal to the expected 16 bytes" in done.stderr
