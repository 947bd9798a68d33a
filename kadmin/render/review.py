"""What a reviewer reads in a plan, computed once for the text and markdown views.

Owns the wording that makes a plan readable at a glance: config values in the spec's
units beside Kafka's strings (`retention.ms: 7d → 14d (604800000 → 1209600000)`),
placement summaries instead of replica lists, changes that come from `defaults` or a
profile grouped under it, where each change was written, and refusals grouped so each
is said once. It never prints; `render.text` and `render.markdown` lay it out.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kadmin.core.actions import ConfigChange, Refusal
from kadmin.core.errors import Location
from kadmin.core.kafka_configs import CATALOG
from kadmin.core.model import Assignment
from kadmin.core.plan import Plan
from kadmin.core.targets import Target
from kadmin.spec.units import format_duration_ms, format_size_bytes

DETAIL_LIMIT = 10
"""Replica moves listed per topic before the rest is summed up (``--detailed`` lists all)."""

GROUP_MIN = 2
"""A change from `defaults` or a profile is grouped once it applies to this many topics."""

_BARE = re.compile(r"[A-Za-z0-9._,:+*/=@-]+")


# --- values ------------------------------------------------------------------------


def human(key: str, value: str) -> str | None:
    """The value in the spec's units (``7d``, ``1MiB``), or None when that is Kafka's string."""
    spec = CATALOG.get(key)
    unit = spec.unit if spec is not None else None
    if unit is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return format_duration_ms(number) if unit == "ms" else format_size_bytes(number)


def _literal(value: str) -> str:
    # Bare when it cannot be misread; quoted (JSON) when empty or holding spaces or quotes.
    return value if _BARE.fullmatch(value) else json.dumps(value, ensure_ascii=False)


def show_value(key: str, value: str) -> str:
    """``7d (604800000)`` for a unit-valued key, else the value itself."""
    nice = human(key, value)
    return f"{nice} ({value})" if nice else _literal(value)


def show_change(change: ConfigChange) -> str:
    """``retention.ms: 7d → 14d (604800000 → 1209600000)``; ``(unset)`` for a missing side."""
    key, before, after = change.key, change.before, change.after
    if before is None or after is None:
        return f"{key}: {show_value(key, after if after is not None else before or '')}"
    nice_before, nice_after = human(key, before), human(key, after)
    if nice_before or nice_after:
        return f"{key}: {nice_before or before} → {nice_after or after} ({before} → {after})"
    return f"{key}: {_literal(before)} → {_literal(after)}"


# --- where things come from --------------------------------------------------------


def spot(where: Location | None) -> str:
    """``specs/orders.yaml:14``: the file and line, enough to open it."""
    return f"{where.file}:{where.line}" if where is not None else ""


def layer_of(where: Location | None) -> str | None:
    """``defaults`` or ``profile NAME`` when a value was written there; None for a topic's own."""
    if where is None:
        return None
    path = where.field
    if path.startswith("defaults."):
        return "defaults"
    if path.startswith("profiles."):
        rest = path.removeprefix("profiles.")
        cut = rest.rfind(".configs.")
        return f"profile {rest[:cut] if cut >= 0 else rest.split('.')[0]}"
    return None


def config_origin(plan: Plan, topic: str, key: str) -> Location | None:
    return plan.origins.get(topic, {}).get(f"configs.{key}")


@dataclass(frozen=True, slots=True)
class SharedChange:
    """Config changes written once in `defaults` or a profile, on the topics they reach.

    `changes` holds each change, where it was written, and the topics of `topics` it
    does not reach (a topic that overrides the value itself); `creates` is True for
    settings of topics being created (``+``), False for changes to existing ones (``~``).
    """

    layer: str
    changes: tuple[tuple[ConfigChange, Location | None, tuple[str, ...]], ...]
    topics: tuple[str, ...]
    creates: bool


