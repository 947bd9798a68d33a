"""How `kadmin plan` and `kadmin apply` scale: figures, not assertions.

On a one-node local cluster (or the one --bootstrap-server names) it creates N topics
with raw batched create_topics calls, then times, in the same run:

- the bare AdminClient reads a plan needs (metadata, describe_cluster, describe_configs
  of every topic, issued together) against `kadmin plan` end to end through the Python
  pipeline (load the spec, connect, snapshot, diff, render the text), on a spec of the
  same N topics; and prints the ratio (target: at most 1.3);
- one raw create_topics call for M new topics against kadmin's apply of M other new
  topics (preflight, create, wait until visible; target: at most 2x), with the plan
  before it shown apart;
- the peak resident memory of `kadmin plan` run as its own process (target: under 300 MB).

    python bench/plan_scale.py                       # 10,000 topics x 3 partitions, 1,000 applied
    python bench/plan_scale.py --topics 2000 --partitions 1 --runs 5

Each partition keeps a file open on the broker: N x partitions must stay below the
open-file limit (`ulimit -n`) of the shell the broker starts from; the default needs
about 40,000.

Measured on an AMD EPYC VM, 2 cores, 24 GiB, Python 3.11.7, Kafka 4.4, one local node
(`ulimit -n` 20,000, so 10,000 x 1 and 3,000 x 3 instead of 10,000 x 3):

    topics x partitions          10,000 x 1          3,000 x 3
    bare reads / kadmin plan     5.14 s / 3.56 s     2.23 s / 2.30 s    ratio 0.69 / 1.03
    `kadmin plan` process        3.95 s, 126 MB      3.26 s, 114 MB     (peak RSS)
    apply 1,000 new topics       0.34 s              0.43 s
      raw call returns / shown   0.07 s / 0.25 s     0.13 s / 0.27 s    ratio 1.37 / 1.58 to shown

The plan beats the one big DescribeConfigs of the bare reads because the adapter
describes topics in batches. Apply waits until the brokers list the new topics, which
a raw call does not; against the raw call until its topics show, it is within 2x, and
3.4x-4.9x against the call's return alone. Figures vary by a few tenths of a second
from run to run on a shared machine.
"""

from __future__ import annotations

import argparse
import io
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchkit import TIMEOUT_S, await_topics, cluster, delete_topics, machine, require_open_files, seed_topics
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource
from confluent_kafka.cimpl import NewTopic
from rich.console import Console

from kadmin.core.plan import Plan
from kadmin.kafka.confluent import ConfluentAdmin
from kadmin.ops.apply import apply_plan
from kadmin.ops.planning import plan_cluster, plan_specs
from kadmin.render.text import render_plan
from kadmin.spec.load import load_specs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=10_000, help="topics in the cluster and the spec")
    parser.add_argument("--partitions", type=int, default=3, help="partitions per topic")
    parser.add_argument("--apply-topics", type=int, default=1_000, help="new topics created by apply")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each plan measurement")
    parser.add_argument("--bootstrap-server", "-b", help="use this cluster instead of starting one")
    parser.add_argument("--heap", default="1g", help="heap of the local broker (it holds every partition)")
    args = parser.parse_args()

    require_open_files(args.bootstrap_server, (args.topics + 2 * args.apply_topics) * args.partitions)
    with cluster(args.bootstrap_server, heap=args.heap) as bootstrap:
        run(bootstrap, args)


