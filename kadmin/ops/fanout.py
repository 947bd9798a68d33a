"""Plan and drift over several spec environments at once: each environment's cluster is connected,
read, identity-checked and planned on a thread of its own, a few at a time, so that N clusters
take about as long as the slowest, not the sum.

An environment that fails (unreachable, another cluster than its ``cluster.id``, refused
credentials) becomes an `EnvResult` holding the error; the others go on. Every wait is
bounded, and the threads are daemons: an interrupted command does not wait for a slow
cluster to answer.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, wait
from datetime import UTC, datetime
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import TypeVar

from kadmin.core.errors import ClusterError, KadminError
from kadmin.core.fleet import EnvResult
from kadmin.core.model import DesiredState
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.planning import Planned, drift_of, plan_read, read_cluster, topic_patterns
from kadmin.plan.drift import DriftReport

T = TypeVar("T")

MAX_CLUSTERS_AT_ONCE = 4
"""Clusters read at the same time: enough for a usual fleet (dev, staging, prod), few enough that
a command does not hold dozens of connections (and threads) at once."""

EnvConnector = Callable[[str, DesiredState], ClusterAdmin]
"""Builds the adapter for one environment from its resolved spec (its bootstrap, its client properties)."""


def fan_out(
    states: Mapping[str, DesiredState],
    work: Callable[[str, DesiredState], T],
    *,
    wait_s: float,
    workers: int = MAX_CLUSTERS_AT_ONCE,
) -> tuple[EnvResult[T], ...]:
    """`work` for every environment, at most `workers` at a time, in the order of `states`.

    `wait_s` bounds one environment's work; the whole wait is that times the rounds the
    environments need. A `KadminError` ends only its own environment; an environment
    still running at the deadline ends with a `ClusterError`.
    """
    names = list(states)
    futures: dict[str, Future[T]] = {name: Future() for name in names}
    queue: SimpleQueue[str] = SimpleQueue()
    for name in names:
        queue.put(name)

    def worker() -> None:
        while True:
            try:
                name = queue.get_nowait()
            except Empty:
                return
            future = futures[name]
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work(name, states[name]))
            except BaseException as err:  # handed to the caller, who reports it in its section
                future.set_exception(err)

    for number in range(max(1, min(workers, len(names)))):
        # Daemons: Ctrl-C ends the command at once, whatever a cluster is doing.
        threading.Thread(target=worker, name=f"kadmin-env-{number}", daemon=True).start()
    rounds = math.ceil(len(names) / max(1, workers)) if names else 0
    wait(futures.values(), timeout=wait_s * rounds)
    return tuple(_result(name, futures[name], wait_s * rounds) for name in names)


def _result(name: str, future: Future[T], waited_s: float) -> EnvResult[T]:
    if not future.done():
        future.cancel()
        return EnvResult(
            name,
            error=ClusterError(
                f"no answer within {waited_s:.0f} s",
                where=f"environment {name}",
                hint="check that its cluster is reachable; raise --timeout for a slow one",
            ),
        )
    error = future.exception()
    if error is None:
        return EnvResult(name, value=future.result())
    if isinstance(error, KadminError):
        return EnvResult(name, error=error)
    raise error


def plan_environments(
    paths: Sequence[str | Path],
    states: Mapping[str, DesiredState],
    connect: EnvConnector,
    *,
    allow_delete: bool = False,
    prune_configs: bool = False,
    now: datetime | None = None,
    only: Sequence[str] = (),
    wait_s: float = 65.0,
    workers: int = MAX_CLUSTERS_AT_ONCE,
    rotate_unknown: bool = False,
) -> tuple[EnvResult[Planned], ...]:
    """One plan per environment of the loaded specs (`states`, by environment), all at one moment."""
    topic_patterns(only)  # a bad --topic is the command's error, not every environment's
    moment = (now or datetime.now(UTC)).astimezone(UTC)

    def plan_one(env: str, desired: DesiredState) -> Planned:
        admin = connect(env, desired)
        limited, observed = read_cluster(desired, admin, only)
        return plan_read(
            paths, limited, observed, admin,
            allow_delete=allow_delete, prune_configs=prune_configs, now=moment, only=only, environment=env,
            rotate_unknown=rotate_unknown,
        )  # fmt: skip

    return fan_out(states, plan_one, wait_s=wait_s, workers=workers)


def drift_environments(
    states: Mapping[str, DesiredState],
    connect: EnvConnector,
    *,
    only: Sequence[str] = (),
    wait_s: float = 65.0,
    workers: int = MAX_CLUSTERS_AT_ONCE,
) -> tuple[EnvResult[DriftReport], ...]:
    """One drift report per environment of the loaded specs."""
    topic_patterns(only)

    def drift_one(env: str, desired: DesiredState) -> DriftReport:
        admin = connect(env, desired)
        limited, observed = read_cluster(desired, admin, only)
        return drift_of(limited, observed, admin)

    return fan_out(states, drift_one, wait_s=wait_s, workers=workers)
