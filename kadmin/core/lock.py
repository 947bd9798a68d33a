"""The apply lock as values: who holds it, the records it is made of, and the one rule that reads them.

Kafka has no compare-and-set, so the lock is a log: every claim, refresh, release and
break is a record appended to one partition of kadmin's state topic, and everybody
reads the same records in the same order. `replay` folds them into who holds the lock
now. Two applies that claim at once both append; the claim that landed first wins,
and the second sees that when it reads back (it claims only a lock that is free, or
whose lease had run out by its own clock). Pure; the records are read and written by
`kadmin.kafka.ledger`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum


class LockOp(StrEnum):
    CLAIM = "claim"
    REFRESH = "refresh"
    RELEASE = "release"
    BREAK = "break"
    """`kadmin unlock ID`: a person ends someone else's lock."""


@dataclass(frozen=True, slots=True)
class Holder:
    """Who runs the apply: enough for a person to find it (or the CI run) and decide."""

    host: str
    user: str
    pid: int
    ci_run: str | None = None

    def __str__(self) -> str:
        ci = f", CI run {self.ci_run}" if self.ci_run else ""
        return f"{self.user}@{self.host} (pid {self.pid}{ci})"


@dataclass(frozen=True, slots=True)
class LockRecord:
    """One record of the lock's log. `at` and `lease_until` are seconds since the epoch, by the
    writer's clock; `holder` and `started_at` are set on claims."""

    op: LockOp
    lock_id: str
    at: float
    lease_until: float = 0.0
    holder: Holder | None = None
    started_at: float = 0.0


@dataclass(frozen=True, slots=True)
class LockState:
    """The lock as held now."""

    lock_id: str
    holder: Holder | None
    started_at: float
    lease_until: float

    def expired(self, now: float) -> bool:
        return self.lease_until <= now

    def describe(self) -> str:
        holder = self.holder or "an unknown holder"
        return (
            f"lock {self.lock_id} held by {holder} since {_utc(self.started_at)}; "
            f"its lease expires at {_utc(self.lease_until)} unless renewed"
        )


def replay(records: Iterable[LockRecord]) -> LockState | None:
    """Who holds the lock after `records`, in log order; None when nobody does.

    A claim counts only when the lock is free or its lease had expired at the claim's
    own time; a refresh, release or break counts only for the lock it names. Everyone
    reading the same log therefore agrees on the holder.
    """
    state: LockState | None = None
    for record in records:
        match record.op:
            case LockOp.CLAIM:
                if state is None or state.expired(record.at):
                    state = LockState(
                        record.lock_id, record.holder, record.started_at or record.at, record.lease_until
                    )
            case LockOp.REFRESH:
                if state is not None and state.lock_id == record.lock_id:
                    state = replace(state, lease_until=record.lease_until)
            case LockOp.RELEASE | LockOp.BREAK:
                if state is not None and state.lock_id == record.lock_id:
                    state = None
    return state


def _utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
