"""`ClusterAdmin`: the narrow Protocol the rest of kadmin uses to read and change a cluster.

Each write takes a batch of one action kind and answers per target, because Kafka
answers per resource: one failed topic never hides the ones that succeeded.
Implementations: `cluster.confluent.ConfluentAdmin` (a real cluster) and the
in-memory fake in the tests.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from kadmin.model import AppliedReset, ClusterState, GroupState, TopicPartition, Watermarks
from kadmin.reconcile.actions import (
    AddPartitions,
    AlterConfigs,
    CreateTopic,
    DeleteTopic,
    ReassignReplicas,
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one write for one target (``topic:orders``, ``group:billing``)."""

    target: str
    ok: bool
    error: str = ""


class ClusterAdmin(Protocol):
    def snapshot(self, topics: Collection[str] | None = None) -> ClusterState:
        """Brokers, and topics with partitions and configs; all topics when `topics` is None."""
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