def run(bootstrap: str, args: argparse.Namespace) -> None:
    raw = AdminClient({"bootstrap.servers": bootstrap})
    prefix, names, seconds = seed_topics(raw, args.topics, args.partitions)
    print(machine())
    print(f"cluster: {bootstrap}; {len(names)} x {args.partitions} partitions created in {seconds:.1f} s")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            spec = _write_spec(Path(tmp) / "topics.yaml", names, args.partitions, prefix)
            _time_plan(raw, bootstrap, spec, names, args.runs)
            _measure_command(bootstrap, spec)
            news = [f"{prefix}.new{i:05d}" for i in range(args.apply_topics)]
            _time_apply(raw, bootstrap, Path(tmp), names + news, news, args.partitions, prefix)
    finally:
        delete_topics(
            raw, [n for n in raw.list_topics(timeout=TIMEOUT_S).topics if n.startswith(prefix + ".")]
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this benchmark process (bare reads included): {peak_mb:.0f} MB")


# --- plan ------------------------------------------------------------------------------------


def _time_plan(raw: AdminClient, bootstrap: str, spec: Path, names: Sequence[str], runs: int) -> None:
    bare: list[float] = []
    whole: list[float] = []
    stages: dict[str, list[float]] = {"load": [], "snapshot": [], "diff": [], "render": []}
    for _ in range(runs):
        bare.append(_timed(lambda: _bare_reads(raw, names)))
        whole.append(_timed(lambda: _kadmin_plan(bootstrap, spec, stages)))
    b, k = statistics.median(bare), statistics.median(whole)
    print(f"\nplan of {len(names)} unchanged topics (the cluster's every topic read), median of {runs} runs:")
    print(f"  bare AdminClient reads:  {b:6.2f} s")
    print(f"  kadmin plan, end to end: {k:6.2f} s   ratio {k / b:.2f} (target <= 1.3)")
    detail = ", ".join(f"{stage} {statistics.median(times):.2f} s" for stage, times in stages.items())
    print(f"    of which {detail}")


def _bare_reads(raw: AdminClient, names: Sequence[str]) -> None:
    """What a plan must read, as directly as the AdminClient allows: metadata, the cluster, and
    the configs of every topic in it, the requests in flight together."""
    described = raw.describe_cluster(request_timeout=TIMEOUT_S)
    metadata = raw.list_topics(timeout=TIMEOUT_S)
    resources = [ConfigResource(ConfigResource.Type.TOPIC, n) for n in metadata.topics]
    configs = raw.describe_configs(resources, request_timeout=TIMEOUT_S)
    described.result(timeout=TIMEOUT_S)
    for future in configs.values():
        future.result(timeout=TIMEOUT_S)
    assert set(names) <= set(metadata.topics)


def _kadmin_plan(bootstrap: str, spec: Path, stages: dict[str, list[float]]) -> None:
    """`kadmin plan SPEC` without the process start: the steps of `ops.planning.plan_specs`, then the text."""
    began = time.perf_counter()
    desired = load_specs([spec])
    loaded = time.perf_counter()
    admin = ConfluentAdmin({"bootstrap.servers": bootstrap}, timeout=TIMEOUT_S)
    observed = admin.snapshot()
    read = time.perf_counter()
    plan = plan_cluster(admin, desired, observed)
    planned = time.perf_counter()
    render_plan(plan, Console(file=io.StringIO(), width=120))
    shown = time.perf_counter()
    assert plan.is_empty, plan.summary()
    for stage, seconds in (
        ("load", loaded - began),
        ("snapshot", read - loaded),
        ("diff", planned - read),
        ("render", shown - planned),
    ):
        stages[stage].append(seconds)


_REPORT_PEAK = """
import atexit, runpy, sys

def report():
    # VmHWM belongs to this program's own address space; ru_maxrss would also count the
    # parent's memory at the fork that started it.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("PEAK_KB " + line.split()[1] + "\\n")

atexit.register(report)
sys.argv = ["kadmin", *sys.argv[1:]]
runpy.run_module("kadmin", run_name="__main__")
"""


def _measure_command(bootstrap: str, spec: Path) -> None:
    """`kadmin plan` as a user runs it: its own process, interpreter start included; its peak RSS."""
    command = [sys.executable, "-c", _REPORT_PEAK, "plan", str(spec), "-b", bootstrap, "--detailed-exitcode"]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    took = time.perf_counter() - began
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    peak_mb = int(done.stderr.rsplit("PEAK_KB ", 1)[1].split()[0]) / 1024
    print(f"  `kadmin plan` in its own process: {took:6.2f} s, peak RSS {peak_mb:.0f} MB (target < 300 MB)")


# --- apply -----------------------------------------------------------------------------------


def _time_apply(
    raw: AdminClient,
    bootstrap: str,
    tmp: Path,
    everything: list[str],
    news: list[str],
    partitions: int,
    prefix: str,
) -> None:
    spec = _write_spec(tmp / "more.yaml", everything, partitions, prefix)
    admin = ConfluentAdmin({"bootstrap.servers": bootstrap}, timeout=TIMEOUT_S)
    began = time.perf_counter()
    plan = plan_specs([spec], lambda _: admin).plan
    plan_s = time.perf_counter() - began
    _only_creates(plan, news)
    _await_quiet(raw, prefix)
    began = time.perf_counter()
    report = apply_plan(plan, admin)
    apply_s = time.perf_counter() - began
    assert report.ok, report.failed[:3]

    _await_quiet(raw, prefix)
    raws = [f"{prefix}.raw{i:05d}" for i in range(len(news))]
    began = time.perf_counter()
    futures = raw.create_topics(
        [NewTopic(n, partitions, 1) for n in raws], operation_timeout=TIMEOUT_S, request_timeout=TIMEOUT_S
    )
    for future in futures.values():
        future.result(timeout=TIMEOUT_S)
    raw_s = time.perf_counter() - began
    # The call returns once the controller has the topics; a broker lists them a little later.
    await_topics(raw, raws)
    shown_s = time.perf_counter() - began

    print(f"\napply of {len(news)} new topics x {partitions} partitions:")
    print(f"  one raw create_topics call, until it returns:        {raw_s:6.2f} s")
    print(f"  the same, until the topics show in metadata:         {shown_s:6.2f} s")
    print(
        f"  kadmin apply (preflight, create, wait until shown):  {apply_s:6.2f} s   "
        f"ratio {apply_s / raw_s:.2f} to the call, {apply_s / shown_s:.2f} to shown topics (target <= 2)"
    )
    print(f"  the plan before it ({len(everything)} topics in the spec): {plan_s:6.2f} s")


def _only_creates(plan: Plan, news: Sequence[str]) -> None:
    created = sorted(str(a.target) for a in plan.actions if a.kind == "create_topic")
    assert len(plan.actions) == len(news) and created == sorted(f"topic:{n}" for n in news), plan.summary()


# --- plumbing --------------------------------------------------------------------------------


def _timed(fn: Callable[[], None]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def _write_spec(path: Path, names: Sequence[str], partitions: int, prefix: str) -> Path:
    lines = [
        "version: 1",
        "cluster:",
        f"  manage: ['{prefix}\\..*']",
        "defaults:",
        f"  partitions: {partitions}",
        "  replication_factor: 1",
        "topics:",
        *(f"  {name}: {{}}" for name in names),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _await_quiet(raw: AdminClient, prefix: str) -> None:
    """Wait until the broker has made the logs of everything created so far.

    A broker applies the metadata log in order and makes a batch's partition logs before
    it applies the next batch, so a probe topic shows only once the earlier work is done;
    without this, a timed create would pay for the previous one's logs.
    """
    probe = f"{prefix}.probe-{secrets.token_hex(3)}"
    raw.create_topics([NewTopic(probe, 1, 1)], operation_timeout=TIMEOUT_S)[probe].result(timeout=TIMEOUT_S)
    await_topics(raw, [probe])


if __name__ == "__main__":
    main()
