"""SIGINT/SIGTERM during apply: the first asks for an orderly stop, the second exits at once,
saying what is left. Run in a child process, since the second signal ends the process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from rich.console import Console
    from kadmin.cli.interrupt import orderly_stop

    with orderly_stop(Console(file=sys.stderr, width=300)) as stop:
        stop.doing("moving 3 partitions of topic [orders]")
        stop.leaves("the replication throttle of the moves")
        os.kill(os.getpid(), signal.SIG{first})
        print("requested:", stop.requested, flush=True)
        os.kill(os.getpid(), signal.SIG{second})
        print("still running", flush=True)
    """
)


def run(first: str, second: str) -> subprocess.CompletedProcess[str]:
    code = CHILD.format(first=first, second=second)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_first_signal_requests_a_stop_and_the_second_exits_at_once_naming_what_is_left() -> None:
    done = run("TERM", "INT")
    assert done.returncode == 1
    assert done.stdout == "requested: True\n"
    assert "SIGTERM: stopping after moving 3 partitions of topic [orders];" in done.stderr
    assert "Send it again to exit at once." in done.stderr
    assert (
        "SIGINT again: exiting at once. Left in the cluster: the replication throttle of the moves. "
        "`kadmin plan` shows what is unfinished and `kadmin apply` finishes it." in done.stderr
    )
