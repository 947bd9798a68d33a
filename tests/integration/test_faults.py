"""Faults on a real cluster: a broker killed during an apply, kadmin interrupted (SIGINT) and killed
(SIGKILL) during a throttled replica move, and two applies at once.

These tests kill brokers, so they never run on a cluster given by ``KADMIN_TEST_BOOTSTRAP*``:
`faulty` starts its own three nodes (zone-a/b/c) once per session and heals them between
tests. The broker is killed at a chosen moment through a wrapper of kadmin's own port
(never a mock of Kafka): right after the brokers acknowledged the creations.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from kadmin.core.model import ClusterSpec, DesiredState, Partition, TopicSpec
from kadmin.kafka.confluent import ConfluentAdmin
from kadmin.kafka.port import THROTTLE_RATE_KEYS
from kadmin.ops.apply import apply_plan
from kadmin.ops.lock import current
from kadmin.ops.planning import plan_cluster
from kadmin.render.text import render_apply_report
from tests.integration.conftest import Faulty, Namespace, eventually

THROTTLED_REPLICAS = ("leader.replication.throttled.replicas", "follower.replication.throttled.replicas")


def spec_file(path: Path, ns: Namespace, topics: dict[str, int]) -> Path:
    """A spec of `topics` (name -> replication factor, one partition each) managing the namespace."""
    body = "".join(
        f"  {ns.topic(name)}:\n    partitions: 1\n    replication_factor: {rf}\n"
        for name, rf in topics.items()
    )
    path.write_text(f"version: 1\ncluster:\n  manage: ['{re.escape(ns.prefix)}\\..*']\ntopics:\n{body}")
    return path


# --- a broker killed during an apply ---------------------------------------------------


class KillAfterCreate:
    """kadmin's port over the real adapter, killing a broker once the creations are acknowledged."""

    def __init__(self, admin: ConfluentAdmin, faulty: Faulty, node_id: int) -> None:
        self.admin, self.faulty, self.node_id = admin, faulty, node_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self.admin, name)

    def create_topics(self, actions: Any, *, validate_only: bool = False) -> Any:
        outcomes = self.admin.create_topics(actions, validate_only=validate_only)
        if not validate_only:
            self.faulty.kill(self.node_id)
        return outcomes


def test_a_broker_killed_during_apply_leaves_a_report_of_every_outcome_and_a_rerun_converges(
    faulty: Faulty, fns: Namespace, tmp_path: Path
) -> None:
    names = [fns.topic(f"t{i:03d}") for i in range(300)]
    want = DesiredState(
        {n: TopicSpec(n, 1, 3) for n in names},
        ClusterSpec(manage=(re.escape(fns.prefix) + r"\..*",)),
    )
    with faulty.admin(timeout=8.0) as admin:
        plan = plan_cluster(admin, want, admin.snapshot())
        assert len(plan.actions) == 300
        report = apply_plan(plan, KillAfterCreate(admin, faulty, node_id=3), settle_timeout=10.0)

    # Whatever the settle phase met with broker 3 gone, every creation has its own outcome.
    assert sorted(str(a.target) for a, _ in report.results) == sorted(f"topic:{n}" for n in names)
    console = Console(record=True, width=300, color_system=None)
    render_apply_report(report.results, console)
    shown = console.export_text()
    failed = len(report.failed)
    assert f"Apply complete: {300 - failed} succeeded, {failed} failed." in shown
    assert all(o.error for _, o in report.failed)

    faulty.heal()
    spec = spec_file(tmp_path / "topics.yaml", fns, {f"t{i:03d}": 3 for i in range(300)})
    rerun = faulty.kadmin("apply", spec, "--auto-approve")
    assert rerun.code == 0, rerun.stdout + rerun.stderr
    again = faulty.kadmin("plan", spec, "--detailed-exitcode")
    assert again.code == 0, again.stdout + again.stderr
    assert "No changes." in again.stdout


# --- kadmin interrupted during a throttled move; two applies at once --------------------


