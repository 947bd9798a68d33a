"""docker-compose.yml cannot be run here (no Docker engine); check what can be checked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kadmin.local.dist import KAFKA_VERSION

ROOT = Path(__file__).resolve().parents[2]


def _services() -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services: dict[str, dict[str, Any]] = doc["services"]
    return services


def test_three_kraft_nodes_one_per_zone() -> None:
    services = _services()
    assert len(services) == 3
    envs = [s["environment"] for s in services.values()]
    assert sorted(e["KAFKA_BROKER_RACK"] for e in envs) == ["zone-a", "zone-b", "zone-c"]
    assert sorted(e["KAFKA_NODE_ID"] for e in envs) == ["1", "2", "3"]
    for env in envs:
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
        voters = env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")
        assert [v.split("@")[0] for v in voters] == ["1", "2", "3"]


def test_each_broker_is_published_on_the_host_port_it_advertises() -> None:
    for service in _services().values():
        (mapping,) = service["ports"]
        host, container = mapping.split(":")
        advertised = service["environment"]["KAFKA_ADVERTISED_LISTENERS"]
        assert f"EXTERNAL://localhost:{host}" in advertised
        assert f"EXTERNAL://:{container}" in service["environment"]["KAFKA_LISTENERS"]


def test_image_is_the_kafka_version_the_local_cluster_uses() -> None:
    for service in _services().values():
        assert service["image"] == f"apache/kafka:{KAFKA_VERSION}"
    pom = (ROOT / "kadmin" / "local" / "pom.xml").read_text()
    match = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom)
    assert match is not None and match.group(1) == KAFKA_VERSION
