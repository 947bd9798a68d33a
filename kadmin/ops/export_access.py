"""`export_access`: the cluster's ACLs, SCRAM users and client quotas → the `acls:`, `users:` and
`quotas:` sections of a spec, so that a plan of the export against the same cluster is empty.

A user is exported with its mechanism and iterations and a `${VAR}` in place of its password,
which the cluster never reveals: the variable is named after the user, and the plan leaves
the credential alone (kadmin never set it) until the variable is set and ``--rotate-unknown``
is asked for. ACL bindings that differ only in their operation become one entry. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kadmin.core.access import (
    ANY_HOST,
    AccessState,
    AclBinding,
    AclPermission,
    PatternType,
    QuotaEntityType,
    QuotaKey,
    ResourceType,
    ScramCredential,
    ScramMechanism,
)
from kadmin.core.access_actions import BYTE_RATE_KEYS
from kadmin.spec.access_block import APPLICABLE, DEFAULT_ENTITY
from kadmin.spec.units import format_size_bytes

_NOT_IN_A_NAME = re.compile(r"[^A-Z0-9]+")


@dataclass(frozen=True, slots=True)
class ExportedAccess:
    """The access sections (plain data, empty when there is nothing), and what was left out."""

    sections: Mapping[str, Any]
    warnings: tuple[str, ...] = ()
    users: int = 0
    acls: int = 0
    quotas: int = 0


def export_access(state: AccessState) -> ExportedAccess:
    warnings: list[str] = []
    users = _users(state.scram, warnings)
    acls = _acls(state.acls, warnings)
    quotas = [_quota(q.entity.parts, q.values) for q in sorted(state.quotas, key=lambda q: str(q.entity))]
    sections: dict[str, Any] = {}
    if users:
        sections["users"] = users
    if acls:
        sections["acls"] = acls
    if quotas:
        sections["quotas"] = quotas
    return ExportedAccess(sections, tuple(warnings), len(users), len(state.acls), len(quotas))


def password_variable(user: str) -> str:
    """The environment variable an exported user's password is read from: ``svc-orders`` →
    ``SCRAM_PASSWORD_SVC_ORDERS``."""
    stem = _NOT_IN_A_NAME.sub("_", user.upper()).strip("_")
    return f"SCRAM_PASSWORD_{stem}" if stem else "SCRAM_PASSWORD"


def _users(credentials: tuple[ScramCredential, ...], warnings: list[str]) -> dict[str, Any]:
    by_user: dict[str, list[ScramCredential]] = {}
    for credential in credentials:
        by_user.setdefault(credential.user, []).append(credential)
    exported: dict[str, Any] = {}
    taken: set[str] = set()
    for user in sorted(by_user):
        found = sorted(by_user[user], key=lambda c: c.mechanism != ScramMechanism.SCRAM_SHA_512)
        kept = found[0]
        for other in found[1:]:
            warnings.append(
                f"user {user}: also has a {other.mechanism} credential; a spec keeps one mechanism per "
                f"user, so only {kept.mechanism} is exported (the other is left alone)"
            )
        variable = password_variable(user)
        while variable in taken:
            variable += "_"
        taken.add(variable)
        body: dict[str, Any] = {}
        if kept.mechanism is not ScramMechanism.SCRAM_SHA_512:
            body["mechanism"] = kept.mechanism.value
        if kept.iterations != 4096:
            body["iterations"] = kept.iterations
        body["password"] = f"${{{variable}}}"
        exported[user] = body
    return exported


def _acls(bindings: frozenset[AclBinding], warnings: list[str]) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, ResourceType, str, PatternType, AclPermission, str], list[str]] = {}
    for b in sorted(bindings):
        if b.operation.value != "all" and b.operation not in APPLICABLE[b.resource_type]:
            warnings.append(f"ACL {b}: Kafka never checks {b.operation} on a {b.resource_type}; left out")
            continue
        if b.resource_name == "*" and b.pattern_type is PatternType.PREFIXED:
            warnings.append(f"ACL {b}: a prefixed * matches nothing a literal * does not; left out")
            continue
        key = (b.principal, b.resource_type, b.resource_name, b.pattern_type, b.permission, b.host)
        grouped.setdefault(key, []).append(b.operation.value)
    entries = []
    for (principal, kind, name, pattern, permission, host), operations in grouped.items():
        entry: dict[str, Any] = {"principal": _escaped(principal), "resource_type": kind.value}
        if kind is not ResourceType.CLUSTER:
            entry["name"] = _escaped(name)
        if pattern is not PatternType.LITERAL:
            entry["pattern"] = pattern.value
        entry["operations"] = sorted(operations)
        if permission is not AclPermission.ALLOW:
            entry["permission"] = permission.value
        if host != ANY_HOST:
            entry["host"] = _escaped(host)
        entries.append(entry)
    return entries


def _quota(
    parts: tuple[tuple[QuotaEntityType, str | None], ...], values: Mapping[QuotaKey, float]
) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for entity_type, name in parts:
        key = "user" if entity_type is QuotaEntityType.USER else "client_id"
        entry[key] = DEFAULT_ENTITY if name is None else _escaped(name)
    for key in QuotaKey:
        if key in values:
            entry[key.value] = _value(key, values[key])
    return entry


def _value(key: QuotaKey, value: float) -> int | float | str:
    if value != int(value):
        return value
    whole = int(value)
    if key in BYTE_RATE_KEYS:
        return format_size_bytes(whole) or whole
    return whole


def _escaped(text: str) -> str:
    # The spec expands ${VAR} in values; a literal one is written $${.
    return text.replace("${", "$${")
