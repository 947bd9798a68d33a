"""The access actions of a plan: ACL bindings created or deleted, SCRAM credentials set or deleted,
client-quota values set or removed. Part of `kadmin.core.actions.Action`.

No action holds a password: a credential change names where the password is read from
(`PasswordSource`), and apply reads it there again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from kadmin.core.access import AclBinding, QuotaEntity, QuotaKey, ScramKey, ScramMechanism
from kadmin.core.access_spec import PasswordSource
from kadmin.core.targets import Target


@dataclass(frozen=True, slots=True)
class CreateAcl:
    kind: ClassVar[str] = "create_acl"
    destructive: ClassVar[bool] = False

    binding: AclBinding
    sources: tuple[str, ...] = ()
    """Where the spec asks for it: ``app NAME at FILE:LINE:COL`` or ``acls[I] at FILE:LINE:COL``."""

    @property
    def target(self) -> Target:
        return Target.acl(self.binding)


@dataclass(frozen=True, slots=True)
class DeleteAcl:
    kind: ClassVar[str] = "delete_acl"
    destructive: ClassVar[bool] = True

    binding: AclBinding

    @property
    def target(self) -> Target:
        return Target.acl(self.binding)


class CredentialChange(StrEnum):
    """Why a credential is set."""

    CREATE = "create"
    ROTATE = "rotate"
    """The spec's password is not the one kadmin last set."""
    ITERATIONS = "iterations"
    UNKNOWN = "unknown"
    """kadmin never set this credential, so whether the password matches is unknown (``--rotate-unknown``)."""


@dataclass(frozen=True, slots=True)
class UpsertScram:
    kind: ClassVar[str] = "upsert_scram"
    destructive: ClassVar[bool] = False

    user: str
    mechanism: ScramMechanism
    iterations: int
    password: PasswordSource
    change: CredentialChange
    before_iterations: int | None = None

    @property
    def key(self) -> ScramKey:
        return ScramKey(self.user, self.mechanism)

    @property
    def target(self) -> Target:
        return Target.credential(self.key)


@dataclass(frozen=True, slots=True)
class DeleteScram:
    kind: ClassVar[str] = "delete_scram"
    destructive: ClassVar[bool] = True

    user: str
    mechanism: ScramMechanism
    iterations: int

    @property
    def key(self) -> ScramKey:
        return ScramKey(self.user, self.mechanism)

    @property
    def target(self) -> Target:
        return Target.credential(self.key)


@dataclass(frozen=True, slots=True)
class QuotaChange:
    """One quota key: `before`/`after` None means "not set"."""

    key: QuotaKey
    before: float | None
    after: float | None


@dataclass(frozen=True, slots=True)
class AlterQuota:
    """Quota values set on one entity (new or changed)."""

    kind: ClassVar[str] = "alter_quota"
    destructive: ClassVar[bool] = False

    entity: QuotaEntity
    changes: tuple[QuotaChange, ...]

    @property
    def target(self) -> Target:
        return Target.quota(self.entity)


@dataclass(frozen=True, slots=True)
class RemoveQuota:
    """Quota values removed from one entity (the spec no longer sets them)."""

    kind: ClassVar[str] = "remove_quota"
    destructive: ClassVar[bool] = True

    entity: QuotaEntity
    changes: tuple[QuotaChange, ...]

    @property
    def target(self) -> Target:
        return Target.quota(self.entity)


AccessAction = CreateAcl | DeleteAcl | UpsertScram | DeleteScram | AlterQuota | RemoveQuota
ACCESS_ACTIONS = (CreateAcl, DeleteAcl, UpsertScram, DeleteScram, AlterQuota, RemoveQuota)
"""The access action classes, for `isinstance`."""

BYTE_RATE_KEYS = frozenset({QuotaKey.PRODUCER_BYTE_RATE, QuotaKey.CONSUMER_BYTE_RATE})
