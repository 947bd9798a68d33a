"""`read_snapshot`: the cluster as a `ClusterState` in one batched read. Metadata of every topic
and the cluster's description are requested together; the config overrides of the topics in
scope (`port.in_scope`; the others are listed by name only) follow in DescribeConfigs batches,
keeping only what the topics set themselves (`read_overrides`).

confluent-kafka turns a DescribeConfigs answer into Python objects for every entry of every
topic (about 37 each, synonyms included) as soon as it arrives; one request for 10,000
topics would hold ~370,000 of them at once. Batches of `BATCH` topics with `IN_FLIGHT` of
them sent at a time keep memory flat and the broker busy.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, cast

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigEntry as KafkaConfigEntry
from confluent_kafka.admin._config import ConfigResource
from confluent_kafka.admin._config import ConfigSource as KafkaConfigSource

from kadmin.core.errors import ClusterError
from kadmin.core.model import (
    Broker,
    ClusterState,
    ConfigEntry,
    ConfigSource,
    ObservedTopic,
    Partition,
    is_internal_topic,
)
from kadmin.kafka.answers import error_code
from kadmin.kafka.port import Scope, in_scope

BATCH = 1000
IN_FLIGHT = 2

# ConfigEntry.source arrives as a plain int from librdkafka, though typed as the enum.
_TOPIC_SOURCE: int = KafkaConfigSource.DYNAMIC_TOPIC_CONFIG.value

Fail = Callable[[KafkaException, str], ClusterError]
"""Turns a failed call (and what it was doing) into the error to raise."""
Result = Callable[[Future[Any], str], Any]
"""Waits (bounded) for a future's answer, raising the error for what it was doing."""


def read_snapshot(
    admin: AdminClient, scope: Scope, timeout: float, *, fail: Fail, result: Result
) -> ClusterState:
    """Brokers, the topics of `scope` with their partitions and overrides, the others' names."""
    cluster_future = admin.describe_cluster(request_timeout=timeout)
    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException as err:
        raise fail(err, "read topic metadata") from None
    names = in_scope(scope, metadata.topics)
    others = frozenset(metadata.topics.keys() - set(names))
    configs = read_overrides(admin, names, timeout, fail)
    described = result(cluster_future, "describe the cluster")
    brokers = tuple(
        sorted((Broker(n.id, n.rack or None, n.host, n.port) for n in described.nodes), key=lambda b: b.id)
    )
    observed = {}
    for name in names:
        meta = metadata.topics[name]
        if meta.error is not None and meta.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
            continue
        partitions = tuple(
            sorted(
                (
                    Partition(p.id, tuple(p.replicas), tuple(p.isrs), p.leader if p.leader >= 0 else None)
                    for p in meta.partitions.values()
                ),
                key=lambda p: p.id,
            )
        )
        observed[name] = ObservedTopic(
            name, partitions, configs.get(name, {}), internal=is_internal_topic(name)
        )
    controller = described.controller.id if described.controller is not None else None
    return ClusterState(described.cluster_id or "", brokers, observed, controller, others)


def read_overrides(
    admin: AdminClient, names: Sequence[str], timeout: float, fail: Fail
) -> dict[str, Mapping[str, ConfigEntry]]:
    """The overrides of each of `names` that still exists; a topic deleted meanwhile is left out."""
    out: dict[str, Mapping[str, ConfigEntry]] = {}
    in_flight: deque[dict[ConfigResource, Future[Any]]] = deque()
    for start in range(0, len(names), BATCH):
        in_flight.append(_describe(admin, names[start : start + BATCH], timeout, fail))
        if len(in_flight) >= IN_FLIGHT:
            out.update(_collect(in_flight.popleft(), timeout, fail))
    while in_flight:
        out.update(_collect(in_flight.popleft(), timeout, fail))
    return out


def _describe(
    admin: AdminClient, names: Sequence[str], timeout: float, fail: Fail
) -> dict[ConfigResource, Future[Any]]:
    if not names:
        return {}
    resources = [ConfigResource(ConfigResource.Type.TOPIC, n) for n in names]
    try:
        futures: dict[ConfigResource, Future[Any]] = admin.describe_configs(
            resources, request_timeout=timeout
        )
    except KafkaException as err:
        raise fail(err, "describe topic configs") from None
    return futures


def _collect(
    futures: Mapping[ConfigResource, Future[Any]], timeout: float, fail: Fail
) -> dict[str, Mapping[str, ConfigEntry]]:
    out: dict[str, Mapping[str, ConfigEntry]] = {}
    for resource, future in futures.items():
        try:
            entries: dict[str, KafkaConfigEntry] = future.result(timeout=timeout)
        except KafkaException as err:
            if error_code(err) == KafkaError.UNKNOWN_TOPIC_OR_PART:
                continue  # deleted between the metadata read and this one
            raise fail(err, f"describe configs of topic {resource.name}") from None
        except TimeoutError:
            # A broker that died after answering the metadata request leaves its DescribeConfigs
            # unanswered: the same ClusterError as any failed read, not a bare timeout.
            timed_out = KafkaException(KafkaError(KafkaError._TIMED_OUT, f"no answer within {timeout:.0f} s"))
            raise fail(timed_out, f"describe configs of topic {resource.name}") from None
        # Only the topic's own overrides are kept. Everything else is inherited from
        # broker or cluster defaults (on Kafka 4.x `min.insync.replicas` shows up on
        # every topic with a broker source, KIP-966) and is never drift; dropping it
        # here keeps a 10,000-topic snapshot to a few MB instead of ~370,000 entries.
        out[resource.name] = {
            key: ConfigEntry(e.value, ConfigSource.TOPIC, bool(e.is_sensitive))
            for key, e in entries.items()
            if int(cast(int, e.source)) == _TOPIC_SOURCE
        }
    return out
