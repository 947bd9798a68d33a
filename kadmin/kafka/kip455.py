"""Partition reassignment on a real cluster: the moves themselves, their throttle, and the
preferred leader election after them.

The moves use the one admin call confluent-kafka lacks (KIP-455's
AlterPartitionReassignments / ListPartitionReassignments), through one kafka-python
client per adapter (`ReassignmentClient`, whose client also serves the DescribeLogDirs
of `kafka.inspect`), set up from kadmin's librdkafka properties by `kafka.kafka_python`.
Throttle configs and leader elections go through confluent-kafka's AdminClient, which
`ConfluentAdmin` passes in.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from confluent_kafka import ElectionType, KafkaError, KafkaException
from confluent_kafka import TopicPartition as KafkaPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import AlterConfigOpType, ConfigResource
from confluent_kafka.admin._config import ConfigEntry as KafkaConfigEntry
from confluent_kafka.admin._config import ConfigSource as KafkaConfigSource

from kadmin.core.actions import ReassignReplicas
from kadmin.core.errors import ClusterError
from kadmin.core.model import TopicPartition
from kadmin.core.targets import Target, TargetKind
from kadmin.kafka.answers import error_text, outcomes
from kadmin.kafka.kafka_python import import_kafka_python, kafka_python_config
from kadmin.kafka.port import (
    FOLLOWER_THROTTLED_REPLICAS,
    LEADER_THROTTLED_REPLICAS,
    THROTTLE_RATE_KEYS,
    Outcome,
    ReplicationThrottle,
)


class ReassignmentClient:
    """The KIP-455 calls of one adapter, over one kafka-python admin client.

    The client is made on first use (commands that never read a move never make one) and kept
    until `close`, so a wait that polls the moves every half second reuses its
    connections instead of bootstrapping a new client each time.
    """

    def __init__(self, config: Mapping[str, str], *, timeout: float) -> None:
        self._config = dict(config)
        self._timeout = timeout
        self._client: Any = None
        self._closed = False

    def alter(self, actions: Sequence[ReassignReplicas]) -> list[Outcome]:
        """Start the moves of every action in one request; one outcome per topic."""
        if not actions:
            return []
        import_kafka_python()
        from kafka import TopicPartition as KafkaTopicPartition

        wanted = {KafkaTopicPartition(a.topic, m.partition): list(m.after) for a in actions for m in a.moves}
        return self._write([a.topic for a in actions], wanted)

    def cancel(self, partitions: Collection[TopicPartition]) -> list[Outcome]:
        """Cancel ongoing moves in one request; one outcome per topic."""
        if not partitions:
            return []
        import_kafka_python()
        from kafka import TopicPartition as KafkaTopicPartition

        request = {KafkaTopicPartition(t, p): None for t, p in sorted(set(partitions))}
        return self._write(sorted({t for t, _ in partitions}), request)

    def ongoing(self) -> dict[TopicPartition, tuple[int, ...]]:
        """Ongoing reassignments: partition -> its target replica list."""
        client = self._connected()
        from kafka.errors import KafkaError as KafkaPythonError

        try:
            ongoing = client.list_partition_reassignments(timeout_ms=int(self._timeout * 1000))
        except KafkaPythonError as err:
            raise ClusterError(
                f"could not list the partition reassignments: {err}",
                where=self._where(),
                hint="check that the brokers are up and that kadmin may Describe the cluster",
            ) from None
        result: dict[TopicPartition, tuple[int, ...]] = {}
        for tp, state in ongoing.items():
            removing = set(state.get("removing_replicas", []))
            result[(tp.topic, tp.partition)] = tuple(r for r in state["replicas"] if r not in removing)
        return result

    def client(self) -> Any:
        """kafka-python's admin client itself, for the adapter's other calls confluent-kafka
        lacks (DescribeLogDirs); made on first use, like the reassignment calls'."""
        return self._connected()

    def close(self) -> None:
        """Close the client, if one was made; the adapter's kafka-python calls end here."""
        self._closed = True
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def _write(self, topics: Sequence[str], request: Mapping[Any, list[int] | None]) -> list[Outcome]:
        client = self._connected()
        from kafka.errors import KafkaError as KafkaPythonError
        from kafka.errors import NoReassignmentInProgressError

        try:
            answers = client.alter_partition_reassignments(request, timeout_ms=int(self._timeout * 1000))
        except KafkaPythonError as err:
            # The request as a whole failed (no controller, a timeout): every topic in it failed.
            return [Outcome(Target.topic(t), False, str(err)) for t in topics]
        # A move that finished between the listing and a cancel leaves nothing to cancel: not a failure.
        answers = {tp: (None if err is NoReassignmentInProgressError else err) for tp, err in answers.items()}
        return _per_topic(topics, answers)

    def _connected(self) -> Any:
        if self._closed:
            raise RuntimeError("the cluster adapter was used after it was closed")
        if self._client is None:
            kwargs = kafka_python_config(self._config, self._timeout)
            import_kafka_python()
            from kafka.admin import KafkaAdminClient
            from kafka.errors import KafkaError as KafkaPythonError

            try:
                self._client = KafkaAdminClient(**kwargs)
            except KafkaPythonError as err:
                raise ClusterError(
                    f"could not connect for partition reassignment: {err}",
                    where=self._where(),
                    hint="check the address, that the brokers are up, and the security settings",
                ) from None
        return self._client

    def _where(self) -> str | None:
        bootstrap = self._config.get("bootstrap.servers", "")
        return f"cluster {bootstrap}" if bootstrap else None


