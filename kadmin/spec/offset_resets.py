"""`offset_resets:` entries → `OffsetResetSpec` values.

Owns the forms of ``to:`` (Kafka's consumer-groups modes): ``earliest``, ``latest``,
``current``, ``{offset: N}``, ``{shift_by: N}``, ``{datetime: TIME}`` (a timezone is
required; stored as epoch milliseconds), ``{duration: PnDTnHnMnS}`` (milliseconds back
from now), ``{file: PATH}`` (CSV rows ``topic,partition,offset``, the format
kafka-consumer-groups exports, relative to the spec file). Also owns the checks on the
entries: ids unique across files, partitions that exist in the declared topics.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path as FilePath
from types import MappingProxyType
from typing import Any

from kadmin.core.durations import (
    SPEC_DATETIME,
    SPEC_DURATION,
    UnitError,
    parse_iso_datetime,
    parse_iso_duration,
)
from kadmin.core.errors import Location, SpecError
from kadmin.core.model import OffsetMode, OffsetResetSpec, ResetTo, TopicPartition, TopicSpec
from kadmin.spec.findings import Findings
from kadmin.spec.names import name_problem
from kadmin.spec.offsets_csv import read_offsets_csv
from kadmin.spec.yamlpos import Document, Path

_NAMED = {"earliest": OffsetMode.EARLIEST, "latest": OffsetMode.LATEST, "current": OffsetMode.CURRENT}


@dataclass(frozen=True, slots=True)
class ResetEntry:
    """One item of an `offset_resets:` list, where it was found."""

    doc: Document
    index: int

    @property
    def path(self) -> Path:
        return ("offset_resets", self.index)

    @property
    def body(self) -> Mapping[str, Any]:
        value: Mapping[str, Any] = self.doc.data["offset_resets"][self.index]
        return value


Mention = tuple[str, int, Location, str]
"""A topic partition an entry names, where, and how: checked against the declared topics."""


def read_offset_resets(
    entries: Sequence[ResetEntry], topics: Mapping[str, TopicSpec], findings: Findings
) -> tuple[OffsetResetSpec, ...]:
    """The resets whose entries are sound; problems of the others go to `findings`."""
    resets: list[OffsetResetSpec] = []
    seen: dict[str, Location] = {}
    for entry in entries:
        doc, path, body = entry.doc, entry.path, entry.body
        if not isinstance(body, dict):
            continue
        id_path = (*path, "id")
        if isinstance(body.get("id"), str) and doc.sound(id_path):
            here = doc.positions.value(id_path)
            if body["id"] in seen:
                first = seen[body["id"]]
                findings.error(
                    here,
                    f"repeats the id {body['id']} (first at {first.file}:{first.line}:{first.column})",
                    "ids are recorded once applied: give each reset its own id",
                )
            else:
                seen[body["id"]] = here
        # Each part is checked on its own, so one bad part does not hide problems in the others.
        mentions: list[Mention] = []
        to_path = (*path, "to")
        to = _reset_to(doc, to_path, body["to"], findings, mentions) if doc.sound(to_path) else None
        selected = None
        if doc.sound((*path, "topics")) and ("topics" in body or to is not None):
            selected = _topics(doc, path, body.get("topics"), to, findings, mentions)
        _check_partitions(mentions, topics, findings)
        if to is None or selected is None or not doc.sound(path):
            continue
        resets.append(
            OffsetResetSpec(
                id=body["id"],
                group=body["group"],
                topics=MappingProxyType(selected),
                to=to,
                origin=doc.positions.value(path),
            )
        )
    _check_overlaps(resets, findings)
    return tuple(resets)


def _check_overlaps(resets: Sequence[OffsetResetSpec], findings: Findings) -> None:
    """Two entries moving the same partition of the same group: the outcome would depend on their
    order, so both are reported, each pointing at the other."""
    for i, first in enumerate(resets):
        for second in resets[i + 1 :]:
            if first.group != second.group:
                continue
            shared = _shared_partitions(first, second)
            if not shared:
                continue
            for here, other in ((first, second), (second, first)):
                where = here.origin or f"group {here.group}"
                at = f" at {other.origin.spot}" if other.origin else ""
                findings.error(
                    where,
                    f"offset reset {here.id} moves {shared} of group {here.group}, "
                    f"as offset reset {other.id}{at} does",
                    "a partition of a group is reset by one entry per spec: merge them, or remove the "
                    "one already applied (kadmin keeps it recorded in the cluster)",
                )


def _shared_partitions(a: OffsetResetSpec, b: OffsetResetSpec) -> str:
    """The partitions both entries select, in words; empty when they select none in common."""
    parts = []
    for topic in sorted(a.topics.keys() & b.topics.keys()):
        left, right = a.topics[topic], b.topics[topic]
        # An empty selection means every partition of the topic.
        both = sorted(set(left) & set(right)) if left and right else list(left or right)
        if not left and not right:
            parts.append(f"all of {topic}")
        elif both:
            parts.append(f"{topic} partition{'s' if len(both) > 1 else ''} {', '.join(map(str, both))}")
    return "; ".join(parts)


def _reset_to(
    doc: Document, path: Path, raw: object, findings: Findings, mentions: list[Mention]
) -> ResetTo | None:
    if isinstance(raw, str):
        return ResetTo(_NAMED[raw])
    assert isinstance(raw, dict)
    ((mode, value),) = raw.items()
    here = doc.positions.value((*path, mode))
    match mode:
        case "offset":
            return ResetTo(OffsetMode.OFFSET, value=value, text=str(value))
        case "shift_by":
            if value == 0:
                findings.warn(here, "shift_by 0 leaves every offset where it is")
            return ResetTo(OffsetMode.SHIFT_BY, value=value, text=f"{value:+d}")
        case "datetime":
            millis = _epoch_ms(value, here, findings)
            return None if millis is None else ResetTo(OffsetMode.DATETIME, value=millis, text=value)
        case "duration":
            try:
                millis = parse_iso_duration(value, SPEC_DURATION)
            except UnitError as err:
                findings.error(here, err.message, err.hint)
                return None
            if millis == 0:
                findings.error(
                    here, f"is a zero duration (found {value})", "a zero duration is latest: write latest"
                )
                return None
            return ResetTo(OffsetMode.DURATION, value=millis, text=value)
        case "file":
            rows = _read_csv(doc, value, here, findings, mentions)
            return None if rows is None else ResetTo(OffsetMode.FILE, text=value, file_offsets=rows)
    raise AssertionError(mode)  # pragma: no cover - the schema admits no other key


def _epoch_ms(text: str, here: Location, findings: Findings) -> int | None:
    try:
        return parse_iso_datetime(text, SPEC_DATETIME)
    except UnitError as err:
        findings.error(here, err.message, err.hint)
        return None


def _read_csv(
    doc: Document, relative: str, here: Location, findings: Findings, mentions: list[Mention]
) -> Mapping[TopicPartition, int] | None:
    path = os.path.normpath(os.path.join(os.path.dirname(doc.file), relative))
    if not os.path.isfile(path):
        findings.error(
            here, f"names a file that does not exist ({path})", "the path is relative to this spec file"
        )
        return None
    try:
        rows = read_offsets_csv(FilePath(path))
    except SpecError as err:
        for problem in err.problems:
            findings.add(problem)
        return None
    ok = True
    for topic, partition in rows:
        named = name_problem(topic)
        if named:
            findings.error(here, f"has a row for topic {topic}, which {named[0]}", named[1])
            ok = False
        mentions.append((topic, partition, here, "has a row for"))
    return MappingProxyType(rows) if ok else None


def _topics(
    doc: Document,
    path: Path,
    raw: object,
    to: ResetTo | None,
    findings: Findings,
    mentions: list[Mention],
) -> dict[str, tuple[int, ...]] | None:
    """The topics and partitions an entry selects; checked against the CSV rows when both are known."""
    rows = to.file_offsets if to else None
    if raw is None:
        # Only a file reset may leave topics out (the schema enforces it): its rows say which.
        assert rows is not None
        chosen: dict[str, list[int]] = {}
        for topic, partition in rows:
            chosen.setdefault(topic, []).append(partition)
        return {topic: tuple(sorted(parts)) for topic, parts in chosen.items()}
    selected: dict[str, tuple[int, ...]] = {}
    ok = True
    if isinstance(raw, list):
        for i, topic in enumerate(raw):
            if topic in selected:
                findings.error(
                    doc.positions.value((*path, "topics", i)), f"lists topic {topic} twice", "remove one"
                )
                ok = False
            selected[topic] = ()
    else:
        assert isinstance(raw, dict)
        for topic, partitions in raw.items():
            seen: set[int] = set()
            for i, partition in enumerate(partitions):
                here = doc.positions.value((*path, "topics", topic, i))
                if partition in seen:
                    findings.error(here, f"lists partition {partition} twice", "remove one")
                    ok = False
                seen.add(partition)
                mentions.append((topic, partition, here, "selects"))
            selected[topic] = tuple(sorted(seen))
    if ok and rows is not None:
        outside: dict[str, list[int]] = {}
        for topic, partition in rows:
            wanted = selected.get(topic)
            if wanted is None or (wanted and partition not in wanted):
                outside.setdefault(topic, []).append(partition)
        for topic, partitions in outside.items():
            listed = ", ".join(map(str, sorted(partitions)))
            findings.error(
                doc.positions.value((*path, "to", "file")),
                f"has rows for {topic} (partition {listed}) that topics: does not select",
                "add them to topics:, or leave topics: out to take every row of the file",
            )
            ok = False
    return selected if ok else None


def _check_partitions(mentions: list[Mention], topics: Mapping[str, TopicSpec], findings: Findings) -> None:
    """Partitions must exist in topics the spec declares; others are checked at plan time."""
    for topic, partition, here, verb in mentions:
        spec = topics.get(topic)
        if spec is not None and partition >= spec.partitions:
            findings.error(
                here,
                f"{verb} partition {partition} of {topic}, which has {spec.partitions} "
                f"(0 to {spec.partitions - 1})",
                "partitions count from 0",
            )
