"""Messages read from and written to topics by `kadmin tail` and `kadmin produce`, as frozen
values: what was read, what to write, what became of each write, and what to read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from kadmin.core.model import TopicPartition

Headers = tuple[tuple[str, bytes | None], ...]
"""Message headers in order; a key may repeat, a value may be null (as Kafka allows)."""


@dataclass(frozen=True, slots=True)
class Message:
    """One message as read from a partition.

    `timestamp_type` is ``create`` (the producer's time), ``log-append`` (the broker's,
    with message.timestamp.type=LogAppendTime) or ``none``.
    """

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    timestamp_type: str
    key: bytes | None
    value: bytes | None
    headers: Headers = ()


@dataclass(frozen=True, slots=True)
class Record:
    """One message to write; `line` is its line number in the input, for reports."""

    line: int
    value: bytes
    key: bytes | None = None
    headers: Headers = ()
    partition: int | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one `Record`: where it was written, or why it was not."""

    line: int
    partition: int | None
    offset: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """What to read from `topic`.

    Without a group, `positions` says where each partition starts and only those are
    read (assigned, never subscribed: nothing is committed). With a `group`, the topic is
    subscribed as a member of it, reading from the group's committed offsets (or, where
    it has none, from the start when `from_beginning`, else from the end), and what was
    read is committed. Reading stops after `limit` messages or `idle_s` seconds without one.
    """

    topic: str
    positions: Mapping[TopicPartition, int] = field(default_factory=lambda: MappingProxyType({}))
    group: str | None = None
    from_beginning: bool = False
    limit: int | None = None
    idle_s: float = 10.0