def start_apply(faulty: Faulty, spec: Path, *args: str) -> subprocess.Popen[str]:
    """`kadmin apply` in the background, as a CI job runs it (no terminal; lock not waited for)."""
    env = {
        **os.environ,
        "KADMIN_BOOTSTRAP_SERVER": faulty.info.bootstrap,
        "KADMIN_LOCK_TIMEOUT": "0",
        "NO_COLOR": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "kadmin", "apply", str(spec), "--auto-approve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def ended(process: subprocess.Popen[str]) -> tuple[int, str]:
    said, _ = process.communicate(timeout=300)
    return process.returncode, said


def wait_until_moving(faulty: Faulty, topic: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not faulty.moving(topic):
        assert process.poll() is None, f"apply ended before its move was seen: {ended(process)}"
        assert time.monotonic() < deadline, "the move never started"
        time.sleep(0.1)


def throttles(faulty: Faulty, topic: str) -> dict[str, object]:
    with faulty.admin() as admin:
        overrides = admin.snapshot([topic]).topics[topic].overrides
        rates = {b: r for b, r in admin.broker_throttles().items() if any(k in THROTTLE_RATE_KEYS for k in r)}
    return {"brokers": rates, "topic": {k: v for k, v in overrides.items() if k in THROTTLED_REPLICAS}}


def partition(faulty: Faulty, topic: str) -> Partition:
    with faulty.admin() as admin:
        return admin.snapshot([topic]).topics[topic].partitions[0]


NONE_LEFT: dict[str, object] = {"brokers": {}, "topic": {}}


def test_an_interrupted_throttled_move_is_stopped_in_order_or_finished_by_the_next_apply(
    faulty: Faulty, fns: Namespace, tmp_path: Path
) -> None:
    topic = fns.topic("slow")
    one = spec_file(tmp_path / "rf1.yaml", fns, {"slow": 1})
    assert faulty.kadmin("apply", one, "--auto-approve").code == 0
    # 3 MB copied to two new replicas behind 50 kB/s (first apply; it is cancelled) or 100 kB/s
    # (second; finished): tens of seconds, so the steps in between fit even on a loaded machine.
    producer = fns.kafka.producer()
    for i in range(300):
        producer.produce(topic, value=os.urandom(10_000), key=str(i).encode())
    assert producer.flush(30) == 0
    del producer  # its connections end with it, not at the end of the session
    three = spec_file(tmp_path / "rf3.yaml", fns, {"slow": 3})

    # 1. SIGINT: an orderly stop. While it runs, a second apply is refused, naming the holder.
    running = start_apply(faulty, three, "--throttle", "50000")
    wait_until_moving(faulty, topic, running)
    second = faulty.kadmin("apply", three, "--auto-approve", "--lock-timeout", "0")
    assert second.code == 1
    assert "another apply is running: lock " in second.stderr
    assert f"(pid {running.pid}" in second.stderr and "kadmin unlock " in second.stderr
    running.send_signal(signal.SIGINT)
    code, said = ended(running)
    assert code == 1, said
    # What is in flight: the phase, or (once the wait began) the partitions moving.
    assert "SIGINT: stopping after moving " in said
    assert "the move was cancelled (the replicas are back where they were)" in said
    assert "Apply complete: 0 succeeded, 1 failed." in said
    eventually(lambda: _assert(not faulty.moving(topic)))
    eventually(lambda: _assert(throttles(faulty, topic) == NONE_LEFT), timeout=30)
    replanned = faulty.kadmin("plan", three, "--detailed-exitcode")
    assert replanned.code == 2, replanned.stdout + replanned.stderr

    # 2. SIGKILL: the move and its throttle are left; plan shows both, apply finishes them. At
    # 70 kB/s the copy takes about a minute, beyond the plan and the apply below on a quiet
    # machine; on a loaded one the move may land first, and apply then only unthrottles.
    running = start_apply(faulty, three, "--throttle", "70000")  # the lock was released
    wait_until_moving(faulty, topic, running)
    running.kill()
    ended(running)
    assert throttles(faulty, topic)["brokers"]
    left = faulty.kadmin("plan", three, "--detailed-exitcode")
    assert left.code == 2, left.stdout + left.stderr
    assert "replicas: finish the move left running" in left.stdout
    assert "(replication throttle left behind)" in left.stdout

    # The killed apply's lock outlives it until its lease runs out; --force-unlock breaks it
    # (the refusal naming it, and `kadmin unlock`, are checked above and in the unit tests).
    with faulty.admin() as admin:
        dead = current(admin)
    assert dead is not None and dead.holder is not None and dead.holder.pid == running.pid
    finished = faulty.kadmin("apply", three, "--auto-approve", "--force-unlock", dead.lock_id)
    assert finished.code == 0, finished.stdout + finished.stderr
    if "finish the move left running" in finished.stdout:
        assert f"topic {topic}: move of 1 partition finished" in finished.stdout
    assert "replication throttle removed" in finished.stdout
    assert throttles(faulty, topic) == NONE_LEFT
    assert sorted(partition(faulty, topic).replicas) == [1, 2, 3]
    eventually(lambda: _assert(len(partition(faulty, topic).isr) == 3))
    done = faulty.kadmin("plan", three, "--detailed-exitcode")
    assert done.code == 0, done.stdout + done.stderr


def _assert(condition: bool) -> None:
    assert condition
