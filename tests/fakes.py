"""`InMemoryCluster`: kadmin's own `ClusterAdmin` seam over in-memory values, for unit tests.

It keeps topics as `ObservedTopic`s, groups as `GroupState`s, and answers writes per
target with the errors Kafka gives in the same cases (topic exists, unknown topic,
too few brokers, unknown config, fewer partitions), so the applier meets the
per-resource answers it meets on a real cluster. Every call is recorded, so tests
can check batching and order. It fakes kadmin's port only, never Kafka's protocol.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from kadmin.core.actions import AddPartitions, AlterConfigs, CreateTopic, DeleteTopic, ReassignReplicas
from kadmin.core.inspect import GroupListing, TopicConfigValue
from kadmin.core.kafka_configs import lookup
from kadmin.core.model import (
    AppliedReset,
    Broker,
    ClusterState,
    ConfigEntry,
    ConfigSource,
    ConsumerGroupState,
    GroupState,
    ObservedTopic,
    Partition,
    TopicPartition,
    Watermarks,
)
from kadmin.core.targets import Target
from kadmin.kafka.port import (
    FOLLOWER_THROTTLED_REPLICAS,
    LEADER_THROTTLED_REPLICAS,
    THROTTLE_RATE_KEYS,
    ClusterAdmin,
    Outcome,
    ReplicationThrottle,
)

BROKER_CONFIGS: Mapping[str, str] = MappingProxyType({"min.insync.replicas": "1"})
"""Reported on every topic with a broker source, as Kafka 4.x does for min.insync.replicas."""

DEFAULT_CONFIGS: Mapping[str, str] = MappingProxyType(
    {"retention.ms": "604800000", "cleanup.policy": "delete", "segment.bytes": "1073741824"}
)


@dataclass(frozen=True, slots=True)
class Call:
    """One call on the fake: the method, what it was about (the targets of a write batch; topic
    names or reset ids for the others), and whether it only validated."""

    method: str
    targets: tuple[Target | str, ...] = ()
    validate_only: bool = False


@dataclass
class InMemoryCluster:
    """A cluster in memory: brokers, topics with overrides, consumer groups and kadmin's ledger.

    `reject` maps a target (`Target.topic("orders")`) to the error every write on it gets, the
    validation included; `fail` to an error only real writes get (validation passes), as
    when a broker goes away between the preflight and the change. A created topic stays
    out of snapshots for `hide_new_for` snapshots, as a topic is briefly missing from
    metadata after its creation.
    """

    brokers: tuple[Broker, ...] = (Broker(1, "zone-a"), Broker(2, "zone-b"), Broker(3, "zone-c"))
    topics: dict[str, ObservedTopic] = field(default_factory=dict)
    groups: dict[str, GroupState] = field(default_factory=dict)
    marks: dict[TopicPartition, Watermarks] = field(default_factory=dict)
    ledger: dict[str, AppliedReset] = field(default_factory=dict)
    cluster_id: str = "in-memory-cluster"
    reject: dict[Target, str] = field(default_factory=dict)
    fail: dict[Target, str] = field(default_factory=dict)
    hide_new_for: int = 0
    broker_configs: dict[int, dict[str, str]] = field(default_factory=dict)
    moving: dict[TopicPartition, tuple[int, ...]] = field(default_factory=dict)
    """Moves left running (partition -> target replicas); reassignments submitted here land at once."""
    sizes: dict[TopicPartition, dict[int, int]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    _hidden: dict[str, int] = field(default_factory=dict)

    # --- building ------------------------------------------------------------------

    @classmethod
    def from_state(cls, state: ClusterState) -> InMemoryCluster:
        return cls(brokers=state.brokers, topics=dict(state.topics), cluster_id=state.cluster_id)

    def add_topic(
        self, name: str, partitions: int = 1, rf: int = 1, overrides: Mapping[str, str] | None = None
    ) -> None:
        """A topic as it would be after a create with these settings (replicas round-robin)."""
        self.topics[name] = ObservedTopic(
            name, self._partitions(0, partitions, rf), _configs(overrides or {}), name.startswith("__")
        )

    def overrides(self, name: str) -> dict[str, str]:
        return dict(self.topics[name].overrides)

    def methods(self) -> list[str]:
        """The calls made so far, by method name; validations marked with ``(validate)``."""
        return [c.method + (" (validate)" if c.validate_only else "") for c in self.calls]

    # --- reads ---------------------------------------------------------------------

    def snapshot(self, topics: Collection[str] | None = None) -> ClusterState:
        self.calls.append(Call("snapshot", tuple(sorted(topics)) if topics is not None else ()))
        visible = {}
        for name, topic in self.topics.items():
            if self._hidden.get(name, 0) > 0:
                self._hidden[name] -= 1
                continue
            if topics is None or name in topics:
                visible[name] = topic
        return ClusterState(self.cluster_id, self.brokers, visible, controller_id=self.brokers[0].id)

    def ongoing_reassignments(self) -> dict[TopicPartition, tuple[int, ...]]:
        self.calls.append(Call("ongoing_reassignments"))
        return dict(self.moving)

    def broker_throttles(self, brokers: Collection[int] | None = None) -> dict[int, dict[str, str]]:
        self.calls.append(Call("broker_throttles"))
        found = {
            broker: {k: v for k, v in configs.items() if k in THROTTLE_RATE_KEYS}
            for broker, configs in self.broker_configs.items()
            if brokers is None or broker in brokers
        }
        return {broker: rates for broker, rates in found.items() if rates}

    def list_groups(self) -> list[GroupListing]:
        self.calls.append(Call("list_groups"))
        return [GroupListing(g, s.state, "consumer") for g, s in sorted(self.groups.items()) if s.exists]

    def topic_configs(self, topics: Collection[str]) -> dict[str, tuple[TopicConfigValue, ...]]:
        self.calls.append(Call("topic_configs", tuple(sorted(topics))))
        return {
            name: tuple(
                TopicConfigValue(key, e.value, e.source, e.source.name, e.sensitive)
                for key, e in sorted(self.topics[name].configs.items())
            )
            for name in sorted(topics)
            if name in self.topics
        }

    def broker_values(self, keys: Collection[str]) -> dict[int, dict[str, str]]:
        self.calls.append(Call("broker_values"))
        return {
            b.id: {
                k: v for k, v in {**BROKER_CONFIGS, **self.broker_configs.get(b.id, {})}.items() if k in keys
            }
            for b in self.brokers
        }

    def replica_sizes(
        self, topics: Collection[str] | None = None, brokers: Collection[int] | None = None
    ) -> dict[TopicPartition, dict[int, int]]:
        self.calls.append(Call("replica_sizes", tuple(sorted(topics)) if topics is not None else ()))
        return {
            tp: {b: n for b, n in by_broker.items() if brokers is None or b in brokers}
            for tp, by_broker in self.sizes.items()
            if topics is None or tp[0] in topics
        }

    def describe_groups(self, groups: Collection[str]) -> dict[str, GroupState]:
        self.calls.append(Call("describe_groups", tuple(sorted(groups))))
        return {g: self.groups.get(g) or GroupState.absent(g) for g in groups}

    def watermarks(self, partitions: Collection[TopicPartition]) -> dict[TopicPartition, Watermarks]:
        self.calls.append(Call("watermarks"))
        return {tp: self.marks.get(tp, Watermarks(0, 0)) for tp in partitions}

    def offsets_for_times(
        self, partitions: Collection[TopicPartition], timestamp_ms: int
    ) -> dict[TopicPartition, int]:
        self.calls.append(Call("offsets_for_times"))
        return {tp: self.marks.get(tp, Watermarks(0, 0)).end for tp in partitions}

    def applied_resets(self) -> dict[str, AppliedReset]:
        self.calls.append(Call("applied_resets"))
        return dict(self.ledger)

    # --- writes --------------------------------------------------------------------

    def create_topics(self, actions: Sequence[CreateTopic], *, validate_only: bool = False) -> list[Outcome]:
        self._record("create_topics", actions, validate_only)
        results = []
        for a in actions:
            error = self._refused(a.target, validate_only)
            if not error and a.topic in self.topics:
                error = f"TOPIC_ALREADY_EXISTS: Topic '{a.topic}' already exists."
            if not error and a.assignment is None and a.replication_factor > len(self.brokers):
                error = (
                    f"INVALID_REPLICATION_FACTOR: Replication factor: {a.replication_factor} larger than "
                    f"available brokers: {len(self.brokers)}."
                )
            error = error or _unknown_config(a.configs)
            if not error and not validate_only:
                if a.assignment is not None:
                    parts = tuple(Partition(i, r, r, r[0]) for i, r in enumerate(a.assignment))
                else:
                    parts = self._partitions(0, a.partitions, a.replication_factor)
                self.topics[a.topic] = ObservedTopic(a.topic, parts, _configs(a.configs))
                if self.hide_new_for:
                    self._hidden[a.topic] = self.hide_new_for
            results.append(Outcome(a.target, not error, error))
        return results

    def create_partitions(
        self, actions: Sequence[AddPartitions], *, validate_only: bool = False
    ) -> list[Outcome]:
        self._record("create_partitions", actions, validate_only)
        results = []
        for a in actions:
            topic = self.topics.get(a.topic)
            error = self._refused(a.target, validate_only)
            if not error and topic is None:
                error = _unknown_topic(a.topic)
            elif not error and topic is not None and a.after <= len(topic.partitions):
                error = (
                    f"INVALID_PARTITIONS: Topic currently has {len(topic.partitions)} partitions, "
                    f"which is higher than the requested {a.after}."
                )
            if not error and not validate_only and topic is not None:
                count = len(topic.partitions)
                if a.new_assignment is not None:
                    new = tuple(Partition(count + i, r, r, r[0]) for i, r in enumerate(a.new_assignment))
                else:
                    new = self._partitions(count, a.after - count, topic.replication_factor)
                self.topics[a.topic] = replace(topic, partitions=topic.partitions + new)
            results.append(Outcome(a.target, not error, error))
        return results

    def alter_configs(self, actions: Sequence[AlterConfigs], *, validate_only: bool = False) -> list[Outcome]:
        self._record("alter_configs", actions, validate_only)
        results = []
        for a in actions:
            topic = self.topics.get(a.topic)
            error = self._refused(a.target, validate_only)
            if not error and topic is None:
                error = _unknown_topic(a.topic)
            error = error or _unknown_config({c.key: c.after or "" for c in a.changes})
            if not error and not validate_only and topic is not None:
                overrides = dict(topic.overrides)
                for change in a.changes:
                    if change.after is None:
                        overrides.pop(change.key, None)
                    else:
                        overrides[change.key] = change.after
                self.topics[a.topic] = replace(topic, configs=_configs(overrides))
            results.append(Outcome(a.target, not error, error))
        return results

    def delete_topics(self, actions: Sequence[DeleteTopic]) -> list[Outcome]:
        self._record("delete_topics", actions, False)
        results = []
        for a in actions:
            error = self._refused(a.target, False)
            if not error and a.topic not in self.topics:
                error = _unknown_topic(a.topic)
            if not error:
                del self.topics[a.topic]
            results.append(Outcome(a.target, not error, error))
        return results

    def reassign_partitions(self, actions: Sequence[ReassignReplicas]) -> list[Outcome]:
        self._record("reassign_partitions", actions, False)
        results = []
        for a in actions:
            topic = self.topics.get(a.topic)
            error = self._refused(a.target, False) or ("" if topic else _unknown_topic(a.topic))
            if not error and topic is not None:
                moved = {m.partition: m.after for m in a.moves}
                parts = tuple(
                    replace(p, replicas=moved[p.id], isr=moved[p.id]) if p.id in moved else p
                    for p in topic.partitions
                )
                self.topics[a.topic] = replace(topic, partitions=parts)
            results.append(Outcome(a.target, not error, error))
        return results

    def cancel_reassignments(self, partitions: Collection[TopicPartition]) -> list[Outcome]:
        # Reassignments here finish the moment they are submitted: there is never one to cancel.
        topics = sorted({t for t, _ in partitions})
        self.calls.append(Call("cancel_reassignments", tuple(Target.topic(t) for t in topics)))
        return [Outcome(Target.topic(t), False, "NO_REASSIGNMENT_IN_PROGRESS") for t in topics]

    def set_replication_throttle(self, throttle: ReplicationThrottle) -> list[Outcome]:
        self.calls.append(Call("set_replication_throttle", throttle.topics))
        results = []
        for broker in throttle.brokers:
            self.broker_configs.setdefault(broker, {}).update(
                dict.fromkeys(THROTTLE_RATE_KEYS, str(throttle.rate))
            )
            results.append(Outcome(Target.broker(broker), True))
        for name in throttle.topics:
            topic = self.topics.get(name)
            if topic is None:
                results.append(Outcome(Target.topic(name), False, _unknown_topic(name)))
                continue
            overrides = dict(topic.overrides)
            for key, lists in (
                (LEADER_THROTTLED_REPLICAS, throttle.leaders),
                (FOLLOWER_THROTTLED_REPLICAS, throttle.followers),
            ):
                if name in lists:
                    overrides[key] = lists[name]
            self.topics[name] = replace(topic, configs=_configs(overrides))
            results.append(Outcome(Target.topic(name), True))
        return results

    def clear_replication_throttle(self, brokers: Collection[int], topics: Collection[str]) -> list[Outcome]:
        self.calls.append(Call("clear_replication_throttle", tuple(sorted(topics))))
        results = []
        for broker in sorted(brokers):
            for key in THROTTLE_RATE_KEYS:
                self.broker_configs.get(broker, {}).pop(key, None)
            results.append(Outcome(Target.broker(broker), True))
        for name in sorted(topics):
            topic = self.topics.get(name)
            if topic is not None:
                kept = {
                    k: v
                    for k, v in topic.overrides.items()
                    if k not in (LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS)
                }
                self.topics[name] = replace(topic, configs=_configs(kept))
            results.append(
                Outcome(Target.topic(name), topic is not None, "" if topic else _unknown_topic(name))
            )
        return results

    def elect_preferred_leaders(self, partitions: Collection[TopicPartition]) -> list[Outcome]:
        wanted: dict[str, set[int]] = {}
        for name, pid in partitions:
            wanted.setdefault(name, set()).add(pid)
        self.calls.append(Call("elect_preferred_leaders", tuple(Target.topic(t) for t in sorted(wanted))))
        results = []
        for name in sorted(wanted):
            topic = self.topics.get(name)
            if topic is None:
                results.append(Outcome(Target.topic(name), False, _unknown_topic(name)))
                continue
            parts = tuple(
                replace(p, leader=p.replicas[0]) if p.id in wanted[name] and p.replicas else p
                for p in topic.partitions
            )
            self.topics[name] = replace(topic, partitions=parts)
            results.append(Outcome(Target.topic(name), True))
        return results

    def commit_offsets(self, group: str, offsets: Mapping[TopicPartition, int]) -> Outcome:
        self.calls.append(Call("commit_offsets", (Target.group(group),)))
        error = self._refused(Target.group(group), False)
        if not error:
            state = self.groups.get(group) or GroupState(group, ConsumerGroupState.EMPTY)
            committed = {**state.committed, **offsets}
            self.groups[group] = replace(state, committed=MappingProxyType(committed), exists=True)
        return Outcome(Target.group(group), not error, error)

    def record_reset(self, record: AppliedReset) -> Outcome:
        self.calls.append(Call("record_reset", (record.id,)))
        self.ledger[record.id] = record
        return Outcome(Target.group(record.group), True)

    # --- plumbing ------------------------------------------------------------------

    def _record(
        self,
        method: str,
        actions: Iterable[CreateTopic | AddPartitions | AlterConfigs | DeleteTopic | ReassignReplicas],
        validate_only: bool,
    ) -> None:
        self.calls.append(Call(method, tuple(a.target for a in actions), validate_only))

    def _refused(self, target: Target, validate_only: bool) -> str:
        if target in self.reject:
            return self.reject[target]
        return "" if validate_only else self.fail.get(target, "")

    def _partitions(self, first: int, count: int, rf: int) -> tuple[Partition, ...]:
        ids = [b.id for b in self.brokers]
        out = []
        for pid in range(first, first + count):
            replicas = tuple(ids[(pid + i) % len(ids)] for i in range(min(rf, len(ids))))
            out.append(Partition(pid, replicas, replicas, replicas[0]))
        return tuple(out)


def _configs(overrides: Mapping[str, str]) -> Mapping[str, ConfigEntry]:
    entries = {key: ConfigEntry(value, ConfigSource.DEFAULT) for key, value in DEFAULT_CONFIGS.items()}
    entries.update({key: ConfigEntry(value, ConfigSource.BROKER) for key, value in BROKER_CONFIGS.items()})
    entries.update({key: ConfigEntry(value, ConfigSource.TOPIC) for key, value in overrides.items()})
    return MappingProxyType(entries)


def _unknown_config(configs: Mapping[str, str]) -> str:
    unknown = sorted(key for key in configs if lookup(key) is None)
    return f"INVALID_CONFIG: Unknown topic config name: {unknown[0]}" if unknown else ""


def _unknown_topic(name: str) -> str:
    return f"UNKNOWN_TOPIC_OR_PART: This server does not host this topic-partition ({name})."


def _implements_port(cluster: InMemoryCluster) -> ClusterAdmin:
    return cluster  # mypy proves here that the fake satisfies the Protocol
