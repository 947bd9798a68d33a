"""What the benchmark scripts share: a cluster to measure on, bulk topic set-up, the machine.

Benchmarks run as ``python bench/NAME.py``, which puts this folder on ``sys.path``.
"""

from __future__ import annotations

import os
import platform
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from kadmin.local.cluster import LocalCluster

REPO = Path(__file__).resolve().parents[1]
CREATE_BATCH = 1000
TopicConfigs = Callable[[int], Mapping[str, str]]
TIMEOUT_S = 120.0


@contextmanager
def cluster(bootstrap: str | None, *, heap: str | None = None, nodes: int = 1) -> Iterator[str]:
    """The given cluster, or a local one started for the run and stopped after it."""
    if bootstrap:
        yield bootstrap
        return
    with tempfile.TemporaryDirectory() as tmp:
        local = LocalCluster(Path(tmp), nodes=nodes, bound_to_owner=True, heap=heap)
        info = local.start()
        try:
            yield info.bootstrap
        finally:
            local.stop()


@contextmanager
def installed_kadmin(given: str | None = None) -> Iterator[list[str]]:
    """The `kadmin` command as a user gets it: this repository installed by pip, not editable (no
    import hook at start-up) and with the bytecode pip compiles, in a fresh virtual environment
    that is removed afterwards; or the `kadmin` executable `given`."""
    if given:
        yield [given]
        return
    with tempfile.TemporaryDirectory(prefix="kadmin-bench-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=600)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
        subprocess.run([*pip, "install", str(REPO)], check=True, timeout=1800)
        yield [str(venv / "bin" / "kadmin")]


def run_timed(
    command: Sequence[str], *, cwd: Path = REPO
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall and CPU seconds (user + system) of `command` as a whole process, and what it printed.

    On a shared machine the wall time follows the load; the CPU time much less so."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=600, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done


def require_open_files(bootstrap: str | None, partitions: int) -> None:
    """Stop early when a local broker could not keep `partitions` logs open: each holds files."""
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if not bootstrap and partitions > limit * 0.9:
        sys.exit(
            f"{partitions} partitions need about as many open files on the broker, but `ulimit -n` is "
            f"{limit}; raise the limit or lower --topics / --partitions"
        )


def seed_topics(
    raw: AdminClient, count: int, partitions: int, configs: TopicConfigs | None = None
) -> tuple[str, list[str], float]:
    """Create `count` topics under a fresh prefix and wait until they show: (prefix, names, seconds)."""
    prefix = f"bench-{secrets.token_hex(3)}"
    names = [f"{prefix}.t{i:05d}" for i in range(count)]
    began = time.perf_counter()
    create_topics(raw, names, partitions, configs)
    await_topics(raw, names)
    return prefix, names, time.perf_counter() - began


def create_topics(
    raw: AdminClient, names: Sequence[str], partitions: int, configs: TopicConfigs | None = None
) -> None:
    """Create `names` in batches; `configs(i)` gives the overrides of the i-th topic."""
    for start in range(0, len(names), CREATE_BATCH):
        batch = [
            NewTopic(n, partitions, 1, config=dict(configs(start + i)) if configs else {})
            for i, n in enumerate(names[start : start + CREATE_BATCH])
        ]
        futures = raw.create_topics(batch, operation_timeout=TIMEOUT_S, request_timeout=TIMEOUT_S)
        for future in futures.values():
            future.result(timeout=TIMEOUT_S)


def await_topics(raw: AdminClient, names: Sequence[str]) -> None:
    wanted = set(names)
    deadline = time.monotonic() + TIMEOUT_S
    while not wanted <= set(raw.list_topics(timeout=TIMEOUT_S).topics):
        if time.monotonic() > deadline:
            sys.exit("the created topics did not all show up in metadata")
        time.sleep(0.5)


def delete_topics(raw: AdminClient, names: Sequence[str]) -> None:
    for start in range(0, len(names), CREATE_BATCH):
        futures = raw.delete_topics(list(names[start : start + CREATE_BATCH]), operation_timeout=TIMEOUT_S)
        for future in futures.values():
            future.result(timeout=TIMEOUT_S)


def machine() -> str:
    cores = len(os.sched_getaffinity(0))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or platform.machine(),
    )
    return f"machine: {cpu}, {cores} cores, {memory:.0f} GiB; Python {platform.python_version()}"
