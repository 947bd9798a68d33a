"""An environment's overrides of the shared access sections: ``overrides.users`` and
``overrides.quotas`` inside ``environments.NAME``.

Owns resolving them over the shared `AccessSpec`:

- ``overrides.users.USER`` replaces that user's ``password`` source (``${VAR}`` or
  ``{file: path}``, the same rules as in ``users:``), ``mechanism`` or ``iterations``;
  the user must be declared under ``users:``.
- ``overrides.quotas`` entries name an entity as ``quotas:`` does; their values merge key
  by key over that entity's shared entry, which must exist (a quota only one environment
  has would hide from a reviewer of ``quotas:`` that the others have none).

Each resolved value keeps where the override is written, for ``kadmin show --env``.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from kadmin.core.access import QuotaEntity, ScramMechanism
from kadmin.core.access_spec import AccessSpec, QuotaSpec, ScramUserSpec
from kadmin.core.errors import Location
from kadmin.spec.access_block import password_source, quota_entity, quota_values
from kadmin.spec.findings import Findings
from kadmin.spec.yamlpos import Document, Path


def override_access(doc: Document, path: Path, access: AccessSpec, findings: Findings) -> AccessSpec:
    """`access` with the overrides at `path` (``environments.NAME.overrides``) applied."""
    body = _at(doc.data, path)
    if not isinstance(body, dict) or not ("users" in body or "quotas" in body):
        return access
    users = _users(doc, (*path, "users"), body.get("users"), access.users, findings)
    quotas = _quotas(doc, (*path, "quotas"), body.get("quotas"), access.quotas, findings)
    return replace(access, users=users, quotas=quotas)


def _users(
    doc: Document, path: Path, body: object, shared: tuple[ScramUserSpec, ...], findings: Findings
) -> tuple[ScramUserSpec, ...]:
    by_name = {user.user: user for user in shared}
    if not isinstance(body, dict):
        return shared
    for name, settings in body.items():
        here = (*path, name)
        if not doc.sound(here) or not isinstance(settings, dict):
            continue
        user = by_name.get(name)
        if user is None:
            guess = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f"did you mean {guess[0]}?" if guess else "declare it under users: first"
            findings.error(doc.positions.key(here), f"overrides an unknown user ({name})", hint)
            continue
        overridden: dict[str, Location] = {}
        if "password" in settings:
            source = password_source(doc, here, settings["password"], name, findings)
            if source is None:
                continue
            user = replace(user, password=source)
        if "mechanism" in settings:
            user = replace(user, mechanism=ScramMechanism(settings["mechanism"]))
        if "iterations" in settings:
            user = replace(user, iterations=settings["iterations"])
        for field_name in ("password", "mechanism", "iterations"):
            if field_name in settings:
                overridden[field_name] = doc.positions.value((*here, field_name))
        by_name[name] = replace(user, overridden=tuple(overridden.items()))
    return tuple(by_name[n] for n in sorted(by_name))


def _quotas(
    doc: Document, path: Path, entries: object, shared: tuple[QuotaSpec, ...], findings: Findings
) -> tuple[QuotaSpec, ...]:
    by_entity = {quota.entity: quota for quota in shared}
    if not isinstance(entries, list):
        return shared
    seen: dict[QuotaEntity, Location] = {}
    for index in range(len(entries)):
        here = (*path, index)
        if not doc.sound(here):
            continue
        entry: dict[str, Any] = entries[index]
        where = doc.positions.value(here)
        entity = quota_entity(entry, where, findings)
        if entity is None:
            continue
        if entity in seen:
            findings.error(
                where,
                f"overrides quotas of {entity} a second time (first at {seen[entity].spot})",
                "merge the two entries",
            )
            continue
        seen[entity] = where
        quota = by_entity.get(entity)
        if quota is None:
            findings.error(
                where,
                f"overrides quotas of {entity}, which quotas: does not declare",
                "declare the entity under quotas: with the values the other environments get, "
                "then override them here",
            )
            continue
        values = quota_values(doc, here, entry, findings)
        if values is None:
            continue
        overridden = {key.value: doc.positions.value((*here, key.value)) for key in values}
        by_entity[entity] = replace(
            quota,
            values=MappingProxyType({**quota.values, **values}),
            overridden=tuple(sorted(overridden.items())),
        )
    return tuple(by_entity[e] for e in sorted(by_entity, key=str))


def _at(data: object, path: Path) -> object:
    for step in path:
        if not isinstance(data, dict) or step not in data:
            return None
        data = data[step]
    return data
