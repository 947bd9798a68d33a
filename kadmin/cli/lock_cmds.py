"""`kadmin unlock ID`, and the apply lock as `kadmin apply` holds it (`kadmin.ops.lock`).

`apply_lock` gives apply a hook that takes the lock as soon as the cluster is
connected (before the plan is read, so nobody changes the cluster between plan and
apply), renews it while apply runs, and releases it on every way out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Annotated

import typer

from kadmin.cli.app import BootstrapOption, CommandConfigOption, app, guarded, stderr, stdout
from kadmin.cli.connection import connect
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.lock import LEASE_S, HeldLock, acquire, break_lock
from kadmin.ops.planning import address


@contextmanager
def apply_lock(
    enabled: bool, force_unlock: str | None, wait: float
) -> Iterator[Callable[[ClusterAdmin], ClusterAdmin]]:
    """A hook for a freshly connected cluster: takes the apply lock on it (unless not `enabled`),
    waiting up to `wait` seconds for another apply's lock."""
    with ExitStack() as held:

        def locked(admin: ClusterAdmin) -> ClusterAdmin:
            if enabled:
                lock = acquire(admin, force_unlock=force_unlock, wait=wait, where=_where(admin))
                lock.start_renewing()
                held.callback(_release, lock)
            return admin

        yield locked


@app.command("unlock")
@guarded
def unlock(
    lock_id: Annotated[
        str, typer.Argument(metavar="LOCK_ID", help="The lock's id, as a refused `kadmin apply` named it.")
    ],
    bootstrap: BootstrapOption = None,
    command_config: CommandConfigOption = None,
) -> None:
    """Break the apply lock with this id, when the apply holding it is gone for good.

    A crashed apply's lock also ends by itself when its lease runs out (within a
    minute). Only the lock with this very id is broken, never a newer one.

    Example:

    \b
        kadmin unlock 3f9c2a1b7d4e
    """
    admin = connect(bootstrap, command_config)
    ended = break_lock(admin, lock_id, where=_where(admin))
    stdout().print(f"Broke the apply {ended.describe()}.", markup=False, highlight=False)


def _where(admin: ClusterAdmin) -> str:
    return f"cluster {address(admin) or 'of this command'}"


def _release(lock: HeldLock) -> None:
    if error := lock.release():
        stderr().print(
            f"note: could not release the apply lock {lock.lock_id} ({error}); "
            f"its lease runs out within {LEASE_S:.0f} s",
            markup=False,
        )
