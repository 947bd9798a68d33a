"""What kadmin reads to show a cluster as it is, beyond what plans need: group listings,
topic configs with every source, and replica sizes on disk. Frozen values, no I/O.

The port (`kafka.port.ClusterAdmin`) returns these; `ops.inspect` turns them into the
read models the inspection commands show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kadmin.core.model import ConfigSource, ConsumerGroupState, TopicPartition


@dataclass(frozen=True, slots=True)
class GroupListing:
    """One group as the coordinators list it.

    `type` is the group protocol: ``consumer`` (KIP-848), ``classic``, or ``unknown``
    for kinds a consumer-group listing does not describe. `simple` is a group that
    only commits offsets and has never had members (Kafka's "simple consumer group").
    """

    group: str
    state: ConsumerGroupState
    type: str
    simple: bool = False


@dataclass(frozen=True, slots=True)
class TopicConfigValue:
    """A topic config as Kafka reports it, inherited values included.

    `source` says whose value it is (the topic's own override, a broker's or the
    cluster's default, or Kafka's built-in default); `kafka_source` keeps Kafka's exact
    name, e.g. ``DYNAMIC_DEFAULT_BROKER_CONFIG``: on Kafka 4.x `min.insync.replicas`
    carries that source on every topic, which is a cluster default, not an override.
    """

    name: str
    value: str | None
    source: ConfigSource
    kafka_source: str
    sensitive: bool = False
    read_only: bool = False


ReplicaSizes = Mapping[TopicPartition, Mapping[int, int]]
"""Bytes on disk of each partition's replicas, by broker id (Kafka's DescribeLogDirs)."""
