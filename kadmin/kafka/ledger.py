"""kadmin's ledger of applied offset resets, kept in the cluster itself.

A declarative reset in a spec must run once, not on every apply; the cluster has no
place to remember that, so kadmin keeps a compacted topic (``__kadmin_state``) with one
record per reset, keyed ``offset-reset/<id>``, JSON values. Compaction keeps the latest
record per key forever. This module owns that topic: reading it whole, appending to it,
creating it on first use. `ConfluentAdmin` delegates `applied_resets`/`record_reset` here.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicCollection
from confluent_kafka import TopicPartition as KafkaPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from kadmin.core.errors import ClusterError
from kadmin.core.model import KADMIN_STATE_TOPIC, AppliedReset, TopicPartition
from kadmin.core.targets import Target
from kadmin.kafka import groups
from kadmin.kafka.answers import cluster_error, error_code, no_answer
from kadmin.kafka.port import Outcome

KEY_PREFIX = "offset-reset/"
RECORD_FORMAT = 1

_quiet = logging.getLogger("kadmin.librdkafka.ledger")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False

_WHERE = f"topic {KADMIN_STATE_TOPIC}"


def ledger_key(reset_id: str) -> bytes:
    return f"{KEY_PREFIX}{reset_id}".encode()


def encode_reset(record: AppliedReset) -> bytes:
    """The JSON value of a ledger record: who, when, and every partition's new and previous offset."""
    document = {
        "format": RECORD_FORMAT,
        "id": record.id,
        "group": record.group,
        "applied_at": record.applied_at,
        "offsets": [
            {
                "topic": topic,
                "partition": partition,
                "offset": offset,
                "previous": record.previous.get((topic, partition)),
            }
            for (topic, partition), offset in sorted(record.offsets.items())
        ],
    }
    return json.dumps(document, separators=(",", ":")).encode()


def decode_reset(value: bytes) -> AppliedReset:
    """A ledger record back as a value; `ValueError` if it is not one kadmin wrote."""
    try:
        document = json.loads(value)
        offsets: dict[TopicPartition, int] = {}
        previous: dict[TopicPartition, int | None] = {}
        for row in document["offsets"]:
            tp = (str(row["topic"]), int(row["partition"]))
            offsets[tp] = int(row["offset"])
            previous[tp] = None if row.get("previous") is None else int(row["previous"])
        return AppliedReset(
            id=str(document["id"]),
            group=str(document["group"]),
            applied_at=str(document["applied_at"]),
            offsets=offsets,
            previous=previous,
        )
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"not a kadmin offset-reset record: {err}") from None


def applied_resets(admin: AdminClient, config: Mapping[str, str], timeout: float) -> dict[str, AppliedReset]:
    """Every reset recorded so far, by id; empty when the ledger topic does not exist yet."""
    records: dict[str, AppliedReset] = {}
    for key, value, offset in read_records(admin, config, timeout):
        _apply_record(records, key, value, offset)
    return records


def read_records(
    admin: AdminClient, config: Mapping[str, str], timeout: float
) -> list[tuple[bytes | None, bytes | None, int]]:
    """Every record of the state topic up to its end now, in offset order: (key, value, offset).
    Empty when the topic does not exist yet."""
    partitions = _ledger_partitions(admin, timeout)
    if not partitions:
        return []
    marks = groups.watermarks(admin, [(KADMIN_STATE_TOPIC, p) for p in partitions], timeout)
    pending = {tp[1]: m.end for tp, m in marks.items() if m.end > m.start}
    if not pending:
        return []
    found: list[tuple[int, int, bytes | None, bytes | None]] = []
    consumer = Consumer(
        {
            **config,
            # Only assign() is used, so this id never joins or commits; librdkafka insists on one.
            "group.id": "kadmin-ledger-reader",
            "enable.auto.commit": False,
            "enable.partition.eof": False,
            "logger": _quiet,
        }
    )
    try:
        consumer.assign(
            [KafkaPartition(KADMIN_STATE_TOPIC, p, marks[(KADMIN_STATE_TOPIC, p)].start) for p in pending]
        )
        deadline = time.monotonic() + timeout
        while pending:
            if time.monotonic() > deadline:
                raise ClusterError(
                    f"could not read kadmin's ledger: not at its end after {timeout:g} s",
                    where=_WHERE,
                    hint="check that the brokers holding the topic are up, or raise the timeout",
                )
            for message in consumer.consume(num_messages=500, timeout=0.05):
                error = message.error()
                if error is not None:
                    raise ClusterError(
                        f"could not read kadmin's ledger: {error.str()}", where=_WHERE, hint=_access_hint()
                    )
                found.append(
                    (message.partition() or 0, message.offset() or 0, message.key(), message.value())
                )
            # Ask where each partition stands rather than wait for the offset before the end:
            # compaction leaves gaps in offsets.
            for position in consumer.position([KafkaPartition(KADMIN_STATE_TOPIC, p) for p in pending]):
                if position.offset >= pending[position.partition]:
                    del pending[position.partition]
    finally:
        consumer.close()
    return [(key, value, offset) for _, offset, key, value in sorted(found, key=lambda r: (r[0], r[1]))]