def shared_changes(
    plan: Plan, changes: Iterable[tuple[str, ConfigChange, bool]]
) -> tuple[list[SharedChange], set[tuple[str, str]]]:
    """Group `(topic, change, creates)` triples that come from one layer with the same
    key and values, once such a change reaches `GROUP_MIN` topics.

    Returns one block per layer (and creates or not), and the `(topic, key)` pairs the
    blocks cover, which the per-topic view then leaves out.
    """
    by_change: dict[tuple[str, bool, ConfigChange], list[str]] = {}
    wheres: dict[tuple[str, bool, ConfigChange], Location | None] = {}
    for topic, change, creates in changes:
        where = config_origin(plan, topic, change.key)
        layer = layer_of(where)
        if layer is None or change.after is None:
            continue
        slot = (layer, creates, change)
        by_change.setdefault(slot, []).append(topic)
        wheres.setdefault(slot, where)
    blocks: dict[tuple[str, bool], list[tuple[ConfigChange, Location | None, set[str]]]] = {}
    covered: set[tuple[str, str]] = set()
    for (layer, creates, change), topics in by_change.items():
        if len(topics) < GROUP_MIN:
            continue
        where = wheres[(layer, creates, change)]
        blocks.setdefault((layer, creates), []).append((change, where, set(topics)))
        covered.update((topic, change.key) for topic in topics)
    groups = []
    for (layer, creates), items in blocks.items():
        members = set().union(*(reached for _, _, reached in items))
        lines = tuple(
            (change, where, tuple(sorted(members - reached)))
            for change, where, reached in sorted(items, key=lambda i: i[0].key)
        )
        groups.append(SharedChange(layer, lines, tuple(sorted(members)), creates))
    groups.sort(key=lambda g: (not g.creates, g.layer != "defaults", g.layer))
    return groups, covered


# --- placement ---------------------------------------------------------------------


def placement_summary(assignment: Assignment | None, racks: Mapping[int, str]) -> str:
    """Zones spanned and leaders per zone (or per broker without zones), not every replica list."""
    if not assignment:
        return "replicas placed by the brokers"
    if racks:
        spans = Counter(len({racks.get(b, "?") for b in replicas}) for replicas in assignment)
        zones = sorted({racks.get(b, "?") for replicas in assignment for b in replicas})
        low, high = min(spans), max(spans)
        named = ", ".join(zones)
        each = (
            f"each partition in {named}"
            if low == high == len(zones)
            else f"each partition in {low} of {named}"
            if low == high
            else f"partitions in {low}–{high} of {named}"
        )
        leaders = Counter(racks.get(replicas[0], "?") for replicas in assignment)
        return f"{each}; leaders {_tally(leaders)}"
    leaders_by_broker = Counter(f"broker {replicas[0]}" for replicas in assignment)
    return f"leaders {_tally(leaders_by_broker)}"


def _tally(counts: Counter[str]) -> str:
    return ", ".join(f"{name} ×{n}" for name, n in sorted(counts.items()))


def replicas(ids: Iterable[int]) -> str:
    return "[" + ", ".join(map(str, ids)) + "]"


# --- refusals ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RefusalGroup:
    """One refusal said once, with every target it stops."""

    message: str
    where: str | None
    hint: str
    targets: tuple[Target, ...]


def refusal_groups(refusals: Sequence[Refusal]) -> list[RefusalGroup]:
    """Identical refusals (message, place, hint) merged, their targets listed in order."""
    merged: dict[tuple[str, str | None, str], list[Target]] = {}
    for refusal in refusals:
        where = refusal_where(refusal)
        merged.setdefault((refusal.message, where, refusal.hint), []).append(refusal.target)
    groups = [RefusalGroup(m, w, h, tuple(sorted(set(t)))) for (m, w, h), t in merged.items()]
    groups.sort(key=lambda g: (g.targets, g.message))
    return groups


def targets_text(targets: Sequence[Target]) -> str:
    """``topic orders`` for one target; ``3 topics: a, b, c`` for several of one kind."""
    if len(targets) == 1:
        return targets[0].describe()
    kinds = {t.kind for t in targets}
    if len(kinds) == 1:
        return f"{len(targets)} {next(iter(kinds)).value}s: {', '.join(t.name for t in targets)}"
    return ", ".join(t.describe() for t in targets)


def refusal_where(refusal: Refusal) -> str | None:
    """Where a refusal points, unless that only repeats its target."""
    where = refusal.where
    if where is None:
        return None
    text = str(where)
    if not isinstance(where, Location) and text == refusal.target.describe():
        return None
    return text


def count(n: int, noun: str) -> str:
    """``1 topic``, ``2 topics``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
