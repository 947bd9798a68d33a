"""`ClusterAdmin`: the narrow Protocol the rest of kadmin uses to read and change a cluster.

Each write takes a batch of one action kind and answers per target, because Kafka
answers per resource: one failed topic never hides the ones that succeeded.
Implementations: `kafka.confluent.ConfluentAdmin` (a real cluster) and the
in-memory fake in the tests.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kadmin.core.access import (
    AccessReads,
    AccessState,
    AclBinding,
    PasswordDigest,
    QuotaAlteration,
    ScramKey,
    ScramUpsert,
)
from kadmin.core.actions import (
    AddPartitions,
    AlterConfigs,
    CreateTopic,
    DeleteTopic,
    ReassignReplicas,
)
from kadmin.core.kafka_configs import FOLLOWER_THROTTLED_REPLICAS as FOLLOWER_THROTTLED_REPLICAS
from kadmin.core.kafka_configs import LEADER_THROTTLED_REPLICAS as LEADER_THROTTLED_REPLICAS
from kadmin.core.kafka_configs import THROTTLE_RATE_KEYS as THROTTLE_RATE_KEYS
from kadmin.core.model import AppliedReset, ClusterState, GroupState, ReadScope, TopicPartition, Watermarks
from kadmin.core.targets import Target

if TYPE_CHECKING:
    # Annotations only: a plan reads no groups' listings, locks or messages (start-up cost).
    from kadmin.core.inspect import GroupListing, TopicConfigValue
    from kadmin.core.lock import LockRecord
    from kadmin.core.messages import Delivery, Message, ReadRequest, Record


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one write for one target (a topic, a group, a broker)."""

    target: Target
    ok: bool
    error: str = ""
    code: str = ""
    """Kafka's name for the error (``TOPIC_ALREADY_EXISTS``), to branch on; "" when none was given."""


@dataclass(frozen=True, slots=True)
class ReplicationThrottle:
    """The throttle of one reassignment, as Kafka's reassignment tool lays it out.

    Kafka throttles only replicas that a topic lists (``partition:broker,...``):
    `leaders` names, per topic, the current replicas of each moving partition (they
    serve the copy), `followers` the replicas being added (they fetch it). The rate
    caps each of `brokers` (every broker a move reads from or writes to), in bytes/s.
    """

    rate: int
    brokers: tuple[int, ...]
    leaders: Mapping[str, str]
    followers: Mapping[str, str]

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(sorted(self.leaders.keys() | self.followers.keys()))


Scope = ReadScope | Collection[str] | None
"""What a snapshot describes: every topic (None), these names, or a spec's `ReadScope`."""


def in_scope(scope: Scope, listed: Iterable[str]) -> list[str]:
    """The names of `listed` (the topics the cluster holds) that a snapshot of `scope` describes, sorted."""
    if scope is None:
        return sorted(listed)
    if isinstance(scope, ReadScope):
        return sorted(n for n in listed if scope.covers(n))
    wanted = set(scope)
    return sorted(n for n in listed if n in wanted)


