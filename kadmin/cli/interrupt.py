"""SIGINT and SIGTERM during `kadmin apply`: an orderly stop, and an immediate one on the second signal.

CI cancels a job with SIGTERM (then SIGKILL), a person presses Ctrl-C. The first signal
asks the applier to stop (`kadmin.ops.stopping.StopRequest`): the call in flight ends,
a replica move is cancelled and its throttle removed, the rest is reported as not
attempted, and apply exits 1 with its report. A second signal exits at once, saying
what is left in the cluster; the next `kadmin plan` shows it.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from rich.console import Console

from kadmin.ops.stopping import StopRequest

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def orderly_stop(console: Console) -> Iterator[StopRequest]:
    """A `StopRequest` that SIGINT/SIGTERM set while the block runs; previous handlers come back after."""
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # signal handlers can only be set in the main thread
        return

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if not stop.requested:
            stop.request()
            doing = stop.in_flight or "the current step"
            console.print(
                f"{name}: stopping after {doing}; the steps not started are skipped and any replica move "
                "in progress is cancelled, its throttle removed. Send it again to exit at once.",
                markup=False,
                highlight=False,
            )
            return
        left = stop.left_behind
        told = "; ".join(left) if left else "nothing kadmin knows of"
        console.print(
            f"{name} again: exiting at once. Left in the cluster: {told}. "
            "`kadmin plan` shows what is unfinished and `kadmin apply` finishes it.",
            markup=False,
            highlight=False,
        )
        os._exit(1)  # at once, as asked: no cleanup that could block

    previous = {s: signal.signal(s, on_signal) for s in _SIGNALS}
    try:
        yield stop
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
