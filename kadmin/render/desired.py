"""A `DesiredState` as a plain document (dicts, lists, text, numbers) for `kadmin show`.

Owns the shape of that document: close to the spec's own, with everything resolved
(defaults and profiles applied, units and variables gone, configs as the strings Kafka
will store), topics sorted by name. It is a view, not a spec to feed back: offset
resets carry their computed values next to what was written. For one environment, each
topic also lists under ``overridden`` the values that environment's overrides set, and
where, so that a reviewer sees what differs from the shared spec; so do users and quotas
an environment's ``overrides.users`` and ``overrides.quotas`` change.
"""

from __future__ import annotations

from typing import Any

from kadmin.core.access_spec import AccessSpec
from kadmin.core.errors import Location
from kadmin.core.model import DesiredState, InZone, OffsetMode, OffsetResetSpec, Placement, Static, TopicSpec


def as_document(state: DesiredState) -> dict[str, Any]:
    document: dict[str, Any] = {"version": 1}
    cluster = state.cluster
    environment = cluster.environment
    block: dict[str, Any] = {}
    if environment:
        document["environment"] = environment
    if cluster.name:
        block["name"] = cluster.name
    if cluster.id and environment:
        block["id"] = cluster.id
    if cluster.bootstrap:
        block["bootstrap"] = cluster.bootstrap
    if cluster.zones:
        block["zones"] = {zone: list(brokers) for zone, brokers in cluster.zones.items()}
    if cluster.manage:
        block["manage"] = list(cluster.manage)
    if cluster.command_config:
        block["command_config"] = cluster.command_config
    if cluster.variables:
        block["variables"] = cluster.variables
    if cluster.manage_principals:
        block["manage_principals"] = list(cluster.manage_principals)
    if block:
        document["cluster"] = block
    document["topics"] = {name: _topic(state.topics[name], environment) for name in sorted(state.topics)}
    if state.offset_resets:
        document["offset_resets"] = [_reset(reset) for reset in state.offset_resets]
    document.update(access_document(state.access))
    return document


def access_document(access: AccessSpec) -> dict[str, Any]:
    """Users (where each password is read from, never a password), apps, every ACL binding with the
    app or entry it comes from, and quotas with their values as Kafka keeps them."""
    document: dict[str, Any] = {}
    if access.users:
        document["users"] = {
            u.user: {
                "mechanism": u.mechanism.value,
                "iterations": u.iterations,
                "password": str(u.password),
                **_access_overridden(u.overridden),
            }
            for u in access.users
        }
    if access.apps:
        document["apps"] = {
            app.name: {
                "principal": app.principal,
                "produces": list(app.produces),
                "consumes": list(app.consumes),
                "groups": list(app.groups),
                "transactional_ids": list(app.transactional_ids),
            }
            for app in access.apps
        }
    if access.acls:
        document["acls"] = [
            {
                "principal": acl.binding.principal,
                "resource_type": acl.binding.resource_type.value,
                "name": acl.binding.resource_name,
                "pattern": acl.binding.pattern_type.value,
                "operation": acl.binding.operation.value,
                "permission": acl.binding.permission.value,
                "host": acl.binding.host,
                "from": list(acl.sources),
            }
            for acl in sorted(access.acls, key=lambda a: a.binding)
        ]
    if access.quotas:
        document["quotas"] = [
            {
                **{t.value: "<default>" if n is None else n for t, n in q.entity.parts},
                **{k.value: v for k, v in sorted(q.values.items())},
                **_access_overridden(q.overridden),
            }
            for q in access.quotas
        ]
    return document


def _access_overridden(overridden: tuple[tuple[str, Location], ...]) -> dict[str, Any]:
    """``overridden: {field: overrides.users.NAME (FILE:LINE)}`` for what an environment changed."""
    if not overridden:
        return {}
    out: dict[str, str] = {}
    for field_name, where in overridden:
        # The field is the last step of the written path; the environment's prefix goes too.
        written = where.field.removesuffix(f".{field_name}").split(".", 2)[-1]
        out[field_name] = f"{written} ({where.file}:{where.line})"
    return {"overridden": out}


def _topic(topic: TopicSpec, environment: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "partitions": topic.partitions,
        "replication_factor": topic.replication_factor,
        "placement": _placement(topic.placement),
    }
    if topic.profile:
        body["profile"] = topic.profile
    body["configs"] = dict(sorted(topic.configs.items()))
    if environment:
        overridden = _overridden(topic, environment)
        if overridden:
            body["overridden"] = overridden
    return body


def _overridden(topic: TopicSpec, environment: str) -> dict[str, str]:
    """Each value the environment's overrides set: ``field: overrides.LEVEL (FILE:LINE)``."""
    prefix = f"environments.{environment}."
    levels = ["overrides.all", f"overrides.topics.{topic.name}"]
    if topic.profile:
        levels.append(f"overrides.profiles.{topic.profile}")
    out: dict[str, str] = {}
    for field_name, where in sorted(topic.origins.items()):
        written = where.field.removeprefix(prefix)
        # Names hold dots, so the level is matched whole, not split off at a dot.
        level = next((lv for lv in levels if written == lv or written.startswith(f"{lv}.")), None)
        if where.field.startswith(prefix) and level is not None:
            out[field_name] = f"{level} ({where.file}:{where.line})"
    return out


def _placement(placement: Placement) -> Any:
    if isinstance(placement, InZone):
        return {"zone": placement.zone}
    if isinstance(placement, Static):
        return {"replicas": [list(replicas) for replicas in placement.replicas]}
    return "spread"


def _reset(reset: OffsetResetSpec) -> dict[str, Any]:
    reset_to = reset.to
    to: Any
    match reset_to.mode:
        case OffsetMode.EARLIEST | OffsetMode.LATEST | OffsetMode.CURRENT:
            to = reset_to.mode.value
        case OffsetMode.OFFSET | OffsetMode.SHIFT_BY:
            to = {reset_to.mode.value: reset_to.value}
        case OffsetMode.DATETIME:
            to = {"datetime": reset_to.text, "epoch_ms": reset_to.value}
        case OffsetMode.DURATION:
            to = {"duration": reset_to.text, "ms": reset_to.value}
        case OffsetMode.FILE:
            rows = sorted((reset_to.file_offsets or {}).items())
            to = {
                "file": reset_to.text,
                "offsets": [{"topic": t, "partition": p, "offset": offset} for (t, p), offset in rows],
            }
    topics = {name: list(parts) if parts else "all" for name, parts in sorted(reset.topics.items())}
    return {"id": reset.id, "group": reset.group, "topics": topics, "to": to}
