"""How Kafka's answers become kadmin's: the error inside a `KafkaException`, its text, and
per-target outcomes of a batch of futures. Shared by every module of the adapter.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from typing import Any

from confluent_kafka import KafkaError, KafkaException

from kadmin.core.targets import Target
from kadmin.kafka.port import Outcome

UNREACHABLE_CODES = frozenset(
    {KafkaError._TRANSPORT, KafkaError._TIMED_OUT, KafkaError._ALL_BROKERS_DOWN, KafkaError._RESOLVE}
)
"""librdkafka's local codes for "no broker answered"."""

REACH_HINT = (
    "check the address (--bootstrap-server, KADMIN_BOOTSTRAP_SERVER) and that the brokers are up; "
    "for a local cluster run `kadmin local up`"
)


def kafka_error(err: KafkaException) -> KafkaError | None:
    """The `KafkaError` a `KafkaException` carries, if it carries one."""
    first = err.args[0] if err.args else None
    return first if isinstance(first, KafkaError) else None


def error_code(err: KafkaException) -> int | None:
    error = kafka_error(err)
    return error.code() if error is not None else None


def error_text(err: KafkaException) -> str:
    """``NAME: description`` as Kafka words it, e.g. ``INVALID_CONFIG: Invalid value ...``."""
    error = kafka_error(err)
    return f"{error.name()}: {error.str()}" if error is not None else str(err)


def outcomes(pending: Iterable[tuple[Target, Future[Any]]], timeout: float) -> list[Outcome]:
    """One `Outcome` per (target, future): Kafka answers per resource, so one failure hides no success."""
    results = []
    for target, future in pending:
        try:
            future.result(timeout=timeout)
            results.append(Outcome(target, True))
        except KafkaException as err:
            error = kafka_error(err)
            code = error.name() if error is not None else ""
            results.append(Outcome(target, False, error_text(err), code))
        except TimeoutError:
            results.append(Outcome(target, False, f"no answer within {timeout:.0f} s"))
    return results
