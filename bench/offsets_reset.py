"""Time a --to-earliest reset of a group on a 1,000-partition topic: `kadmin offsets reset` as a
whole process (what a user waits for) and kadmin's Python API, against Kafka's own
kafka-consumer-groups (ConsumerGroupCommand), on the same group. Figures, not assertions.

    python bench/offsets_reset.py --bootstrap-server 127.0.0.1:19092
    python bench/offsets_reset.py                      # starts a one-node cluster with kadmin.local

Kafka's tool runs from its jars: --kafka-lib DIR, else the jars kadmin.local uses. Its
time includes the JVM start, which is part of what an operator waits for. Without --kadmin,
kadmin is measured as a user gets it: this repository pip-installed (not editable) into a
fresh virtual environment. CPU times (user + system) are printed beside the wall times.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from benchkit import installed_kadmin, run_timed
from confluent_kafka import Producer

from kadmin.core.actions import CreateTopic, DeleteTopic
from kadmin.core.model import OffsetMode, ResetTo
from kadmin.kafka.confluent import ConfluentAdmin
from kadmin.ops.offsets import execute_reset, plan_group_reset

TOOL = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand"


@contextmanager
def cluster(bootstrap: str | None) -> Iterator[str]:
    if bootstrap:
        yield bootstrap
        return
    from kadmin.local.cluster import LocalCluster

    with tempfile.TemporaryDirectory() as tmp, LocalCluster(Path(tmp), nodes=1, bound_to_owner=True) as info:
        yield info.bootstrap


def kafka_lib(given: str | None) -> Path:
    if given:
        return Path(given)
    from kadmin.local.dist import ensure_kafka

    return ensure_kafka()


def fill(admin: ConfluentAdmin, bootstrap: str, topic: str, partitions: int, per_partition: int) -> None:
    [created] = admin.create_topics([CreateTopic(topic, partitions, 1)])
    if not created.ok:
        raise SystemExit(f"cannot create {topic}: {created.error}")
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20})
    for p in range(partitions):
        for i in range(per_partition):
            producer.produce(topic, value=b"m%d" % i, partition=p)
        producer.poll(0)
    if producer.flush(60):
        raise SystemExit("messages not delivered within 60 s")


def commit_latest(admin: ConfluentAdmin, group: str, topic: str, partitions: int, end: int) -> None:
    # A topic just created may be unknown to the group coordinator for a moment: retry, bounded.
    deadline = time.monotonic() + 60
    while not (outcome := admin.commit_offsets(group, {(topic, p): end for p in range(partitions)})).ok:
        if time.monotonic() > deadline:
            raise SystemExit(f"cannot commit offsets: {outcome.error[:300]}")
        time.sleep(1)


def committed_total(admin: ConfluentAdmin, group: str) -> int:
    return sum(admin.describe_groups([group])[group].committed.values())


def time_kadmin(admin: ConfluentAdmin, group: str, backups: Path) -> tuple[float, float]:
    began = time.perf_counter()
    action = plan_group_reset(admin, group, None, ResetTo(OffsetMode.EARLIEST), int(time.time() * 1000))
    planned = time.perf_counter()
    outcome = execute_reset(admin, action, backup_dir=backups)
    done = time.perf_counter()
    if not outcome.ok:
        raise SystemExit(f"kadmin reset failed: {outcome.error}")
    return planned - began, done - began


def time_kadmin_process(
    kadmin: list[str], bootstrap: str, group: str, topic: str, backups: Path
) -> tuple[float, float]:
    cmd = [
        *kadmin, "offsets", "reset", "--group", group, "--topic", topic,
        "--to-earliest", "--execute", "-b", bootstrap, "--backup-dir", str(backups),
    ]  # fmt: skip
    wall, cpu, done = run_timed(cmd)
    if done.returncode != 0:
        raise SystemExit(f"kadmin offsets reset failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return wall, cpu


def time_kafka_tool(lib: Path, bootstrap: str, group: str, topic: str) -> tuple[float, float]:
    log4j = resources.files("kadmin.local").joinpath("log4j2.properties")
    cmd = [
        "java", "-Xmx256m", f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{lib}/*", TOOL,
        "--bootstrap-server", bootstrap, "--group", group, "--topic", topic,
        "--reset-offsets", "--to-earliest", "--execute",
    ]  # fmt: skip
    wall, cpu, done = run_timed(cmd)
    # The tool prints its errors on stdout and still exits 0.
    if done.returncode != 0 or "Error" in done.stdout:
        raise SystemExit(f"kafka-consumer-groups failed:\n{done.stdout}\n{done.stderr}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--bootstrap-server", help="An existing cluster; default: start one with kadmin.local."
    )
    parser.add_argument("--kafka-lib", help="Directory of Kafka's jars (for ConsumerGroupCommand).")
    parser.add_argument("--kadmin", help="A kadmin executable; default: install this repository.")
    parser.add_argument("--partitions", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=10, help="Messages per partition.")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lib = kafka_lib(args.kafka_lib)
    with installed_kadmin(args.kadmin) as kadmin:
        print(f"kadmin: {kadmin[0]}")
        measure(args, kadmin, lib)


def measure(args: argparse.Namespace, kadmin: list[str], lib: Path) -> None:
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with cluster(args.bootstrap_server) as bootstrap, tempfile.TemporaryDirectory() as backups:
        admin = ConfluentAdmin({"bootstrap.servers": bootstrap}, timeout=60)
        suffix = secrets.token_hex(3)
        topic, group = f"kadmin-bench-reset-{suffix}", f"kadmin-bench-reset-{suffix}"
        fill(admin, bootstrap, topic, args.partitions, args.messages)
        plans: list[float] = []
        kadmin_runs: list[float] = []
        process_runs: list[tuple[float, float]] = []
        kafka_runs: list[tuple[float, float]] = []
        try:
            for _ in range(args.runs):
                commit_latest(admin, group, topic, args.partitions, args.messages)
                plan_s, total_s = time_kadmin(admin, group, Path(backups))
                assert committed_total(admin, group) == 0, "kadmin did not reset every partition"
                plans.append(plan_s)
                kadmin_runs.append(total_s)

                commit_latest(admin, group, topic, args.partitions, args.messages)
                process_runs.append(time_kadmin_process(kadmin, bootstrap, group, topic, Path(backups)))
                assert committed_total(admin, group) == 0, "kadmin offsets reset left a partition"

                commit_latest(admin, group, topic, args.partitions, args.messages)
                kafka_runs.append(time_kafka_tool(lib, bootstrap, group, topic))
                assert committed_total(admin, group) == 0, "Kafka's tool did not reset every partition"
        finally:
            admin.delete_topics([DeleteTopic(topic, args.partitions)])
            # The group holds no members; deleting it leaves the cluster as it was.
            for future in admin.admin.delete_consumer_groups([group], request_timeout=30).values():
                future.result(timeout=30)

    process_wall, process_cpu = (statistics.median(run[i] for run in process_runs) for i in (0, 1))
    kafka_wall, kafka_cpu = (statistics.median(run[i] for run in kafka_runs) for i in (0, 1))
    print(f"reset --to-earliest --execute of {args.partitions} partitions, {args.runs} run(s), median:")
    print(f"  kadmin offsets reset (whole process):      {process_wall:6.2f} s (CPU {process_cpu:.2f} s)")
    print(f"  kadmin (Python API, plan + backup + commit): {statistics.median(kadmin_runs):6.2f} s")
    print(f"    of which planning:                       {statistics.median(plans):6.2f} s")
    print(f"  kafka-consumer-groups (incl. JVM start):   {kafka_wall:6.2f} s (CPU {kafka_cpu:.2f} s)")
    print(f"  whole process, Kafka's tool / kadmin:      {kafka_wall / process_wall:6.2f}x")
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
