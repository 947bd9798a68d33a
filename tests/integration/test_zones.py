"""Broker zones on the real 3-zone cluster: `kadmin zones` reads each broker's rack and counts
replicas and leaders, and a plan checks declared `cluster.zones` against the live racks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from kadmin.cli.app import app
from kadmin.core.actions import CreateTopic, Notice
from kadmin.core.errors import Location
from kadmin.core.targets import Target, TargetKind
from kadmin.plan.diff import diff
from kadmin.spec.load import load_specs

from .conftest import KafkaHandle, Namespace, eventually


def zones_json(kafka: KafkaHandle) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["zones", "-b", kafka.bootstrap, "-o", "json", "--check"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def counts(document: dict[str, Any]) -> dict[int, tuple[int, int]]:
    return {b["id"]: (b["replicas"], b["leaders"]) for z in document["zones"] for b in z["brokers"]}


def test_zones_shows_each_broker_in_its_rack_and_counts_a_new_topics_replicas_and_leaders(
    kafka_3zones: KafkaHandle, ns3: Namespace
) -> None:
    before = zones_json(kafka_3zones)
    assert [(z["zone"], [b["id"] for b in z["brokers"]]) for z in before["zones"]] == [
        ("zone-a", [1]),
        ("zone-b", [2]),
        ("zone-c", [3]),
    ]
    assert before["zone_count"] == 3
    # One broker per zone: any replica list of distinct brokers spans as many zones as it has replicas.
    assert before["zone_safe"] is True and before["not_zone_safe"] == []

    admin = kafka_3zones.admin()
    topic = ns3.topic("counted")
    created = admin.create_topics([CreateTopic(topic, 3, 2, assignment=((1, 2), (2, 3), (3, 1)))])
    assert all(o.ok for o in created)

    def grown() -> None:
        was, now = counts(before), counts(zones_json(kafka_3zones))
        # Each broker holds two of the six new replicas and leads one of the three partitions.
        assert {b: (now[b][0] - was[b][0], now[b][1] - was[b][1]) for b in now} == {
            1: (2, 1),
            2: (2, 1),
            3: (2, 1),
        }

    eventually(grown)


def test_zones_text_names_the_racks(kafka_3zones: KafkaHandle) -> None:
    result = CliRunner().invoke(app, ["zones", "-b", kafka_3zones.bootstrap])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith(": 3 brokers in 3 zones")
    assert lines[2].split() == ["ZONE", "BROKER", "REPLICAS", "LEADERS"]
    assert [line.split()[:2] for line in lines[3:6]] == [["zone-a", "1"], ["zone-b", "2"], ["zone-c", "3"]]
    assert "every partition is zone-safe" in result.stdout


def plan_zones(kafka: KafkaHandle, tmp_path: Path, zones: dict[str, list[int]]) -> Any:
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "cluster": {"zones": zones}, "topics": {}}))
    return diff(load_specs([path]), kafka.admin().snapshot())


def test_declared_zones_are_checked_against_the_brokers_racks(
    kafka_3zones: KafkaHandle, tmp_path: Path
) -> None:
    matching = plan_zones(kafka_3zones, tmp_path, {"zone-a": [1], "zone-b": [2], "zone-c": [3]})
    assert matching.refusals == () and not [n for n in matching.notices if n.target.kind is TargetKind.BROKER]

    wrong = plan_zones(kafka_3zones, tmp_path, {"zone-a": [1, 2], "zone-c": [3, 7]})
    assert not wrong.applyable
    by_broker = {r.target: r for r in wrong.refusals}
    assert (
        by_broker[Target.broker(2)].message
        == "broker 2 is declared in zone zone-a but its broker.rack is zone-b"
    )
    assert (
        by_broker[Target.broker(7)].message == "broker 7 is declared in zone zone-c but is not in the cluster"
    )
    assert set(by_broker) == {Target.broker(2), Target.broker(7)}
    where = by_broker[Target.broker(2)].where
    assert isinstance(where, Location) and where.file.endswith("cluster.yaml")
    assert "broker.rack" in by_broker[Target.broker(2)].hint

    partial = plan_zones(kafka_3zones, tmp_path, {"zone-a": [1], "zone-b": [2]})
    assert partial.refusals == ()
    assert Notice(Target.broker(3), "broker 3 (rack zone-c) is in no declared zone") in partial.notices