def record_reset(
    admin: AdminClient, config: Mapping[str, str], record: AppliedReset, timeout: float
) -> Outcome:
    """Append `record` to the ledger (creating the topic on first use) and wait until it is durable."""
    target = Target.group(record.group)
    error = append_record(admin, config, ledger_key(record.id), encode_reset(record), timeout)
    if error:
        return Outcome(target, False, f"reset {record.id} not recorded in {KADMIN_STATE_TOPIC}: {error}")
    return Outcome(target, True)


def append_record(
    admin: AdminClient, config: Mapping[str, str], key: bytes, value: bytes | None, timeout: float
) -> str:
    """Append one record to the state topic (creating it on first use) and wait until every in-sync
    replica has it; the error, or "" once it is durable."""
    return append_records(admin, config, [(key, value)], timeout)[0]


def append_records(
    admin: AdminClient,
    config: Mapping[str, str],
    records: Sequence[tuple[bytes, bytes | None]],
    timeout: float,
) -> list[str]:
    """Append `records` (key, value; None is a tombstone) through one producer, as `append_record`
    does one; the error of each, or "" once it is durable, in order."""
    if not records:
        return []
    _ensure_topic(admin, timeout)
    producer = Producer(
        {
            **config,
            # The record is what stops a second apply; wait for every in-sync replica. No
            # idempotence: a duplicate of a keyed record in a compacted topic is harmless,
            # and it would need the IdempotentWrite ACL and a producer-id round trip.
            "acks": "all",
            "enable.idempotence": False,
            "message.timeout.ms": str(max(1000, int(timeout * 1000))),
            "logger": _quiet,
        }
    )
    reports: dict[int, str] = {}

    def delivered(index: int) -> Callable[[KafkaError | None, Any], None]:
        def report(err: KafkaError | None, _message: Any) -> None:
            reports[index] = "" if err is None else f"{err.name()}: {err.str()}"

        return report

    for index, (key, value) in enumerate(records):
        producer.produce(KADMIN_STATE_TOPIC, key=key, value=value, on_delivery=delivered(index))
    producer.flush(timeout)
    return [reports.get(i, f"not written within {timeout:g} s") for i in range(len(records))]


def _access_hint() -> str:
    return f"kadmin needs Describe and Read on {KADMIN_STATE_TOPIC} (and Create/Write to record resets)"


def _apply_record(
    records: dict[str, AppliedReset], key: bytes | None, value: bytes | None, offset: int
) -> None:
    name = (key or b"").decode(errors="replace")
    if not name.startswith(KEY_PREFIX):
        return  # other kinds of kadmin state may share the topic later
    reset_id = name.removeprefix(KEY_PREFIX)
    if value is None:
        records.pop(reset_id, None)  # a tombstone forgets the reset, so a spec may run it again
        return
    try:
        records[reset_id] = decode_reset(value)
    except ValueError as err:
        raise ClusterError(
            f"record {name} at offset {offset} is unreadable: {err}",
            where=_WHERE,
            hint=f"delete it with a tombstone for key {name!r}, "
            "then check whether the reset still has to run",
        ) from None


def _ledger_partitions(admin: AdminClient, timeout: float) -> list[int]:
    # describe_topics never triggers auto-creation, unlike a metadata request for one topic.
    future = admin.describe_topics(TopicCollection([KADMIN_STATE_TOPIC]), request_timeout=timeout)[
        KADMIN_STATE_TOPIC
    ]
    try:
        description = future.result(timeout=timeout)
    except KafkaException as err:
        if error_code(err) in (KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._UNKNOWN_TOPIC):
            return []
        hint = _access_hint()
        raise cluster_error(err, "describe kadmin's ledger", _WHERE, denied=hint, otherwise=hint) from None
    except TimeoutError:
        raise no_answer("describe kadmin's ledger", _WHERE, timeout) from None
    return sorted(p.id for p in description.partitions)


def _ensure_topic(admin: AdminClient, timeout: float) -> None:
    if _ledger_partitions(admin, timeout):
        return
    brokers = len(admin.list_topics(timeout=timeout).brokers)
    topic = NewTopic(
        KADMIN_STATE_TOPIC,
        num_partitions=1,
        replication_factor=max(1, min(3, brokers)),
        config={"cleanup.policy": "compact"},
    )
    future = admin.create_topics([topic], request_timeout=timeout)[KADMIN_STATE_TOPIC]
    try:
        future.result(timeout=timeout)
    except KafkaException as err:
        if error_code(err) == KafkaError.TOPIC_ALREADY_EXISTS:
            return  # another kadmin created it in the meantime
        create = (
            f"create it by hand (1 partition, cleanup.policy=compact) or grant Create on {KADMIN_STATE_TOPIC}"
        )
        raise cluster_error(
            err, "create kadmin's ledger topic", _WHERE, denied=create, otherwise=create
        ) from None