def _per_topic(topics: Sequence[str], answers: Mapping[Any, Any]) -> list[Outcome]:
    errors: dict[str, list[str]] = {}
    for tp, err in sorted(answers.items(), key=lambda kv: (kv[0].topic, kv[0].partition)):
        text = _error_text(err)
        if text:
            errors.setdefault(tp.topic, []).append(f"partition {tp.partition}: {text}")
    acknowledged = {tp.topic for tp in answers}
    outcomes = []
    for topic in topics:
        target = Target.topic(topic)
        if topic in errors:
            outcomes.append(Outcome(target, False, "; ".join(errors[topic])))
        elif topic not in acknowledged:
            outcomes.append(Outcome(target, False, "the controller did not acknowledge the request"))
        else:
            outcomes.append(Outcome(target, True))
    return outcomes


def _error_text(err: Any) -> str:
    if err is None:
        return ""
    name = getattr(err, "__name__", None) or type(err).__name__
    description = getattr(err, "description", "") or ""
    return f"{name}: {description}" if description else str(name)


# --- throttle and leader election, through confluent-kafka -------------------------


def set_throttle(admin: AdminClient, throttle: ReplicationThrottle, *, timeout: float) -> list[Outcome]:
    """Set the throttle rates on its brokers and the throttled-replica lists on its topics."""
    rate = str(throttle.rate)
    brokers = {b: [_op(key, rate) for key in THROTTLE_RATE_KEYS] for b in throttle.brokers}
    topics: dict[str, list[KafkaConfigEntry]] = {}
    for topic in throttle.topics:
        # Set as Kafka's tool does (SET, not APPEND): the lists name exactly this reassignment's replicas.
        lists = (
            (LEADER_THROTTLED_REPLICAS, throttle.leaders),
            (FOLLOWER_THROTTLED_REPLICAS, throttle.followers),
        )
        topics[topic] = [_op(key, by_topic[topic]) for key, by_topic in lists if by_topic.get(topic)]
    return _alter_configs(admin, brokers, topics, "set the replication throttle", timeout)


def clear_throttle(
    admin: AdminClient, brokers: Collection[int], topics: Collection[str], *, timeout: float
) -> list[Outcome]:
    """Delete the throttle rates of `brokers` and the throttled-replica lists of `topics`."""
    by_broker = {b: [_op(key, None) for key in THROTTLE_RATE_KEYS] for b in sorted(set(brokers))}
    keys = (LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS)
    by_topic = {t: [_op(key, None) for key in keys] for t in sorted(set(topics))}
    return _alter_configs(admin, by_broker, by_topic, "remove the replication throttle", timeout)


