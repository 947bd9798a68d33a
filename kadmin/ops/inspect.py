"""The cluster as it is, for `kadmin topics`, `kadmin describe topic` and `kadmin groups`:
read models computed from batched reads through the `ClusterAdmin` port.

The values here (topic health, topic detail, group summaries) are plain frozen data,
so the CLI's renderers and any other view can show them. Health is computed by pure
functions of the snapshot (`topic_health`); the read functions only gather the
inputs, one call per kind whatever the number of topics. Never prints.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from kadmin.core.errors import KadminError
from kadmin.core.inspect import GroupListing, ReplicaSizes, TopicConfigValue
from kadmin.core.model import ClusterState, GroupState, ObservedTopic, TopicPartition, Watermarks
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.offsets import GroupOffsets, group_offsets, group_partitions, show_group

MIN_ISR = "min.insync.replicas"
_KAFKA_MIN_ISR_DEFAULT = 1


@dataclass(frozen=True, slots=True)
class PartitionHealth:
    """One partition: who leads it, where its replicas are, and which are in sync.

    `zones` holds the zone (broker.rack) of each replica, in replica order; `min_isr`
    is the effective `min.insync.replicas` (the topic's override, else the leader's).
    """

    topic: str
    partition: int
    leader: int | None
    replicas: tuple[int, ...]
    isr: tuple[int, ...]
    zones: tuple[str | None, ...]
    min_isr: int

    @property
    def offline(self) -> bool:
        """No leader: neither reads nor writes are served."""
        return self.leader is None

    @property
    def under_replicated(self) -> bool:
        return len(self.isr) < len(self.replicas)

    @property
    def under_min_isr(self) -> bool:
        """Fewer in-sync replicas than min.insync.replicas: writes with acks=all are refused."""
        return len(self.isr) < self.min_isr

    @property
    def zones_spanned(self) -> int:
        return len(set(self.zones))


@dataclass(frozen=True, slots=True)
class TopicHealth:
    """A topic's shape and health; `size_bytes` sums every replica on disk (None if unread)."""

    name: str
    partitions: tuple[PartitionHealth, ...]
    internal: bool = False
    size_bytes: int | None = None

    @property
    def replication_factor(self) -> int:
        return max((len(p.replicas) for p in self.partitions), default=0)

    @property
    def zones_spanned(self) -> int:
        """The fewest zones any one partition spans: what one zone outage is measured against."""
        return min((p.zones_spanned for p in self.partitions), default=0)

    @property
    def under_replicated(self) -> tuple[int, ...]:
        return tuple(p.partition for p in self.partitions if p.under_replicated)

    @property
    def under_min_isr(self) -> tuple[int, ...]:
        return tuple(p.partition for p in self.partitions if p.under_min_isr and not p.offline)

    @property
    def offline(self) -> tuple[int, ...]:
        return tuple(p.partition for p in self.partitions if p.offline)

    @property
    def unavailable(self) -> bool:
        """Some partition refuses acks=all writes (offline or under min ISR)."""
        return bool(self.offline or self.under_min_isr)


@dataclass(frozen=True, slots=True)
class TopicsView:
    """What `kadmin topics` shows: every topic (or the ones a filter kept) with its health."""

    cluster_id: str
    zones: int
    topics: tuple[TopicHealth, ...]


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """A consumer group with its protocol, members and lag; `offsets` holds its partitions."""

    offsets: GroupOffsets
    type: str = "unknown"

    @property
    def group(self) -> str:
        return self.offsets.group.group

    @property
    def state(self) -> str:
        return self.offsets.group.state

    @property
    def members(self) -> int:
        return len(self.offsets.group.members)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(sorted({p.topic for p in self.offsets.partitions}))

    @property
    def lag(self) -> int | None:
        """The sum of the lags that can be known (a partition without a commit has none)."""
        lags = [p.lag for p in self.offsets.partitions if p.lag is not None]
        return sum(lags) if lags else None

    def lag_on(self, topic: str) -> int | None:
        lags = [p.lag for p in self.offsets.partitions if p.topic == topic and p.lag is not None]
        return sum(lags) if lags else None


@dataclass(frozen=True, slots=True)
class TopicDetail:
    """What `kadmin describe topic` shows."""

    health: TopicHealth
    configs: tuple[TopicConfigValue, ...]
    marks: Mapping[TopicPartition, Watermarks]
    sizes: ReplicaSizes
    consumers: tuple[GroupSummary, ...] = field(default=())


# --- pure ----------------------------------------------------------------------------


