"""The change vocabulary of a plan: one frozen value per kind of change.

Each action carries its before and after values so that it can be rendered,
saved and checked for staleness without a cluster. Renderers and the applier
`match` on `Action` and end with `assert_never`, so a new kind that one of them
forgets is a type error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from typing import ClassVar, TypeVar

from kadmin.core.access_actions import AlterQuota, CreateAcl, DeleteAcl, DeleteScram, RemoveQuota, UpsertScram
from kadmin.core.errors import Location
from kadmin.core.model import Assignment, ResetTo, frozen_map
from kadmin.core.targets import Target


@dataclass(frozen=True, slots=True)
class CreateTopic:
    kind: ClassVar[str] = "create_topic"
    destructive: ClassVar[bool] = False

    topic: str
    partitions: int
    replication_factor: int
    configs: Mapping[str, str] = field(default_factory=frozen_map)
    assignment: Assignment | None = None
    """Explicit replica lists (zone-aware placement); None lets the broker choose."""

    @property
    def target(self) -> Target:
        return Target.topic(self.topic)


@dataclass(frozen=True, slots=True)
class AddPartitions:
    kind: ClassVar[str] = "add_partitions"
    destructive: ClassVar[bool] = False

    topic: str
    before: int
    after: int
    new_assignment: Assignment | None = None
    """Replica lists for the new partitions only, in partition order."""

    @property
    def target(self) -> Target:
        return Target.topic(self.topic)


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """One config key: `before`/`after` None means "not set on the topic"."""

    key: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class AlterConfigs:
    kind: ClassVar[str] = "alter_configs"
    destructive: ClassVar[bool] = False

    topic: str
    changes: tuple[ConfigChange, ...]

    @property
    def target(self) -> Target:
        return Target.topic(self.topic)


@dataclass(frozen=True, slots=True)
class PartitionMove:
    partition: int
    before: tuple[int, ...]
    after: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ReassignReplicas:
    kind: ClassVar[str] = "reassign_replicas"
    destructive: ClassVar[bool] = False

    topic: str
    moves: tuple[PartitionMove, ...]
    reason: str = ""

    @property
    def target(self) -> Target:
        return Target.topic(self.topic)


@dataclass(frozen=True, slots=True)
class DeleteTopic:
    kind: ClassVar[str] = "delete_topic"
    destructive: ClassVar[bool] = True

    topic: str
    partitions: int

    @property
    def target(self) -> Target:
        return Target.topic(self.topic)


@dataclass(frozen=True, slots=True)
class OffsetMove:
    """One partition of a reset: committed offset (None if none) -> target."""

    topic: str
    partition: int
    before: int | None
    after: int

    @property
    def delta(self) -> int:
        """Messages replayed (negative) or skipped (positive) relative to the committed offset."""
        return self.after - (self.before if self.before is not None else self.after)


@dataclass(frozen=True, slots=True)
class ResetOffsets:
    kind: ClassVar[str] = "reset_offsets"
    destructive: ClassVar[bool] = True

    group: str
    to: ResetTo
    moves: tuple[OffsetMove, ...]
    reset_id: str | None = None
    """Set for declarative resets from a spec, which are recorded and applied once."""
    group_exists: bool = True

    @property
    def target(self) -> Target:
        return Target.group(self.group)


@dataclass(frozen=True, slots=True)
class FinishMove:
    """A replica move left running (by ``--no-wait``, or an apply that was cancelled or killed):
    wait for it, then remove its throttle and elect the preferred leaders.

    Each move's `before` is the replica list now (while copying, Kafka lists the
    target followed by the replicas being removed) and `after` its target.
    """

    kind: ClassVar[str] = "finish_move"
    destructive: ClassVar[bool] = False

    topic: str
    moves: tuple[PartitionMove, ...]

    @property
    def target(self) -> Target:
        return Target.topic(self.topic)


@dataclass(frozen=True, slots=True)
class RemoveThrottle:
    """A replication throttle no reassignment needs any more: the rates on one broker, or the
    throttled-replica lists on one topic. `configs` holds the settings removed, with their values."""

    kind: ClassVar[str] = "remove_throttle"
    destructive: ClassVar[bool] = False

    configs: Mapping[str, str]
    topic: str | None = None
    broker: int | None = None

    def __post_init__(self) -> None:
        if (self.topic is None) == (self.broker is None):
            raise ValueError("a throttle is removed from one topic or one broker")

    @property
    def target(self) -> Target:
        return Target.topic(self.topic) if self.topic is not None else Target.broker(self.broker or 0)


Action = (
    CreateTopic
    | AddPartitions
    | AlterConfigs
    | ReassignReplicas
    | DeleteTopic
    | ResetOffsets
    | FinishMove
    | RemoveThrottle
    | UpsertScram
    | CreateAcl
    | AlterQuota
    | RemoveQuota
    | DeleteAcl
    | DeleteScram
)

ACTION_ORDER: tuple[str, ...] = (
    FinishMove.kind,
    RemoveThrottle.kind,
    CreateTopic.kind,
    AddPartitions.kind,
    ReassignReplicas.kind,
    AlterConfigs.kind,
    UpsertScram.kind,
    CreateAcl.kind,
    AlterQuota.kind,
    ResetOffsets.kind,
    DeleteTopic.kind,
    RemoveQuota.kind,
    DeleteAcl.kind,
    DeleteScram.kind,
)
"""The order apply runs the phases in: moves left running are finished (and their throttles
removed) before anything else, since a partition being moved cannot be moved again; deletes
last, after everything else succeeded. Credentials come before the ACLs that let their users in,
and those before quotas; access is taken away (quota values, ACLs, then credentials) only at the
end, with the deletes.

The one home of that order: plans list their actions by it (`in_apply_order`) and the
applier runs one phase per kind in it (`in_phases`)."""

_RANK = {kind: i for i, kind in enumerate(ACTION_ORDER)}


def in_apply_order(actions: Iterable[Action]) -> tuple[Action, ...]:
    """`actions` in `ACTION_ORDER`, then by target."""
    return tuple(sorted(actions, key=lambda a: (_RANK[a.kind], a.target.kind, a.target.name)))


def in_phases(actions: Iterable[Action]) -> list[tuple[Action, ...]]:
    """`actions` in apply order, one batch per kind present; each batch holds actions of one kind."""
    return [tuple(batch) for _, batch in groupby(in_apply_order(actions), key=lambda a: a.kind)]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Something the spec asks for that kadmin will not do; a plan with refusals cannot be applied.

    A refusal that is not `blocking` holds back only its own change (the offset reset of
    a group that has members): the rest of the plan is applied, and the command exits 1.
    """

    target: Target
    message: str
    where: Location | str | None = None
    hint: str = ""
    blocking: bool = True


@dataclass(frozen=True, slots=True)
class Notice:
    """Something worth knowing that is not a change: drift kept, unmanaged topics, ..."""

    target: Target
    message: str


F = TypeVar("F", Refusal, Notice)


def by_target(findings: Iterable[F]) -> tuple[F, ...]:
    """Refusals or notices sorted by target, then message: how plans list them."""
    return tuple(sorted(findings, key=lambda f: (f.target.kind, f.target.name, f.message)))
