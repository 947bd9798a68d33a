"""`kadmin drift` and `cluster.id` on a real cluster: a hand-set override is drift naming topic and
key, an orphan in `cluster.manage` is drift, and a spec pinned to another cluster is refused by
plan, apply and drift, naming both ids.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from confluent_kafka.admin import AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic

from .conftest import KafkaHandle, Namespace, run_kadmin

OTHER_ID = "Zm9vYmFyYmF6cXV4MTIzNA"


def write_spec(path: Path, ns: Namespace, cluster_id: str | None = None) -> Path:
    pinned = f"  id: {cluster_id}\n" if cluster_id else ""
    path.write_text(
        "version: 1\n"
        "cluster:\n"
        f"{pinned}"
        f"  manage: ['{re.escape(ns.prefix)}\\..*']\n"
        "topics:\n"
        f"  {ns.topic('orders')}:\n"
        "    partitions: 2\n"
        "    replication_factor: 1\n"
        "    configs:\n"
        "      retention.ms: 1d\n"
    )
    return path


def set_override(kafka: KafkaHandle, topic: str, key: str, value: str) -> None:
    resource = ConfigResource(
        ConfigResource.Type.TOPIC,
        topic,
        incremental_configs=[ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)],
    )
    raw = kafka.raw_admin()  # referenced until its futures are done: a collected client never answers
    for future in raw.incremental_alter_configs([resource]).values():
        future.result(timeout=30)


def test_a_hand_set_override_and_an_orphan_are_drift(
    kafka_single: KafkaHandle, ns: Namespace, tmp_path: Path
) -> None:
    env = {"KADMIN_BOOTSTRAP_SERVER": kafka_single.bootstrap, "NO_COLOR": "1"}
    spec = write_spec(tmp_path / "topics.yaml", ns)
    applied = run_kadmin("apply", str(spec), "--auto-approve", env=env)
    assert applied.code == 0, applied.stderr
    clean = run_kadmin("drift", str(spec), "--detailed-exitcode", env=env)
    assert clean.code == 0, clean.stdout + clean.stderr
    assert clean.stdout.startswith("No drift.")

    set_override(kafka_single, ns.topic("orders"), "segment.ms", "3600000")
    orphan = ns.topic("orphan")
    raw = kafka_single.raw_admin()
    for future in raw.create_topics([NewTopic(orphan, 1, 1)]).values():
        future.result(timeout=30)

    found = run_kadmin("drift", str(spec), "--detailed-exitcode", env=env)
    assert found.code == 2, found.stdout + found.stderr
    assert f"~ topic {ns.topic('orders')}: segment.ms=3600000 set on the cluster, not in the spec" in (
        found.stdout
    )
    assert f"- topic {orphan}: on the cluster (1 partitions) inside cluster.manage" in found.stdout
    # plan itself would change nothing without flags: drift is what the scheduled check must see.
    assert run_kadmin("plan", str(spec), "--detailed-exitcode", env=env).code == 0

    document = json.loads(run_kadmin("drift", str(spec), "-o", "json", env=env).stdout)
    keys = {(d["target"], d["kind"], d["key"]) for d in document["differences"]}
    assert keys == {
        (f"topic:{ns.topic('orders')}", "unset_config", "segment.ms"),
        (f"topic:{orphan}", "orphan_topic", None),
    }
    assert document["cluster"]["bootstrap"] == kafka_single.bootstrap


def test_a_spec_pinned_to_another_cluster_is_refused_naming_both_ids(
    kafka_single: KafkaHandle, ns: Namespace, tmp_path: Path
) -> None:
    env = {"KADMIN_BOOTSTRAP_SERVER": kafka_single.bootstrap, "NO_COLOR": "1"}
    actual = kafka_single.admin().snapshot([]).cluster_id
    spec = write_spec(tmp_path / "topics.yaml", ns, cluster_id=OTHER_ID)
    for command in (("plan",), ("apply", "--auto-approve"), ("drift",)):
        result = run_kadmin(command[0], str(spec), *command[1:], env=env)
        assert result.code == 1, (command, result.stdout, result.stderr)
        assert OTHER_ID in result.stderr and actual in result.stderr, result.stderr
        assert "cluster.id" in result.stderr
    assert ns.topic("orders") not in kafka_single.admin().snapshot().topics

    pinned = write_spec(tmp_path / "topics.yaml", ns, cluster_id=actual)
    plan = run_kadmin("plan", str(pinned), "-o", "json", env=env)
    assert plan.code == 0, plan.stderr
    assert json.loads(plan.stdout)["cluster"]["id"] == actual


def test_offsets_and_export_refuse_the_wrong_cluster_given_a_pinned_spec(
    kafka_single: KafkaHandle, ns: Namespace, tmp_path: Path
) -> None:
    env = {"KADMIN_BOOTSTRAP_SERVER": kafka_single.bootstrap, "NO_COLOR": "1"}
    actual = kafka_single.admin().snapshot([]).cluster_id
    other = write_spec(tmp_path / "other.yaml", ns, cluster_id=OTHER_ID)
    group = ns.group("billing")
    commands = (
        ("offsets", "show", "--group", group),
        ("offsets", "reset", "--group", group, "--all-topics", "--to-earliest", "--execute"),
        ("export", "--out", str(tmp_path / "exported")),
    )
    for command in commands:
        result = run_kadmin(*command, "--spec", str(other), env=env)
        assert result.code == 1, (command, result.stdout, result.stderr)
        assert OTHER_ID in result.stderr and actual in result.stderr, result.stderr
    assert not (tmp_path / "exported").exists()
    ours = write_spec(tmp_path / "ours.yaml", ns, cluster_id=actual)
    shown = run_kadmin("offsets", "show", "--group", group, "--spec", str(ours), env=env)
    assert shown.code == 0, shown.stderr