def topic_health(
    state: ClusterState,
    broker_min_isr: Mapping[int, int],
    sizes: ReplicaSizes | None = None,
    topic_min_isr: Mapping[str, int] | None = None,
) -> tuple[TopicHealth, ...]:
    """Health of every topic of `state`, sorted by name.

    A topic's `min.insync.replicas` is its own override when it has one (from
    `topic_min_isr`, else the snapshot's overrides); otherwise the partition leader's
    broker value applies, as the leader is the broker that enforces it.
    """
    racks = state.broker_racks()
    fallback = min(broker_min_isr.values(), default=_KAFKA_MIN_ISR_DEFAULT)
    out = []
    for name in sorted(state.topics):
        topic = state.topics[name]
        own = (topic_min_isr or {}).get(name) or _override_min_isr(topic)
        partitions = tuple(
            PartitionHealth(
                topic=name,
                partition=p.id,
                leader=p.leader,
                replicas=p.replicas,
                isr=p.isr,
                zones=tuple(racks.get(r) for r in p.replicas),
                min_isr=own or broker_min_isr.get(p.leader if p.leader is not None else -1, fallback),
            )
            for p in sorted(topic.partitions, key=lambda p: p.id)
        )
        size = None
        if sizes is not None:
            size = sum(sum(sizes.get((name, p.partition), {}).values()) for p in partitions)
        out.append(TopicHealth(name, partitions, topic.internal, size))
    return tuple(out)


def select_topics(
    topics: Collection[TopicHealth],
    *,
    match: re.Pattern[str] | None = None,
    under_replicated: bool = False,
    unavailable: bool = False,
    internal: bool = True,
) -> tuple[TopicHealth, ...]:
    """The topics a filter keeps; `match` is searched anywhere in the name (like grep).

    `under_replicated` keeps offline partitions too: with KIP-966's eligible leader
    replicas, an offline partition's ISR may still list its last replica, and such a
    partition is never healthier than an under-replicated one.
    """
    return tuple(
        t
        for t in topics
        if (internal or not t.internal)
        and (match is None or match.search(t.name))
        and (not under_replicated or t.under_replicated or t.offline)
        and (not unavailable or t.unavailable)
    )


def _override_min_isr(topic: ObservedTopic) -> int | None:
    value = topic.overrides.get(MIN_ISR)
    return int(value) if value is not None and value.isdigit() else None


def _as_int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


# --- reads ---------------------------------------------------------------------------


def read_topics(admin: ClusterAdmin, *, sizes: bool = True) -> TopicsView:
    """Every topic with its health: a snapshot, the brokers' min.insync.replicas and, unless
    `sizes` is False, one DescribeLogDirs per live broker."""
    state = admin.snapshot()
    by_broker = {
        b: n for b, configs in admin.broker_values([MIN_ISR]).items() if (n := _as_int(configs.get(MIN_ISR)))
    }
    found = admin.replica_sizes(brokers=[b.id for b in state.brokers]) if sizes and state.topics else None
    zones = len({b.rack for b in state.brokers})
    return TopicsView(state.cluster_id, zones, topic_health(state, by_broker, found))


def describe_topic(admin: ClusterAdmin, name: str) -> TopicDetail:
    """One topic in full: partitions, configs with their sources, log offsets, sizes, consumers."""
    state = admin.snapshot([name])
    if name not in state.topics:
        raise KadminError(
            "no such topic",
            where=f"topic {name}",
            hint="list the topics with `kadmin topics` (or `kadmin topics --match PART-OF-NAME`)",
        )
    configs = admin.topic_configs([name]).get(name, ())
    # topic_configs reports the value in force, whatever its source: the topic's own
    # override or the broker/cluster default (Kafka 4.x: DYNAMIC_DEFAULT_BROKER_CONFIG).
    own = {c.name: c.value for c in configs}
    min_isr = _as_int(own.get(MIN_ISR))
    sizes = admin.replica_sizes([name], brokers=[b.id for b in state.brokers])
    health = topic_health(state, {}, sizes, {name: min_isr} if min_isr else None)[0]
    # A partition without a leader cannot answer ListOffsets; its offsets are shown as unknown.
    marks = admin.watermarks([(name, p.partition) for p in health.partitions if not p.offline])
    consumers = tuple(g for g in read_groups(admin, marks) if name in g.topics)
    return TopicDetail(health, configs, marks, sizes, consumers)


def read_groups(
    admin: ClusterAdmin, known_marks: Mapping[TopicPartition, Watermarks] | None = None
) -> tuple[GroupSummary, ...]:
    """Every consumer group with state, protocol, members and lag: one listing, one describe,
    one read of log ends for every partition any group commits to."""
    listings: dict[str, GroupListing] = {g.group: g for g in admin.list_groups()}
    if not listings:
        return ()
    states = admin.describe_groups(sorted(listings))
    wanted = sorted({tp for s in states.values() for tp in group_partitions(s)} - set(known_marks or {}))
    marks = {**(known_marks or {}), **(admin.watermarks(wanted) if wanted else {})}
    summaries = []
    for name in sorted(listings):
        listing = listings[name]
        state = states.get(name) or GroupState.absent(name)
        summaries.append(GroupSummary(group_offsets(state, marks), listing.type))
    return tuple(summaries)


def describe_group(admin: ClusterAdmin, group: str) -> GroupSummary:
    """One group in full: members and, per partition, committed offset, log ends, lag, owner."""
    found = show_group(admin, group)
    if not found.group.exists:
        raise KadminError(
            "no such consumer group (no members, no committed offsets)",
            where=f"group {group}",
            hint="list the groups with `kadmin groups`",
        )
    kinds = {g.group: g.type for g in admin.list_groups()}
    return GroupSummary(found, kinds.get(group, "unknown"))
