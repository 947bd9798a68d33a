"""The access sections of a spec: `users:` (SCRAM), `acls:` and `quotas:`, read from every document
(already shape-checked) into one `AccessSpec`, with `apps:` turned into ACLs by `kadmin.spec.apps`.

Owns the checks that need more than the schema: a password written in the spec (refused,
and never repeated in the error), a user, quota entity or app declared twice, operations
that mean nothing on a resource type, quota values that are not positive. Duplicate ACL
bindings from several entries or apps collapse into one that names every source.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kadmin.core.access import (
    ANY_HOST,
    CLUSTER_RESOURCE_NAME,
    MIN_SCRAM_ITERATIONS,
    AclBinding,
    AclOperation,
    AclPermission,
    PatternType,
    QuotaEntity,
    QuotaEntityType,
    QuotaKey,
    ResourceType,
    ScramMechanism,
)
from kadmin.core.access_spec import AccessSpec, DesiredAcl, PasswordSource, QuotaSpec, ScramUserSpec
from kadmin.core.durations import UnitError
from kadmin.core.errors import Location
from kadmin.spec.apps import read_apps
from kadmin.spec.findings import Findings
from kadmin.spec.units import parse_size_bytes
from kadmin.spec.yamlpos import Document, Path

SECTIONS = ("users", "acls", "quotas", "apps")
DEFAULT_ENTITY = "<default>"
"""How a spec (and Kafka's tools) name the default user or client id of a quota."""

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
APPLICABLE: Mapping[ResourceType, frozenset[AclOperation]] = {
    ResourceType.TOPIC: frozenset(
        {
            AclOperation.READ,
            AclOperation.WRITE,
            AclOperation.CREATE,
            AclOperation.DELETE,
            AclOperation.ALTER,
            AclOperation.DESCRIBE,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS,
        }
    ),
    ResourceType.GROUP: frozenset({AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE}),
    ResourceType.CLUSTER: frozenset(
        {
            AclOperation.CREATE,
            AclOperation.CLUSTER_ACTION,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE,
            AclOperation.ALTER,
            AclOperation.DESCRIBE,
        }
    ),
    ResourceType.TRANSACTIONAL_ID: frozenset({AclOperation.DESCRIBE, AclOperation.WRITE}),
    ResourceType.DELEGATION_TOKEN: frozenset({AclOperation.DESCRIBE}),
}
"""What Kafka's authorizer checks on each resource type (Kafka docs, "Operations and Resources on
Protocols"); `all` applies everywhere. An ACL for anything else is accepted by Kafka and never used."""


@dataclass(slots=True)
class AclCollector:
    """Bindings in the order first asked for, each with every source that asks for it."""

    sources: dict[AclBinding, list[str]] = field(default_factory=dict)

    def add(self, binding: AclBinding, source: str) -> None:
        found = self.sources.setdefault(binding, [])
        if source not in found:
            found.append(source)

    def acls(self) -> tuple[DesiredAcl, ...]:
        return tuple(DesiredAcl(b, tuple(s)) for b, s in self.sources.items())


def read_access(documents: Sequence[Document], findings: Findings) -> AccessSpec:
    """The access sections of all `documents`, merged; problems go to `findings`."""
    declared = {s for doc in documents if isinstance(doc.data, dict) for s in SECTIONS if s in doc.data}
    collector = AclCollector()
    users: dict[str, ScramUserSpec] = {}
    quotas: dict[QuotaEntity, QuotaSpec] = {}
    apps = read_apps(documents, collector, findings)
    for doc in documents:
        if not isinstance(doc.data, dict):
            continue
        body = doc.data.get("users")
        if isinstance(body, dict):
            for name in body:
                _user(doc, name, users, findings)
        entries = doc.data.get("acls")
        if isinstance(entries, list):
            for index in range(len(entries)):
                _acl(doc, index, collector, findings)
        entries = doc.data.get("quotas")
        if isinstance(entries, list):
            for index in range(len(entries)):
                _quota(doc, index, quotas, findings)
    return AccessSpec(
        acls=collector.acls(),
        users=tuple(users[n] for n in sorted(users)),
        quotas=tuple(quotas[e] for e in sorted(quotas, key=str)),
        apps=apps,
        declared=frozenset(declared),
    )


# --- users -----------------------------------------------------------------------


def _user(doc: Document, name: str, users: dict[str, ScramUserSpec], findings: Findings) -> None:
    path = ("users", name)
    here = doc.positions.key(path)
    if name in users:
        first = users[name].origin
        earlier = f" (first at {first.spot})" if first is not None else ""
        findings.error(here, f"is declared a second time{earlier}", "a user is declared once, in one file")
        return
    if not doc.sound(path):
        return
    body: dict[str, Any] = doc.data["users"][name]
    source = password_source(doc, path, body["password"], name, findings)
    if source is None:
        return
    users[name] = ScramUserSpec(
        user=name,
        mechanism=ScramMechanism(body.get("mechanism", ScramMechanism.SCRAM_SHA_512.value)),
        iterations=body.get("iterations", MIN_SCRAM_ITERATIONS),
        password=source,
        origin=here,
    )


def password_source(
    doc: Document, user_path: Path, raw: object, user: str, findings: Findings
) -> PasswordSource | None:
    """Where the password at `user_path`.password is read: ``${NAME}`` or ``{file: path}`` (relative
    to the spec file); anything else is refused without repeating it."""
    here = doc.positions.value((*user_path, "password"))
    if isinstance(raw, dict):
        relative: str = raw["file"]
        return PasswordSource(file=os.path.normpath(os.path.join(os.path.dirname(doc.file), relative)))
    assert isinstance(raw, str)
    match = _ENV_REFERENCE.fullmatch(raw.strip())
    if match:
        return PasswordSource(env=match.group(1))
    # Never quote the value: it may be the password itself.
    if "${" in raw:
        message = "must name one environment variable as ${NAME}, with no default or other text"
        hint = "a default or surrounding text would put (part of) a password in the spec"
    else:
        message = f"is the password of {user} written out; a spec never holds a password"
        hint = "put it in an environment variable and write ${NAME}, or in a file and write {file: path}"
    findings.error(here, message, hint)
    return None


# --- acls ------------------------------------------------------------------------


def _acl(doc: Document, index: int, collector: AclCollector, findings: Findings) -> None:
    path = ("acls", index)
    if not doc.sound(path):
        return
    body: dict[str, Any] = doc.data["acls"][index]
    here = doc.positions.value(path)
    kind = ResourceType(body["resource_type"])
    pattern = PatternType(body.get("pattern", PatternType.LITERAL.value))
    name = body.get("name")
    if kind is ResourceType.CLUSTER:
        if name not in (None, CLUSTER_RESOURCE_NAME) or pattern is not PatternType.LITERAL:
            findings.error(
                doc.positions.value((*path, "name" if name is not None else "pattern")),
                f"is not the cluster resource (a cluster ACL is on {CLUSTER_RESOURCE_NAME}, literal)",
                "leave name and pattern out for resource_type: cluster",
            )
            return
        name = CLUSTER_RESOURCE_NAME
    elif name is None:
        findings.error(here, f"names no {kind} (add name:)", "write name: NAME, or name: '*' for every one")
        return
    if name == "*" and pattern is PatternType.PREFIXED:
        findings.error(
            doc.positions.value((*path, "pattern")),
            "is prefixed on the name *, which Kafka refuses",
            "a literal * already matches every name: leave pattern out",
        )
        return
    ok = True
    operations = []
    for i, text in enumerate(body["operations"]):
        operation = AclOperation(text)
        if operation is not AclOperation.ALL and operation not in APPLICABLE[kind]:
            usable = ", ".join(sorted(o.value for o in APPLICABLE[kind]))
            findings.error(
                doc.positions.value((*path, "operations", i)),
                f"is not an operation Kafka checks on a {kind} (found {text})",
                f"on a {kind}: {usable} or all",
            )
            ok = False
        operations.append(operation)
    if not ok:
        return
    source = f"acls[{index}] at {here.spot}"
    for operation in operations:
        binding = AclBinding(
            principal=body["principal"],
            resource_type=kind,
            resource_name=name,
            pattern_type=pattern,
            operation=operation,
            permission=AclPermission(body.get("permission", AclPermission.ALLOW.value)),
            host=body.get("host", ANY_HOST),
        )
        collector.add(binding, source)


# --- quotas ----------------------------------------------------------------------


def _quota(doc: Document, index: int, quotas: dict[QuotaEntity, QuotaSpec], findings: Findings) -> None:
    path = ("quotas", index)
    if not doc.sound(path):
        return
    body: dict[str, Any] = doc.data["quotas"][index]
    here = doc.positions.value(path)
    entity = quota_entity(body, here, findings)
    if entity is None:
        return
    if entity in quotas:
        first = quotas[entity].origin
        earlier = f" (first at {first.spot})" if first is not None else ""
        findings.error(here, f"sets quotas of {entity} a second time{earlier}", "merge the two entries")
        return
    values = quota_values(doc, path, body, findings)
    if values is not None:
        quotas[entity] = QuotaSpec(entity, MappingProxyType(values), here)


def quota_entity(body: Mapping[str, Any], here: Location, findings: Findings) -> QuotaEntity | None:
    """The user, client id or both a quota entry names (``<default>`` for Kafka's default entity)."""
    parts: dict[QuotaEntityType, str | None] = {}
    for key, entity_type in (("user", QuotaEntityType.USER), ("client_id", QuotaEntityType.CLIENT_ID)):
        if key in body:
            parts[entity_type] = None if body[key] == DEFAULT_ENTITY else body[key]
    if not parts:
        findings.error(here, "names no user and no client_id", "add user: NAME, client_id: NAME, or both")
        return None
    return QuotaEntity.of(parts)


def quota_values(
    doc: Document, path: Path, body: Mapping[str, Any], findings: Findings
) -> dict[QuotaKey, float] | None:
    """The quota values of the entry at `path`, in Kafka's units; None when one of them is refused."""
    values: dict[QuotaKey, float] = {}
    for key in QuotaKey:
        if key.value not in body:
            continue
        value = _quota_value(key, body[key.value], doc.positions.value((*path, key.value)), findings)
        if value is not None:
            values[key] = value
    return values if len(values) == sum(1 for k in QuotaKey if k.value in body) else None


def _quota_value(key: QuotaKey, raw: object, here: Location, findings: Findings) -> float | None:
    if key in (QuotaKey.PRODUCER_BYTE_RATE, QuotaKey.CONSUMER_BYTE_RATE) and isinstance(raw, str):
        try:
            number = float(parse_size_bytes(raw))
        except UnitError as err:
            findings.error(here, err.message, err.hint)
            return None
    else:
        assert isinstance(raw, int | float) and not isinstance(raw, bool)
        number = float(raw)
    if number <= 0 or number != number or number == float("inf"):
        findings.error(
            here,
            f"must be a positive number (found {raw})",
            "Kafka keeps no zero or negative quota: leave the key out to set none",
        )
        return None
    return number
