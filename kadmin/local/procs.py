"""The JVMs of local clusters as processes: start them, find them, measure them, stop them.

Works on Linux and macOS alike: processes are looked up and signalled through psutil,
never through ``/proc``. A process belongs to a cluster when its command line carries
that cluster's marker option (`config.cluster_marker`), which survives pid reuse and a
lost record. Two ways to start a JVM:

- *detached* (`spawn_detached`): it outlives the command that started it, as
  `kadmin local up` needs;
- *owned* (`spawn_owned`): it dies with the process that started it, even when that
  process is SIGKILLed, so an interrupted test run leaves no broker behind. On Linux the
  kernel does it (``PR_SET_PDEATHSIG``); elsewhere a small watchdog process (see
  `kadmin.local.watchdog`) waits for its pipe from the owner to close and then stops the
  JVM.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import psutil

from kadmin.local.config import cluster_marker

STOP_TIMEOUT_S = 30.0
LAUNCH_TIMEOUT_S = 30.0
_PR_SET_PDEATHSIG = 1


class Tie(StrEnum):
    """How an owned process is made to die with its owner."""

    DEATH_SIGNAL = "death-signal"
    """Linux's prctl(PR_SET_PDEATHSIG): the kernel signals the child when its parent dies."""
    WATCHDOG = "watchdog"
    """A watchdog process stops the child once the owner's end of a pipe closes."""


def tie_for(platform: str | None = None) -> Tie:
    """The death signal where the kernel has one (Linux), else the watchdog."""
    if (platform or sys.platform).startswith("linux") and _prctl() is not None:
        return Tie.DEATH_SIGNAL
    return Tie.WATCHDOG


@dataclass
class Owned:
    """A process started by `spawn_owned`, and its watchdog when it has one."""

    proc: subprocess.Popen[bytes]
    watchdog: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def reap(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Wait for the process (so no zombie holds its files) and dismiss the watchdog."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=timeout)
        if self.watchdog is not None:
            # Closing our end of the pipe is the watchdog's signal; the process is gone by now.
            if self.watchdog.stdin is not None:
                self.watchdog.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.watchdog.wait(timeout=timeout)


def spawn_owned(cmd: Sequence[str], log: Path, *, tie: Tie | None = None) -> Owned:
    """Start `cmd` with its output in `log`, bound to die with this process."""
    tie = tie or tie_for()
    owner = os.getpid()
    # Output goes to a file: an unread pipe fills up and blocks the JVM.
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            list(cmd),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=(lambda: _die_with(owner)) if tie is Tie.DEATH_SIGNAL else None,
        )
    _await_exec(proc.pid, cmd)
    if tie is Tie.DEATH_SIGNAL:
        return Owned(proc)
    created = psutil.Process(proc.pid).create_time()
    watchdog = subprocess.Popen(
        [sys.executable, "-m", "kadmin.local.watchdog", str(proc.pid), repr(created)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Its own session: a Ctrl-C meant for the owner must not stop the watchdog first.
        start_new_session=True,
    )
    return Owned(proc, watchdog)


def spawn_detached(cmd: Sequence[str], log: Path) -> int:
    """Start `cmd` in the background with its output in `log`; its pid.

    A short-lived POSIX shell starts it and prints its pid, so the process is nobody's
    child here and outlives this command without becoming a zombie of it.
    """
    launcher = subprocess.run(
        ["sh", "-c", 'log="$1"; shift; "$@" >>"$log" 2>&1 </dev/null & echo $!', "sh", str(log), *cmd],
        capture_output=True,
        text=True,
        timeout=LAUNCH_TIMEOUT_S,
        start_new_session=True,
        check=True,
    )
    pid = int(launcher.stdout.strip())
    _await_exec(pid, cmd)
    return pid


def _await_exec(pid: int, cmd: Sequence[str]) -> None:
    """Wait until `pid` runs `cmd`, so that looking it up by its command line finds it.

    Popen returns once exec has begun, and a background job's pid is known before its
    exec: for a moment the process shows an empty command line, or the shell's.
    """
    deadline = time.monotonic() + LAUNCH_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            proc = psutil.Process(pid)
            if proc.cmdline()[1:] == list(cmd[1:]) or proc.status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.Error:
            return
        time.sleep(0.01)


def is_cluster_process(pid: int, directory: Path | str) -> bool:
    """Whether `pid` is a live process of the cluster in `directory` (pids get reused)."""
    if pid <= 0:
        return False
    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and cluster_marker(directory) in proc.cmdline()
    except psutil.Error:
        return False


def cluster_processes(directory: Path | str) -> list[int]:
    """Every live process started for the cluster in `directory`, recorded or not."""
    marker = cluster_marker(directory)
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = proc.info.get("cmdline") or []
        if marker in cmdline and proc.info.get("status") != psutil.STATUS_ZOMBIE:
            found.append(proc.pid)
    return sorted(found)


def rss_mb(pid: int) -> int | None:
    """Resident memory of `pid` in MB, or None when it cannot be read."""
    if pid <= 0:
        return None
    try:
        return int(psutil.Process(pid).memory_info().rss // (1024 * 1024))
    except psutil.Error:
        return None


def terminate(
    pids: Collection[int],
    directory: Path | str,
    *,
    owned: Collection[Owned] = (),
    timeout: float = STOP_TIMEOUT_S,
) -> list[int]:
    """SIGTERM every process of `pids` that still belongs to the cluster, all at once; SIGKILL
    what is left after `timeout`. Returns the pids that survived even that (none, normally).

    All at once: a Kafka broker stopping alone asks the controller quorum for a controlled
    shutdown, and once the quorum is gone it waits minutes for an answer.
    """
    procs = []
    mine = {o.pid for o in owned if o.proc.poll() is None}
    for pid in sorted(set(pids) | mine):
        if pid in mine or is_cluster_process(pid, directory):
            with contextlib.suppress(psutil.Error):
                procs.append(psutil.Process(pid))
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    alive = _wait_gone(procs, directory, timeout)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    survivors = _wait_gone(alive, directory, timeout)
    for child in owned:
        # Reap every child we started so no zombie keeps the data dir's lock.
        child.reap(timeout)
    return [p.pid for p in survivors]


def _wait_gone(procs: list[psutil.Process], directory: Path | str, timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    alive = list(procs)
    while alive:
        alive = [p for p in alive if is_cluster_process(p.pid, directory)]
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return alive


def _prctl() -> Callable[..., int] | None:
    """libc's prctl where the C library has one (Linux), else None."""
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


def _die_with(owner: int) -> None:
    # Runs in the child between fork and exec. PR_SET_PDEATHSIG: the kernel sends SIGTERM
    # to the JVM when the process that started it dies, even by SIGKILL.
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != owner:
        # The owner died before the death signal was armed: nobody would send it.
        os.kill(os.getpid(), signal.SIGTERM)
