"""The access actions of a plan file: written as JSON and read back strictly, field by field.

No action holds a password, so neither does the file: a credential change names where
apply reads the password (``{"env": "NAME"}`` or ``{"file": "path"}``). Imports only
`kadmin.core` (and the reader's node type, for annotations).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar, assert_never

from kadmin.core.access import (
    CLUSTER_RESOURCE_NAME,
    MAX_SCRAM_ITERATIONS,
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
from kadmin.core.access_actions import (
    AccessAction,
    AlterQuota,
    CreateAcl,
    CredentialChange,
    DeleteAcl,
    DeleteScram,
    QuotaChange,
    RemoveQuota,
    UpsertScram,
)
from kadmin.core.access_spec import PasswordSource
from kadmin.core.plan import PlanInputs

if TYPE_CHECKING:
    from kadmin.plan.planfile_read import _Node

ACCESS_KINDS = frozenset(
    {CreateAcl.kind, DeleteAcl.kind, UpsertScram.kind, DeleteScram.kind, AlterQuota.kind, RemoveQuota.kind}
)

E = TypeVar("E", bound=StrEnum)


def access_action_to_document(action: AccessAction) -> dict[str, Any]:
    head = {"kind": action.kind, "target": str(action.target), "destructive": action.destructive}
    match action:
        case CreateAcl():
            return {**head, "acl": _binding(action.binding), "sources": list(action.sources)}
        case DeleteAcl():
            return {**head, "acl": _binding(action.binding)}
        case UpsertScram():
            return {
                **head,
                "user": action.user,
                "mechanism": action.mechanism.value,
                "iterations": action.iterations,
                "before_iterations": action.before_iterations,
                "change": action.change.value,
                "password": {"env": action.password.env, "file": action.password.file},
            }
        case DeleteScram():
            return {
                **head,
                "user": action.user,
                "mechanism": action.mechanism.value,
                "iterations": action.iterations,
            }
        case AlterQuota() | RemoveQuota():
            return {
                **head,
                "entity": [{"type": t.value, "name": n} for t, n in action.entity.parts],
                "changes": [
                    {"key": c.key.value, "before": c.before, "after": c.after} for c in action.changes
                ],
            }
        case _:
            assert_never(action)


def _binding(binding: AclBinding) -> dict[str, str]:
    return {
        "principal": binding.principal,
        "resource_type": binding.resource_type.value,
        "resource_name": binding.resource_name,
        "pattern_type": binding.pattern_type.value,
        "operation": binding.operation.value,
        "permission": binding.permission.value,
        "host": binding.host,
    }


def read_access_action(node: _Node, kind: str) -> AccessAction:
    """The access action of kind `kind` that `node` holds."""
    match kind:
        case CreateAcl.kind:
            return CreateAcl(
                _read_binding(node.get("acl")), tuple(s.as_str() for s in node.get("sources").items())
            )
        case DeleteAcl.kind:
            return DeleteAcl(_read_binding(node.get("acl")))
        case UpsertScram.kind:
            before = node.get("before_iterations")
            return UpsertScram(
                user=node.get("user").as_str(),
                mechanism=_enum(node.get("mechanism"), ScramMechanism),
                iterations=node.get("iterations").as_int(),
                password=_read_source(node.get("password")),
                change=_enum(node.get("change"), CredentialChange),
                before_iterations=None if before.is_null() else before.as_int(),
            )
        case DeleteScram.kind:
            return DeleteScram(
                user=node.get("user").as_str(),
                mechanism=_enum(node.get("mechanism"), ScramMechanism),
                iterations=node.get("iterations").as_int(),
            )
        case AlterQuota.kind | RemoveQuota.kind:
            entity = _read_entity(node.get("entity"))
            changes = tuple(_read_change(c) for c in node.get("changes").items())
            return AlterQuota(entity, changes) if kind == AlterQuota.kind else RemoveQuota(entity, changes)
    node.get("kind").fail(f"unknown access action kind {kind!r}")


def _read_binding(node: _Node) -> AclBinding:
    return AclBinding(
        principal=node.get("principal").as_str(),
        resource_type=_enum(node.get("resource_type"), ResourceType),
        resource_name=node.get("resource_name").as_str(),
        pattern_type=_enum(node.get("pattern_type"), PatternType),
        operation=_enum(node.get("operation"), AclOperation),
        permission=_enum(node.get("permission"), AclPermission),
        host=node.get("host").as_str(),
    )


def _read_source(node: _Node) -> PasswordSource:
    env, file = node.get("env"), node.get("file")
    if env.is_null() == file.is_null():
        node.fail("a password comes from exactly one of env and file")
    return PasswordSource(
        env=None if env.is_null() else env.as_str(), file=None if file.is_null() else file.as_str()
    )


def _read_entity(node: _Node) -> QuotaEntity:
    parts: dict[QuotaEntityType, str | None] = {}
    for part in node.items():
        entity_type = _enum(part.get("type"), QuotaEntityType)
        name = part.get("name")
        if entity_type in parts:
            part.fail(f"names the entity type {entity_type} twice")
        parts[entity_type] = None if name.is_null() else name.as_str()
    if not parts:
        node.fail("names no user and no client id")
    return QuotaEntity.of(parts)


def _read_change(node: _Node) -> QuotaChange:
    return QuotaChange(
        key=_enum(node.get("key"), QuotaKey),
        before=_number(node.get("before")),
        after=_number(node.get("after")),
    )


def _number(node: _Node) -> float | None:
    value = node.value
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        node.fail("expected a number or null")
    return float(value)


def _enum(node: _Node, kind: type[E]) -> E:
    text = node.as_str()
    try:
        return kind(text)
    except ValueError:
        node.fail(f"unknown value {text!r}; known: {', '.join(m.value for m in kind)}")


# --- the planner's rules ------------------------------------------------------------


def access_problems(action: AccessAction, inputs: PlanInputs) -> Iterator[str]:
    """What `action` asks for that no plan of its recorded inputs may: a delete without
    ``--allow-delete`` or outside ``cluster.manage_principals``, values Kafka refuses."""
    match action:
        case CreateAcl():
            yield from _binding_problems(action.binding)
        case DeleteAcl():
            yield from _binding_problems(action.binding)
            yield from _deletes(action.binding.principal, inputs, "an ACL")
        case UpsertScram():
            yield from _user(action.user)
            if not MIN_SCRAM_ITERATIONS <= action.iterations <= MAX_SCRAM_ITERATIONS:
                yield (
                    f"iterations is {action.iterations}, outside what Kafka accepts "
                    f"({MIN_SCRAM_ITERATIONS}..{MAX_SCRAM_ITERATIONS})"
                )
            if action.password.env is not None and not _ENV_NAME.fullmatch(action.password.env):
                yield f"{action.password.env!r} is not an environment variable name"
            if action.change is CredentialChange.UNKNOWN and not inputs.rotate_unknown:
                yield "sets a credential kadmin never set, but the plan was not made with --rotate-unknown"
        case DeleteScram():
            yield from _user(action.user)
            yield from _deletes(f"User:{action.user}", inputs, "a SCRAM credential")
        case AlterQuota():
            for change in action.changes:
                if change.after is None or change.after <= 0:
                    yield f"{change.key} is {change.after}, but a quota is a positive number"
        case RemoveQuota():
            if not inputs.allow_delete:
                yield "removes quota values, but the plan was not made with --allow-delete"
            principal = action.entity.principal()
            if principal is not None and not _in_scope(principal, inputs.manage_principals):
                yield _outside(principal, inputs)
            if any(c.after is not None for c in action.changes):
                yield "a quota removal sets a value"
        case _:
            assert_never(action)


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PRINCIPAL = re.compile(r"[A-Za-z][A-Za-z0-9_-]*:.+", re.DOTALL)


def _binding_problems(binding: AclBinding) -> Iterator[str]:
    if not _PRINCIPAL.fullmatch(binding.principal):
        yield f"{binding.principal!r} is not a principal (TYPE:NAME, such as User:alice)"
    if binding.resource_type is ResourceType.CLUSTER and binding.resource_name != CLUSTER_RESOURCE_NAME:
        yield f"a cluster resource is named {CLUSTER_RESOURCE_NAME}, not {binding.resource_name!r}"
    if not binding.resource_name or not binding.host:
        yield "an ACL names a resource and a host"


def _user(name: str) -> Iterator[str]:
    if not name:
        yield "names no user"


def _deletes(principal: str, inputs: PlanInputs, what: str) -> Iterator[str]:
    if not inputs.allow_delete:
        yield f"deletes {what}, but the plan was not made with --allow-delete"
    if not _in_scope(principal, inputs.manage_principals):
        yield _outside(principal, inputs)


def _outside(principal: str, inputs: PlanInputs) -> str:
    scope = ", ".join(inputs.manage_principals) or "nothing (no cluster.manage_principals)"
    return f"touches {principal}, outside the managed principals ({scope})"


def _in_scope(principal: str, patterns: tuple[str, ...]) -> bool:
    for text in patterns:
        try:
            if re.fullmatch(text, principal):
                return True
        except re.error:
            continue
    return False
