"""The `cluster:` block: name, cluster id, bootstrap, zones (broker.rack → broker ids) and the
managed scopes (regexes of topics, and of principals, whose things kadmin may delete).

Owns reading that block and the checks that need only it: a broker in two zones, a
broker listed twice, a `manage` pattern that is not a regular expression. An
environment's block (``environments.NAME``) holds the same keys and is read here too,
at its own path, so that both stay in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kadmin.core.errors import Location
from kadmin.core.model import ClusterSpec
from kadmin.spec.findings import Findings
from kadmin.spec.yamlpos import Document, Path, format_path

_CLUSTER: Path = ("cluster",)


@dataclass(frozen=True, slots=True)
class ClusterRead:
    """The block as a value, and whether its zones can be trusted for further checks.

    `zones_known` is False when no zones are declared, or when part of them was
    unusable (already reported), so that "unknown zone" is not reported in cascade;
    `zones_absent` tells the first case from the second.
    """

    spec: ClusterSpec
    zones_known: bool
    zones_absent: bool
    zones_field: str = "cluster.zones"
    """Where the zones are declared, as messages name it."""


def read_cluster(doc: Document | None, findings: Findings, path: Path = _CLUSTER) -> ClusterRead:
    """The cluster block at `path` of `doc` (``cluster`` or ``environments.NAME``)."""
    body = _at(doc.data, path) if doc is not None else None
    if doc is None or not isinstance(body, dict):
        return ClusterRead(ClusterSpec(), False, body is None, format_path((*path, "zones")))
    pos = doc.positions
    zones, complete = _zones(doc, path, body.get("zones"), findings)
    manage = _patterns(doc, path, body, "manage", findings)
    principals = _patterns(doc, path, body, "manage_principals", findings)
    spec = ClusterSpec(
        name=read_text(doc, path, "name"),
        id=read_text(doc, path, "id"),
        bootstrap=read_text(doc, path, "bootstrap"),
        zones=MappingProxyType(zones),
        manage=tuple(manage),
        manage_principals=tuple(principals),
        origin=pos.key(path),
    )
    known = bool(zones) and complete and doc.sound((*path, "zones"))
    return ClusterRead(spec, known, "zones" not in body, format_path((*path, "zones")))


def _patterns(doc: Document, path: Path, body: dict[str, Any], key: str, findings: Findings) -> list[str]:
    """The regular expressions under `key` that compile; the others are reported."""
    found = []
    for i, pattern in enumerate(body.get(key) or ()):
        item = (*path, key, i)
        if not doc.sound(item):
            continue
        try:
            re.compile(pattern)
        except re.error as err:
            hint = "these are regular expressions, not globs: write .* where a glob has *"
            findings.error(
                doc.positions.value(item),
                f"is not a valid regular expression: {err.msg} (found {pattern})",
                hint,
            )
            continue
        found.append(pattern)
    return found


def read_text(doc: Document, path: Path, key: str) -> str | None:
    """The text at `path`.`key`, or None when absent or already reported broken."""
    value = _at(doc.data, (*path, key))
    return value if isinstance(value, str) and doc.sound((*path, key)) else None


def _at(data: Any, path: Path) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _zones(
    doc: Document, path: Path, raw: object, findings: Findings
) -> tuple[dict[str, tuple[int, ...]], bool]:
    if not isinstance(raw, dict):
        return {}, raw is None
    zones: dict[str, tuple[int, ...]] = {}
    owner: dict[int, tuple[str, Location]] = {}
    complete = True
    for zone, brokers in raw.items():
        zone_path = (*path, "zones", zone)
        if not doc.sound(zone_path):
            complete = False
            continue
        ids: list[int] = []
        for i, broker in enumerate(brokers):
            here = doc.positions.value((*zone_path, i))
            if broker in owner:
                first_zone, first = owner[broker]
                if first_zone == zone:
                    findings.error(
                        here,
                        f"lists broker {broker} twice (first at line {first.line}, column {first.column})",
                        "remove one of them",
                    )
                else:
                    findings.error(
                        here,
                        f"puts broker {broker} in a second zone (also in {first_zone} at {first.spot})",
                        "a broker has one broker.rack: keep it in one zone",
                    )
                continue
            owner[broker] = (zone, here)
            ids.append(broker)
        zones[zone] = tuple(ids)
    return zones, complete