class ClusterAdmin(Protocol):
    def check_connection(self) -> None:
        """Make sure the cluster answers (connection, handshake, versions), as the first of the
        other calls would: lets a command connect while it does something else (`ops.early`)."""
        ...

    def snapshot(self, scope: Scope = None) -> ClusterState:
        """Brokers, and the topics of `scope` with partitions and configs (`in_scope`); the names
        of the cluster's other topics, from the same metadata read, in `ClusterState.others`.

        Only the described topics cost a config read: a scoped plan's cost follows its spec."""
        ...

    def create_topics(
        self, actions: Sequence[CreateTopic], *, validate_only: bool = False
    ) -> list[Outcome]: ...

    def create_partitions(
        self, actions: Sequence[AddPartitions], *, validate_only: bool = False
    ) -> list[Outcome]: ...

    def alter_configs(
        self, actions: Sequence[AlterConfigs], *, validate_only: bool = False
    ) -> list[Outcome]: ...

    def delete_topics(self, actions: Sequence[DeleteTopic]) -> list[Outcome]: ...

    def reassign_partitions(self, actions: Sequence[ReassignReplicas]) -> list[Outcome]: ...

    def ongoing_reassignments(self) -> dict[TopicPartition, tuple[int, ...]]:
        """Partitions being moved, with their target replicas."""
        ...

    def cancel_reassignments(self, partitions: Collection[TopicPartition]) -> list[Outcome]:
        """Stop the moves of `partitions` (replicas go back to the original set); one outcome per topic."""
        ...

    def set_replication_throttle(self, throttle: ReplicationThrottle) -> list[Outcome]:
        """Set the rate on the throttle's brokers and the throttled-replica lists on its topics;
        one outcome per broker and per topic."""
        ...

    def clear_replication_throttle(self, brokers: Collection[int], topics: Collection[str]) -> list[Outcome]:
        """Remove the throttle rates from `brokers` and the throttled-replica lists from `topics`."""
        ...

    def broker_throttles(self, brokers: Collection[int] | None = None) -> dict[int, dict[str, str]]:
        """Throttle rates set on each of `brokers` (all when None) (`THROTTLE_RATE_KEYS`); brokers
        without one are left out."""
        ...

    def elect_preferred_leaders(self, partitions: Collection[TopicPartition]) -> list[Outcome]:
        """Make each partition's first replica its leader; one outcome per topic.

        A partition already led by its preferred replica counts as a success.
        """
        ...

    def list_groups(self) -> list[GroupListing]:
        """Every consumer group the cluster knows, with its state and protocol (one listing)."""
        ...

    def topic_configs(self, topics: Collection[str]) -> dict[str, tuple[TopicConfigValue, ...]]:
        """Every config of each topic with its source, inherited values included (batched)."""
        ...

    def broker_values(self, keys: Collection[str]) -> dict[int, dict[str, str]]:
        """The effective value of `keys` on each live broker, whatever their source."""
        ...

    def replica_sizes(
        self, topics: Collection[str] | None = None, brokers: Collection[int] | None = None
    ) -> dict[TopicPartition, dict[int, int]]:
        """Bytes on disk of each replica, by partition then broker; one DescribeLogDirs per broker.

        `brokers` None asks every live broker; `topics` None means every topic.
        """
        ...

    def read_messages(self, request: ReadRequest) -> Iterator[Message]:
        """Messages as they arrive (per partition in offset order), until the request's limit
        or idle time; commits offsets only when the request names a group."""
        ...

    def write_messages(self, topic: str, records: Sequence[Record], *, acks: str = "all") -> list[Delivery]:
        """Write `records` in order; one `Delivery` per record, in the same order."""
        ...

    def describe_groups(self, groups: Collection[str]) -> dict[str, GroupState]:
        """State, members and committed offsets of each group."""
        ...

    def watermarks(self, partitions: Collection[TopicPartition]) -> dict[TopicPartition, Watermarks]: ...

    def offsets_for_times(
        self, partitions: Collection[TopicPartition], timestamp_ms: int
    ) -> dict[TopicPartition, int]:
        """Earliest offset whose timestamp is >= `timestamp_ms`; the log end where there is none."""
        ...

    def commit_offsets(self, group: str, offsets: Mapping[TopicPartition, int]) -> Outcome: ...

    def applied_resets(self) -> dict[str, AppliedReset]:
        """Declarative offset resets already carried out, by reset id (kadmin's ledger topic)."""
        ...

    def record_reset(self, record: AppliedReset) -> Outcome:
        """Add a carried-out reset to the ledger, so the same spec never applies it twice."""
        ...

    def lock_records(self) -> list[LockRecord]:
        """The apply lock's records, in the order the cluster keeps them (kadmin's state topic)."""
        ...

    def append_lock_record(self, record: LockRecord) -> str:
        """Append a record to the apply lock's log, durably; the error, or "" once written."""
        ...

    # --- access: ACLs, SCRAM credentials, client quotas ----------------------------------

    def access_state(self, reads: AccessReads) -> AccessState:
        """The parts of the access state `reads` asks for, each in one batched call: every ACL
        (one DescribeAcls), every SCRAM credential (one DescribeUserScramCredentials) with the
        password digests kadmin recorded (its state topic), every client quota (one
        DescribeClientQuotas). A part not asked for is not read and stays empty, so a spec
        without ACLs never needs an authorizer."""
        ...

    def create_acls(self, bindings: Sequence[AclBinding]) -> list[Outcome]:
        """Create every binding in one call; one outcome per binding (`Target.acl`)."""
        ...

    def delete_acls(self, bindings: Sequence[AclBinding]) -> list[Outcome]:
        """Delete exactly these bindings (one exact-match filter each, one call); one outcome per
        binding. A binding already gone counts as a success."""
        ...

    def upsert_scram(self, upserts: Sequence[ScramUpsert]) -> list[Outcome]:
        """Set each credential (user, mechanism, iterations, password) in one call; one outcome
        per credential (`Target.credential`)."""
        ...

    def delete_scram(self, keys: Sequence[ScramKey]) -> list[Outcome]:
        """Delete each user's credential for its mechanism in one call; one outcome per key
        (`Target.credential`)."""
        ...

    def alter_quotas(
        self, alterations: Sequence[QuotaAlteration], *, validate_only: bool = False
    ) -> list[Outcome]:
        """Set and remove client-quota values of each entity in one call; one outcome per entity
        (`Target.quota`)."""
        ...

    def record_passwords(self, records: Mapping[ScramKey, PasswordDigest | None]) -> list[Outcome]:
        """Record in kadmin's state topic the digest of the password just set for each credential
        (`PasswordDigest.encode` under `password_record_key`); None writes a tombstone (the
        credential was deleted). One outcome per key (`Target.credential`)."""
        ...
