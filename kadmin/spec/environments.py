"""Environments: one spec repository, several clusters.

Owns reading each ``environments.NAME`` block (its cluster keys through `cluster_block`,
``command_config``, ``variables`` and ``overrides``) and resolving the shared topics once
per environment, with the environment's overrides above the topic's own keys (users'
password sources and quota values are overridden by `access_overrides`):

    defaults ← profile ← topic ← overrides.all ← overrides.profiles[P] ← overrides.topics[T]

A problem only some environments have names them; one every environment has (a topic
without partitions, say) is reported once, as it is without environments.
"""

from __future__ import annotations

import difflib
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path as FilePath

from kadmin.core.errors import KadminError, Location
from kadmin.core.model import DesiredState
from kadmin.spec.access_overrides import override_access
from kadmin.spec.cluster_block import read_cluster, read_text
from kadmin.spec.findings import Findings
from kadmin.spec.layers import Layer, Overrides, Rank, read_layer
from kadmin.spec.resolve import Shared, resolve_state
from kadmin.spec.yamlpos import Document, Path

SECTION = "environments"


def resolve_environments(
    shared: Shared, files: Sequence[str], names: Sequence[str], findings: Findings
) -> dict[str, DesiredState]:
    """Each of `names` (declared environments) resolved; every problem goes to `findings`."""
    states: dict[str, DesiredState] = {}
    found: dict[str, list[KadminError]] = {}
    for name in names:
        doc, _ = shared.sections.environments[name]
        own = Findings()
        states[name] = _environment(shared, files, name, doc, own)
        found[name] = own.errors
        for warning in own.warnings:
            if warning not in findings.warnings:
                findings.warnings.append(warning)
    everywhere = Counter(_key(error) for errors in found.values() for error in errors)
    for name, errors in found.items():
        for error in errors:
            if everywhere[_key(error)] == len(names) or _inside(error, name):
                findings.add(error)
            else:
                tagged = f"{error.message} (environment {name})"
                findings.add(KadminError(tagged, where=error.where, hint=error.hint))
    warnings = tuple(findings.warnings)
    return {name: replace(state, warnings=warnings) for name, state in states.items()}


def _environment(
    shared: Shared, files: Sequence[str], name: str, doc: Document, findings: Findings
) -> DesiredState:
    path: Path = (SECTION, name)
    cluster = read_cluster(doc, findings, path)
    spec = replace(
        cluster.spec,
        environment=name,
        command_config=_command_config(doc, path),
        variables=read_text(doc, path, "variables"),
    )
    overrides = _overrides(doc, (*path, "overrides"), shared, findings)
    access = override_access(doc, (*path, "overrides"), shared.access, findings)
    return resolve_state(
        replace(shared, access=access), files, replace(cluster, spec=spec), overrides, findings
    )


def _command_config(doc: Document, path: Path) -> str | None:
    """The properties file, absolute: relative paths are from the spec file that names it."""
    given = read_text(doc, path, "command_config")
    if given is None:
        return None
    file = FilePath(given).expanduser()
    if not file.is_absolute():
        file = FilePath(doc.file).resolve().parent / file
    return os.path.normpath(file)


def _overrides(doc: Document, path: Path, shared: Shared, findings: Findings) -> Overrides:
    body = _mapping(_mapping(doc.data[SECTION][path[1]]).get("overrides"))
    every = None
    if "all" in body:
        every = read_layer(doc, (*path, "all"), _mapping(body["all"]), Rank.ENV_ALL, findings)
    profiles = _named(doc, path, "profiles", body, list(shared.profiles), Rank.ENV_PROFILE, findings)
    topics = _named(doc, path, "topics", body, list(shared.sections.topics), Rank.ENV_TOPIC, findings)
    return Overrides(every, profiles, topics)


def _named(
    doc: Document,
    path: Path,
    section: str,
    body: dict[str, object],
    declared: list[str],
    rank: Rank,
    findings: Findings,
) -> dict[str, Layer]:
    """The overrides by profile or by topic; each must name one the spec declares."""
    layers: dict[str, Layer] = {}
    for name, settings in _mapping(body.get(section)).items():
        here = (*path, section, name)
        if doc.broken(here):
            continue
        if name not in declared:
            guess = difflib.get_close_matches(name, declared, n=1)
            hint = f"did you mean {guess[0]}?" if guess else f"declare it under {section}: first"
            findings.error(doc.positions.key(here), f"overrides an unknown {section[:-1]} ({name})", hint)
            continue
        layers[name] = read_layer(doc, here, _mapping(settings), rank, findings)
    return layers


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _key(error: KadminError) -> tuple[str, str]:
    return (str(error.where), error.message)


def _inside(error: KadminError, name: str) -> bool:
    """The error points into the environment's own block, which names it already."""
    where = error.where
    field = where.field if isinstance(where, Location) else ""
    return field == f"{SECTION}.{name}" or field.startswith(f"{SECTION}.{name}.")
