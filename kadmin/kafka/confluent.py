"""`ConfluentAdmin`: the `ClusterAdmin` seam over confluent-kafka's AdminClient.

The one place kadmin talks to a cluster (with `groups`, `ledger`, `inspect`, `messages`,
`snapshot`, `requests` and `kip455` beside it in this package). Reads are batched: one metadata request for
every topic and one describe of the cluster, issued together, and the overrides of the
topics in scope only, in bounded DescribeConfigs batches (`snapshot`). Writes take a batch of one action
kind and answer per target. Every wait is bounded by `timeout`.

The first use of the client checks the connection: librdkafka retries a failed
SASL or TLS handshake forever and reports it only through `error_cb`, so without
this check a wrong password would look like an unreachable cluster after the timeout.
The same check runs before the kafka-python client of the reassignment calls is made.
An adapter holds connections until `close` (or the end of a ``with`` block); at
exit, every adapter still open is closed (see `_close_all`).
"""

from __future__ import annotations

import atexit
import logging
import time
import weakref
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from kadmin.core.actions import AddPartitions, AlterConfigs, CreateTopic, DeleteTopic, ReassignReplicas
from kadmin.core.errors import ClusterError
from kadmin.core.model import (
    AppliedReset,
    ClusterState,
    GroupState,
    TopicPartition,
    Watermarks,
)
from kadmin.core.secret_properties import is_secret
from kadmin.core.targets import Target
from kadmin.kafka.access_admin import AccessAdmin
from kadmin.kafka.answers import AUTHENTICATION_CODES, cluster_error, no_answer, outcomes
from kadmin.kafka.kip455 import ReassignmentClient
from kadmin.kafka.port import ClusterAdmin, Outcome, ReplicationThrottle, Scope
from kadmin.kafka.requests import config_changes, new_partitions, new_topics
from kadmin.kafka.snapshot import read_snapshot

if TYPE_CHECKING:
    # Annotations only: a plan reads no groups' listings, locks or messages (start-up cost).
    from kadmin.core.inspect import GroupListing, TopicConfigValue
    from kadmin.core.lock import LockRecord
    from kadmin.core.messages import Delivery, Message, ReadRequest, Record

DEFAULT_TIMEOUT_S = 30.0
_POLL_S = 0.2
_HANDSHAKE_ERRORS = AUTHENTICATION_CODES | {KafkaError._SSL}

# librdkafka logs every failed connection attempt; kadmin reports failures itself.
_quiet = logging.getLogger("kadmin.librdkafka")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


class _Handshake:
    """The first handshake failure `error_cb` reports. A holder apart from the adapter, so that the
    client does not reference its adapter: no cycle, and the adapter is freed when dropped."""

    __slots__ = ("error",)

    def __init__(self) -> None:
        self.error: KafkaError | None = None

    def __call__(self, err: KafkaError) -> None:
        # Called from poll(); only the first handshake failure matters.
        if self.error is None and err.code() in _HANDSHAKE_ERRORS:
            self.error = err


_OPEN: weakref.WeakSet[ConfluentAdmin] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    # Destroying a librdkafka handle completes the requests still in flight by calling back into
    # Python from librdkafka's own thread. When that happens during interpreter shutdown (an error
    # such as NOT_COORDINATOR on one group leaves the futures of the others pending, and the
    # command exits), the process can crash with a segfault. Destroy every handle while Python is
    # still whole.
    for adapter in list(_OPEN):
        adapter.close()


def connect(config: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT_S) -> ConfluentAdmin:
    """An adapter for the cluster that `config` (librdkafka properties) points at."""
    return ConfluentAdmin(config, timeout=timeout)


