"""Loading the specs while the cluster connection is made, for `plan` and `drift`.

Parsing and validating the specs takes a while (YAML, JSON Schema), and so does the
first exchange with a cluster (connection, handshake, version negotiation). When the
command line already says which cluster to read, so that the spec cannot change it, the
two run side by side: a thread connects, and the scoped snapshot follows once the specs
have loaded. The thread reads no topic list: the snapshot lists the topics itself, and a
second listing of a cluster of thousands of topics would cost as much as the first and be
thrown away. A spec error is still reported first, as without the overlap; a cluster
error from the thread is raised in the caller; the wait for the thread is bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

from kadmin.core.errors import ClusterError
from kadmin.core.model import DesiredState
from kadmin.kafka.port import ClusterAdmin
from kadmin.spec.load import load_specs

Connector = Callable[[DesiredState], ClusterAdmin]
"""Builds the cluster adapter once the spec is read (its ``cluster.bootstrap`` may name the cluster)."""
EarlyConnector = Callable[[], ClusterAdmin]
"""Builds the adapter without the spec: given when the command line fixes the cluster."""


def load_while_connecting(
    paths: Sequence[str | Path],
    connect: Connector,
    early: EarlyConnector | None = None,
    *,
    wait_s: float = 65.0,
) -> tuple[DesiredState, ClusterAdmin]:
    """The loaded specs and the connected adapter; with `early`, connecting overlaps loading.

    `wait_s` bounds the wait for the connecting thread once the specs are loaded; its own
    calls are bounded by the adapter's timeout, so it is only reached if they were not.
    """
    if early is None:
        desired = load_specs(paths)
        return desired, connect(desired)
    connected: Future[ClusterAdmin] = Future()

    def warm() -> None:
        try:
            admin = early()
            admin.check_connection()
            connected.set_result(admin)
        except BaseException as err:  # handed to the caller, raised there after the specs loaded
            connected.set_exception(err)

    # A daemon: a spec error ends the command at once, without waiting for a slow cluster.
    threading.Thread(target=warm, name="kadmin-connect", daemon=True).start()
    desired = load_specs(paths)
    try:
        return desired, connected.result(timeout=wait_s)
    except TimeoutError:
        raise ClusterError(
            f"connecting to the cluster took longer than {wait_s:.0f} s",
            where="--bootstrap-server",
            hint="check that the cluster is reachable; raise --timeout for a slow one",
        ) from None
