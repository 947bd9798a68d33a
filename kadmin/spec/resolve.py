"""Spec documents (already shape-checked) → one `DesiredState`, with the checks that need
more than one value: precedence, zones, replica lists, replication, cross-config rules.

Owns merging (`sections` finds what is declared where), each topic resolved as

    defaults  ←  its profile  ←  its own keys  ←  the environment's overrides
                                                   (all ← its profile's ← its own)

field by field (`configs` key by key), every resolved value keeping the location it was
written at, so that a later error can point there. Problems go to `Findings`; values
already reported broken are skipped rather than reported again.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from kadmin.core.access_spec import AccessSpec
from kadmin.core.errors import Location
from kadmin.core.model import DesiredState, InZone, Placement, Spread, Static, TopicSpec, frozen_map
from kadmin.spec.access_block import read_access
from kadmin.spec.cluster_block import ClusterRead
from kadmin.spec.findings import Findings
from kadmin.spec.layers import Layer, Overrides, Rank, Sourced, StaticLists, read_layer
from kadmin.spec.names import collision_key, name_problem
from kadmin.spec.offset_resets import read_offset_resets
from kadmin.spec.sections import Sections, collect_sections
from kadmin.spec.yamlpos import Document

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Shared:
    """What every environment shares, read once: the sections and the defaults and profile layers."""

    sections: Sections
    defaults: Layer | None
    profiles: dict[str, Layer]
    access: AccessSpec = field(default_factory=AccessSpec)


def read_shared(documents: Sequence[Document], findings: Findings) -> Shared:
    sections = collect_sections(documents, findings)
    defaults = None
    if sections.defaults is not None:
        defaults = read_layer(
            sections.defaults, ("defaults",), sections.defaults.data["defaults"], Rank.DEFAULTS, findings
        )
    profiles = {
        name: read_layer(doc, ("profiles", name), doc.data["profiles"][name], Rank.PROFILE, findings)
        for name, (doc, _) in sections.profiles.items()
    }
    return Shared(sections, defaults, profiles, read_access(documents, findings))


def resolve_state(
    shared: Shared, files: Sequence[str], cluster: ClusterRead, overrides: Overrides, findings: Findings
) -> DesiredState:
    """The desired state on `cluster`, each topic with `overrides` above its own keys."""
    topics: dict[str, TopicSpec] = {}
    for name, (doc, _) in shared.sections.topics.items():
        spec = _topic(name, doc, shared, overrides, cluster, findings)
        if spec is not None:
            topics[name] = spec
    _refuse_collisions(shared.sections.topics, findings)
    resets = read_offset_resets(shared.sections.resets, topics, findings)
    return DesiredState(
        topics=MappingProxyType(topics),
        cluster=cluster.spec,
        offset_resets=resets,
        access=shared.access,
        files=tuple(files),
        warnings=tuple(findings.warnings),
    )


def _topic(
    name: str,
    doc: Document,
    shared: Shared,
    overrides: Overrides,
    cluster: ClusterRead,
    findings: Findings,
) -> TopicSpec | None:
    path = ("topics", name)
    origin = doc.positions.key(path)
    if doc.broken(path):
        return None
    problem = name_problem(name)
    if problem:
        findings.error(origin, *problem)
        return None
    body = doc.data["topics"][name]
    own = read_layer(doc, path, body if isinstance(body, dict) else None, Rank.TOPIC, findings)
    layers = [shared.defaults] if shared.defaults else []
    profile = body.get("profile") if isinstance(body, dict) else None
    if isinstance(profile, str) and doc.sound((*path, "profile")):
        chosen = shared.profiles.get(profile)
        if chosen is None:
            guess = difflib.get_close_matches(profile, list(shared.profiles), n=1)
            hint = f"did you mean {guess[0]}?" if guess else "define it under profiles:"
            findings.error(
                doc.positions.value((*path, "profile")), f"names an unknown profile ({profile})", hint
            )
            own.complete = False
        else:
            layers.append(chosen)
    layers.append(own)
    layers.extend(overrides.layers(name, profile if isinstance(profile, str) else None))
    return _merge(name, origin, profile, layers, cluster, findings)


def _merge(
    name: str,
    origin: Location,
    profile: str | None,
    layers: list[Layer],
    cluster: ClusterRead,
    findings: Findings,
) -> TopicSpec | None:
    complete = all(layer.complete for layer in layers)
    partitions = _last(layer.partitions for layer in layers)
    factor = _last(layer.replication_factor for layer in layers)
    placement = _last(layer.placement for layer in layers)
    lists = next((layer.static_lists for layer in reversed(layers) if layer.placement), None)
    if placement is not None and isinstance(placement.value, Static):
        # Replica lists tell the partition count and the replication factor: they win over
        # values from a less specific layer, and must agree with values given beside them.
        replicas = placement.value.replicas
        if partitions is None or partitions.rank < placement.rank:
            partitions = Sourced(len(replicas), placement.where, placement.rank)
        if factor is None or factor.rank < placement.rank:
            factor = Sourced(len(replicas[0]), placement.where, placement.rank)
    missing = [n for n, v in (("partitions", partitions), ("replication_factor", factor)) if v is None]
    if missing or partitions is None or factor is None:
        if complete:
            for key in missing:
                findings.error(
                    origin, f"has no {key}", f"set {key}: on the topic, in its profile, or under defaults:"
                )
        return None
    configs: dict[str, Sourced[str]] = {}
    for layer in layers:
        configs.update(layer.configs)
    _check_placement(name, partitions, factor, placement, lists, cluster, findings)
    _check_configs(factor, configs, findings)
    origins: dict[str, Location] = {"partitions": partitions.where, "replication_factor": factor.where}
    if placement is not None:
        origins["placement"] = placement.where
    origins.update((f"configs.{key}", value.where) for key, value in configs.items())
    return TopicSpec(
        name=name,
        partitions=partitions.value,
        replication_factor=factor.value,
        configs=frozen_map({key: value.value for key, value in configs.items()}),
        placement=placement.value if placement else Spread(),
        profile=profile,
        origin=origin,
        origins=MappingProxyType(origins),
    )


def _last(values: Iterable[Sourced[T] | None]) -> Sourced[T] | None:
    """The most specific value given: layers come least specific first."""
    chosen = None
    for value in values:
        if value is not None:
            chosen = value
    return chosen


def _specific(*values: Sourced[object]) -> Sourced[object]:
    """The value from the most specific layer; on a tie, the first given."""
    return max(values, key=lambda v: v.rank)


def _check_placement(
    name: str,
    partitions: Sourced[int],
    factor: Sourced[int],
    placement: Sourced[Placement] | None,
    lists: StaticLists | None,
    cluster: ClusterRead,
    findings: Findings,
) -> None:
    zones = cluster.spec.zones
    known = cluster.zones_known
    rf = factor.value
    value = placement.value if placement else None
    if isinstance(value, InZone) and placement is not None:
        if cluster.zones_absent:
            findings.error(
                placement.where,
                f"names zone {value.zone}, but no {cluster.zones_field} are declared",
                f"declare the zones under {cluster.zones_field} as zone: [broker ids]",
            )
        elif known and value.zone not in zones:
            guess = difflib.get_close_matches(value.zone, list(zones), n=1)
            hint = f"did you mean {guess[0]}?" if guess else f"declared zones: {', '.join(zones)}"
            findings.error(placement.where, f"names an unknown zone ({value.zone})", hint)
        elif known and rf > len(zones[value.zone]):
            members = zones[value.zone]
            findings.error(
                _specific(factor, placement).where,
                f"asks for {rf} replicas in zone {value.zone}, which has {len(members)} broker(s) "
                f"({', '.join(map(str, members))})",
                "lower replication_factor, or use placement: spread",
            )
        return
    if isinstance(value, Static) and placement is not None and lists is not None:
        _check_static(name, partitions, factor, value, placement, lists, cluster, findings)
        return
    total = sum(len(ids) for ids in zones.values())
    if known and rf > total:
        findings.error(
            factor.where,
            f"is {rf}, more than the {total} broker(s) {cluster.zones_field} declares",
            f"lower replication_factor, or declare the other brokers in {cluster.zones_field}",
        )


def _check_static(
    name: str,
    partitions: Sourced[int],
    factor: Sourced[int],
    value: Static,
    placement: Sourced[Placement],
    lists: StaticLists,
    cluster: ClusterRead,
    findings: Findings,
) -> None:
    count = len(value.replicas)
    if count != partitions.value:
        findings.error(
            _specific(placement, partitions).where,
            f"gives {count} replica list(s) but topic {name} has {partitions.value} partition(s)",
            "write one replica list per partition, in partition order",
        )
    in_zone = {b for ids in cluster.spec.zones.values() for b in ids}
    for i, replicas in enumerate(value.replicas):
        here = lists.at(i)
        if len(replicas) != factor.value:
            findings.error(
                here,
                f"lists {len(replicas)} replica(s) but the replication factor is {factor.value} "
                f"(found {list(replicas)})",
                "each list names one broker per replica, the preferred leader first",
            )
        repeated = sorted({b for b in replicas if replicas.count(b) > 1})
        if repeated:
            findings.error(
                here,
                f"repeats broker {', '.join(map(str, repeated))} (found {list(replicas)})",
                "each replica of a partition lives on its own broker",
            )
        if cluster.zones_known:
            for broker in replicas:
                if broker not in in_zone:
                    findings.error(
                        here,
                        f"names broker {broker}, which is in no zone of {cluster.zones_field}",
                        "add the broker to its zone, or pick a declared broker",
                    )


def _check_configs(factor: Sourced[int], configs: dict[str, Sourced[str]], findings: Findings) -> None:
    isr = configs.get("min.insync.replicas")
    if isr is not None and int(isr.value) > factor.value:
        findings.error(
            _specific(isr, factor).where,
            f"min.insync.replicas {isr.value} is more than the replication factor {factor.value}",
            _with_source(
                "with acks=all every write would fail: lower min.insync.replicas or raise replication_factor",
                isr if isr.rank < factor.rank else factor if factor.rank < isr.rank else None,
            ),
        )
    low, high = configs.get("min.compaction.lag.ms"), configs.get("max.compaction.lag.ms")
    if low is not None and high is not None and int(low.value) > int(high.value):
        findings.error(
            _specific(low, high).where,
            f"min.compaction.lag.ms {low.value} is more than max.compaction.lag.ms {high.value}",
            "Kafka rejects this pair: make the minimum the smaller",
        )
    tiered, policy = configs.get("remote.storage.enable"), configs.get("cleanup.policy")
    if (
        tiered is not None
        and tiered.value == "true"
        and policy is not None
        and "compact" in policy.value.split(",")
    ):
        findings.error(
            _specific(tiered, policy).where,
            f"tiered storage needs cleanup.policy delete (found {policy.value})",
            "Kafka keeps compacted topics on local disk only: drop compact, or remote.storage.enable",
        )


def _with_source(hint: str, other: Sourced[object] | None) -> str:
    if other is None:
        return hint
    return f"{hint} (the other value is set at {other.where})"


def _refuse_collisions(topics: dict[str, tuple[Document, Location]], findings: Findings) -> None:
    first: dict[str, tuple[str, Location]] = {}
    for name, (_doc, here) in topics.items():
        earlier = first.setdefault(collision_key(name), (name, here))
        if earlier[0] != name:
            findings.error(
                here,
                f"topic {name} collides with {earlier[0]} ({earlier[1].spot}) once '.' and '_' are "
                "treated alike: Kafka's metric names cannot tell them apart, and a broker refuses the second",
                "rename one of them: keep either '.' or '_' as the separator in these names",
            )
