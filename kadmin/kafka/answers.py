"""How Kafka's answers become kadmin's: the error inside a `KafkaException`, its text, the
`ClusterError` a failed call raises (`cluster_error`, `no_answer`), and per-target outcomes of
a batch of futures. Shared by every module of the adapter: none unpacks an exception itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from typing import Any

from confluent_kafka import KafkaError, KafkaException

from kadmin.core.errors import ClusterError
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


AUTHENTICATION_CODES = frozenset({KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED})
AUTHORIZATION_CODES = frozenset(
    {
        KafkaError.TOPIC_AUTHORIZATION_FAILED,
        KafkaError.CLUSTER_AUTHORIZATION_FAILED,
        KafkaError.GROUP_AUTHORIZATION_FAILED,
    }
)
ACL_HINT = (
    "grant kadmin's principal the ACLs it needs (Describe, DescribeConfigs, Create, Alter, AlterConfigs)"
)
GENERIC_HINT = "check the broker logs; run again with --debug for details"


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


def cluster_error(
    err: KafkaException,
    what: str,
    where: str | None,
    *,
    peer: str = "",
    denied: str = ACL_HINT,
    hints: Mapping[int, str] | None = None,
    otherwise: str = GENERIC_HINT,
) -> ClusterError:
    """The error for a call that failed: ``could not WHAT: ...`` with what to do about it.

    An unreachable `peer` (the bootstrap address; the cluster if empty), a failed TLS
    handshake or failed authentication get their standard hint; a refused authorization
    gets `denied` (the ACLs this call needs); other codes the hint `hints` gives them, or
    `otherwise`.
    """
    code = error_code(err)
    text = error_text(err)
    if code in UNREACHABLE_CODES:
        return ClusterError(
            f"could not {what}: cannot reach {peer or 'the cluster'} ({text})", where=where, hint=REACH_HINT
        )
    if code == KafkaError._SSL:
        return ClusterError(
            f"could not {what}: TLS handshake failed ({text})",
            where=where,
            hint="check ssl.ca.location (the CA that signed the brokers' certificates) and the listener's "
            "security.protocol",
        )
    if code in AUTHENTICATION_CODES:
        return ClusterError(
            f"could not {what}: authentication failed ({text})",
            where=where,
            hint="check the credentials in --command-config / KADMIN_* settings",
        )
    if code in AUTHORIZATION_CODES:
        return ClusterError(f"could not {what}: not authorized ({text})", where=where, hint=denied)
    hint = (hints or {}).get(code, otherwise) if code is not None else otherwise
    return ClusterError(f"could not {what}: {text}", where=where, hint=hint)


def no_answer(what: str, where: str | None, timeout: float, *, peer: str = "") -> ClusterError:
    """The error for a call that got no answer within `timeout` seconds."""
    source = f" from {peer}" if peer else ""
    return ClusterError(
        f"could not {what}: no answer{source} within {timeout:g} s", where=where, hint=REACH_HINT
    )
