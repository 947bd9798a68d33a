"""kadmin's topic actions as confluent-kafka's request objects, for `ConfluentAdmin`'s batched
writes: `NewTopic`, `NewPartitions`, and incremental `ConfigResource` changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from confluent_kafka.admin._config import AlterConfigOpType, ConfigResource
from confluent_kafka.admin._config import ConfigEntry as KafkaConfigEntry
from confluent_kafka.cimpl import NewPartitions, NewTopic

from kadmin.core.actions import AddPartitions, AlterConfigs, CreateTopic


def new_topics(actions: Sequence[CreateTopic]) -> list[NewTopic]:
    new = []
    for a in actions:
        if a.assignment is not None:
            # With explicit replica lists librdkafka wants the partition count but no
            # replication factor (-1): each list carries its own.
            replicas = [list(r) for r in a.assignment]
            topic = NewTopic(a.topic, len(replicas), replica_assignment=replicas, config=dict(a.configs))
        else:
            topic = NewTopic(a.topic, a.partitions, a.replication_factor, config=dict(a.configs))
        new.append(topic)
    return new


def new_partitions(actions: Sequence[AddPartitions]) -> list[NewPartitions]:
    return [
        NewPartitions(
            a.topic,
            a.after,
            replica_assignment=[list(r) for r in a.new_assignment] if a.new_assignment else None,
        )
        for a in actions
    ]


def config_changes(actions: Sequence[AlterConfigs]) -> list[ConfigResource]:
    """One resource per topic; a change to None deletes the override (back to the inherited value)."""
    resources = []
    for a in actions:
        entries = [
            KafkaConfigEntry(
                c.key,
                c.after,
                incremental_operation=AlterConfigOpType.DELETE if c.after is None else AlterConfigOpType.SET,
            )
            for c in a.changes
        ]
        resources.append(ConfigResource(ConfigResource.Type.TOPIC, a.topic, incremental_configs=entries))
    return resources