def broker_throttles(
    admin: AdminClient, brokers: Collection[int] | None = None, *, timeout: float
) -> dict[int, dict[str, str]]:
    """The throttle rates set on each of `brokers` (all when None) as dynamic config; brokers without
    one are left out."""
    try:
        if brokers is None:
            nodes = admin.describe_cluster(request_timeout=timeout).result(timeout=timeout).nodes
            brokers = [n.id for n in nodes]
        # librdkafka sends a BROKER resource to that broker itself and takes one per call: all are
        # sent before any answer is awaited, so N brokers cost one round trip, not N.
        futures = [
            admin.describe_configs(
                [ConfigResource(ConfigResource.Type.BROKER, str(b))], request_timeout=timeout
            )
            for b in sorted(set(brokers))
        ]
        found: dict[int, dict[str, str]] = {}
        for answer in futures:
            for resource, future in answer.items():
                entries = future.result(timeout=timeout)
                rates = {
                    key: e.value
                    for key, e in entries.items()
                    if key in THROTTLE_RATE_KEYS
                    and e.source == KafkaConfigSource.DYNAMIC_BROKER_CONFIG.value
                    and e.value is not None
                }
                if rates:
                    found[int(resource.name)] = rates
    except KafkaException as err:
        raise ClusterError(
            f"could not read the brokers' replication throttles: {error_text(err)}",
            hint="check that the brokers are up and that kadmin may DescribeConfigs on the cluster",
        ) from None
    except TimeoutError:
        raise ClusterError(
            f"could not read the brokers' replication throttles: no answer within {timeout:.0f} s",
            hint="check that the brokers are up",
        ) from None
    return dict(sorted(found.items()))


def elect_preferred(
    admin: AdminClient, partitions: Collection[TopicPartition], *, timeout: float
) -> list[Outcome]:
    """Preferred leader election for `partitions` in one request; one outcome per topic."""
    wanted = sorted(set(partitions))
    if not wanted:
        return []
    # Never an empty or None list: Kafka reads that as "every partition in the cluster".
    request = [KafkaPartition(t, p) for t, p in wanted]
    try:
        # confluent-kafka 2.16 rejects the timeout keywords of elect_leaders; the future's wait bounds it.
        answers = admin.elect_leaders(ElectionType.PREFERRED, request).result(timeout=timeout)
    except KafkaException as err:
        text = error_text(err)
        return [Outcome(Target.topic(t), False, text) for t in sorted({t for t, _ in wanted})]
    except TimeoutError:
        text = f"no answer to the leader election within {timeout:.0f} s"
        return [Outcome(Target.topic(t), False, text) for t in sorted({t for t, _ in wanted})]
    errors: dict[str, list[str]] = {}
    for tp, answer in sorted(answers.items(), key=lambda kv: (kv[0].topic, kv[0].partition)):
        # ELECTION_NOT_NEEDED: the preferred replica already leads, which is what was asked.
        if answer is not None and answer.code() != KafkaError.ELECTION_NOT_NEEDED:
            errors.setdefault(tp.topic, []).append(
                f"partition {tp.partition}: {answer.name()}: {answer.str()}"
            )
    return [
        Outcome(Target.topic(t), t not in errors, "; ".join(errors.get(t, [])))
        for t in sorted({t for t, _ in wanted})
    ]


def _op(key: str, value: str | None) -> KafkaConfigEntry:
    operation = AlterConfigOpType.DELETE if value is None else AlterConfigOpType.SET
    return KafkaConfigEntry(key, value, incremental_operation=operation)


def _alter_configs(
    admin: AdminClient,
    brokers: Mapping[int, list[KafkaConfigEntry]],
    topics: Mapping[str, list[KafkaConfigEntry]],
    what: str,
    timeout: float,
) -> list[Outcome]:
    """One IncrementalAlterConfigs for all topics and, since librdkafka sends a BROKER resource to
    that broker and allows one per call, one per broker; all sent before any answer is awaited."""
    calls: list[tuple[TargetKind, list[ConfigResource]]] = []
    if topics:
        resources = [
            ConfigResource(ConfigResource.Type.TOPIC, t, incremental_configs=ops) for t, ops in topics.items()
        ]
        calls.append((TargetKind.TOPIC, resources))
    for broker, ops in brokers.items():
        calls.append(
            (
                TargetKind.BROKER,
                [ConfigResource(ConfigResource.Type.BROKER, str(broker), incremental_configs=ops)],
            )
        )
    pending: list[tuple[Target, Future[Any]]] = []
    try:
        for kind, resources in calls:
            for resource, future in admin.incremental_alter_configs(
                resources, request_timeout=timeout
            ).items():
                pending.append((Target(kind, resource.name), future))
    except KafkaException as err:
        raise ClusterError(
            f"could not {what}: {error_text(err)}",
            hint="check that the brokers are up and that kadmin may AlterConfigs on the cluster and topics",
        ) from None
    return outcomes(pending, timeout)
