"""`kadmin plan` / `kadmin apply` as a CI job runs them: a separate process, no terminal,
real Kafka; exit codes, saved and stale plans, the preflight, an unreachable cluster.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kadmin.core.actions import AlterConfigs, ConfigChange

from .conftest import KafkaHandle, Namespace

Kadmin = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kadmin(kafka_single: KafkaHandle, tmp_path: Path) -> Kadmin:
    """Run the command line in a child process against the single-node cluster, without a terminal."""

    def run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "KADMIN_BOOTSTRAP_SERVER": kafka_single.bootstrap, "NO_COLOR": "1"}
        return subprocess.run(
            [sys.executable, "-m", "kadmin", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    return run


def write(path: Path, ns: Namespace, partitions: int, configs: str = "") -> Path:
    body = f"    configs:\n      {configs}\n" if configs else ""
    path.write_text(
        "version: 1\n"
        "cluster:\n"
        f"  manage: ['{re.escape(ns.prefix)}\\..*']\n"
        "topics:\n"
        f"  {ns.topic('orders')}:\n"
        f"    partitions: {partitions}\n"
        "    replication_factor: 1\n" + body
    )
    return path


def test_exit_codes_follow_terraform(kadmin: Kadmin, ns: Namespace, tmp_path: Path) -> None:
    spec = write(tmp_path / "topics.yaml", ns, 2, "retention.ms: 1d")

    first = kadmin("plan", spec, "--detailed-exitcode")
    assert first.returncode == 2, first.stderr
    assert f"+ topic {ns.topic('orders')}" in first.stdout
    assert "Plan: 1 to create, 0 to update, 0 to delete." in first.stdout

    applied = kadmin("apply", spec, "--auto-approve")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert f"✓ topic {ns.topic('orders')}: created (2 partitions, replication factor 1)" in applied.stdout

    again = kadmin("plan", spec, "--detailed-exitcode")
    assert again.returncode == 0
    assert again.stdout.startswith("Cluster ")
    assert "\n\nNo changes. The cluster matches the spec.\n" in again.stdout

    shrink = kadmin("plan", write(tmp_path / "topics.yaml", ns, 1), "--detailed-exitcode")
    assert shrink.returncode == 1
    assert f"! topic {ns.topic('orders')}: cannot shrink partitions 2 → 1" in shrink.stdout
    assert f"    at {spec}:6:17: topics.{ns.topic('orders')}.partitions" in shrink.stdout
    assert "error: the plan has 1 refused change (listed in the plan)" in shrink.stderr
    assert "Traceback" not in shrink.stderr


def test_without_a_terminal_apply_needs_auto_approve(
    kadmin: Kadmin, ns: Namespace, tmp_path: Path, kafka_single: KafkaHandle
) -> None:
    result = kadmin("apply", write(tmp_path / "t.yaml", ns, 1))
    assert result.returncode == 1
    assert "refusing to apply without confirmation" in result.stderr
    assert ns.topic("orders") not in kafka_single.admin().snapshot().topics


def test_a_saved_plan_is_applied_and_a_stale_one_refused(
    kadmin: Kadmin, ns: Namespace, tmp_path: Path, kafka_single: KafkaHandle
) -> None:
    spec = write(tmp_path / "t.yaml", ns, 1, "retention.ms: 1d")
    plan_file = tmp_path / "plan.json"
    assert kadmin("plan", spec, "--out", plan_file).returncode == 0
    assert json.loads(plan_file.read_text())["summary"]["create"] == 1
    applied = kadmin("apply", plan_file)
    assert applied.returncode == 0, applied.stdout + applied.stderr

    grown = write(tmp_path / "t.yaml", ns, 3, "retention.ms: 1d")
    assert kadmin("plan", grown, "--out", plan_file).returncode == 0
    name = ns.topic("orders")
    changed = kafka_single.admin().alter_configs(
        [AlterConfigs(name, (ConfigChange("retention.ms", "86400000", "3600000"),))]
    )
    assert all(o.ok for o in changed)

    stale = kadmin("apply", plan_file)
    assert stale.returncode == 1
    assert f"error: {plan_file}: the cluster changed since this plan was computed" in stale.stderr
    assert "hint: plan again" in stale.stderr
    assert len(kafka_single.admin().snapshot([name]).topics[name].partitions) == 1


def test_the_preflight_stops_a_bad_config_before_anything_is_created(
    kadmin: Kadmin, ns: Namespace, tmp_path: Path, kafka_single: KafkaHandle
) -> None:
    spec = tmp_path / "t.yaml"
    spec.write_text(
        "version: 1\ntopics:\n"
        f"  {ns.topic('fine')}: {{partitions: 1, replication_factor: 1}}\n"
        f"  {ns.topic('tiered')}:\n"
        "    partitions: 1\n    replication_factor: 1\n"
        "    configs: {remote.storage.enable: true}\n"
    )
    result = kadmin("apply", spec, "--auto-approve", "-o", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["preflight_rejected"] is True
    assert [(r["topic"], r["ok"]) for r in document["results"]] == [(ns.topic("tiered"), False)]
    assert "INVALID_CONFIG" in document["results"][0]["error"]
    names = kafka_single.admin().snapshot().topics
    assert ns.topic("fine") not in names and ns.topic("tiered") not in names


def test_an_unreachable_cluster_is_a_clear_error_within_the_timeout(kadmin: Kadmin, tmp_path: Path) -> None:
    spec = tmp_path / "t.yaml"
    spec.write_text("version: 1\ntopics:\n  x: {partitions: 1, replication_factor: 1}\n")
    started = time.monotonic()
    result = kadmin("plan", spec, "-b", "127.0.0.1:1", "--timeout", "3", timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "127.0.0.1:1" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert elapsed < 20


def test_deletes_are_in_the_review_with_partitions_and_data(
    kadmin: Kadmin, ns: Namespace, tmp_path: Path, kafka_single: KafkaHandle
) -> None:
    both = tmp_path / "both.yaml"
    both.write_text(
        "version: 1\n"
        "cluster:\n"
        f"  manage: ['{re.escape(ns.prefix)}\\..*']\n"
        "topics:\n"
        f"  {ns.topic('orders')}: {{partitions: 1, replication_factor: 1}}\n"
        f"  {ns.topic('full')}: {{partitions: 3, replication_factor: 1}}\n"
        f"  {ns.topic('empty')}: {{partitions: 2, replication_factor: 1}}\n"
    )
    assert kadmin("apply", both, "--auto-approve").returncode == 0
    producer = kafka_single.producer()
    for i in range(5):
        producer.produce(ns.topic("full"), value=b"x", partition=i % 3)
    assert producer.flush(30) == 0
    only_orders = write(tmp_path / "topics.yaml", ns, 1)

    review = kadmin("plan", only_orders, "-o", "markdown", "--detailed-exitcode")
    assert review.returncode == 0, review.stderr
    assert (
        "#### Would delete, not enabled (kept; `--allow-delete` deletes them)\n"
        "\n"
        f"- topic `{ns.topic('empty')}`: 2 partitions, empty (never written)\n"
        f"- topic `{ns.topic('full')}`: 3 partitions, holds data (5 messages written)\n"
    ) in review.stdout

    deleting = kadmin("plan", only_orders, "--allow-delete")
    assert deleting.returncode == 0, deleting.stderr
    assert (
        "Will delete (--allow-delete):\n"
        f"- topic {ns.topic('empty')}: 2 partitions, empty (never written)\n"
        f"- topic {ns.topic('full')}: 3 partitions, holds data (5 messages written)\n"
    ) in deleting.stdout
