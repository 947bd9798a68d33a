"""Reading and writing messages on a real cluster: the console consumer and producer behind
`kadmin tail` and `kadmin produce`, over confluent-kafka's Consumer and Producer.

`ConfluentAdmin.read_messages` / `write_messages` delegate here. Without a group the
consumer is assigned its partitions at given offsets and never commits; with one it
subscribes and commits only what it handed out. The producer writes with acks=all and
idempotence unless told otherwise, and answers per message. Every wait is bounded.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from confluent_kafka import (
    TIMESTAMP_CREATE_TIME,
    TIMESTAMP_LOG_APPEND_TIME,
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
)
from confluent_kafka import TopicPartition as KafkaPartition

from kadmin.core.errors import ClusterError
from kadmin.core.messages import Delivery, Headers, Message, ReadRequest, Record
from kadmin.kafka.answers import REACH_HINT

_POLL_S = 0.5
_TIMESTAMP_TYPES = {TIMESTAMP_CREATE_TIME: "create", TIMESTAMP_LOG_APPEND_TIME: "log-append"}
_FATAL_READ = frozenset(
    {
        KafkaError.UNKNOWN_TOPIC_OR_PART,
        KafkaError._UNKNOWN_TOPIC,
        KafkaError._UNKNOWN_PARTITION,
        KafkaError.TOPIC_AUTHORIZATION_FAILED,
        KafkaError.GROUP_AUTHORIZATION_FAILED,
        KafkaError.SASL_AUTHENTICATION_FAILED,
        KafkaError._AUTHENTICATION,
        KafkaError._SSL,
    }
)


def read_messages(config: Mapping[str, str], request: ReadRequest, log: Any) -> Iterator[Message]:
    """Messages of `request.topic` as they arrive, per partition in offset order."""
    settings: dict[str, Any] = {
        **config,
        "logger": log,
        "enable.partition.eof": False,
        "auto.offset.reset": "earliest" if request.from_beginning else "latest",
    }
    if request.group is None:
        # librdkafka wants a group.id even for assign(); a throwaway one that never joins
        # or commits leaves no trace on the cluster.
        settings.update({"group.id": f"kadmin-tail-{secrets.token_hex(6)}", "enable.auto.commit": False})
    else:
        # Commit only what was handed out: offsets are stored after each yield, and
        # auto-commit (and close) commits the stored ones.
        settings.update(
            {"group.id": request.group, "enable.auto.commit": True, "enable.auto.offset.store": False}
        )
    consumer = Consumer(settings)
    try:
        if request.group is None:
            consumer.assign([KafkaPartition(t, p, o) for (t, p), o in sorted(request.positions.items())])
        else:
            consumer.subscribe([request.topic])
        yield from _poll(consumer, request)
    finally:
        consumer.close()


def _poll(consumer: Consumer, request: ReadRequest) -> Iterator[Message]:
    count = 0
    last = time.monotonic()
    while request.limit is None or count < request.limit:
        remaining = request.idle_s - (time.monotonic() - last)
        if remaining <= 0:
            return
        raw = consumer.poll(min(_POLL_S, remaining))
        if raw is None:
            continue
        error = raw.error()
        if error is not None:
            if error.code() in _FATAL_READ or error.fatal():
                raise ClusterError(
                    f"could not read {request.topic}: {error.name()}: {error.str()}",
                    where=f"topic {request.topic}",
                    hint="check the topic name (`kadmin topics`), the credentials and the ACLs (Read)",
                )
            continue  # transient (a leader moving); librdkafka retries
        kind, timestamp = raw.timestamp()
        yield Message(
            topic=str(raw.topic()),
            partition=int(raw.partition() or 0),
            offset=int(raw.offset() or 0),
            timestamp_ms=timestamp if kind in _TIMESTAMP_TYPES else None,
            timestamp_type=_TIMESTAMP_TYPES.get(kind, "none"),
            key=raw.key(),
            value=raw.value(),
            headers=_headers(raw.headers()),
        )
        if request.group is not None:
            consumer.store_offsets(message=raw)
        count += 1
        last = time.monotonic()


def write_messages(
    config: Mapping[str, str],
    topic: str,
    records: Sequence[Record],
    *,
    acks: str,
    timeout: float,
    log: Any,
) -> list[Delivery]:
    """Write `records` in order and wait (at most `timeout` per message) for each acknowledgement."""
    timeout_ms = int(timeout * 1000)
    settings: dict[str, Any] = {
        **config,
        "logger": log,
        "acks": acks,
        # Idempotence needs acks=all; with it a retried send is never written twice nor out of order.
        "enable.idempotence": acks == "all",
        "linger.ms": 5,
        "delivery.timeout.ms": timeout_ms,
        "request.timeout.ms": min(30_000, timeout_ms),
    }
    try:
        producer = Producer(settings)
    except KafkaException as err:
        raise ClusterError(
            f"invalid producer configuration: {err}",
            where=f"topic {topic}",
            hint="check the librdkafka properties given by --command-config and KADMIN_* variables",
        ) from None
    answers: dict[int, Delivery] = {}

    def delivered(record: Record) -> Any:
        def callback(err: KafkaError | None, msg: Any) -> None:
            if err is not None:
                answers[record.line] = Delivery(
                    record.line, record.partition, None, f"{err.name()}: {err.str()}"
                )
            else:
                answers[record.line] = Delivery(record.line, int(msg.partition()), int(msg.offset()))

        return callback

    for record in records:
        extra: dict[str, Any] = {} if record.partition is None else {"partition": record.partition}
        while True:
            try:
                producer.produce(
                    topic,
                    value=record.value,
                    key=record.key,
                    headers=list(record.headers) or None,
                    on_delivery=delivered(record),
                    **extra,
                )
                break
            except BufferError:
                producer.poll(0.1)  # the local queue is full: let deliveries drain it
            except KafkaException as err:
                answers[record.line] = Delivery(record.line, record.partition, None, str(err))
                break
        producer.poll(0)
    deadline = time.monotonic() + timeout + 5
    while len(producer) and time.monotonic() < deadline:
        producer.flush(min(1.0, max(0.0, deadline - time.monotonic())))
    if not answers and records and len(producer):
        raise ClusterError(
            f"no acknowledgement from {config.get('bootstrap.servers', 'the cluster')} within {timeout:g} s",
            where=f"topic {topic}",
            hint=REACH_HINT,
        )
    return [
        answers.get(r.line) or Delivery(r.line, r.partition, None, f"no acknowledgement within {timeout:g} s")
        for r in records
    ]


def _headers(raw: Any) -> Headers:
    # confluent-kafka gives a list of (name, bytes-or-None) pairs, or None when there are none.
    return tuple((str(name), value) for name, value in raw or ())