class ConfluentAdmin(AccessAdmin):
    """A real cluster behind the `ClusterAdmin` Protocol."""

    def __init__(self, config: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.config = dict(config)
        self.timeout = timeout
        self.bootstrap = self.config.get("bootstrap.servers", "")
        self._handshake = _Handshake()
        self._checked = False
        self._kip455 = ReassignmentClient(self.config, timeout=timeout)
        # An adapter dropped without `close` still closes its kafka-python client (and so its
        # sockets) as it goes, not whenever the garbage collector reaches the client's cycles.
        weakref.finalize(self, self._kip455.close)
        self.closed = False
        self._client: AdminClient | None = None
        settings: dict[str, Any] = {**self.config, "logger": _quiet, "error_cb": self._handshake}
        try:
            self._client = AdminClient(settings)
        except (KafkaException, ValueError, TypeError) as err:
            raise ClusterError(
                f"invalid client configuration: {_scrub(str(err), self.config)}",
                where=f"cluster {self.bootstrap}" if self.bootstrap else None,
                hint="check the librdkafka properties given by --command-config and KADMIN_* variables",
            ) from None
        _OPEN.add(self)

    @property
    def admin(self) -> AdminClient:
        """The client, once the cluster has answered it (checked on first use)."""
        self._check_connection()
        return self._open_client()

    def _open_client(self) -> AdminClient:
        # A handle used after librdkafka destroyed it would crash the process: refuse instead.
        if self._client is None:
            raise RuntimeError("the cluster adapter was used after it was closed")
        return self._client

    def _check_connection(self) -> None:
        if not self._checked:
            self._result(self._open_client().describe_cluster(request_timeout=self.timeout), "connect")
            self._checked = True

    def _kafka_python(self) -> ReassignmentClient:
        """The kafka-python side of this adapter, after librdkafka has checked the connection:
        kafka-python retries a rejected SASL or TLS handshake silently until its timeout, where
        librdkafka reports it at once."""
        if self.closed:
            raise RuntimeError("the cluster adapter was used after it was closed")
        self._check_connection()
        return self._kip455

    def close(self) -> None:
        """Release the connections of this adapter: the kafka-python client, if one was made, and
        librdkafka's handle, destroyed now (requests still in flight end with an error) rather than
        whenever the adapter is collected. Using the adapter afterwards raises RuntimeError.
        """
        self.closed = True
        self._kip455.close()
        self._client = None
        _OPEN.discard(self)

    def __enter__(self) -> ConfluentAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reads ---------------------------------------------------------------------

    def check_connection(self) -> None:
        self._check_connection()

    def snapshot(self, scope: Scope = None) -> ClusterState:
        return read_snapshot(self.admin, scope, self.timeout, fail=self._error, result=self._result)

    # --- writes --------------------------------------------------------------------

    def create_topics(self, actions: Sequence[CreateTopic], *, validate_only: bool = False) -> list[Outcome]:
        if not actions:
            return []
        new = new_topics(actions)
        futures = self._call(
            "create topics",
            lambda: self.admin.create_topics(
                new, operation_timeout=self.timeout, request_timeout=self.timeout, validate_only=validate_only
            ),
        )
        return self._outcomes(futures, (a.target for a in actions), key=lambda a: a)

    def create_partitions(
        self, actions: Sequence[AddPartitions], *, validate_only: bool = False
    ) -> list[Outcome]:
        if not actions:
            return []
        new = new_partitions(actions)
        futures = self._call(
            "add partitions",
            lambda: self.admin.create_partitions(
                new, operation_timeout=self.timeout, request_timeout=self.timeout, validate_only=validate_only
            ),
        )
        return self._outcomes(futures, (a.target for a in actions), key=lambda a: a)

    def alter_configs(self, actions: Sequence[AlterConfigs], *, validate_only: bool = False) -> list[Outcome]:
        if not actions:
            return []
        resources = config_changes(actions)
        futures = self._call(
            "alter topic configs",
            lambda: self.admin.incremental_alter_configs(
                resources, request_timeout=self.timeout, validate_only=validate_only
            ),
        )
        return self._outcomes(futures, (a.target for a in actions), key=lambda r: r.name)

    def delete_topics(self, actions: Sequence[DeleteTopic]) -> list[Outcome]:
        if not actions:
            return []
        futures = self._call(
            "delete topics",
            lambda: self.admin.delete_topics(
                [a.topic for a in actions], operation_timeout=self.timeout, request_timeout=self.timeout
            ),
        )
        return self._outcomes(futures, (a.target for a in actions), key=lambda a: a)

    def reassign_partitions(self, actions: Sequence[ReassignReplicas]) -> list[Outcome]:
        return self._kafka_python().alter(actions)

    def ongoing_reassignments(self) -> dict[TopicPartition, tuple[int, ...]]:
        return self._kafka_python().ongoing()

    def cancel_reassignments(self, partitions: Collection[TopicPartition]) -> list[Outcome]:
        return self._kafka_python().cancel(partitions)

    def set_replication_throttle(self, throttle: ReplicationThrottle) -> list[Outcome]:
        from kadmin.kafka import kip455 as reassign

        return reassign.set_throttle(self.admin, throttle, timeout=self.timeout)

    def clear_replication_throttle(self, brokers: Collection[int], topics: Collection[str]) -> list[Outcome]:
        from kadmin.kafka import kip455 as reassign

        return reassign.clear_throttle(self.admin, brokers, topics, timeout=self.timeout)

    def broker_throttles(self, brokers: Collection[int] | None = None) -> dict[int, dict[str, str]]:
        from kadmin.kafka import kip455 as reassign

        return reassign.broker_throttles(self.admin, brokers, timeout=self.timeout)

    def elect_preferred_leaders(self, partitions: Collection[TopicPartition]) -> list[Outcome]:
        from kadmin.kafka import kip455 as reassign

        return reassign.elect_preferred(self.admin, partitions, timeout=self.timeout)

    # --- kadmin's ledger of applied offset resets (kadmin.kafka.ledger) -----------

    def applied_resets(self) -> dict[str, AppliedReset]:
        from kadmin.kafka import ledger

        return ledger.applied_resets(self.admin, self.config, self.timeout)

    def record_reset(self, record: AppliedReset) -> Outcome:
        from kadmin.kafka import ledger

        return ledger.record_reset(self.admin, self.config, record, self.timeout)

    # --- what the inspection commands read (kadmin.kafka.inspect) ------------------

    def list_groups(self) -> list[GroupListing]:
        from kadmin.kafka import inspect

        return inspect.list_groups(self.admin, self.timeout)

    def topic_configs(self, topics: Collection[str]) -> dict[str, tuple[TopicConfigValue, ...]]:
        from kadmin.kafka import inspect

        return inspect.topic_configs(self.admin, topics, self.timeout)

    def broker_values(self, keys: Collection[str]) -> dict[int, dict[str, str]]:
        from kadmin.kafka import inspect

        return inspect.broker_configs(self.admin, keys, self.timeout)

    def replica_sizes(
        self, topics: Collection[str] | None = None, brokers: Collection[int] | None = None
    ) -> dict[TopicPartition, dict[int, int]]:
        from kadmin.kafka import inspect

        client = self._kafka_python().client()
        return inspect.replica_sizes(client, topics, brokers, bootstrap=self.bootstrap)

    def lock_records(self) -> list[LockRecord]:
        from kadmin.kafka import lock_log

        return lock_log.lock_records(self.admin, self.config, self.timeout)

    def append_lock_record(self, record: LockRecord) -> str:
        from kadmin.kafka import lock_log

        return lock_log.append_lock(self.admin, self.config, record, self.timeout)

    # --- messages: the console consumer and producer (kadmin.kafka.messages) ---------

    def read_messages(self, request: ReadRequest) -> Iterator[Message]:
        from kadmin.kafka import messages

        self._check_connection()
        return messages.read_messages(self.config, request, _quiet)

    def write_messages(self, topic: str, records: Sequence[Record], *, acks: str = "all") -> list[Delivery]:
        from kadmin.kafka import messages

        self._check_connection()
        return messages.write_messages(
            self.config, topic, records, acks=acks, timeout=self.timeout, log=_quiet
        )

    # --- consumer groups (kadmin.kafka.groups) ------------------------------------

    def describe_groups(self, groups: Collection[str]) -> dict[str, GroupState]:
        from kadmin.kafka import groups as impl

        return impl.describe_groups(self.admin, groups, self.timeout)

    def watermarks(self, partitions: Collection[TopicPartition]) -> dict[TopicPartition, Watermarks]:
        from kadmin.kafka import groups as impl

        return impl.watermarks(self.admin, partitions, self.timeout)

    def offsets_for_times(
        self, partitions: Collection[TopicPartition], timestamp_ms: int
    ) -> dict[TopicPartition, int]:
        from kadmin.kafka import groups as impl

        return impl.offsets_for_times(self.admin, partitions, timestamp_ms, self.timeout)

    def commit_offsets(self, group: str, offsets: Mapping[TopicPartition, int]) -> Outcome:
        from kadmin.kafka import groups as impl

        return impl.commit_offsets(self.admin, group, offsets, self.timeout)

    # --- plumbing ------------------------------------------------------------------

    def _call(self, what: str, fn: Any) -> Any:
        try:
            return fn()
        except KafkaException as err:
            raise self._error(err, what) from None

    def _result(self, future: Future[Any], what: str) -> Any:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return future.result(timeout=min(_POLL_S, max(0.0, deadline - time.monotonic())))
            except KafkaException as err:
                raise self._error(err, what) from None
            except TimeoutError:
                self._open_client().poll(0)  # serves error_cb
                if self._handshake.error is not None:
                    raise self._error(KafkaException(self._handshake.error), what) from None
                if time.monotonic() >= deadline:
                    raise no_answer(
                        what, self._where, self.timeout, peer=self.bootstrap or "the cluster"
                    ) from None

    @property
    def _where(self) -> str | None:
        return f"cluster {self.bootstrap}" if self.bootstrap else None

    def _error(self, err: KafkaException, what: str) -> ClusterError:
        return cluster_error(err, what, self._where, peer=self.bootstrap)

    def _outcomes(
        self, futures: Mapping[Any, Future[Any]], targets: Iterable[Target], *, key: Any
    ) -> list[Outcome]:
        by_name = {str(key(k)): f for k, f in futures.items()}
        return outcomes(((t, by_name[t.name]) for t in targets), self.timeout)


def _scrub(text: str, config: Mapping[str, str]) -> str:
    """`text` with the value of every secret property replaced, for messages that quote values."""
    for key, value in config.items():
        if value and len(value) >= 3 and is_secret(key):
            text = text.replace(value, "***")
    return text


def _implements_port(admin: ConfluentAdmin) -> ClusterAdmin:
    return admin  # mypy proves here that the adapter satisfies the Protocol
