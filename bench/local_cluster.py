"""Start a local cluster the way `kadmin local up` does and print how long it took and
how much memory its JVMs hold (resident set size). Figures, not assertions.

    python bench/local_cluster.py --nodes 3 --runs 3
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from kadmin.local.cluster import LocalCluster
from kadmin.local.procs import rss_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=3, choices=(1, 3))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    startups, totals = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            cluster = LocalCluster(Path(tmp), nodes=args.nodes, bound_to_owner=True)
            began = time.perf_counter()
            info = cluster.start()
            startups.append(time.perf_counter() - began)
            time.sleep(5)  # let the JVMs settle after startup before reading memory
            totals.append(sum(rss_mb(n.pid) or 0 for n in info.nodes))
            cluster.stop()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
    print(f"{args.nodes}-node cluster, {args.runs} runs (jars already cached)")
    ready = statistics.median(startups)
    print(f"  ready after:    median {ready:.1f} s  (min {min(startups):.1f}, max {max(startups):.1f})")
    rss = statistics.median(totals)
    print(f"  RSS, all nodes: median {rss:.0f} MB  ({rss / args.nodes:.0f} MB per node)")


if __name__ == "__main__":
    main()
