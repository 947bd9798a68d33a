"""docker-compose.yml cannot be run here (no Docker engine); check what can be checked: its shape
against the Compose specification's JSON schema, and what kadmin's local cluster also uses.
"""

from __future__ import annotations

import base64
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import validators

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


def _compose_schema() -> dict[str, Any]:
    # The Compose specification's own JSON schema, as check-jsonschema vendors it (Apache-2.0,
    # its license beside it in the package): no copy of it is kept in this repository.
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: dict[str, Any] = json.loads(vendored.joinpath("compose-spec.json").read_text())
    assert "Apache License" in vendored.joinpath("licenses/LICENSE.compose-spec").read_text()
    return schema


def _problems(document: Any) -> list[str]:
    schema = _compose_schema()
    validator = validators.validator_for(schema)(schema)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_file_is_valid_against_the_compose_specification_schema() -> None:
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert _problems(document) == []


def test_the_schema_check_finds_mistakes() -> None:
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    document["services"]["kafka-1"]["restart"] = ["always"]
    document["services"]["kafka-2"]["portz"] = ["9093:9093"]
    problems = _problems(document)
    assert any(p.startswith("services.kafka-1.restart") for p in problems), problems
    assert any("portz" in p for p in problems), problems


def test_the_cluster_id_has_the_shape_kraft_requires() -> None:
    (cluster_id,) = {s["environment"]["CLUSTER_ID"] for s in _services().values()}
    # Kafka's Uuid: 16 bytes, URL-safe base64 without padding (checked with Kafka's own code
    # in tests/integration/test_docker_compose_kafka.py).
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
