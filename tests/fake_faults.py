"""How the in-memory fake of the port fails, records and lets a test step in: `FaultInjection`,
the base of `tests.fakes.InMemoryCluster`.

A call that raises (`raise_on`: after some calls, for some calls, validations spared
unless asked), per-target error answers (`reject`, `fail`, `refuse`), a test's own step
run ahead of a method (`before`), and the record of every call (`calls`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Literal

from kadmin.core.errors import ClusterError
from kadmin.core.targets import Target

PortMethod = Literal[
    "check_connection",
    "snapshot",
    "create_topics",
    "create_partitions",
    "alter_configs",
    "delete_topics",
    "reassign_partitions",
    "ongoing_reassignments",
    "cancel_reassignments",
    "set_replication_throttle",
    "clear_replication_throttle",
    "broker_throttles",
    "elect_preferred_leaders",
    "list_groups",
    "topic_configs",
    "broker_values",
    "replica_sizes",
    "read_messages",
    "write_messages",
    "describe_groups",
    "watermarks",
    "offsets_for_times",
    "commit_offsets",
    "applied_resets",
    "record_reset",
    "lock_records",
    "append_lock_record",
    "access_state",
    "create_acls",
    "delete_acls",
    "upsert_scram",
    "delete_scram",
    "alter_quotas",
    "record_passwords",
]


@dataclass(frozen=True, slots=True)
class Call:
    """One call on the fake: the method, what it was about (the targets of a write batch; topic
    names or reset ids for the others), and whether it only validated."""

    method: PortMethod
    targets: tuple[Target | str, ...] = ()
    validate_only: bool = False


@dataclass
class Fault:
    """Calls of one method that raise `error`: after `after` calls that succeed, the next
    `times` (all, if None). Validations (``validate_only``) never raise unless `validation`."""

    error: Exception
    after: int = 0
    times: int | None = None
    validation: bool = False
    seen: int = 0


def no_answer(method: str) -> ClusterError:
    """What the adapter raises when no broker answers a call."""
    return ClusterError(
        f"no answer from 127.0.0.1:9092 within 5 s to {method}",
        where="cluster 127.0.0.1:9092",
        hint="check the address and that the brokers are up",
    )


@dataclass
class FaultInjection:
    """What goes wrong, and what was asked.

    `reject` maps a target to the error every write on it gets, the validation included;
    `fail` to an error only real writes get (validation passes), as when a broker goes
    away between the preflight and the change; `refuse` a (method, target) pair to an
    error of that method's writes only (a throttle a broker refuses, a failed election).
    """

    reject: dict[Target, str] = field(default_factory=dict)
    fail: dict[Target, str] = field(default_factory=dict)
    refuse: dict[tuple[PortMethod, Target], str] = field(default_factory=dict)
    faults: dict[PortMethod, Fault] = field(default_factory=dict)
    before: dict[PortMethod, Callable[[], None]] = field(default_factory=dict)
    """A test's own step, run ahead of each call of a method (to change the cluster behind
    the caller's back)."""
    calls: list[Call] = field(default_factory=list)

    def raise_on(
        self,
        method: PortMethod,
        error: Exception | None = None,
        *,
        after: int = 0,
        times: int | None = None,
        validation: bool = False,
    ) -> None:
        """Make `method` raise (by default the adapter's "no answer" `ClusterError`)."""
        self.faults[method] = Fault(error or no_answer(method), after, times, validation)

    def methods(self, *, skip: Collection[str] = ()) -> list[str]:
        """The calls made so far, by method name; validations marked with ``(validate)``."""
        return [
            c.method + (" (validate)" if c.validate_only else "") for c in self.calls if c.method not in skip
        ]

    def counts(self) -> Counter[str]:
        return Counter(c.method for c in self.calls)

    def _call(
        self, method: PortMethod, targets: tuple[Target | str, ...] = (), validate_only: bool = False
    ) -> None:
        """Run the test's step for `method`, record the call, and raise if a fault says so."""
        if method in self.before:
            self.before[method]()
        self.calls.append(Call(method, targets, validate_only))
        fault = self.faults.get(method)
        if fault is None or (validate_only and not fault.validation):
            return
        fault.seen += 1
        if fault.seen > fault.after and (fault.times is None or fault.seen <= fault.after + fault.times):
            raise fault.error

    def _refused(self, method: PortMethod, target: Target, validate_only: bool) -> str:
        if target in self.reject:
            return self.reject[target]
        if (method, target) in self.refuse:
            return self.refuse[(method, target)]
        return "" if validate_only else self.fail.get(target, "")
