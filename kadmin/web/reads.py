"""What the pages read from the cluster and the specs, and how a failed or slow read is reported.

One adapter serves every page; its calls are made one at a time (a lock), since a browser
polls several partials at once and the reassignment client under the adapter is not
thread-safe. A read the cluster fails drops the adapter, so the next one connects afresh once
the cluster is back, and comes back as a `Read` holding the error for the page's banner.
Every read is bounded by the adapter's timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from kadmin.core.errors import ClusterError, KadminError
from kadmin.core.model import DesiredState
from kadmin.core.targets import Target
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.planning import Planned, drift_of, plan_read, read_cluster
from kadmin.plan.drift import Difference, DriftKind, DriftReport
from kadmin.spec.load import load_specs

T = TypeVar("T")

_log = logging.getLogger("kadmin.web")


@dataclass(frozen=True, slots=True)
class Read(Generic[T]):
    """The result of one read: a value, or the error to show instead; `seconds` it took."""

    value: T | None
    error: KadminError | None
    seconds: float


@dataclass(frozen=True, slots=True)
class SpecView:
    """The plan of the specs against the cluster and every drift, from one read of each."""

    planned: Planned
    drift: DriftReport

    @property
    def desired(self) -> DesiredState:
        return self.planned.desired

    def differences(self, topic: str) -> list[Difference]:
        """The drift of `topic` from the spec."""
        return [d for d in self.drift.differences if d.target == Target.topic(topic)]

    def status(self, topic: str) -> str:
        """``drifted``, ``in spec`` or ``unmanaged`` (neither in the spec nor drifted)."""
        if self.differences(topic):
            return "drifted"
        return "in spec" if topic in self.desired.topics else "unmanaged"

    def drifted_keys(self, topic: str) -> set[str]:
        """The config keys of `topic` whose cluster value is not the spec's."""
        kinds = (DriftKind.CONFIG, DriftKind.UNSET_CONFIG)
        return {d.key for d in self.differences(topic) if d.kind in kinds and d.key is not None}


class Source:
    """The cluster (and the specs, if any) behind the pages."""

    def __init__(
        self,
        open_admin: Callable[[], ClusterAdmin],
        specs: Sequence[Path] = (),
        environment: str | None = None,
    ) -> None:
        self._open = open_admin
        self._admin: ClusterAdmin | None = None
        self._lock = threading.Lock()
        self.specs = tuple(specs)
        self.environment = environment

    def read(self, fn: Callable[[ClusterAdmin], T]) -> Read[T]:
        started = time.monotonic()
        with self._lock:
            try:
                if self._admin is None:
                    self._admin = self._open()
                value = fn(self._admin)
            except KadminError as err:
                if isinstance(err, ClusterError):
                    self._drop()
                return Read(None, err, time.monotonic() - started)
            except Exception as err:  # a page shows a banner, never a traceback; the log keeps it
                _log.exception("reading the cluster failed")
                self._drop()
                error = ClusterError(f"reading the cluster failed: {type(err).__name__}: {err}")
                return Read(None, error, time.monotonic() - started)
        return Read(value, None, time.monotonic() - started)

    def read_specs(self) -> Read[SpecView] | None:
        """The plan and drift of the specs (loaded again on each read, so edits show); None without specs."""
        if not self.specs:
            return None

        def planned(admin: ClusterAdmin) -> SpecView:
            # As `kadmin plan [--env NAME]` and `kadmin drift` read: the specs, the scoped snapshot
            # checked against cluster.id, the plan of the two; the drift (access included) from the
            # same snapshot.
            desired = load_specs(self.specs, environment=self.environment)
            desired, observed = read_cluster(desired, admin)
            found = plan_read(self.specs, desired, observed, admin, environment=self.environment)
            return SpecView(found, drift_of(found.desired, found.observed, admin))

        return self.read(planned)

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        admin, self._admin = self._admin, None
        close = getattr(admin, "close", None)
        if callable(close):
            close()
