"""How `kadmin apply` carries out replica moves (throttle, wait, timeout): apart from
`kadmin.ops.reassignment` so that the command line can declare its options without loading the
moving code (start-up cost of `kadmin plan`, which shares apply's module).
"""

from __future__ import annotations

from dataclasses import dataclass

from kadmin.core.errors import KadminError

DEFAULT_TIMEOUT_S = 600.0
POLL_INTERVAL_S = 0.5


@dataclass(frozen=True, slots=True)
class ReassignOptions:
    """How to carry out moves: `throttle` in bytes/s (None: unthrottled), whether to wait, for how long."""

    throttle: int | None = None
    wait: bool = True
    timeout: float = DEFAULT_TIMEOUT_S
    poll_interval: float = POLL_INTERVAL_S

    def __post_init__(self) -> None:
        if self.throttle is not None and self.throttle < 1:
            raise KadminError(
                f"throttle {self.throttle} is not a rate",
                hint="pass --throttle as bytes per second, at least 1 (e.g. 50000000 for 50 MB/s)",
            )
