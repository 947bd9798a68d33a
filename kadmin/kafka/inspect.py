"""The reads behind kadmin's inspection commands (topics, groups, describe): group listings,
topic configs with every source, broker config values and replica sizes on disk.

`ConfluentAdmin` delegates its `ClusterAdmin` methods of the same names here. Each read
is one request per kind, never one per topic: one ListGroups, DescribeConfigs in
batches, one DescribeConfigs per broker (Kafka takes one BROKER resource per call), and
one DescribeLogDirs per broker through kafka-python (confluent-kafka has no such call).
Every future is awaited with the timeout; Kafka errors become `ClusterError`s.
"""

from __future__ import annotations

from collections.abc import Collection
from concurrent.futures import Future
from typing import Any, cast

from confluent_kafka import ConsumerGroupType, KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource
from confluent_kafka.admin._config import ConfigSource as KafkaConfigSource

from kadmin.core.errors import ClusterError
from kadmin.core.inspect import GroupListing, TopicConfigValue
from kadmin.core.model import ConfigSource, ConsumerGroupState, TopicPartition
from kadmin.kafka.answers import REACH_HINT, cluster_error, error_code, no_answer
from kadmin.kafka.groups import _STATES

_CONFIG_BATCH = 1000

# Kafka's KIP-226 sources, folded into kadmin's three: whose value is it?
_SOURCES = {
    KafkaConfigSource.DYNAMIC_TOPIC_CONFIG.value: ConfigSource.TOPIC,
    KafkaConfigSource.DYNAMIC_BROKER_CONFIG.value: ConfigSource.BROKER,
    KafkaConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.value: ConfigSource.BROKER,
    KafkaConfigSource.STATIC_BROKER_CONFIG.value: ConfigSource.BROKER,
    KafkaConfigSource.DEFAULT_CONFIG.value: ConfigSource.DEFAULT,
}
_SOURCE_NAMES = {s.value: s.name for s in KafkaConfigSource}


def list_groups(admin: AdminClient, timeout: float) -> list[GroupListing]:
    """Every consumer group, sorted by name; the listing's own errors (a coordinator that did
    not answer) fail the read rather than silently shorten the list."""
    try:
        # Kafka 4 lists share and streams groups too unless asked for consumer groups only,
        # and a consumer-group describe answers those with an error; its own tool filters likewise.
        kinds = {ConsumerGroupType.CONSUMER, ConsumerGroupType.CLASSIC}
        answer = admin.list_consumer_groups(request_timeout=timeout, types=kinds).result(timeout=timeout)
    except KafkaException as err:
        raise _cluster_error(err, "list consumer groups") from None
    except TimeoutError:
        raise _timed_out("list consumer groups", timeout) from None
    if answer.errors:
        first = answer.errors[0]
        raise _cluster_error(KafkaException(first), "list consumer groups") from None
    listings = [
        GroupListing(
            group=g.group_id,
            state=_STATES.get(getattr(g.state, "name", ""), ConsumerGroupState.UNKNOWN),
            type=str(getattr(g.type, "name", "UNKNOWN")).lower(),
            simple=bool(g.is_simple_consumer_group),
        )
        for g in answer.valid
    ]
    return sorted(listings, key=lambda g: g.group)


def topic_configs(
    admin: AdminClient, topics: Collection[str], timeout: float
) -> dict[str, tuple[TopicConfigValue, ...]]:
    """Every config entry of each topic with its source; topics that do not exist are left out."""
    names = sorted(set(topics))
    out: dict[str, tuple[TopicConfigValue, ...]] = {}
    for start in range(0, len(names), _CONFIG_BATCH):
        resources = [
            ConfigResource(ConfigResource.Type.TOPIC, n) for n in names[start : start + _CONFIG_BATCH]
        ]
        try:
            futures = admin.describe_configs(resources, request_timeout=timeout)
        except KafkaException as err:
            raise _cluster_error(err, "describe topic configs") from None
        for resource, future in futures.items():
            entries = _entries(future, f"describe configs of topic {resource.name}", timeout)
            if entries is None:
                continue
            out[resource.name] = tuple(
                TopicConfigValue(
                    name=key,
                    value=e.value,
                    source=_SOURCES.get(_source(e), ConfigSource.OTHER),
                    kafka_source=_SOURCE_NAMES.get(_source(e), str(_source(e))),
                    sensitive=bool(e.is_sensitive),
                    read_only=bool(e.is_read_only),
                )
                for key, e in sorted(entries.items())
            )
    return out


