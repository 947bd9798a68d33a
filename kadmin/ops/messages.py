"""`kadmin tail` and `kadmin produce` through the `ClusterAdmin` port: where reading starts
(the end, the beginning, an offset, a time), and input lines turned into records.

Never prints; the port reads and writes the messages.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from kadmin.core.errors import KadminError
from kadmin.core.messages import Delivery, Headers, Message, ReadRequest, Record
from kadmin.core.model import ObservedTopic, TopicPartition
from kadmin.kafka.port import ClusterAdmin


class StartKind(StrEnum):
    END = "end"
    BEGINNING = "beginning"
    OFFSET = "offset"
    TIME = "time"


@dataclass(frozen=True, slots=True)
class Start:
    """Where `tail` starts in each partition. OFFSET takes `value` as the offset, or, when
    negative, as that many messages before the end; TIME takes epoch milliseconds."""

    kind: StartKind = StartKind.END
    value: int = 0


def _topic(admin: ClusterAdmin, topic: str) -> ObservedTopic:
    found = admin.snapshot([topic]).topics.get(topic)
    if found is None:
        raise KadminError(
            "no such topic", where=f"topic {topic}", hint="list the topics with `kadmin topics`"
        )
    return found


def _partitions(found: ObservedTopic, wanted: Collection[int] | None) -> list[TopicPartition]:
    ids = sorted(p.id for p in found.partitions)
    missing = sorted(set(wanted or ()) - set(ids))
    if missing:
        raise KadminError(
            f"no partition {', '.join(map(str, missing))} (the topic has {len(ids)}: 0-{len(ids) - 1})",
            where=f"topic {found.name}",
            hint="pass --partition with a partition number the topic has",
        )
    return [(found.name, p) for p in (sorted(set(wanted)) if wanted else ids)]


def start_positions(
    admin: ClusterAdmin, topic: str, partitions: Collection[int] | None, start: Start
) -> dict[TopicPartition, int]:
    """The offset each partition is read from; offsets are kept within the log."""
    scope = _partitions(_topic(admin, topic), partitions)
    marks = admin.watermarks(scope)
    if start.kind is StartKind.TIME:
        return admin.offsets_for_times(scope, start.value)
    out = {}
    for tp in scope:
        if tp not in marks:
            continue  # no leader to answer: nothing can be read from it now
        first, end = marks[tp].start, marks[tp].end
        if start.kind is StartKind.BEGINNING:
            out[tp] = first
        elif start.kind is StartKind.OFFSET:
            wanted = end + start.value if start.value < 0 else start.value
            out[tp] = min(max(wanted, first), end)
        else:
            out[tp] = end
    return out


def tail(
    admin: ClusterAdmin,
    topic: str,
    *,
    start: Start = Start(),
    partitions: Collection[int] | None = None,
    group: str | None = None,
    limit: int | None = None,
    idle_s: float = 10.0,
) -> Iterator[Message]:
    """Messages of `topic` from `start` (or, with `group`, from its committed offsets)."""
    if group is not None:
        _topic(admin, topic)
        request = ReadRequest(
            topic, group=group, from_beginning=start.kind is StartKind.BEGINNING, limit=limit, idle_s=idle_s
        )
    else:
        request = ReadRequest(
            topic, start_positions(admin, topic, partitions, start), limit=limit, idle_s=idle_s
        )
    return admin.read_messages(request)


def parse_header(text: str) -> tuple[str, bytes]:
    """``name=value`` from `--header`."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise KadminError(
            f"--header {text!r}: expected NAME=VALUE", hint="for example --header source=backfill"
        )
    return name, value.encode()


def records_from_lines(
    lines: Iterable[bytes],
    *,
    key_separator: str | None = None,
    headers: Headers = (),
    partition: int | None = None,
    source: str = "stdin",
) -> list[Record]:
    """One record per line (the newline dropped; empty lines skipped); with `key_separator`,
    the text before its first occurrence is the key. A line without it is an error naming
    the line, and nothing is written."""
    separator = key_separator.encode() if key_separator else None
    records = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip(b"\n").rstrip(b"\r")
        if not line:
            continue
        key = None
        if separator is not None:
            key, found, value = line.partition(separator)
            if not found:
                raise KadminError(
                    f"no key separator {key_separator!r} in this line",
                    where=f"{source}:{number}",
                    hint=f"write every line as KEY{key_separator}VALUE, or leave out --key-separator",
                )
            line = value
        records.append(Record(number, line, key, headers, partition))
    return records


@dataclass(frozen=True, slots=True)
class ProduceReport:
    topic: str
    deliveries: tuple[Delivery, ...]

    @property
    def failed(self) -> tuple[Delivery, ...]:
        return tuple(d for d in self.deliveries if not d.ok)

    @property
    def written(self) -> tuple[Delivery, ...]:
        return tuple(d for d in self.deliveries if d.ok)


def produce(admin: ClusterAdmin, topic: str, records: list[Record], *, acks: str = "all") -> ProduceReport:
    """Write `records` to `topic`; the report says where each went or why it did not."""
    found = _topic(admin, topic)
    wanted = {r.partition for r in records if r.partition is not None}
    if wanted:
        _partitions(found, wanted)
    return ProduceReport(topic, tuple(admin.write_messages(topic, records, acks=acks)))
