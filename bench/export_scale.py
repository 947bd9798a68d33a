"""How `kadmin export` scales: figures, not assertions.

On a one-node local cluster (or the one --bootstrap-server names) it creates N topics
(every tenth with topic-level overrides: a retention in ms, a segment size in bytes,
compaction), then times, in the same run:

- the export in this process, by stage: one batched snapshot, the spec values, the YAML;
- `kadmin export --out DIR` end to end, as a user runs it (process start included),
  with the peak resident memory of that process;
- a check that the export holds: loading it back and diffing it against the same
  snapshot gives an empty plan.

    python bench/export_scale.py                  # 10,000 topics x 1 partition
    python bench/export_scale.py --topics 2000 --runs 5

Each partition keeps a file open on the broker: N x partitions must stay below the
open-file limit (`ulimit -n`) of the shell the broker starts from.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchkit import TIMEOUT_S, cluster, delete_topics, machine, require_open_files, seed_topics
from confluent_kafka.admin import AdminClient

from kadmin.kafka.confluent import ConfluentAdmin
from kadmin.ops.export import export_spec, spec_files, to_yaml
from kadmin.plan.diff import diff
from kadmin.spec.load import load_specs

OVERRIDES = {"retention.ms": "259200000", "segment.bytes": "536870912", "cleanup.policy": "compact,delete"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=10_000, help="topics in the cluster")
    parser.add_argument("--partitions", type=int, default=1, help="partitions per topic")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each measurement")
    parser.add_argument("--bootstrap-server", "-b", help="use this cluster instead of starting one")
    parser.add_argument("--heap", default="1g", help="heap of the local broker (it holds every partition)")
    args = parser.parse_args()

    require_open_files(args.bootstrap_server, args.topics * args.partitions)
    with cluster(args.bootstrap_server, heap=args.heap) as bootstrap:
        run(bootstrap, args)


def run(bootstrap: str, args: argparse.Namespace) -> None:
    raw = AdminClient({"bootstrap.servers": bootstrap})
    prefix, names, seconds = seed_topics(
        raw, args.topics, args.partitions, lambda i: OVERRIDES if i % 10 == 0 else {}
    )
    print(machine())
    print(
        f"cluster: {bootstrap}; created {len(names)} topics x {args.partitions} partitions "
        f"({len(names) // 10} with overrides) in {seconds:.1f} s"
    )
    pattern = f"{prefix}\\..*"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            _time_in_process(bootstrap, pattern, len(names), args.runs)
            _time_command(bootstrap, pattern, Path(tmp), args.runs)
            _check_round_trip(bootstrap, pattern, Path(tmp) / "specs-0")
    finally:
        delete_topics(
            raw, [n for n in raw.list_topics(timeout=TIMEOUT_S).topics if n.startswith(prefix + ".")]
        )
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def _time_in_process(bootstrap: str, pattern: str, count: int, runs: int) -> None:
    stages: dict[str, list[float]] = {"snapshot": [], "export": [], "yaml": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        state = ConfluentAdmin({"bootstrap.servers": bootstrap}, timeout=TIMEOUT_S).snapshot()
        t1 = time.perf_counter()
        exported = export_spec(state, topics=pattern)
        t2 = time.perf_counter()
        texts = [to_yaml(document) for document in spec_files(exported).values()]
        t3 = time.perf_counter()
        assert len(exported.topics) == count, len(exported.topics)
        assert sum(len(t) for t in texts) > 0
        for stage, seconds in (("snapshot", t1 - t0), ("export", t2 - t1), ("yaml", t3 - t2)):
            stages[stage].append(seconds)
    total = sum(statistics.median(times) for times in stages.values())
    detail = ", ".join(f"{stage} {statistics.median(times):.2f} s" for stage, times in stages.items())
    print(f"\nexport of {count} topics in this process, median of {runs} runs: {total:.2f} s")
    print(f"  of which {detail}")


def _time_command(bootstrap: str, pattern: str, tmp: Path, runs: int) -> None:
    seconds: list[float] = []
    for i in range(runs):
        began = time.perf_counter()
        out = str(tmp / f"specs-{i}")
        done = subprocess.run(
            [sys.executable, "-m", "kadmin", "export", "-b", bootstrap, "--topics", pattern, "--out", out],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds.append(time.perf_counter() - began)
        if done.returncode != 0:
            sys.exit(f"kadmin export failed:\n{done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    files = len(list((tmp / "specs-0").glob("*.yaml")))
    print(f"\nkadmin export --out DIR, end to end, median of {runs} runs: {statistics.median(seconds):.2f} s")
    print(f"  {files} files written; peak RSS of the kadmin process: {peak:.0f} MB")


def _check_round_trip(bootstrap: str, pattern: str, specs: Path) -> None:
    began = time.perf_counter()
    desired = load_specs([specs])
    state = ConfluentAdmin({"bootstrap.servers": bootstrap}, timeout=TIMEOUT_S).snapshot()
    plan = diff(desired, state)
    print(
        f"\nround trip: loaded {len(desired.topics)} exported topics and planned them in "
        f"{time.perf_counter() - began:.2f} s: {len(plan.actions)} action(s), {len(plan.refusals)} refusal(s)"
    )
    assert plan.is_empty and not plan.refusals, plan.summary()


if __name__ == "__main__":
    main()
