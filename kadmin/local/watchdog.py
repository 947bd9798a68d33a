"""``python -m kadmin.local.watchdog PID CREATE_TIME``: stop process PID once stdin closes.

The portable way (`procs.Tie.WATCHDOG`) to make a local Kafka node die with the process
that started it where the kernel offers no parent-death signal (macOS): the owner keeps
the write end of this process's stdin open and never writes. When the owner exits, by
any means including SIGKILL, the pipe closes, the read below returns, and the watched
process gets SIGTERM, then SIGKILL if it is still there after the stop timeout.
CREATE_TIME (psutil's) guards against a pid reused by an unrelated process meanwhile.
"""

from __future__ import annotations

import contextlib
import sys

import psutil

STOP_TIMEOUT_S = 30.0


def watch(pid: int, created: float, *, timeout: float = STOP_TIMEOUT_S) -> None:
    sys.stdin.buffer.read()
    try:
        proc = psutil.Process(pid)
        if abs(proc.create_time() - created) > 0.01:
            return
        proc.terminate()
        proc.wait(timeout=timeout)
    except psutil.TimeoutExpired:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    except psutil.Error:
        return


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: python -m kadmin.local.watchdog PID CREATE_TIME\n")
        return 1
    watch(int(argv[0]), float(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
