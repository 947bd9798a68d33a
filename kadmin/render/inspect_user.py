"""The view of `kadmin describe user NAME`: text lines and a JSON document.

Pure functions of `kadmin.ops.inspect_user.UserAccess`. Names come from users and the cluster;
the caller writes the lines literally. No password or digest is ever part of the read model.
"""

from __future__ import annotations

from typing import Any

from kadmin.core.access import AclBinding, PatternType
from kadmin.ops.inspect_user import QuotaScope, UserAccess, UserQuotaValue
from kadmin.render.access_lines import quota_value
from kadmin.render.inspect import table


def _resource(b: AclBinding) -> str:
    return f"{b.resource_name}*" if b.pattern_type is PatternType.PREFIXED else b.resource_name


def _applies(q: UserQuotaValue) -> str:
    if q.client_id is not None:
        return f"applies to client id {q.client_id}"
    if q.applies:
        return (
            "applies"
            if q.scope is QuotaScope.USER or q.scope is QuotaScope.USER_DEFAULT_CLIENT
            else ("applies (default: the user has no value of its own)")
        )
    return f"overridden by {q.overridden_by}"


def user_detail_lines(found: UserAccess) -> list[str]:
    lines = [f"user {found.user} (principal {found.principal})", ""]
    if found.credentials:
        lines.append("SCRAM credentials (the cluster never shows a password):")
        lines += [
            "  " + line
            for line in table(
                ("MECHANISM", "ITERATIONS", "SET BY"),
                [
                    (
                        c.credential.mechanism.value,
                        str(c.credential.iterations),
                        "kadmin (password digest recorded)"
                        if c.kadmin_set
                        else "not kadmin (no digest recorded)",
                    )
                    for c in found.credentials
                ],
            )
        ]
    else:
        lines.append("SCRAM credentials: none")
    lines.append("")
    if found.acls is None:
        lines.append(f"ACLs: cannot be read: {found.acls_unreadable}")
    elif not found.acls:
        lines.append(f"ACLs: none name {found.principal}")
    else:
        lines.append(f"ACLs of {found.principal}:")
        for resource_type in sorted({b.resource_type for b in found.acls}):
            lines.append(f"  {resource_type}:")
            lines += [
                f"    {b.permission} {b.operation} on {_resource(b)}"
                + (" (prefixed)" if b.pattern_type is PatternType.PREFIXED else "")
                + ("" if b.host == "*" else f" from host {b.host}")
                for b in found.acls
                if b.resource_type is resource_type
            ]
    lines.append("")
    if not found.quotas:
        lines.append("client quotas: none (neither the user's own nor a default user quota)")
        return lines
    lines.append("client quotas (Kafka's precedence, most specific first; per quota key):")
    lines += [
        "  " + line
        for line in table(
            ("ENTITY", "MATCHES AS", "QUOTA", "VALUE", "STATUS"),
            [
                (str(q.entity), q.scope.value, q.key.value, quota_value(q.key, q.value), _applies(q))
                for q in found.quotas
            ],
        )
    ]
    return lines


def user_detail_document(found: UserAccess) -> dict[str, Any]:
    return {
        "user": found.user,
        "principal": found.principal,
        "scram_credentials": [
            {
                "mechanism": c.credential.mechanism.value,
                "iterations": c.credential.iterations,
                "set_by_kadmin": c.kadmin_set,
            }
            for c in found.credentials
        ],
        "acls": None
        if found.acls is None
        else [
            {
                "permission": b.permission.value,
                "operation": b.operation.value,
                "resource_type": b.resource_type.value,
                "resource_name": b.resource_name,
                "pattern_type": b.pattern_type.value,
                "host": b.host,
            }
            for b in found.acls
        ],
        "acls_error": found.acls_unreadable or None,
        "quotas": [
            {
                "entity": {t.value: n for t, n in q.entity.parts},
                "matches_as": q.scope.value,
                "key": q.key.value,
                "value": q.value,
                "applies": q.applies,
                "client_id": q.client_id,
                "overridden_by": None if q.overridden_by is None else str(q.overridden_by),
            }
            for q in found.quotas
        ],
    }
