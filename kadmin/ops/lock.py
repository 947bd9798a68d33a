"""The cluster-side lock that keeps two applies from running at once, through the `ClusterAdmin` port.

`acquire` reads the lock's log, refuses when someone else holds an unexpired lease,
appends a claim, and reads the log back to see which claim came first
(`kadmin.core.lock.replay`): of two applies that claim together, exactly one wins.
While apply runs, `HeldLock` renews the lease from a background thread; `release`
ends it. A holder that crashes stops renewing, and its lease runs out. `break_lock`
is `kadmin unlock ID`. Plan never takes the lock. Never prints.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable

from kadmin.core.errors import KadminError
from kadmin.core.lock import Holder, LockOp, LockRecord, LockState, replay
from kadmin.core.model import KADMIN_STATE_TOPIC
from kadmin.kafka.port import ClusterAdmin

LEASE_S = 60.0
"""How long a claim holds without renewal: the longest a crashed apply blocks the next one."""
RENEW_EVERY_S = LEASE_S / 4

_CI_RUN_VARIABLES = ("GITHUB_RUN_ID", "CI_PIPELINE_ID", "BUILD_ID", "CI_JOB_ID", "BUILD_NUMBER")
"""GitHub Actions, GitLab CI, Jenkins/Cloud Build and others: the first one set names the run."""


class LockedError(KadminError):
    """Another apply holds the cluster's lock."""


def this_holder() -> Holder:
    """This process as a lock holder: host, user, pid and the CI run, if any."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid, as in some containers
        user = os.environ.get("USER", "unknown")
    ci_run = next((os.environ[v] for v in _CI_RUN_VARIABLES if os.environ.get(v)), None)
    return Holder(socket.gethostname(), user, os.getpid(), ci_run)


def current(admin: ClusterAdmin) -> LockState | None:
    """Who holds the lock now (possibly with an expired lease), from the log; None if nobody."""
    return replay(admin.lock_records())


class HeldLock:
    """A lock this process holds: renewed every `RENEW_EVERY_S` until `release`."""

    def __init__(
        self, admin: ClusterAdmin, state: LockState, *, lease: float, clock: Callable[[], float]
    ) -> None:
        self.admin = admin
        self.state = state
        self.lease = lease
        self.clock = clock
        self._done = threading.Event()
        self._renewer: threading.Thread | None = None

    @property
    def lock_id(self) -> str:
        return self.state.lock_id

    def renew(self) -> str:
        """Extend the lease once; the error, or "" when written."""
        now = self.clock()
        return self.admin.append_lock_record(LockRecord(LockOp.REFRESH, self.lock_id, now, now + self.lease))

    def start_renewing(self, every: float = RENEW_EVERY_S) -> None:
        def loop() -> None:
            while not self._done.wait(every):
                # A failed renewal is retried at the next beat; the lease outlasts several.
                with contextlib.suppress(KadminError):
                    self.renew()

        self._renewer = threading.Thread(target=loop, name="kadmin-lock-renewal", daemon=True)
        self._renewer.start()

    def release(self) -> str:
        """End the lock (bounded by the adapter's timeout); the error, or "" when written."""
        self._done.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        try:
            return self.admin.append_lock_record(LockRecord(LockOp.RELEASE, self.lock_id, self.clock()))
        except KadminError as err:
            return err.message


def acquire(
    admin: ClusterAdmin,
    holder: Holder | None = None,
    *,
    lease: float = LEASE_S,
    force_unlock: str | None = None,
    wait: float = 0.0,
    where: str | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> HeldLock:
    """Take the apply lock, or raise `LockedError` naming who holds it and when the lease ends.

    With `force_unlock`, that lock (and only that one) is broken first, as `kadmin unlock` does.
    A lock held by another is waited for, up to `wait` seconds, before refusing.
    """
    if force_unlock is not None:
        break_lock(admin, force_unlock, where=where, clock=clock)
    deadline = clock() + wait
    while True:
        try:
            return _claim(admin, holder, lease, where, clock)
        except LockedError:
            if clock() >= deadline:
                raise
            sleep(min(1.0, max(0.0, deadline - clock())))


def _claim(
    admin: ClusterAdmin, holder: Holder | None, lease: float, where: str | None, clock: Callable[[], float]
) -> HeldLock:
    now = clock()
    held = current(admin)
    if held is not None and not held.expired(now):
        raise _locked(held, where)
    lock_id = secrets.token_hex(6)
    claim = LockRecord(LockOp.CLAIM, lock_id, now, now + lease, holder or this_holder(), now)
    if error := admin.append_lock_record(claim):
        raise KadminError(
            f"could not take the apply lock: {error}",
            where=where or f"topic {KADMIN_STATE_TOPIC}",
            hint=f"kadmin needs Create, Describe, Read and Write on {KADMIN_STATE_TOPIC}; "
            "or pass --no-lock to apply without it",
        )
    # Read back: another claim may have landed first; the log's order decides, the same for both.
    winner = current(admin)
    if winner is None or winner.lock_id != lock_id:
        if winner is None:
            raise KadminError(
                "could not take the apply lock: the claim was broken as soon as it was written",
                where=where or f"topic {KADMIN_STATE_TOPIC}",
                hint="someone ran `kadmin unlock` at the same moment; apply again",
            )
        raise _locked(winner, where)
    return HeldLock(admin, winner, lease=lease, clock=clock)


def break_lock(
    admin: ClusterAdmin, lock_id: str, *, where: str | None = None, clock: Callable[[], float] = time.time
) -> LockState:
    """End the lock `lock_id` whoever holds it, as `terraform force-unlock` does; the lock it ended.

    Refuses another id than the current lock's, so that a stale command never breaks a newer lock.
    """
    held = current(admin)
    if held is None or held.lock_id != lock_id:
        now_held = f"the lock is held as {held.lock_id}" if held is not None else "nobody holds the lock"
        raise KadminError(
            f"no apply lock {lock_id} to break: {now_held}",
            where=where or f"topic {KADMIN_STATE_TOPIC}",
            hint="pass the id an apply refused with (`kadmin unlock ID`); a lock that is gone needs nothing",
        )
    if error := admin.append_lock_record(LockRecord(LockOp.BREAK, lock_id, clock())):
        raise KadminError(
            f"could not break the apply lock {lock_id}: {error}",
            where=where or f"topic {KADMIN_STATE_TOPIC}",
            hint=f"kadmin needs Write on {KADMIN_STATE_TOPIC}",
        )
    return held


def _locked(held: LockState, where: str | None) -> LockedError:
    return LockedError(
        f"another apply is running: {held.describe()}",
        where=where or f"topic {KADMIN_STATE_TOPIC}",
        hint="wait for it to finish and apply again; if that apply is gone for good, "
        f"`kadmin unlock {held.lock_id}` (or `kadmin apply --force-unlock {held.lock_id}`) breaks the lock",
    )
