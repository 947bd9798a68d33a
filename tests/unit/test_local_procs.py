"""Process handling of local clusters on real (non-Kafka) processes: find, stop, and die with the owner.

Both ways of tying a node to its owner run here: Linux's death signal, and the portable
watchdog used where the kernel has none (macOS); the platform choice itself is checked too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kadmin.local import procs
from kadmin.local.config import cluster_marker

SLEEPER = "import time; time.sleep(600)"


def sleeper(directory: Path | None) -> list[str]:
    """A long-sleeping Python process, carrying the cluster marker of `directory` if given."""
    return [sys.executable, "-c", SLEEPER, *([cluster_marker(directory)] if directory else [])]


def gone_within(pid: int, directory: Path, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while procs.is_cluster_process(pid, directory):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def cleanup() -> Iterator[list[int]]:
    """Pids to SIGKILL after the test, whatever it did."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_linux_uses_the_kernels_death_signal_and_other_platforms_the_watchdog() -> None:
    assert procs.tie_for("linux") is procs.Tie.DEATH_SIGNAL
    assert procs.tie_for("darwin") is procs.Tie.WATCHDOG
    assert procs.tie_for("freebsd14") is procs.Tie.WATCHDOG


@pytest.mark.parametrize("tie", list(procs.Tie))
def test_an_owned_process_dies_when_its_owner_is_killed(
    tie: procs.Tie, tmp_path: Path, cleanup: list[int]
) -> None:
    # The owner is a separate Python process, so that it can be SIGKILLed like a test run.
    owner_script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from kadmin.local import procs\n"
        f"owned = procs.spawn_owned({sleeper(tmp_path)!r}, Path({str(tmp_path / 'child.log')!r}), "
        f"tie=procs.Tie({tie.value!r}))\n"
        "print(owned.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", owner_script], stdout=subprocess.PIPE, text=True)
    cleanup.append(owner.pid)
    assert owner.stdout is not None
    child = int(owner.stdout.readline())
    cleanup.append(child)
    assert procs.is_cluster_process(child, tmp_path)

    owner.kill()
    owner.wait(timeout=30)
    owner.stdout.close()

    assert gone_within(child, tmp_path)


def test_a_detached_process_outlives_its_starter_and_is_found_by_its_marker(
    tmp_path: Path, cleanup: list[int]
) -> None:
    pid = procs.spawn_detached(sleeper(tmp_path), tmp_path / "out.log")
    cleanup.append(pid)

    assert procs.is_cluster_process(pid, tmp_path)
    assert procs.cluster_processes(tmp_path) == [pid]
    assert procs.cluster_processes(tmp_path / "other") == []
    assert procs.rss_mb(pid) is not None

    assert procs.terminate([pid], tmp_path, timeout=30) == []
    assert not procs.is_cluster_process(pid, tmp_path)
    assert procs.cluster_processes(tmp_path) == []


def test_terminate_leaves_alone_a_pid_that_is_not_the_clusters(tmp_path: Path, cleanup: list[int]) -> None:
    # A recorded pid may have been reused by an unrelated process since.
    stranger = subprocess.Popen(sleeper(None))
    cleanup.append(stranger.pid)

    assert procs.terminate([stranger.pid], tmp_path, timeout=5) == []

    assert stranger.poll() is None
    stranger.kill()
    stranger.wait(timeout=30)


def test_an_exited_child_not_yet_reaped_counts_as_gone(tmp_path: Path) -> None:
    owned = procs.spawn_owned(sleeper(tmp_path), tmp_path / "child.log")
    os.kill(owned.pid, signal.SIGKILL)

    assert gone_within(owned.pid, tmp_path)
    owned.reap(timeout=30)
    assert owned.proc.returncode == -signal.SIGKILL


def test_terminate_stops_owned_children_and_reaps_them(tmp_path: Path) -> None:
    owned = [
        procs.spawn_owned(sleeper(tmp_path), tmp_path / f"{i}.log", tie=tie)
        for i, tie in enumerate(procs.Tie)
    ]

    assert procs.terminate([o.pid for o in owned], tmp_path, owned=owned, timeout=30) == []

    for child in owned:
        assert child.proc.returncode is not None
        if child.watchdog is not None:
            assert child.watchdog.returncode is not None


def test_nothing_is_a_cluster_process_for_pid_zero_or_a_process_that_ended(tmp_path: Path) -> None:
    ended = procs.spawn_owned(sleeper(tmp_path), tmp_path / "child.log")
    assert procs.is_cluster_process(ended.pid, tmp_path)
    ended.proc.kill()
    ended.reap(timeout=30)

    assert not procs.is_cluster_process(ended.pid, tmp_path)
    assert not procs.is_cluster_process(0, tmp_path)
    assert procs.rss_mb(0) is None
    assert procs.rss_mb(os.getpid()) is not None
