"""The vocabulary shared by every layer: desired state (from specs) and observed
state (from the cluster), as frozen values.

This module imports nothing from kadmin but `errors.Location` and `access_spec.AccessSpec`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from types import MappingProxyType

from kadmin.core.access_spec import AccessSpec
from kadmin.core.errors import Location

TopicPartition = tuple[str, int]
Assignment = tuple[tuple[int, ...], ...]
"""Replica lists by partition id: ``((1, 2, 3), (2, 3, 1))``; the first replica is the preferred leader."""

INTERNAL_TOPIC_PREFIX = "__"
KADMIN_STATE_TOPIC = "__kadmin_state"
"""kadmin's own compacted topic, recording applied offset resets."""


def frozen_map(items: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """A read-only copy of a string mapping, for use inside frozen values."""
    return MappingProxyType(dict(items or {}))


def is_internal_topic(name: str) -> bool:
    """Kafka's own topics (``__consumer_offsets``, ``__transaction_state``, ...) and kadmin's."""
    return name.startswith(INTERNAL_TOPIC_PREFIX)


# --- placement -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spread:
    """Each partition's replicas in distinct zones, as far as the replication factor allows."""

    def __str__(self) -> str:
        return "spread"


@dataclass(frozen=True, slots=True)
class InZone:
    """Every replica in one zone."""

    zone: str

    def __str__(self) -> str:
        return f"zone {self.zone}"


@dataclass(frozen=True, slots=True)
class Static:
    """Replica lists written out by hand, one per partition."""

    replicas: Assignment

    def __str__(self) -> str:
        return f"static {[list(r) for r in self.replicas]}"


Placement = Spread | InZone | Static


# --- desired state ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One topic as the spec wants it, after defaults, profiles, units and variables.

    `configs` holds topic-level overrides as the strings Kafka stores.
    `origin` points at the topic's key in its file; `origins` at single fields
    (``partitions``, ``configs.retention.ms``, ...) where known.
    """

    name: str
    partitions: int
    replication_factor: int
    configs: Mapping[str, str] = field(default_factory=frozen_map)
    placement: Placement = Spread()
    profile: str | None = None
    origin: Location | None = None
    origins: Mapping[str, Location] = field(default_factory=lambda: MappingProxyType({}))

    def where(self, field_name: str) -> Location | str:
        """The best location for a field of this topic, or ``topic NAME``."""
        if field_name in self.origins:
            return self.origins[field_name]
        if self.origin is not None:
            return self.origin.at(f"topics.{self.name}.{field_name}")
        return f"topic {self.name}"


class OffsetMode(StrEnum):
    """How an offset reset picks the offsets it moves to; the modes of Kafka's consumer-groups tool."""

    EARLIEST = "earliest"
    LATEST = "latest"
    CURRENT = "current"
    OFFSET = "offset"
    SHIFT_BY = "shift_by"
    DATETIME = "datetime"
    DURATION = "duration"
    FILE = "file"


@dataclass(frozen=True, slots=True)
class ResetTo:
    """A reset mode and its argument.

    `value` is the offset (OFFSET), the shift (SHIFT_BY), epoch milliseconds
    (DATETIME), milliseconds back from now (DURATION) or None. For FILE,
    `file_offsets` holds the ``(topic, partition) -> offset`` rows read from the CSV.
    """

    mode: OffsetMode
    value: int | None = None
    text: str = ""
    file_offsets: Mapping[TopicPartition, int] | None = None

    def __str__(self) -> str:
        if self.mode in (OffsetMode.EARLIEST, OffsetMode.LATEST, OffsetMode.CURRENT):
            return str(self.mode)
        return f"{self.mode} {self.text or self.value}"


@dataclass(frozen=True, slots=True)
class OffsetResetSpec:
    """A one-shot, recorded offset reset declared in a spec.

    `topics` maps topic -> partitions, where an empty tuple means every partition.
    """

    id: str
    group: str
    topics: Mapping[str, tuple[int, ...]]
    to: ResetTo
    origin: Location | None = None


@dataclass(frozen=True, slots=True)
class ClusterSpec:
    """The optional ``cluster:`` block, or one environment's block: name, id, bootstrap,
    zones and managed scope.

    `id` is Kafka's cluster id; when set, commands refuse any other cluster.
    For an environment, `environment` is its name, `command_config` the absolute path of
    its client properties file and `variables` the prefix of its client-property
    variables (``KADMIN_PROD_`` reads ``KADMIN_PROD_SASL_PASSWORD`` for sasl.password).
    """

    name: str | None = None
    bootstrap: str | None = None
    zones: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: MappingProxyType({}))
    manage: tuple[str, ...] = ()
    origin: Location | None = None
    id: str | None = None
    environment: str | None = None
    command_config: str | None = None
    variables: str | None = None
    manage_principals: tuple[str, ...] = ()
    """Regexes of principals (``User:svc-.*``) whose ACLs, credentials and quotas kadmin may delete."""

    def zone_of(self, broker_id: int) -> str | None:
        for zone, brokers in self.zones.items():
            if broker_id in brokers:
                return zone
        return None


