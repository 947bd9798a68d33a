"""`kadmin describe user NAME`: one principal's SCRAM credentials, ACL bindings and client quotas,
from the batched reads of `ClusterAdmin.access_state`, filtered to ``User:NAME`` after the read.

Which quota applies follows Kafka's precedence (KIP-55), most specific first, per quota key:
user + client id, user + default client id, user, default user + default client id, default user.
Never prints; never holds a password (the cluster reveals none).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from kadmin.core.access import (
    AccessReads,
    AclBinding,
    ClientQuota,
    QuotaEntity,
    QuotaEntityType,
    QuotaKey,
    ScramCredential,
)
from kadmin.core.errors import ClusterError, KadminError
from kadmin.kafka.port import ClusterAdmin


class QuotaScope(StrEnum):
    """How a quota entity matches the user."""

    USER_CLIENT = "user+client-id"
    USER_DEFAULT_CLIENT = "user+default client-id"
    USER = "user"
    DEFAULT_USER_DEFAULT_CLIENT = "default user+default client-id"
    DEFAULT_USER = "default user"


_PRECEDENCE = (
    QuotaScope.USER_DEFAULT_CLIENT,
    QuotaScope.USER,
    QuotaScope.DEFAULT_USER_DEFAULT_CLIENT,
    QuotaScope.DEFAULT_USER,
)
"""For a client id without an entity of its own: the first of these that sets a key decides it."""


@dataclass(frozen=True, slots=True)
class UserQuotaValue:
    """One quota value that matches the user, and whether it is the one Kafka enforces.

    `applies` is True for the value that decides the key for client ids without an entity of
    their own, and for every value of a user + named client id entity (it decides that client id);
    `overridden_by` names the entity whose value wins otherwise."""

    entity: QuotaEntity
    scope: QuotaScope
    key: QuotaKey
    value: float
    applies: bool
    overridden_by: QuotaEntity | None = None

    @property
    def client_id(self) -> str | None:
        return (
            self.entity.name_of(QuotaEntityType.CLIENT_ID) if self.scope is QuotaScope.USER_CLIENT else None
        )


@dataclass(frozen=True, slots=True)
class UserCredential:
    """A SCRAM credential of the user; `kadmin_set` is True when kadmin recorded its password digest."""

    credential: ScramCredential
    kadmin_set: bool


@dataclass(frozen=True, slots=True)
class UserAccess:
    """What `kadmin describe user` shows. `acls` is None when the cluster has no authorizer."""

    user: str
    credentials: tuple[UserCredential, ...]
    acls: tuple[AclBinding, ...] | None
    quotas: tuple[UserQuotaValue, ...]
    acls_unreadable: str = ""

    @property
    def principal(self) -> str:
        return f"User:{self.user}"


def describe_user(admin: ClusterAdmin, user: str) -> UserAccess:
    """The user's credentials and quotas (one read), then its ACLs (one match-all read, filtered
    here: the port has no principal filter). A cluster without an authorizer keeps no ACLs: that
    is shown, not raised."""
    state = admin.access_state(AccessReads(acls=False))
    credentials = tuple(
        UserCredential(c, c.key in state.digests) for c in sorted(state.scram) if c.user == user
    )
    quotas = user_quotas(state.quotas, user)
    acls: tuple[AclBinding, ...] | None
    unreadable = ""
    try:
        found = admin.access_state(AccessReads(scram=False, quotas=False)).acls
        acls = tuple(sorted(b for b in found if b.principal == f"User:{user}"))
    except ClusterError as err:
        if "SECURITY_DISABLED" not in err.message:
            raise
        acls, unreadable = None, err.message
    own_quota = any(q.entity.name_of(QuotaEntityType.USER) == user for q in quotas)
    if not credentials and not acls and not own_quota:
        checked = "SCRAM credential, ACL or client quota"
        if acls is None:
            checked = "SCRAM credential or client quota (its ACLs cannot be read)"
        raise KadminError(
            f"no such user: no {checked} names it",
            where=f"principal User:{user}",
            hint="check the name (case matters); a spec's users appear here once applied (`kadmin apply`)",
        )
    return UserAccess(user, credentials, acls, quotas, unreadable)


def user_quotas(quotas: tuple[ClientQuota, ...], user: str) -> tuple[UserQuotaValue, ...]:
    """Every quota value whose entity matches `user`, most specific first, each marked as applying
    or overridden (by key, as Kafka decides each quota key on its own)."""
    matched = [(scope, q) for q in quotas if (scope := _scope(q.entity, user)) is not None]
    deciding: dict[QuotaKey, QuotaEntity] = {}
    for scope in _PRECEDENCE:
        for found_scope, quota in matched:
            if found_scope is scope:
                for key in quota.values:
                    deciding.setdefault(key, quota.entity)
    order = {s: i for i, s in enumerate((QuotaScope.USER_CLIENT, *_PRECEDENCE))}
    out = []
    for scope, quota in sorted(matched, key=lambda m: (order[m[0]], str(m[1].entity))):
        for key in sorted(quota.values):
            winner = deciding.get(key)
            applies = scope is QuotaScope.USER_CLIENT or winner == quota.entity
            out.append(
                UserQuotaValue(
                    quota.entity, scope, key, quota.values[key], applies, None if applies else winner
                )
            )
    return tuple(out)


def _scope(entity: QuotaEntity, user: str) -> QuotaScope | None:
    parts: Mapping[QuotaEntityType, str | None] = dict(entity.parts)
    if QuotaEntityType.USER not in parts:
        return None
    named, client = parts[QuotaEntityType.USER], QuotaEntityType.CLIENT_ID in parts
    if named == user:
        if not client:
            return QuotaScope.USER
        return (
            QuotaScope.USER_DEFAULT_CLIENT
            if parts[QuotaEntityType.CLIENT_ID] is None
            else QuotaScope.USER_CLIENT
        )
    if named is None:
        if not client:
            return QuotaScope.DEFAULT_USER
        return QuotaScope.DEFAULT_USER_DEFAULT_CLIENT if parts[QuotaEntityType.CLIENT_ID] is None else None
    return None
