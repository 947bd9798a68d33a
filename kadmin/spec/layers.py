"""One layer of topic settings (`defaults:`, a profile, or a topic's own keys), read once.

Owns turning a settings mapping into typed values that remember where they were
written: partitions, replication factor, placement, and configs already in Kafka's
string form. Reading each layer once is what reports a bad value in `defaults:` once,
at its line, however many topics inherit it. Precedence between layers is
`resolve`'s business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Generic, TypeVar

from kadmin.core.errors import Location
from kadmin.core.kafka_configs import CATALOG
from kadmin.core.model import InZone, Placement, Spread, Static
from kadmin.spec.configs import ConfigValueError, to_kafka
from kadmin.spec.findings import Findings
from kadmin.spec.yamlpos import Document, Path

T_co = TypeVar("T_co", covariant=True)


class Rank(IntEnum):
    """How specific a layer is; a higher rank wins."""

    DEFAULTS = 0
    PROFILE = 1
    TOPIC = 2
    ENV_ALL = 3
    ENV_PROFILE = 4
    ENV_TOPIC = 5


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T_co]):
    """A setting and where it was written."""

    value: T_co
    where: Location
    rank: Rank


@dataclass(frozen=True, slots=True)
class StaticLists:
    """Where each replica list of a static placement was written, for pointed errors."""

    doc: Document
    path: Path

    def at(self, index: int) -> Location:
        return self.doc.positions.value((*self.path, index))


@dataclass(slots=True)
class Layer:
    """The settings one mapping gives; None where it says nothing (or says it wrongly).

    `complete` is False when part of the mapping was unusable (already reported), so
    that an absent value is not reported a second time as "missing".
    """

    partitions: Sourced[int] | None = None
    replication_factor: Sourced[int] | None = None
    placement: Sourced[Placement] | None = None
    static_lists: StaticLists | None = None
    configs: dict[str, Sourced[str]] = field(default_factory=dict)
    complete: bool = True


@dataclass(frozen=True, slots=True)
class Overrides:
    """One environment's overrides: for every topic, by profile, and by topic."""

    every: Layer | None = None
    profiles: Mapping[str, Layer] = field(default_factory=dict)
    topics: Mapping[str, Layer] = field(default_factory=dict)

    def layers(self, topic: str, profile: str | None) -> list[Layer]:
        """The override layers of `topic`, least specific first."""
        chosen = [self.every, self.profiles.get(profile) if profile else None, self.topics.get(topic)]
        return [layer for layer in chosen if layer is not None]


def read_layer(
    doc: Document, path: Path, body: Mapping[str, Any] | None, rank: Rank, findings: Findings
) -> Layer:
    """The layer written at `path` of `doc`; bad config values go to `findings`."""
    layer = Layer(complete=doc.sound(path))
    if not isinstance(body, dict):
        return layer
    pos = doc.positions
    for name in ("partitions", "replication_factor"):
        value_path = (*path, name)
        if name in body and doc.sound(value_path):
            setattr(layer, name, Sourced(body[name], pos.value(value_path), rank))
    placement_path = (*path, "placement")
    if "placement" in body and doc.sound(placement_path):
        layer.placement = Sourced(read_placement(body["placement"]), pos.value(placement_path), rank)
        if isinstance(layer.placement.value, Static):
            layer.static_lists = StaticLists(doc, (*placement_path, "replicas"))
    configs_path = (*path, "configs")
    configs = body.get("configs")
    for key, raw in (configs if isinstance(configs, dict) else {}).items():
        key_path = (*configs_path, key)
        spec = CATALOG.get(key)
        if spec is None or not doc.sound(key_path):
            layer.complete = False
            continue
        where = pos.value(key_path)
        try:
            layer.configs[key] = Sourced(to_kafka(spec, raw), where, rank)
        except ConfigValueError as err:
            findings.error(where, err.message, err.hint)
            layer.complete = False
    return layer


def read_placement(raw: object) -> Placement:
    """The placement value of a shape the schema has already accepted."""
    if isinstance(raw, dict) and "zone" in raw:
        return InZone(str(raw["zone"]))
    if isinstance(raw, dict) and "replicas" in raw:
        return Static(tuple(tuple(int(b) for b in replicas) for replicas in raw["replicas"]))
    return Spread()