@dataclass(frozen=True, slots=True)
class DesiredState:
    """Everything the spec files ask for, merged."""

    topics: Mapping[str, TopicSpec]
    cluster: ClusterSpec = ClusterSpec()
    offset_resets: tuple[OffsetResetSpec, ...] = ()
    access: AccessSpec = field(default_factory=AccessSpec)
    files: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    """Non-fatal findings of the loader, each already prefixed with its location."""

    def read_scope(self) -> ReadScope:
        """What a plan of this state reads in full: the spec's topics and those `cluster.manage` matches."""
        return ReadScope(frozenset(self.topics), self.cluster.manage)


@dataclass(frozen=True, slots=True)
class ReadScope:
    """The topics a snapshot describes in full (partitions and configs): these names, and
    every topic a `manage` pattern matches as a whole. The cluster's other topics are
    only listed by name (`ClusterState.others`), so a plan's cost follows its spec, not the
    cluster. The patterns were checked when the spec loaded.
    """

    topics: frozenset[str] = frozenset()
    manage: tuple[str, ...] = ()

    def covers(self, name: str) -> bool:
        # `re` caches compiled patterns, so matching thousands of names compiles each once.
        return name in self.topics or any(re.fullmatch(p, name) for p in self.manage)


# --- observed state --------------------------------------------------------------


class ConfigSource(Enum):
    """Where a topic config value comes from (KIP-226 sources, simplified)."""

    TOPIC = "topic"  # DYNAMIC_TOPIC_CONFIG: a real override on this topic
    BROKER = "broker"  # dynamic or static broker config, or a cluster-wide dynamic default
    DEFAULT = "default"  # Kafka's built-in default
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ConfigEntry:
    value: str | None
    source: ConfigSource
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class Broker:
    id: int
    rack: str | None
    host: str = ""
    port: int = 0


@dataclass(frozen=True, slots=True)
class Partition:
    id: int
    replicas: tuple[int, ...]
    isr: tuple[int, ...] = ()
    leader: int | None = None


@dataclass(frozen=True, slots=True)
class ObservedTopic:
    name: str
    partitions: tuple[Partition, ...]
    configs: Mapping[str, ConfigEntry] = field(default_factory=lambda: MappingProxyType({}))
    internal: bool = False

    @property
    def replication_factor(self) -> int:
        return max((len(p.replicas) for p in self.partitions), default=0)

    @property
    def assignment(self) -> Assignment:
        return tuple(p.replicas for p in sorted(self.partitions, key=lambda p: p.id))

    @property
    def overrides(self) -> Mapping[str, str]:
        """Topic-level overrides only: broker and cluster defaults are inherited, not drift."""
        return {
            k: e.value
            for k, e in self.configs.items()
            if e.source is ConfigSource.TOPIC and e.value is not None
        }


@dataclass(frozen=True, slots=True)
class ClusterState:
    """One snapshot of the cluster, built from batched admin calls."""

    cluster_id: str
    brokers: tuple[Broker, ...]
    topics: Mapping[str, ObservedTopic]
    controller_id: int | None = None
    others: frozenset[str] = frozenset()
    """Topics the cluster holds outside the snapshot's scope: listed by name, not described."""

    def broker_racks(self) -> dict[int, str | None]:
        return {b.id: b.rack for b in self.brokers}


# --- consumer groups -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupMember:
    member_id: str
    client_id: str
    host: str
    assignment: tuple[TopicPartition, ...] = ()


class ConsumerGroupState(StrEnum):
    """Kafka's consumer-group states, by the names its own tools print."""

    EMPTY = "Empty"
    STABLE = "Stable"
    PREPARING_REBALANCE = "PreparingRebalance"
    COMPLETING_REBALANCE = "CompletingRebalance"
    DEAD = "Dead"
    UNKNOWN = "Unknown"


_RESETTABLE = frozenset({ConsumerGroupState.EMPTY, ConsumerGroupState.DEAD, ConsumerGroupState.UNKNOWN})


@dataclass(frozen=True, slots=True)
class GroupState:
    """A consumer group as described by the cluster, with its committed offsets.

    `exists` is False for a group the coordinator has never heard of (`GroupState.absent`).
    """

    group: str
    state: ConsumerGroupState
    members: tuple[GroupMember, ...] = ()
    committed: Mapping[TopicPartition, int] = field(default_factory=lambda: MappingProxyType({}))
    exists: bool = True

    @classmethod
    def absent(cls, group: str) -> GroupState:
        """A group the cluster does not know: Kafka describes it as Dead, with no members or offsets."""
        return cls(group, ConsumerGroupState.DEAD, exists=False)

    @property
    def is_inactive(self) -> bool:
        """Kafka's tool resets only groups that are Empty, Dead or unknown."""
        return not self.members and self.state in _RESETTABLE


@dataclass(frozen=True, slots=True)
class Watermarks:
    """Log start (earliest) and log end (latest) offsets of one partition."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class AppliedReset:
    """A declarative offset reset that was carried out, as kadmin's ledger records it.

    `applied_at` is an ISO 8601 UTC time; `offsets` holds what each partition was reset to,
    `previous` the committed offsets the reset replaced (None where the group had none), so
    it can be undone by hand.
    """

    id: str
    group: str
    applied_at: str
    offsets: Mapping[TopicPartition, int] = field(default_factory=lambda: MappingProxyType({}))
    previous: Mapping[TopicPartition, int | None] = field(default_factory=lambda: MappingProxyType({}))
