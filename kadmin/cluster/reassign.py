"""Partition reassignment, the one admin call confluent-kafka lacks (KIP-455's
AlterPartitionReassignments / ListPartitionReassignments), through kafka-python.

The librdkafka-style properties kadmin is given are translated to kafka-python's
keyword arguments, so one `--command-config` serves both clients.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from kadmin.cluster.port import Outcome
from kadmin.errors import ClusterError
from kadmin.model import TopicPartition
from kadmin.reconcile.actions import ReassignReplicas

_PROPERTY_TO_KWARG = {
    "bootstrap.servers": "bootstrap_servers",
    "security.protocol": "security_protocol",
    "sasl.mechanism": "sasl_mechanism",
    "sasl.mechanisms": "sasl_mechanism",
    "sasl.username": "sasl_plain_username",
    "sasl.password": "sasl_plain_password",
    "ssl.ca.location": "ssl_cafile",
    "ssl.certificate.location": "ssl_certfile",
    "ssl.key.location": "ssl_keyfile",
    "ssl.key.password": "ssl_password",
    "client.id": "client_id",
}


def kafka_python_config(config: Mapping[str, str], timeout: float) -> dict[str, Any]:
    kwargs: dict[str, Any] = {_PROPERTY_TO_KWARG[k]: v for k, v in config.items() if k in _PROPERTY_TO_KWARG}
    kwargs["bootstrap_servers"] = kwargs.get("bootstrap_servers", "").split(",")
    if config.get("ssl.endpoint.identification.algorithm", "https") == "none":
        kwargs["ssl_check_hostname"] = False
    kwargs["request_timeout_ms"] = int(timeout * 1000)
    return kwargs


@contextlib.contextmanager
def _client(config: Mapping[str, str], timeout: float) -> Iterator[Any]:
    from kafka.admin import KafkaAdminClient
    from kafka.errors import KafkaError as KafkaPythonError

    try:
        client = KafkaAdminClient(**kafka_python_config(config, timeout))
    except KafkaPythonError as err:
        raise ClusterError(
            f"could not connect for partition reassignment: {err}",
            where=f"cluster {config.get('bootstrap.servers', '')}",
            hint="check the address, that the brokers are up, and the security settings",
        ) from None
    try:
        yield client
    finally:
        client.close()


def alter_reassignments(
    config: Mapping[str, str], actions: Sequence[ReassignReplicas], *, timeout: float
) -> list[Outcome]:
    """Start the moves of every action in one request; one outcome per topic."""
    if not actions:
        return []
    from kafka import TopicPartition as KafkaTopicPartition

    wanted = {KafkaTopicPartition(a.topic, m.partition): list(m.after) for a in actions for m in a.moves}
    with _client(config, timeout) as client:
        answers = client.alter_partition_reassignments(wanted, timeout_ms=int(timeout * 1000))
    return _per_topic(actions, answers)


def cancel_reassignments(
    config: Mapping[str, str], partitions: Sequence[TopicPartition], *, timeout: float
) -> dict[TopicPartition, str]:
    """Cancel ongoing moves; maps each partition to an error text, empty when cancelled."""
    from kafka import TopicPartition as KafkaTopicPartition

    request = {KafkaTopicPartition(t, p): None for t, p in partitions}
    with _client(config, timeout) as client:
        answers = client.alter_partition_reassignments(request, timeout_ms=int(timeout * 1000))
    return {(tp.topic, tp.partition): _error_text(err) for tp, err in answers.items()}


def list_reassignments(config: Mapping[str, str], *, timeout: float) -> dict[TopicPartition, tuple[int, ...]]:
    """Ongoing reassignments: partition -> its target replica list."""
    with _client(config, timeout) as client:
        ongoing = client.list_partition_reassignments(timeout_ms=int(timeout * 1000))
    result: dict[TopicPartition, tuple[int, ...]] = {}
    for tp, state in ongoing.items():
        removing = set(state.get("removing_replicas", []))
        result[(tp.topic, tp.partition)] = tuple(r for r in state["replicas"] if r not in removing)
    return result


def _per_topic(actions: Sequence[ReassignReplicas], answers: Mapping[Any, Any]) -> list[Outcome]:
    errors: dict[str, list[str]] = {}
    for tp, err in answers.items():
        text = _error_text(err)
        if text:
            errors.setdefault(tp.topic, []).append(f"partition {tp.partition}: {text}")
    acknowledged = {tp.topic for tp in answers}
    outcomes = []
    for action in actions:
        if action.topic in errors:
            outcomes.append(Outcome(action.target, False, "; ".join(errors[action.topic])))
        elif action.topic not in acknowledged:
            outcomes.append(Outcome(action.target, False, "the broker did not acknowledge the reassignment"))
        else:
            outcomes.append(Outcome(action.target, True))
    return outcomes


def _error_text(err: Any) -> str:
    if err is None:
        return ""
    name = getattr(err, "__name__", None) or type(err).__name__
    description = getattr(err, "description", "") or ""
    return f"{name}: {description}" if description else str(name)
