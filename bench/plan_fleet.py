"""Whole-process time of `kadmin plan --all-envs` over three clusters beside `kadmin plan --env X` of
each cluster alone: the clusters are read at once, so the fleet plan should take about as long as
the slowest single plan (target: at most 1.5x), not the sum. Figures, not assertions; each is the
median of --runs runs.

    python bench/plan_fleet.py -b 127.0.0.1:19092 -b 127.0.0.1:29092 -b 127.0.0.1:39092
    python bench/plan_fleet.py          # starts three one-node clusters with kadmin.local, at once

kadmin is measured as a user gets it (`benchkit.installed_kadmin`), or as --kadmin names it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

from benchkit import cluster, installed_kadmin, machine
from confluent_kafka.admin import AdminClient
from plan_scoped import timed

ENVS = ("dev", "staging", "prod")


@contextmanager
def clusters(given: Sequence[str]) -> Iterator[list[str]]:
    """The three clusters: those given, else three local ones started side by side."""
    if given:
        yield list(given)
        return
    # The starting threads outlive the clusters, which are stopped first: a node tied to its owner
    # (PR_SET_PDEATHSIG) dies with the thread that started it.
    with ThreadPoolExecutor(max_workers=len(ENVS)) as pool, ExitStack() as stack:
        started = [pool.submit(stack.enter_context, cluster(None, heap="512m")) for _ in ENVS]
        yield [future.result() for future in started]


def cluster_id(bootstrap: str) -> str:
    raw = AdminClient({"bootstrap.servers": bootstrap})
    found = raw.describe_cluster(request_timeout=30).result(timeout=30)
    return str(found.cluster_id)


def write_spec(directory: Path, addresses: Sequence[str], prefix: str, topics: int, partitions: int) -> None:
    """One spec: the same `topics` topics in every environment, prod with a longer retention."""
    lines = ["version: 1", "environments:"]
    for env, bootstrap in zip(ENVS, addresses, strict=True):
        lines += [f"  {env}:", f"    bootstrap: {bootstrap}", f"    id: {cluster_id(bootstrap)}"]
        lines += [f"    manage: ['{prefix}\\..*']"]
        if env == "prod":
            lines += ["    overrides:", "      all:", "        configs:", "          retention.ms: 7d"]
    lines.append("topics:")
    for i in range(topics):
        lines += [f"  {prefix}.t{i:04d}:", f"    partitions: {partitions}", "    replication_factor: 1"]
        lines += ["    configs:", "      retention.ms: 1d"]
    (directory / "fleet.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "-b", "--bootstrap-server", action="append", default=[],
        help="An existing cluster (give three); default: start three with kadmin.local.",
    )  # fmt: skip
    parser.add_argument("--topics", type=int, default=150)
    parser.add_argument("--partitions", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kadmin", help="A kadmin executable; default: install this repository.")
    args = parser.parse_args()
    if args.bootstrap_server and len(args.bootstrap_server) != len(ENVS):
        sys.exit(f"give {len(ENVS)} clusters with -b, or none")
    print(machine())
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    prefix = f"bench-fleet-{os.getpid()}"
    with (
        installed_kadmin(args.kadmin) as kadmin,
        clusters(args.bootstrap_server) as addresses,
        tempfile.TemporaryDirectory() as tmp,
    ):
        specs = Path(tmp)
        write_spec(specs, addresses, prefix, args.topics, args.partitions)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("KADMIN_")}
        apply = [*kadmin, "apply", str(specs), "--all-envs", "--auto-approve"]
        subprocess.run(apply, check=True, capture_output=True, timeout=600, env=environment)
        try:
            alone = {
                env: timed([*kadmin, "plan", str(specs), "--env", env], args.runs, expect="No changes")[0]
                for env in ENVS
            }
            fleet = timed([*kadmin, "plan", str(specs), "--all-envs"], args.runs, expect="No changes")[0]
        finally:
            delete = [*kadmin, "apply", str(specs), "--all-envs", "--auto-approve", "--allow-delete"]
            (specs / "fleet.yaml").write_text(
                (specs / "fleet.yaml").read_text().split("topics:")[0] + "topics: {}\n", encoding="utf-8"
            )
            subprocess.run(delete, check=False, capture_output=True, timeout=600, env=environment)

    slowest = max(alone.values())
    for env, seconds in alone.items():
        print(f"kadmin plan --env {env:<8} ({args.topics} topics, one cluster):  {seconds:6.3f} s")
    print(f"kadmin plan --all-envs     ({len(ENVS)} clusters at once):       {fleet:6.3f} s")
    total = sum(alone.values())
    print(f"fan-out / slowest single plan: {fleet / slowest:.2f}x (sum of the three: {total:.3f} s)")
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
