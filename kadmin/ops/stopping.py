"""`StopRequest`: how an orderly stop (SIGINT, SIGTERM) reaches a running apply.

The command line owns the signal handlers and only flips this value; the applier
and the replica-move waits look at it between calls and while they wait, so a
stop never interrupts a call half-way. It also keeps a one-line account of what
is in flight, for the message a stop (or a second signal, which exits at once)
prints. Never prints and never touches signals itself.
"""

from __future__ import annotations

import threading


class StopRequest:
    """Set once a stop is asked for; `wait` is a sleep that a stop cuts short."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._doing = ""
        self._left: list[str] = []

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self) -> None:
        self._event.set()

    def wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, returning at once when a stop is asked for."""
        self._event.wait(max(0.0, seconds))

    def doing(self, what: str) -> None:
        """Record what is in flight now (``moving replicas of 3 partitions of topic orders``)."""
        with self._lock:
            self._doing = what

    def leaves(self, what: str) -> None:
        """Record something an immediate exit would leave in the cluster (a throttle, a move)."""
        with self._lock:
            if what not in self._left:
                self._left.append(what)

    def settled(self, what: str) -> None:
        """`what` (as given to `leaves`) is no longer left behind."""
        with self._lock:
            if what in self._left:
                self._left.remove(what)

    @property
    def in_flight(self) -> str:
        with self._lock:
            return self._doing

    @property
    def left_behind(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._left)
