"""Whole-process times of what a user waits for: `kadmin plan` of a 150-topic team spec on a
cluster without and then with 5,000 other topics (plan reads only the spec's topics in full),
topicctl's `check` of the same 150 topics side by side, `kadmin --version` and
`kadmin validate specs/`. Figures, not assertions; each is the median of --runs runs.

    python bench/plan_scoped.py --bootstrap-server 127.0.0.1:19092 --topicctl /path/to/topicctl
    python bench/plan_scoped.py          # starts a one-node cluster (1 GB heap) with kadmin.local

Without --topicctl, topicctl is built from source with `go install` into ~/.cache/kadmin.
Without --kadmin, kadmin is measured as a user gets it: this repository pip-installed (not
editable) into a fresh virtual environment. Each figure is printed with its CPU time beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchkit import (
    REPO,
    cluster,
    create_topics,
    delete_topics,
    installed_kadmin,
    machine,
    run_timed,
    seed_topics,
)
from confluent_kafka.admin import AdminClient

TOPICCTL_VERSION = "9c1f75c"
"""segmentio/topicctl at the commit the comparison was made with."""
RETENTION_MS = 86_400_000


def topicctl_binary(given: str | None) -> str:
    if given:
        return given
    cache = Path.home() / ".cache" / "kadmin" / f"topicctl-{TOPICCTL_VERSION}"
    binary = cache / "topicctl"
    if not binary.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["go", "install", f"github.com/segmentio/topicctl/cmd/topicctl@{TOPICCTL_VERSION}"],
            env={**os.environ, "GOBIN": str(cache)},
            check=True,
            timeout=900,
        )
    return str(binary)


def write_specs(
    directory: Path, bootstrap: str, prefix: str, names: Sequence[str], partitions: int, min_isr: str
) -> None:
    """The same topics as a kadmin spec (kadmin/team.yaml) and as topicctl configs (topicctl/)."""
    kadmin = directory / "kadmin"
    kadmin.mkdir()
    lines = ["version: 1", "cluster:", f"  manage: ['{prefix}\\..*']", "topics:"]
    for name in names:
        lines += [f"  {name}:", f"    partitions: {partitions}", "    replication_factor: 1"]
        lines += ["    configs:", "      retention.ms: 1d"]
    (kadmin / "team.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    topics = directory / "topicctl" / "topics"
    topics.mkdir(parents=True)
    meta = "  cluster: bench\n  environment: bench\n  region: bench\n"
    (directory / "topicctl" / "cluster.yaml").write_text(
        f"meta:\n  name: bench\n  environment: bench\n  region: bench\n"
        f"spec:\n  bootstrapAddrs:\n    - {bootstrap}\n",
        encoding="utf-8",
    )
    for name in names:
        (topics / f"{name}.yaml").write_text(
            f"meta:\n  name: {name}\n{meta}spec:\n  partitions: {partitions}\n  replicationFactor: 1\n"
            f"  retentionMinutes: {RETENTION_MS // 60_000}\n  placement:\n    strategy: any\n"
            # Kafka 4 reports min.insync.replicas on every topic (from the broker); topicctl
            # compares it with the topic config, kadmin only compares the topic's own overrides.
            f"  settings:\n    min.insync.replicas: {min_isr}\n",
            encoding="utf-8",
        )


def broker_min_isr(raw: AdminClient) -> str:
    from confluent_kafka.admin import ConfigResource

    broker = next(iter(raw.list_topics(timeout=30).brokers))
    resource = ConfigResource(ConfigResource.Type.BROKER, str(broker))
    entries = raw.describe_configs([resource])[resource].result(timeout=30)
    return str(entries["min.insync.replicas"].value)


def timed(command: Sequence[str], runs: int, *, expect: str = "") -> tuple[float, float]:
    """Median wall and CPU seconds of `command` as a whole process; it must exit 0 (and print `expect`)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, done = run_timed(command)
        walls.append(wall)
        cpus.append(cpu)
        if done.returncode != 0 or expect not in done.stdout:
            shown = " ".join(command)
            sys.exit(f"{shown} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return statistics.median(walls), statistics.median(cpus)


def shown(figure: tuple[float, float]) -> str:
    return f"{figure[0]:6.3f} s (CPU {figure[1]:.3f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--bootstrap-server", help="An existing cluster; default: start one with kadmin.local."
    )
    parser.add_argument("--topicctl", help="A topicctl binary; default: build it with go install.")
    parser.add_argument("--kadmin", help="A kadmin executable; default: install this repository.")
    parser.add_argument("--spec-topics", type=int, default=150)
    parser.add_argument("--other-topics", type=int, default=5000)
    parser.add_argument("--partitions", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    topicctl = topicctl_binary(args.topicctl)
    with installed_kadmin(args.kadmin) as kadmin:
        print(f"kadmin: {kadmin[0]}")
        measure(args, kadmin, topicctl)


def measure(args: argparse.Namespace, kadmin: list[str], topicctl: str) -> None:
    print(machine())
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    version = timed([*kadmin, "--version"], args.runs, expect="kadmin")
    validate = timed([*kadmin, "validate", str(REPO / "specs")], args.runs, expect="valid")
    print(f"kadmin --version:          {shown(version)}")
    print(f"kadmin validate specs/:    {shown(validate)}")

    with cluster(args.bootstrap_server, heap="1g") as bootstrap, tempfile.TemporaryDirectory() as tmp:
        raw = AdminClient({"bootstrap.servers": bootstrap})
        prefix, names, _ = seed_topics(raw, 0, args.partitions)
        names = [f"{prefix}.t{i:04d}" for i in range(args.spec_topics)]
        create_topics(raw, names, args.partitions, lambda _: {"retention.ms": str(RETENTION_MS)})
        work = Path(tmp)
        write_specs(work, bootstrap, prefix, names, args.partitions, broker_min_isr(raw))
        plan = [*kadmin, "plan", str(work / "kadmin"), "-b", bootstrap]
        check = [
            topicctl,
            "check",
            "--no-spinner",
            "--cluster-config",
            str(work / "topicctl" / "cluster.yaml"),
        ]
        check += sorted(str(p) for p in (work / "topicctl" / "topics").iterdir())
        others: list[str] = []
        try:
            time.sleep(2)  # let metadata settle before the first read
            alone = timed(plan, args.runs, expect="No changes")
            topicctl_alone = timed(check, args.runs)
            _, others, seeded = seed_topics(raw, args.other_topics, 1)
            print(f"({args.other_topics} other topics created in {seeded:.1f} s)")
            crowded = timed(plan, args.runs, expect="No changes")
            topicctl_crowded = timed(check, args.runs)
        finally:
            delete_topics(raw, [*names, *others])
            del raw  # its handle goes now, not after the cluster stopped: no reconnect noise on stderr

    print(f"kadmin plan, {args.spec_topics}-topic spec, cluster without others: {shown(alone)}")
    print(f"kadmin plan, same spec, {args.other_topics} other topics:          {shown(crowded)} "
          f"({crowded[0] / alone[0]:.2f}x)")  # fmt: skip
    print(f"topicctl check, same topics, without others:          {shown(topicctl_alone)}")
    print(f"topicctl check, same topics, {args.other_topics} other topics:   {shown(topicctl_crowded)}")
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
