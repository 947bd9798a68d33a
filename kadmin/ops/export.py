"""`export_spec`: an observed `ClusterState` → spec documents that describe it (the inverse of
`kadmin.spec.load`).

Owns what an export says and how it reads: topics with their partitions and
replication factor, only their topic-level overrides (in the human units the spec
accepts), `cluster.zones` from the brokers' racks, and replica lists only where the
current assignment does not satisfy `spread`, so that a plan of the exported spec
against the same cluster is empty. Pure: no I/O, no printing, no Kafka client; the
caller takes one snapshot and writes the documents where it wants.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

import yaml

from kadmin.core.kafka_configs import CATALOG, REMOVED, ConfigType, TopicConfigKey, canonical
from kadmin.core.model import Assignment, ClusterState, ConfigSource, ObservedTopic, Spread, is_internal_topic
from kadmin.plan import placement
from kadmin.spec.configs import ConfigValueError, to_kafka
from kadmin.spec.units import format_duration_ms, format_size_bytes

SPEC_VERSION = 1
CLUSTER_FILE = "cluster.yaml"
UNGROUPED_FILE = "topics.yaml"
KAFKA_CLUSTER_ID = re.compile(r"[A-Za-z0-9_-]{22}")
"""Kafka's cluster ids (a base64 UUID), the form ``cluster.id`` takes in a spec (schema.json)."""
ACCESS_FILE = "access.yaml"


@dataclass(frozen=True, slots=True)
class ExportedSpec:
    """A spec of the cluster as it is: plain data ready for YAML or JSON.

    `cluster` is the body of the ``cluster:`` block (the cluster's id, and its zones when every
    broker has a rack); `topics` maps each topic to the body of its entry; `warnings`
    says what was left out and why, one line each.
    """

    cluster_id: str
    cluster: Mapping[str, Any]
    topics: Mapping[str, Mapping[str, Any]]
    warnings: tuple[str, ...] = ()
    skipped_internal: int = 0
    static_topics: tuple[str, ...] = field(default=())
    """Topics written with explicit replica lists because their layout is not `spread`."""
    access: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """The ``users``, ``acls`` and ``quotas`` sections (`kadmin.ops.export_access`), when exported."""


def export_spec(state: ClusterState, *, topics: str | re.Pattern[str] | None = None) -> ExportedSpec:
    """Describe `state` as a spec: the topics matching `topics` (a regular expression matched
    against the whole name; all when None), internal topics (``__*``) always left out."""
    pattern = re.compile(topics) if isinstance(topics, str) else topics
    zones = zones_from_racks(state)
    warnings: list[str] = []
    static: list[str] = []
    internal = 0
    exported: dict[str, Mapping[str, Any]] = {}
    for name in sorted(state.topics):
        topic = state.topics[name]
        if topic.internal or is_internal_topic(name):
            internal += 1
            continue
        if pattern is not None and not pattern.fullmatch(name):
            continue
        if not topic.partitions:
            warnings.append(f"topic {name}: the cluster reported no partitions; left out")
            continue
        body, is_static = _topic(topic, state, zones, warnings)
        exported[name] = body
        if is_static:
            static.append(name)
    # The id pins the spec to the cluster it describes: a plan or apply of it against another
    # cluster (staging's spec pointed at prod) is refused, naming both ids.
    cluster: dict[str, Any] = {"id": state.cluster_id} if KAFKA_CLUSTER_ID.fullmatch(state.cluster_id) else {}
    if zones:
        cluster["zones"] = {z: list(ids) for z, ids in zones.items()}
    return ExportedSpec(
        cluster_id=state.cluster_id,
        cluster=MappingProxyType(cluster),
        topics=MappingProxyType(exported),
        warnings=tuple(warnings),
        skipped_internal=internal,
        static_topics=tuple(static),
    )


def zones_from_racks(state: ClusterState) -> dict[str, tuple[int, ...]]:
    """Zone → broker ids, from `broker.rack`; empty unless every broker has a rack.

    A partial declaration would be worse than none: the spec checks would then treat
    the unracked brokers as outside every zone and refuse replica lists that name them.
    """
    if not state.brokers or any(b.rack is None for b in state.brokers):
        return {}
    zones: dict[str, list[int]] = {}
    for broker in sorted(state.brokers, key=lambda b: b.id):
        zones.setdefault(str(broker.rack), []).append(broker.id)
    return {zone: tuple(zones[zone]) for zone in sorted(zones)}


def _topic(
    topic: ObservedTopic,
    state: ClusterState,
    zones: Mapping[str, tuple[int, ...]],
    warnings: list[str],
) -> tuple[Mapping[str, Any], bool]:
    assignment = topic.assignment
    rf = topic.replication_factor
    body: dict[str, Any] = {"partitions": len(assignment), "replication_factor": rf}
    configs = export_configs(topic, warnings)
    if configs:
        body["configs"] = configs
    is_static = bool(placement.evaluate(assignment, rf, state.brokers, Spread(), zones))
    if is_static:
        if len({len(r) for r in assignment}) > 1:
            warnings.append(
                f"topic {topic.name}: partitions have different replica counts "
                "(a reassignment in progress?); export again once it has finished"
            )
        body["placement"] = {"replicas": _replica_lists(assignment)}
    return MappingProxyType(body), is_static


def _replica_lists(assignment: Assignment) -> list[list[int]]:
    return [list(replicas) for replicas in assignment]


