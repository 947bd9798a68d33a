"""What an interrupted or ``--no-wait`` apply leaves in the cluster, as plan actions: replica moves
still running (`FinishMove`) and replication throttles no move needs any more (`RemoveThrottle`).

A cancelled or killed apply leaves a throttled move behind: the rates on the brokers,
the throttled-replica lists on the topic, an incomplete ISR. Nothing in the topic's
replica list shows it (while copying, Kafka already lists the target replicas), so
without these actions a plan would say "no changes". Pure: the caller reads the
ongoing reassignments and the broker throttle rates; no I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from kadmin.core.actions import FinishMove, PartitionMove, RemoveThrottle
from kadmin.core.kafka_configs import THROTTLE_RATE_KEYS, THROTTLED_REPLICAS_KEYS
from kadmin.core.model import ClusterState, ConfigSource, DesiredState, TopicPartition


def finish_moves(
    observed: ClusterState, ongoing: Mapping[TopicPartition, tuple[int, ...]]
) -> list[FinishMove]:
    """One `FinishMove` per topic with partitions being moved: replicas now → target."""
    by_topic: dict[str, list[PartitionMove]] = {}
    for (topic, partition), target in sorted(ongoing.items()):
        current = observed.topics.get(topic)
        now = next((p.replicas for p in current.partitions if p.id == partition), ()) if current else ()
        by_topic.setdefault(topic, []).append(PartitionMove(partition, now, tuple(target)))
    return [FinishMove(topic, tuple(moves)) for topic, moves in sorted(by_topic.items())]


def stray_throttles(
    observed: ClusterState, broker_rates: Mapping[int, Mapping[str, str]], desired: DesiredState
) -> list[RemoveThrottle]:
    """A `RemoveThrottle` for every broker with a throttle rate and every topic with a throttled-replica
    list, except lists a topic's spec sets itself.

    As Kafka's own ``--verify`` does, every throttle counts: a throttle outliving its
    reassignment only slows the next one, and the plan shows each before it goes.
    Whether moves are still running does not matter here: apply finishes them first.
    """
    actions = [
        RemoveThrottle(MappingProxyType(dict(sorted(rates.items()))), broker=broker)
        for broker, rates in sorted(broker_rates.items())
        if any(k in THROTTLE_RATE_KEYS for k in rates)
    ]
    for name, topic in sorted(observed.topics.items()):
        spec = desired.topics.get(name)
        owned = spec.configs.keys() if spec is not None else set()
        lists = {
            key: entry.value
            for key in THROTTLED_REPLICAS_KEYS
            if key not in owned
            and (entry := topic.configs.get(key)) is not None
            and entry.source is ConfigSource.TOPIC
            and entry.value is not None
        }
        if lists:
            actions.append(RemoveThrottle(MappingProxyType(dict(sorted(lists.items()))), topic=name))
    return actions


def may_be_moving(observed: ClusterState) -> bool:
    """Whether a reassignment may be running on a partition `observed` holds: one of its replicas
    is out of the ISR.

    A KRaft controller completes a reassignment in the very metadata record that brings its
    last adding replica into the ISR (``PartitionChangeBuilder.build`` runs
    ``completeReassignmentIfNeeded`` first), so a partition whose replicas are all in sync
    is not being moved. Asking the cluster for its reassignments needs kafka-python, whose
    import is about a third of a small plan's start-up: a plan asks only when this is true.
    """
    return any(
        not set(p.replicas) <= set(p.isr) for topic in observed.topics.values() for p in topic.partitions
    )


def in_scope(
    observed: ClusterState, ongoing: Mapping[TopicPartition, tuple[int, ...]]
) -> dict[TopicPartition, tuple[int, ...]]:
    """The ongoing moves of the topics `observed` holds: a plan finishes the moves of the topics it
    reads, not those of other teams' topics on a shared cluster."""
    return {tp: target for tp, target in ongoing.items() if tp[0] in observed.topics}


def as_finished(observed: ClusterState, ongoing: Mapping[TopicPartition, tuple[int, ...]]) -> ClusterState:
    """`observed` as it will be once the ongoing moves arrive: each moving partition on its target.

    The differ plans from this, so a move already under way is neither planned again
    nor (for a placement move, whose replica list shows target and leaving replicas
    together) mistaken for a replication factor to shrink.
    """
    if not ongoing:
        return observed
    topics = dict(observed.topics)
    for name in sorted({t for t, _ in ongoing}):
        topic = topics.get(name)
        if topic is None:
            continue
        parts = tuple(
            replace(p, replicas=tuple(ongoing[(name, p.id)])) if (name, p.id) in ongoing else p
            for p in topic.partitions
        )
        topics[name] = replace(topic, partitions=parts)
    return replace(observed, topics=MappingProxyType(topics))
