"""`InMemoryCluster`: kadmin's own `ClusterAdmin` seam over in-memory values, for unit tests.

The one fake of the port; every unit test that needs a cluster uses it. It keeps topics
as `ObservedTopic`s, groups as `GroupState`s, message timestamps per partition and
kadmin's ledger, and answers writes per target with the errors Kafka gives in the same
cases (topic exists, unknown topic, too few brokers, unknown config, fewer partitions).
Faults are injected the ways a real cluster fails:

- a call that raises (`raise_on`), as the adapter raises when no broker answers;
- per-target errors: `reject` (every write, validation included), `fail` (real writes
  only, as when a broker goes away after the preflight), `refuse` (one method only);
- metadata that lags: a created topic stays out of `hide_new_for` snapshots;
- moves that take time: with `polls_to_finish`, a started move lands after that many
  polls of `ongoing_reassignments`, on `lands_on` if someone replaced it.

Every call is recorded, so tests can check batching and order; `before` runs a test's
own step ahead of a method, to change the cluster behind the caller's back. How it
fails and records lives in `tests.fake_faults`. It fakes kadmin's port only, never
Kafka's protocol.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from kadmin.core.actions import AddPartitions, AlterConfigs, CreateTopic, DeleteTopic, ReassignReplicas
from kadmin.core.inspect import GroupListing, TopicConfigValue
from kadmin.core.kafka_configs import lookup
from kadmin.core.lock import LockRecord
from kadmin.core.messages import Delivery, Message, ReadRequest, Record
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
    ReadScope,
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
    Scope,
    in_scope,
)
from tests.fake_access import AccessFake
from tests.fake_faults import PortMethod

BROKER_CONFIGS: Mapping[str, str] = MappingProxyType({"min.insync.replicas": "1"})
"""Reported on every topic with a broker source, as Kafka 4.x does for min.insync.replicas."""

DEFAULT_CONFIGS: Mapping[str, str] = MappingProxyType(
    {"retention.ms": "604800000", "cleanup.policy": "delete", "segment.bytes": "1073741824"}
)
THROTTLED_REPLICAS = (LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS)


@dataclass
class InMemoryCluster(AccessFake):
    """A cluster in memory: brokers, topics with overrides, consumer groups, logs and kadmin's ledger."""

    brokers: tuple[Broker, ...] = (Broker(1, "zone-a"), Broker(2, "zone-b"), Broker(3, "zone-c"))
    topics: dict[str, ObservedTopic] = field(default_factory=dict)
    groups: dict[str, GroupState] = field(default_factory=dict)
    marks: dict[TopicPartition, Watermarks] = field(default_factory=dict)
    timestamps: dict[TopicPartition, tuple[int, ...]] = field(default_factory=dict)
    """Per partition, the timestamp of each message from the log start on (`add_log`)."""
    ledger: dict[str, AppliedReset] = field(default_factory=dict)
    cluster_id: str = "in-memory-cluster"
    hide_new_for: int = 0
    broker_configs: dict[int, dict[str, str]] = field(default_factory=dict)
    moving: dict[TopicPartition, tuple[int, ...]] = field(default_factory=dict)
    """Moves under way: partition -> target replicas (the partition lists target and leaving ones)."""
    polls_left: dict[TopicPartition, int] = field(default_factory=dict)
    """Polls until a move lands; a move not listed here runs until it is cancelled."""
    polls_to_finish: int = 0
    """How many polls a move started by `reassign_partitions` takes; 0: it lands at once."""
    lands_on: dict[TopicPartition, tuple[int, ...]] = field(default_factory=dict)
    """Moves that end on other replicas than asked (someone replaced them)."""
    commits: list[tuple[str, dict[TopicPartition, int]]] = field(default_factory=list)
    elected: list[tuple[TopicPartition, ...]] = field(default_factory=list)
    lock_log: list[LockRecord] = field(default_factory=list)
    """The apply lock's records, in log order."""
    sizes: dict[TopicPartition, dict[int, int]] = field(default_factory=dict)
    """Bytes on disk of each replica, by partition then broker."""
    log: dict[TopicPartition, list[Message]] = field(default_factory=dict)
    """Messages written with `write_messages`, by partition; offsets are list indexes."""
    described: list[tuple[str, ...]] = field(default_factory=list)
    """The topics each snapshot described in full (the others were only listed), in call order."""
    _hidden: dict[str, int] = field(default_factory=dict)
    _origin: dict[TopicPartition, tuple[int, ...]] = field(default_factory=dict)

    # --- building and looking ----------------------------------------------------------

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

    def place(self, topic: str, *replicas: Sequence[int]) -> None:
        """Set the replica list of each partition of `topic` (creating it), leader first."""
        parts = tuple(Partition(i, tuple(r), tuple(r), r[0]) for i, r in enumerate(replicas))
        old = self.topics.get(topic)
        self.topics[topic] = ObservedTopic(topic, parts, old.configs if old else _configs({}))

    def add_log(self, topic: str, partition: int, start: int, timestamps: Sequence[int]) -> None:
        """Messages `start`, `start + 1`, ... of a partition with these timestamps (ms)."""
        self.timestamps[(topic, partition)] = tuple(timestamps)
        self.marks[(topic, partition)] = Watermarks(start, start + len(timestamps))

    def start_move(self, tp: TopicPartition, target: Sequence[int], polls: int | None = None) -> None:
        """A move of `tp` to `target` under way, as Kafka lists it: target first, then the leaving
        replicas. It lands after `polls` polls of the ongoing moves (never, if None)."""
        topic, pid = tp
        current = next(p for p in self.topics[topic].partitions if p.id == pid)
        self._origin.setdefault(tp, current.replicas)
        listed = (*target, *(b for b in current.replicas if b not in target))
        self._set_partition(tp, replace(current, replicas=listed))
        self.moving[tp] = tuple(target)
        if polls is None:
            self.polls_left.pop(tp, None)
        else:
            self.polls_left[tp] = polls

    def assignment(self) -> dict[TopicPartition, tuple[int, ...]]:
        """Every partition's replica list as a snapshot shows it."""
        return {(t.name, p.id): p.replicas for t in self.topics.values() for p in t.partitions}

    def overrides(self, name: str) -> dict[str, str]:
        return dict(self.topics[name].overrides)

    def throttles_left(self) -> dict[str, dict[object, dict[str, str]]]:
        """The throttle rates on brokers and the throttled-replica lists on topics, where any are set."""
        rates = {
            b: {k: v for k, v in c.items() if k in THROTTLE_RATE_KEYS} for b, c in self.broker_configs.items()
        }
        lists = {
            n: {k: v for k, v in t.overrides.items() if k in THROTTLED_REPLICAS}
            for n, t in self.topics.items()
        }
        return {
            "brokers": {b: r for b, r in rates.items() if r},
            "topics": {n: x for n, x in lists.items() if x},
        }

    # --- reads ---------------------------------------------------------------------

    def check_connection(self) -> None:
        self._call("check_connection", ())

    def snapshot(self, scope: Scope = None) -> ClusterState:
        self._call("snapshot", _recorded(scope))
        listed = []
        for name in self.topics:
            if self._hidden.get(name, 0) > 0:
                self._hidden[name] -= 1
                continue
            listed.append(name)
        described = in_scope(scope, listed)
        self.described.append(tuple(described))
        return ClusterState(
            self.cluster_id,
            self.brokers,
            {name: self.topics[name] for name in described},
            controller_id=self.brokers[0].id,
            others=frozenset(listed) - set(described),
        )

    def ongoing_reassignments(self) -> dict[TopicPartition, tuple[int, ...]]:
        self._call("ongoing_reassignments")
        for tp in sorted(self.polls_left):
            self.polls_left[tp] -= 1
            if self.polls_left[tp] <= 0:
                self._land(tp)
        return dict(self.moving)

    def broker_throttles(self, brokers: Collection[int] | None = None) -> dict[int, dict[str, str]]:
        self._call("broker_throttles")
        found = {
            broker: {k: v for k, v in configs.items() if k in THROTTLE_RATE_KEYS}
            for broker, configs in sorted(self.broker_configs.items())
            if brokers is None or broker in brokers
        }
        return {broker: rates for broker, rates in found.items() if rates}

    def list_groups(self) -> list[GroupListing]:
        self._call("list_groups")
        return [GroupListing(g, s.state, "consumer") for g, s in sorted(self.groups.items()) if s.exists]

    def topic_configs(self, topics: Collection[str]) -> dict[str, tuple[TopicConfigValue, ...]]:
        self._call("topic_configs", tuple(sorted(topics)))
        return {
            name: tuple(
                TopicConfigValue(key, e.value, e.source, e.source.name, e.sensitive)
                for key, e in sorted(self.topics[name].configs.items())
            )
            for name in sorted(topics)
            if name in self.topics
        }

    def broker_values(self, keys: Collection[str]) -> dict[int, dict[str, str]]:
        self._call("broker_values")
        return {
            b.id: {
                k: v for k, v in {**BROKER_CONFIGS, **self.broker_configs.get(b.id, {})}.items() if k in keys
            }
            for b in self.brokers
        }

    def replica_sizes(
        self, topics: Collection[str] | None = None, brokers: Collection[int] | None = None
    ) -> dict[TopicPartition, dict[int, int]]:
        self._call("replica_sizes", tuple(sorted(topics)) if topics is not None else ())
        return {
            tp: {b: n for b, n in by_broker.items() if brokers is None or b in brokers}
            for tp, by_broker in self.sizes.items()
            if topics is None or tp[0] in topics
        }

    def read_messages(self, request: ReadRequest) -> Iterator[Message]:
        self._call("read_messages", (request.topic,))
        if request.group is not None:
            committed = self.groups[request.group].committed if request.group in self.groups else {}
            count = len(self.topics[request.topic].partitions)
            starts = {
                (request.topic, p): committed.get(
                    (request.topic, p),
                    0 if request.from_beginning else len(self.log.get((request.topic, p), [])),
                )
                for p in range(count)
            }
        else:
            starts = dict(request.positions)
        read = [m for tp, start in sorted(starts.items()) for m in self.log.get(tp, [])[start:]]
        yield from read[: request.limit]

    def write_messages(self, topic: str, records: Sequence[Record], *, acks: str = "all") -> list[Delivery]:
        self._call("write_messages", (Target.topic(topic),))
        count = len(self.topics[topic].partitions)
        out = []
        for r in records:
            partition = r.partition if r.partition is not None else zlib.crc32(r.key or b"") % count
            refused = self._refused("write_messages", Target.topic(topic), False)
            if partition >= count or refused:
                out.append(
                    Delivery(r.line, partition, None, refused or "_UNKNOWN_PARTITION: Unknown partition")
                )
                continue
            entries = self.log.setdefault((topic, partition), [])
            entries.append(Message(topic, partition, len(entries), 0, "create", r.key, r.value, r.headers))
            out.append(Delivery(r.line, partition, len(entries) - 1))
        return out

    def describe_groups(self, groups: Collection[str]) -> dict[str, GroupState]:
        self._call("describe_groups", tuple(sorted(groups)))
        return {g: self.groups.get(g) or GroupState.absent(g) for g in groups}

    def watermarks(self, partitions: Collection[TopicPartition]) -> dict[TopicPartition, Watermarks]:
        self._call("watermarks")
        return {tp: self.marks.get(tp, Watermarks(0, 0)) for tp in partitions}

    def offsets_for_times(
        self, partitions: Collection[TopicPartition], timestamp_ms: int
    ) -> dict[TopicPartition, int]:
        """The first offset with a timestamp at or after `timestamp_ms`; the log end where none is."""
        self._call("offsets_for_times")
        found = {}
        for tp in partitions:
            marks = self.marks.get(tp, Watermarks(0, 0))
            later = [i for i, ts in enumerate(self.timestamps.get(tp, ())) if ts >= timestamp_ms]
            found[tp] = marks.start + later[0] if later else marks.end
        return found

    def applied_resets(self) -> dict[str, AppliedReset]:
        self._call("applied_resets")
        return dict(self.ledger)

    # --- writes --------------------------------------------------------------------

    def create_topics(self, actions: Sequence[CreateTopic], *, validate_only: bool = False) -> list[Outcome]:
        self._write("create_topics", actions, validate_only)
        results = []
        for a in actions:
            error = self._refused("create_topics", a.target, validate_only)
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
        self._write("create_partitions", actions, validate_only)
        results = []
        for a in actions:
            topic = self.topics.get(a.topic)
            error = self._refused("create_partitions", a.target, validate_only)
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
        self._write("alter_configs", actions, validate_only)
        results = []
        for a in actions:
            topic = self.topics.get(a.topic)
            error = self._refused("alter_configs", a.target, validate_only)
            if not error and topic is None:
                error = _unknown_topic(a.topic)
            error = error or _unknown_config({c.key: c.after or "" for c in a.changes})
            if not error and not validate_only and topic is not None:
                self.set_overrides(a.topic, {c.key: c.after for c in a.changes})
            results.append(Outcome(a.target, not error, error))
        return results

    def delete_topics(self, actions: Sequence[DeleteTopic]) -> list[Outcome]:
        self._write("delete_topics", actions, False)
        results = []
        for a in actions:
            error = self._refused("delete_topics", a.target, False)
            if not error and a.topic not in self.topics:
                error = _unknown_topic(a.topic)
            if not error:
                del self.topics[a.topic]
            results.append(Outcome(a.target, not error, error))
        return results

    def reassign_partitions(self, actions: Sequence[ReassignReplicas]) -> list[Outcome]:
        self._write("reassign_partitions", actions, False)
        results = []
        for a in actions:
            error = self._refused("reassign_partitions", a.target, False)
            error = error or ("" if a.topic in self.topics else _unknown_topic(a.topic))
            if not error:
                for m in a.moves:
                    self.start_move((a.topic, m.partition), m.after, self.polls_to_finish)
                    if not self.polls_to_finish:
                        self._land((a.topic, m.partition))
            results.append(Outcome(a.target, not error, error))
        return results

    def cancel_reassignments(self, partitions: Collection[TopicPartition]) -> list[Outcome]:
        topics = sorted({t for t, _ in partitions})
        self._call("cancel_reassignments", tuple(Target.topic(t) for t in topics))
        for tp in sorted(set(partitions) & set(self.moving)):
            # Back to the replicas from before the move, as Kafka's cancel does.
            topic, pid = tp
            current = next(p for p in self.topics[topic].partitions if p.id == pid)
            origin = self._origin.pop(tp, tuple(b for b in current.replicas if b not in self.moving[tp]))
            self._set_partition(tp, replace(current, replicas=origin, isr=origin))
            del self.moving[tp]
            self.polls_left.pop(tp, None)
        # Nothing to cancel (the move already landed) is a success, as the adapter answers it.
        results = []
        for t in topics:
            error = self._refused("cancel_reassignments", Target.topic(t), False)
            results.append(Outcome(Target.topic(t), not error, error))
        return results

    def set_replication_throttle(self, throttle: ReplicationThrottle) -> list[Outcome]:
        self._call("set_replication_throttle", throttle.topics)
        results = []
        for broker in throttle.brokers:
            error = self._refused("set_replication_throttle", Target.broker(broker), False)
            if not error:
                rates = dict.fromkeys(THROTTLE_RATE_KEYS, str(throttle.rate))
                self.broker_configs.setdefault(broker, {}).update(rates)
            results.append(Outcome(Target.broker(broker), not error, error))
        for name in throttle.topics:
            error = self._refused("set_replication_throttle", Target.topic(name), False)
            error = error or ("" if name in self.topics else _unknown_topic(name))
            if not error:
                lists = (
                    (LEADER_THROTTLED_REPLICAS, throttle.leaders),
                    (FOLLOWER_THROTTLED_REPLICAS, throttle.followers),
                )
                self.set_overrides(name, {key: by_topic[name] for key, by_topic in lists if name in by_topic})
            results.append(Outcome(Target.topic(name), not error, error))
        return results

    def clear_replication_throttle(self, brokers: Collection[int], topics: Collection[str]) -> list[Outcome]:
        self._call("clear_replication_throttle", tuple(sorted(topics)))
        results = []
        for broker in sorted(brokers):
            error = self._refused("clear_replication_throttle", Target.broker(broker), False)
            if not error:
                for key in THROTTLE_RATE_KEYS:
                    self.broker_configs.get(broker, {}).pop(key, None)
            results.append(Outcome(Target.broker(broker), not error, error))
        for name in sorted(topics):
            error = self._refused("clear_replication_throttle", Target.topic(name), False)
            error = error or ("" if name in self.topics else _unknown_topic(name))
            if not error:
                self.set_overrides(name, dict.fromkeys(THROTTLED_REPLICAS))
            results.append(Outcome(Target.topic(name), not error, error))
        return results

    def elect_preferred_leaders(self, partitions: Collection[TopicPartition]) -> list[Outcome]:
        wanted: dict[str, set[int]] = {}
        for name, pid in partitions:
            wanted.setdefault(name, set()).add(pid)
        self._call("elect_preferred_leaders", tuple(Target.topic(t) for t in sorted(wanted)))
        self.elected.append(tuple(sorted(partitions)))
        results = []
        for name in sorted(wanted):
            error = self._refused("elect_preferred_leaders", Target.topic(name), False)
            topic = self.topics.get(name)
            error = error or ("" if topic else _unknown_topic(name))
            if not error and topic is not None:
                parts = tuple(
                    replace(p, leader=p.replicas[0]) if p.id in wanted[name] and p.replicas else p
                    for p in topic.partitions
                )
                self.topics[name] = replace(topic, partitions=parts)
            results.append(Outcome(Target.topic(name), not error, error))
        return results

    def commit_offsets(self, group: str, offsets: Mapping[TopicPartition, int]) -> Outcome:
        self._call("commit_offsets", (Target.group(group),))
        error = self._refused("commit_offsets", Target.group(group), False)
        if not error:
            self.commits.append((group, dict(offsets)))
            state = self.groups.get(group) or GroupState(group, ConsumerGroupState.EMPTY)
            committed = {**state.committed, **offsets}
            self.groups[group] = replace(state, committed=MappingProxyType(committed), exists=True)
        return Outcome(Target.group(group), not error, error)

    def record_reset(self, record: AppliedReset) -> Outcome:
        self._call("record_reset", (record.id,))
        error = self._refused("record_reset", Target.group(record.group), False)
        if not error:
            self.ledger[record.id] = record
        return Outcome(Target.group(record.group), not error, error)

    def lock_records(self) -> list[LockRecord]:
        self._call("lock_records")
        return list(self.lock_log)

    def append_lock_record(self, record: LockRecord) -> str:
        self._call("append_lock_record", (record.lock_id,))
        self.lock_log.append(record)
        return ""

    # --- plumbing ------------------------------------------------------------------

    def _write(
        self,
        method: PortMethod,
        actions: Iterable[CreateTopic | AddPartitions | AlterConfigs | DeleteTopic | ReassignReplicas],
        validate_only: bool,
    ) -> None:
        self._call(method, tuple(a.target for a in actions), validate_only)

    def _land(self, tp: TopicPartition) -> None:
        target = self.lands_on.get(tp, self.moving.pop(tp))
        self.polls_left.pop(tp, None)
        self._origin.pop(tp, None)
        topic, pid = tp
        current = next(p for p in self.topics[topic].partitions if p.id == pid)
        leader = current.leader if current.leader in target else target[0]
        self._set_partition(tp, Partition(pid, target, target, leader))

    def _set_partition(self, tp: TopicPartition, partition: Partition) -> None:
        topic = self.topics[tp[0]]
        parts = tuple(partition if p.id == tp[1] else p for p in topic.partitions)
        self.topics[tp[0]] = replace(topic, partitions=parts)

    def set_overrides(self, name: str, changes: Mapping[str, str | None]) -> None:
        """Set each key to its value, or delete it where the value is None."""
        overrides: dict[str, str] = dict(self.topics[name].overrides)
        for key, value in changes.items():
            if value is None:
                overrides.pop(key, None)
            else:
                overrides[key] = value
        self.topics[name] = replace(self.topics[name], configs=_configs(overrides))

    def _partitions(self, first: int, count: int, rf: int) -> tuple[Partition, ...]:
        ids = [b.id for b in self.brokers]
        out = []
        for pid in range(first, first + count):
            replicas = tuple(ids[(pid + i) % len(ids)] for i in range(min(rf, len(ids))))
            out.append(Partition(pid, replicas, replicas, replicas[0]))
        return tuple(out)


def _recorded(scope: Scope) -> tuple[str, ...]:
    """A snapshot's scope as a call records it: the names asked for (a spec's, or given), sorted."""
    if scope is None:
        return ()
    return tuple(sorted(scope.topics if isinstance(scope, ReadScope) else scope))


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


_: ClusterAdmin = InMemoryCluster()  # mypy proves here that the fake satisfies the Protocol
