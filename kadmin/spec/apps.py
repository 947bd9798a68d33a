"""`apps:` — an application's principal and what it does, turned into exactly the ACLs Kafka 4.x
checks for that (Kafka docs, "Authorization and ACLs" and "Operations and Resources on Protocols"):

- produces a topic: Write and Describe on it (Produce checks Write; the producer's metadata
  requests, Describe);
- consumes a topic: Read and Describe on it (Fetch and ListOffsets check Read; metadata, Describe);
- its consumer group(s): Read on the group (JoinGroup, SyncGroup, OffsetCommit and OffsetFetch
  check Read; Read implies Describe);
- transactional: Write and Describe on its transactional id(s) (InitProducerId, AddPartitionsToTxn
  and EndTxn check Write; FindCoordinator, Describe);
- idempotent: nothing more. Since Kafka 3.0 (KIP-679) a producer that may Write to any topic may
  also be idempotent; IdempotentWrite on the cluster is no longer needed.

A name ending in ``*`` is a prefix (``orders.*``: every name starting with ``orders.``), ``*``
alone is every name. Each binding names the app it comes from, so the plan says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kadmin.core.access import ANY_HOST, AclBinding, AclOperation, PatternType, ResourceType
from kadmin.core.access_spec import AppSpec
from kadmin.spec.findings import Findings
from kadmin.spec.names import name_problem
from kadmin.spec.yamlpos import Document, Path

if TYPE_CHECKING:
    from kadmin.spec.access_block import AclCollector

_PRODUCE = (AclOperation.WRITE, AclOperation.DESCRIBE)
_CONSUME = (AclOperation.READ, AclOperation.DESCRIBE)
_GROUP = (AclOperation.READ,)
_TRANSACTION = (AclOperation.WRITE, AclOperation.DESCRIBE)


def read_apps(
    documents: Sequence[Document], collector: AclCollector, findings: Findings
) -> tuple[AppSpec, ...]:
    """The apps of all `documents` (each declared once); their bindings go to `collector`."""
    apps: dict[str, AppSpec] = {}
    for doc in documents:
        body = doc.data.get("apps") if isinstance(doc.data, dict) else None
        if not isinstance(body, dict):
            continue
        for name in body:
            path = ("apps", name)
            here = doc.positions.key(path)
            if name in apps:
                first = apps[name].origin
                earlier = f" (first at {first.spot})" if first else ""
                findings.error(
                    here, f"is declared a second time{earlier}", "an app is declared once, in one file"
                )
                continue
            if not doc.sound(path):
                continue
            app = _app(doc, path, name, body[name], collector, findings)
            if app is not None:
                apps[name] = app
    return tuple(apps[n] for n in sorted(apps))


def _app(
    doc: Document, path: Path, name: str, body: dict[str, Any], collector: AclCollector, findings: Findings
) -> AppSpec | None:
    here = doc.positions.key(path)
    produces = tuple(body.get("produces", ()))
    consumes = tuple(body.get("consumes", ()))
    groups = _listed(body.get("group"))
    transactional = body.get("transactional", False)
    ids = (name,) if transactional is True else () if transactional is False else _listed(transactional)
    if not (produces or consumes or groups or ids):
        findings.error(
            here,
            f"app {name} asks for nothing",
            "say what it does: produces, consumes, group or transactional",
        )
        return None
    if consumes and not groups:
        findings.warn(here, f"app {name} consumes without a group: it can read, but not commit offsets")
    if ids and not produces:
        findings.warn(here, f"app {name} is transactional but produces nothing")
    if body.get("idempotent") and not produces:
        findings.warn(here, f"app {name} is idempotent but produces nothing")
    wanted: list[tuple[ResourceType, str, tuple[AclOperation, ...], Path]] = []
    wanted += [(ResourceType.TOPIC, n, _PRODUCE, (*path, "produces", i)) for i, n in enumerate(produces)]
    wanted += [(ResourceType.TOPIC, n, _CONSUME, (*path, "consumes", i)) for i, n in enumerate(consumes)]
    wanted += [(ResourceType.GROUP, n, _GROUP, (*path, "group")) for n in groups]
    wanted += [(ResourceType.TRANSACTIONAL_ID, n, _TRANSACTION, (*path, "transactional")) for n in ids]
    source = f"app {name} at {here.spot}"
    bindings: list[AclBinding] = []
    ok = True
    for kind, written, operations, at in wanted:
        pattern = _pattern(doc, at, kind, written, findings)
        if pattern is None:
            ok = False
            continue
        resource, pattern_type = pattern
        for operation in operations:
            bindings.append(
                AclBinding(
                    body["principal"],
                    kind,
                    resource,
                    pattern_type,
                    operation,
                    host=body.get("host", ANY_HOST),
                )
            )
    if not ok:
        return None
    for binding in bindings:
        collector.add(binding, source)
    return AppSpec(
        name=name,
        principal=body["principal"],
        produces=produces,
        consumes=consumes,
        groups=groups,
        transactional_ids=ids,
        idempotent=bool(body.get("idempotent", False)),
        origin=here,
    )


def _listed(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    return tuple(str(item) for item in raw) if isinstance(raw, list) else ()


def _pattern(
    doc: Document, at: Path, kind: ResourceType, written: str, findings: Findings
) -> tuple[str, PatternType] | None:
    """The resource name and pattern a written name means: ``orders.*`` is the prefix ``orders.``."""
    here = doc.positions.value(at)
    if written == "*":
        return "*", PatternType.LITERAL
    stem = written.removesuffix("*")
    if "*" in stem:
        findings.error(
            here,
            f"has a * that is not at the end (found {written})",
            "a * may only end a name, making it a prefix: orders.*",
        )
        return None
    if kind is ResourceType.TOPIC:
        problem = name_problem(stem)
        if problem is not None:
            findings.error(here, problem[0], problem[1])
            return None
    return stem, PatternType.PREFIXED if stem != written else PatternType.LITERAL