def broker_configs(admin: AdminClient, keys: Collection[str], timeout: float) -> dict[int, dict[str, str]]:
    """The value of `keys` on each live broker; brokers are asked all at once, one resource each."""
    wanted = set(keys)
    try:
        nodes = admin.describe_cluster(request_timeout=timeout).result(timeout=timeout).nodes
        # librdkafka sends a BROKER resource to that broker itself, so one per call: send all, then wait.
        pending = [
            admin.describe_configs(
                [ConfigResource(ConfigResource.Type.BROKER, str(n.id))], request_timeout=timeout
            )
            for n in nodes
        ]
    except KafkaException as err:
        raise _cluster_error(err, "describe broker configs") from None
    except TimeoutError:
        raise _timed_out("describe the cluster", timeout) from None
    found: dict[int, dict[str, str]] = {}
    for answer in pending:
        for resource, future in answer.items():
            entries = _entries(future, f"describe configs of broker {resource.name}", timeout) or {}
            found[int(resource.name)] = {
                key: e.value for key, e in entries.items() if key in wanted and e.value is not None
            }
    return found


def replica_sizes(
    client: Any, topics: Collection[str] | None, brokers: Collection[int] | None, *, bootstrap: str
) -> dict[TopicPartition, dict[int, int]]:
    """Bytes of each replica on disk, from one DescribeLogDirs per broker.

    `client` is the adapter's kafka-python admin client (`ReassignmentClient.client`), whose
    request timeout is kadmin's.
    A replica being moved between two directories of one broker appears twice; the
    future copy (`is_future_key`) is left out, as it is not yet the replica.
    """
    request = None if topics is None else sorted(set(topics))
    if request is not None and not request:
        return {}
    try:
        answers = client.describe_log_dirs(
            topic_partitions=request, brokers=None if brokers is None else sorted(brokers)
        )
    except Exception as err:  # kafka-python raises its own error family and asyncio timeouts
        raise ClusterError(
            f"could not read log directory sizes: {err}", where=f"cluster {bootstrap}", hint=REACH_HINT
        ) from None
    sizes: dict[TopicPartition, dict[int, int]] = {}
    for answer in answers:
        broker = int(answer["broker"])
        for log_dir in answer["log_dirs"]:
            if log_dir.get("error_code"):
                continue  # an offline log directory holds no readable replica
            for topic in log_dir["topics"]:
                for p in topic["partitions"]:
                    if p.get("is_future_key"):
                        continue
                    sizes.setdefault((topic["name"], int(p["partition_index"])), {})[broker] = int(
                        p["partition_size"]
                    )
    return sizes


# --- plumbing ----------------------------------------------------------------------


def _source(entry: Any) -> int:
    # ConfigEntry.source arrives as a plain int from librdkafka, though typed as the enum.
    return int(cast(int, entry.source))


def _entries(future: Future[Any], what: str, timeout: float) -> dict[str, Any] | None:
    try:
        entries: dict[str, Any] = future.result(timeout=timeout)
    except KafkaException as err:
        if error_code(err) == KafkaError.UNKNOWN_TOPIC_OR_PART:
            return None
        raise _cluster_error(err, what) from None
    except TimeoutError:
        raise _timed_out(what, timeout) from None
    return entries


_INSPECT_ACLS = "grant kadmin's principal Describe and DescribeConfigs on the cluster and its topics"


def _cluster_error(err: KafkaException, what: str) -> ClusterError:
    return cluster_error(err, what, "cluster", denied=_INSPECT_ACLS)


def _timed_out(what: str, timeout: float) -> ClusterError:
    return no_answer(what, "cluster", timeout)