def export_configs(topic: ObservedTopic, warnings: list[str] | None = None) -> dict[str, Any]:
    """The topic's own overrides as spec values, sorted by key.

    Broker and cluster defaults are inherited, not part of the topic: on Kafka 4.x
    `min.insync.replicas` is reported on every topic with a broker source (KIP-966),
    and writing it out would pin a cluster-wide setting on each topic.
    """
    out: dict[str, Any] = {}
    for key in sorted(topic.configs):
        entry = topic.configs[key]
        if entry.value is None or entry.source is not ConfigSource.TOPIC:
            continue
        why = _unexportable(key, entry.value, entry.sensitive)
        if why:
            if warnings is not None:
                warnings.append(f"topic {topic.name}: config {key} {why}; left out")
            continue
        out[key] = spec_value(CATALOG[key], entry.value)
    return out


def _unexportable(key: str, value: str, sensitive: bool) -> str:
    if sensitive:
        return "is sensitive"
    if key in REMOVED:
        return f"is no longer a Kafka 4.x topic config ({REMOVED[key]})"
    spec = CATALOG.get(key)
    if spec is None:
        return "is not a topic config kadmin knows"
    try:
        written = to_kafka(spec, spec_value(spec, value))
    except ConfigValueError as err:
        return f"has a value the spec cannot express ({value}: {err.message})"
    if canonical(key, written) != canonical(key, value):
        return f"has a value the spec cannot express ({value})"
    return ""


def spec_value(key: TopicConfigKey, value: str) -> Any:
    """Kafka's string form → the value a person would write in a spec: ``604800000`` → ``7d``,
    ``1073741824`` → ``1GiB``, ``true`` → true, ``compact,delete`` → [compact, delete]."""
    text = value.strip()
    match key.type:
        case ConfigType.BOOLEAN:
            lowered = text.lower()
            return lowered == "true" if lowered in ("true", "false") else text
        case ConfigType.INT | ConfigType.LONG:
            try:
                number = int(text)
            except ValueError:
                return text
            if key.unit == "ms":
                return duration(number)
            if key.unit == "bytes":
                return size(number)
            return number
        case ConfigType.DOUBLE:
            try:
                return float(text)
            except ValueError:
                return text
        case ConfigType.LIST:
            return [part.strip() for part in text.split(",") if part.strip()]
        case ConfigType.STRING:
            return _escape_variables(text)
    raise AssertionError(key.type)  # pragma: no cover - every ConfigType is matched


def duration(ms: int) -> int | str:
    """The largest whole unit (``d``, ``h``, ``m``, ``s``) that states `ms` exactly; else `ms`.

    Below a second, and for Kafka's sentinels (-1, Long.MAX_VALUE), the number stays.
    """
    return format_duration_ms(ms) or ms


def size(n: int) -> int | str:
    """The largest binary unit that states `n` bytes exactly (``1GiB``), else the largest
    decimal one (``500MB``); else the number."""
    return format_size_bytes(n) or n


def _escape_variables(text: str) -> str:
    # The spec expands ${VAR}; a literal one must be written $${ to survive the round trip.
    return text.replace("${", "$${")


# --- documents ---------------------------------------------------------------------


def spec_document(exported: ExportedSpec) -> dict[str, Any]:
    """The whole export as one spec document."""
    document: dict[str, Any] = {"version": SPEC_VERSION}
    if exported.cluster:
        document["cluster"] = _plain(exported.cluster)
    document["topics"] = {name: _plain(body) for name, body in exported.topics.items()}
    document.update(_plain(exported.access))
    return document


def spec_files(exported: ExportedSpec) -> dict[str, dict[str, Any]]:
    """File name → spec document, for a directory of specs.

    ``cluster.yaml`` holds the cluster block, ``access.yaml`` the users, ACLs and quotas; each topic goes to
    ``topics-<first dotted segment>.yaml`` (lower-cased, so that the layout is the
    same on case-insensitive file systems), and names without a dot to ``topics.yaml``.
    """
    files: dict[str, dict[str, Any]] = {CLUSTER_FILE: {"version": SPEC_VERSION}}
    if exported.cluster:
        files[CLUSTER_FILE]["cluster"] = _plain(exported.cluster)
    for name, body in exported.topics.items():
        file = topic_file(name)
        document = files.setdefault(file, {"version": SPEC_VERSION, "topics": {}})
        document["topics"][name] = _plain(body)
    if exported.access:
        files[ACCESS_FILE] = {"version": SPEC_VERSION, **_plain(exported.access)}
    return files


def topic_file(name: str) -> str:
    """The file a topic is exported to by `spec_files`."""
    segment, dot, _rest = name.partition(".")
    if not dot or not segment:
        return UNGROUPED_FILE
    return f"topics-{segment.lower()}.yaml"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _represent_mapping(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=False)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flat = not any(isinstance(item, dict | list) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


# libyaml's emitter, where PyYAML was built with it, writes a 10,000-topic export several times faster.
_DUMPER = cast(
    type[yaml.SafeDumper], type("SpecDumper", (getattr(yaml, "CSafeDumper", yaml.SafeDumper),), {})
)
_DUMPER.add_representer(dict, _represent_mapping)
_DUMPER.add_representer(list, _represent_list)


def to_yaml(document: Mapping[str, Any], *, header: Sequence[str] = ()) -> str:
    """A spec document as YAML, keys in the order given; `header` lines become ``#`` comments.

    Mappings are written in block style and lists of scalars in flow style
    (``[1, 2, 3]``, ``[compact, delete]``), one replica list per line.
    """
    body = yaml.dump(
        _plain(document),
        Dumper=_DUMPER,
        sort_keys=False,
        allow_unicode=True,
        width=110,
    )
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header)
    return comments + body
