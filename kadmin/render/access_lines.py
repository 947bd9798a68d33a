"""What a plan says about access, line by line: ACLs by principal (each with the app or `acls:`
entry it comes from), SCRAM credentials (created, rotated: never a password, only where it
is read from), client quotas by entity. Prints nothing; `plan_lines` places these lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import assert_never

from kadmin.core.access import PatternType, QuotaKey
from kadmin.core.access_actions import (
    BYTE_RATE_KEYS,
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
from kadmin.render.plan_lines import Line, clean
from kadmin.spec.units import format_size_bytes


def access_lines(actions: Iterable[AccessAction]) -> list[Line]:
    """Credentials first, then ACLs under their principal, then quotas under their entity."""
    credentials: list[UpsertScram | DeleteScram] = []
    principals: dict[str, list[CreateAcl | DeleteAcl]] = {}
    quotas: dict[str, list[AlterQuota | RemoveQuota]] = {}
    for action in actions:
        match action:
            case UpsertScram() | DeleteScram():
                credentials.append(action)
            case CreateAcl() | DeleteAcl():
                principals.setdefault(action.binding.principal, []).append(action)
            case AlterQuota() | RemoveQuota():
                quotas.setdefault(str(action.entity), []).append(action)
            case _:
                assert_never(action)
    lines: list[Line] = []
    for credential in sorted(credentials, key=lambda c: (c.user, c.mechanism)):
        lines.append(_credential_line(credential))
    for principal in sorted(principals):
        acls = principals[principal]
        mark = _mark(isinstance(a, CreateAcl) for a in acls)
        lines.append(Line(0, mark, clean(f"acls of {principal}"), header=True))
        for acl in sorted(acls, key=lambda a: a.binding):
            lines.extend(_acl_lines(acl))
    for entity in sorted(quotas):
        changes = [c for q in quotas[entity] for c in q.changes]
        mark = _mark(c.before is None for c in changes) if all(c.after is not None for c in changes) else "~"
        lines.append(Line(0, mark, clean(f"quotas of {entity}"), header=True))
        for change in sorted(changes, key=lambda c: c.key):
            lines.append(Line(1, _change_mark(change), quota_change_text(change)))
    return lines


def _mark(creates: Iterable[bool]) -> str:
    found = set(creates)
    return "+" if found == {True} else "-" if found == {False} else "~"


def _credential_line(action: UpsertScram | DeleteScram) -> Line:
    head = f"user {action.user} ({action.mechanism}"
    match action:
        case UpsertScram():
            match action.change:
                case CredentialChange.CREATE:
                    text = (
                        f"{head}, {action.iterations} iterations): create credential, "
                        f"password from {action.password}"
                    )
                    return Line(0, "+", clean(text), header=True)
                case CredentialChange.ROTATE:
                    text = f"{head}): rotate credential, new password from {action.password}"
                case CredentialChange.ITERATIONS:
                    text = (
                        f"{head}): iterations {action.before_iterations} → {action.iterations}, "
                        f"credential set again, password from {action.password}"
                    )
                case CredentialChange.UNKNOWN:
                    text = (
                        f"{head}): set credential (kadmin never set it, --rotate-unknown), "
                        f"password from {action.password}"
                    )
                case _:
                    assert_never(action.change)
            return Line(0, "~", clean(text), header=True)
        case DeleteScram():
            return Line(0, "-", clean(f"{head}): delete credential (not in the spec)"), header=True)
        case _:
            assert_never(action)


def _acl_lines(action: CreateAcl | DeleteAcl) -> Iterator[Line]:
    b = action.binding
    name = f"{b.resource_name}*" if b.pattern_type is PatternType.PREFIXED else b.resource_name
    host = "" if b.host == "*" else f" from host {b.host}"
    text = f"{b.permission} {b.operation} on {b.resource_type} {name}{host}"
    if isinstance(action, CreateAcl):
        yield Line(1, "+", clean(text))
        for source in action.sources:
            yield Line(2, "", clean(f"from {source}"), marked=False)
    else:
        yield Line(1, "-", clean(f"{text} (not in the spec)"))


def _change_mark(change: QuotaChange) -> str:
    return "+" if change.before is None else "-" if change.after is None else "~"


def quota_value(key: QuotaKey, value: float | None) -> str:
    """``1MiB/s`` for a byte rate, the number as Kafka keeps it otherwise; ``(none)`` when unset."""
    if value is None:
        return "(none)"
    if key in BYTE_RATE_KEYS and value == int(value):
        nice = format_size_bytes(int(value))
        return f"{nice}/s ({int(value)})" if nice else f"{int(value)} bytes/s"
    return f"{value:g}"


def quota_change_text(change: QuotaChange) -> str:
    text = f"{change.key}: {quota_value(change.key, change.before)} → {quota_value(change.key, change.after)}"
    if change.before is None:
        text = f"{change.key}: {quota_value(change.key, change.after)}"
    return text + (" (not in the spec)" if change.after is None else "")


def access_done(action: AccessAction) -> str:
    """What an applied access action did, for the apply report."""
    match action:
        case CreateAcl():
            return "ACL created"
        case DeleteAcl():
            return "ACL deleted"
        case UpsertScram():
            return "credential created" if action.change is CredentialChange.CREATE else "credential set"
        case DeleteScram():
            return "credential deleted"
        case AlterQuota():
            return f"{len(action.changes)} quota value(s) set"
        case RemoveQuota():
            return f"{len(action.changes)} quota value(s) removed"
        case _:
            assert_never(action)


def access_attempt(action: AccessAction) -> str:
    """What an access action tried, for a failure in the apply report."""
    match action:
        case CreateAcl():
            return "create ACL"
        case DeleteAcl():
            return "delete ACL"
        case UpsertScram():
            return "set credential"
        case DeleteScram():
            return "delete credential"
        case AlterQuota():
            return "set quotas"
        case RemoveQuota():
            return "remove quotas"
        case _:
            assert_never(action)
