"""Kafka's topic-level configs: names, types, allowed values, and the canonical
string form kadmin compares them in.

Shared by the spec loader (to check what users write, once it is in Kafka's string
form) and the differ (to normalise what the cluster reports), so both sides meet in
one form. The catalog follows the `ConfigDef` of Kafka 4.x's `LogConfig` (4.4 for the
newest keys); internal keys (`internal.segment.bytes`) are left out on purpose.

This module knows Kafka, not YAML: human units (``7d``, ``1MiB``) are the spec's
business (`kadmin.spec.configs`), and nothing here raises `KadminError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

THROTTLE_RATE_KEYS = ("leader.replication.throttled.rate", "follower.replication.throttled.rate")
"""Broker dynamic configs capping the bytes/s a broker sends (leader) and fetches (follower) for
throttled replicas; `kafka-reassign-partitions --throttle` sets both."""
LEADER_THROTTLED_REPLICAS = "leader.replication.throttled.replicas"
FOLLOWER_THROTTLED_REPLICAS = "follower.replication.throttled.replicas"
THROTTLED_REPLICAS_KEYS = (LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS)
"""Topic configs naming the replicas (``partition:broker,...``) a throttle applies to."""

INT_MAX = 2**31 - 1
LONG_MAX = 2**63 - 1


class ConfigType(Enum):
    """The `ConfigDef.Type` of a key, as far as topics use them."""

    BOOLEAN = "boolean"
    INT = "int"
    LONG = "long"
    DOUBLE = "double"
    STRING = "string"
    LIST = "list"


@dataclass(frozen=True, slots=True)
class TopicConfigKey:
    """One topic-level config as Kafka defines it.

    `minimum`/`maximum` bound numbers; `also` lists values accepted outside the range
    (gzip's -1); `allowed` lists the values of a string or the members of a list;
    `unit` is ``ms`` or ``bytes`` where the spec accepts human units.
    """

    name: str
    type: ConfigType
    default: str
    doc: str
    minimum: int | float | None = None
    maximum: int | float | None = None
    also: tuple[int, ...] = ()
    allowed: tuple[str, ...] = ()
    since: str = "4.0"

    @property
    def unit(self) -> str | None:
        if self.type in (ConfigType.INT, ConfigType.LONG):
            if self.name.endswith(".ms"):
                return "ms"
            if self.name.endswith(".bytes"):
                return "bytes"
        return None


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """Why a value is not acceptable for a key, and what to do about it."""

    message: str
    hint: str = ""


_B, _I, _L, _D, _S, _LIST = (
    ConfigType.BOOLEAN,
    ConfigType.INT,
    ConfigType.LONG,
    ConfigType.DOUBLE,
    ConfigType.STRING,
    ConfigType.LIST,
)
_WEEK_MS = str(7 * 24 * 3600 * 1000)

_KEYS = (
    TopicConfigKey(
        "cleanup.policy",
        _LIST,
        "delete",
        "delete old segments, compact by key, or both",
        allowed=("compact", "delete"),
    ),
    TopicConfigKey(
        "compression.gzip.level",
        _I,
        "-1",
        "gzip level when compression.type is gzip",
        minimum=1,
        maximum=9,
        also=(-1,),
    ),
    TopicConfigKey(
        "compression.lz4.level", _I, "9", "lz4 level when compression.type is lz4", minimum=1, maximum=17
    ),
    TopicConfigKey(
        "compression.type",
        _S,
        "producer",
        "codec the broker stores batches in",
        allowed=("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
    ),
    TopicConfigKey(
        "compression.zstd.level",
        _I,
        "3",
        "zstd level when compression.type is zstd",
        minimum=-131072,
        maximum=22,
    ),
    TopicConfigKey(
        "delete.retention.ms", _L, "86400000", "how long tombstones stay in a compacted topic", minimum=0
    ),
    TopicConfigKey(
        "file.delete.delay.ms", _L, "60000", "wait before a deleted segment file is removed", minimum=0
    ),
    TopicConfigKey(
        "flush.messages",
        _L,
        str(LONG_MAX),
        "fsync after this many messages (leave it to replication)",
        minimum=1,
    ),
    TopicConfigKey(
        "flush.ms", _L, str(LONG_MAX), "fsync after this much time (leave it to replication)", minimum=0
    ),
    TopicConfigKey(
        "follower.replication.throttled.replicas",
        _LIST,
        "",
        "replicas throttled as followers: partition:broker pairs, or *",
    ),
    TopicConfigKey("index.interval.bytes", _I, "4096", "bytes between offset index entries", minimum=0),
    TopicConfigKey(
        "leader.replication.throttled.replicas",
        _LIST,
        "",
        "replicas throttled as leaders: partition:broker pairs, or *",
    ),
    TopicConfigKey(
        "local.retention.bytes",
        _L,
        "-2",
        "bytes kept on local disk with tiered storage (-2: retention.bytes)",
        minimum=-2,
    ),
    TopicConfigKey(
        "local.retention.ms",
        _L,
        "-2",
        "time kept on local disk with tiered storage (-2: retention.ms)",
        minimum=-2,
    ),
    TopicConfigKey(
        "max.compaction.lag.ms",
        _L,
        str(LONG_MAX),
        "longest a record stays ineligible for compaction",
        minimum=1,
    ),
    TopicConfigKey("max.message.bytes", _I, "1048588", "largest record batch the topic accepts", minimum=0),
    TopicConfigKey(
        "message.timestamp.after.max.ms",
        _L,
        "3600000",
        "how far a CreateTime timestamp may lie in the future",
        minimum=0,
    ),
    TopicConfigKey(
        "message.timestamp.before.max.ms",
        _L,
        str(LONG_MAX),
        "how far a CreateTime timestamp may lie in the past",
        minimum=0,
    ),
    TopicConfigKey(
        "message.timestamp.type",
        _S,
        "CreateTime",
        "whose timestamp a record keeps",
        allowed=("CreateTime", "LogAppendTime"),
    ),
    TopicConfigKey(
        "min.cleanable.dirty.ratio",
        _D,
        "0.5",
        "dirty share of the log that makes it eligible for compaction",
        minimum=0,
        maximum=1,
    ),
    TopicConfigKey("min.compaction.lag.ms", _L, "0", "shortest time a record stays uncompacted", minimum=0),
    TopicConfigKey(
        "min.insync.replicas", _I, "1", "replicas that must acknowledge an acks=all write", minimum=1
    ),
    TopicConfigKey("preallocate", _B, "false", "preallocate segment files on disk"),
    # KIP-1241 (Kafka 4.4): delayed upload to tiered storage.
    TopicConfigKey(
        "remote.copy.lag.bytes",
        _L,
        "0",
        "bytes a segment waits locally before tiered upload",
        minimum=-1,
        since="4.4",
    ),
    TopicConfigKey(
        "remote.copy.lag.ms",
        _L,
        "0",
        "time a segment waits locally before tiered upload",
        minimum=-1,
        since="4.4",
    ),
    TopicConfigKey("remote.log.copy.disable", _B, "false", "stop copying segments to tiered storage"),
    TopicConfigKey(
        "remote.log.delete.on.disable", _B, "false", "delete tiered data when tiered storage is turned off"
    ),
    TopicConfigKey("remote.storage.enable", _B, "false", "tier old segments to remote storage"),
    # Kafka takes any negative value as "no limit"; kadmin asks for -1 so that one spelling compares equal.
    TopicConfigKey(
        "retention.bytes",
        _L,
        "-1",
        "largest a partition grows before old segments go (-1: no limit)",
        minimum=-1,
    ),
    TopicConfigKey("retention.ms", _L, _WEEK_MS, "how long records are kept (-1: forever)", minimum=-1),
    # KIP-1030 raised the floor to 1 MiB in Kafka 4.0.
    TopicConfigKey(
        "segment.bytes", _I, "1073741824", "size at which a segment file rolls", minimum=1024 * 1024
    ),
    TopicConfigKey("segment.index.bytes", _I, "10485760", "size of a segment's offset index", minimum=4),
    TopicConfigKey("segment.jitter.ms", _L, "0", "random slack subtracted from segment.ms", minimum=0),
    TopicConfigKey("segment.ms", _L, _WEEK_MS, "age at which a segment rolls", minimum=1),
    TopicConfigKey(
        "unclean.leader.election.enable",
        _B,
        "false",
        "let an out-of-sync replica lead, losing data, rather than stay offline",
    ),
)

CATALOG: Mapping[str, TopicConfigKey] = MappingProxyType(
    {k.name: k for k in sorted(_KEYS, key=lambda k: k.name)}
)
"""Every topic-level config of Kafka 4.x, by name."""

REMOVED: Mapping[str, str] = MappingProxyType(
    {
        "message.format.version": "Kafka 4.0 always writes the v2 record format (KIP-724); remove the key",
        "message.timestamp.difference.max.ms": (
            "Kafka 4.0 removed it (KIP-937); "
            "use message.timestamp.before.max.ms and message.timestamp.after.max.ms"
        ),
        "message.downconversion.enable": "Kafka 4.0 never down-converts, so the key does nothing; remove it",
    }
)
"""Topic configs that older Kafka had and 4.x no longer honours, with what to do instead."""

_THROTTLED = re.compile(r"\d+:\d+")


def lookup(name: str) -> TopicConfigKey | None:
    return CATALOG.get(name)


def check(key: TopicConfigKey, value: str) -> ConfigProblem | None:
    """Whether `value`, in Kafka's string form, is one Kafka accepts for `key`."""
    match key.type:
        case ConfigType.BOOLEAN:
            if value not in ("true", "false"):
                return ConfigProblem(f'must be true or false (found "{value}")')
        case ConfigType.INT | ConfigType.LONG:
            return _check_integer(key, value)
        case ConfigType.DOUBLE:
            try:
                number = float(value)
            except ValueError:
                return ConfigProblem(f'must be a number (found "{value}")')
            return _check_range(key, number)
        case ConfigType.STRING:
            if key.allowed and value not in key.allowed:
                return ConfigProblem(
                    f'must be one of {", ".join(key.allowed)} (found "{value}")', _closest(value, key)
                )
        case ConfigType.LIST:
            return _check_list(key, value)
    return None


def _check_integer(key: TopicConfigKey, value: str) -> ConfigProblem | None:
    try:
        number = int(value)
    except ValueError:
        return ConfigProblem(f'must be a whole number (found "{value}")')
    limit = INT_MAX if key.type is ConfigType.INT else LONG_MAX
    if number > limit:
        return ConfigProblem(
            f"must be at most {limit}, Kafka's {key.type.value} maximum (found {number})",
            f"Kafka stores {key.name} as a {32 if limit == INT_MAX else 64}-bit number: lower it",
        )
    if number in key.also:
        return None
    return _check_range(key, number)


def _check_range(key: TopicConfigKey, number: float) -> ConfigProblem | None:
    low, high = key.minimum, key.maximum
    too_low = low is not None and number < low
    if not too_low and (high is None or number <= high):
        return None
    if low is not None and high is not None:
        bound = f"between {low} and {high}"
    else:
        bound = f"at least {low}" if low is not None else f"at most {high}"
    also = "".join(f" or {v}" for v in key.also)
    hint = _RANGE_HINTS.get(key.name) or (
        f"raise it to {low} or more" if too_low else f"lower it to {high} or less"
    )
    if low == -1 and too_low:
        hint = "-1 means no limit; other negative values are not allowed"
    return ConfigProblem(f"must be {bound}{also} (found {_number(number)})", hint)


_RANGE_HINTS = {
    "segment.bytes": "Kafka 4.0 raised the minimum to 1MiB (KIP-1030)",
    "min.cleanable.dirty.ratio": "write a fraction such as 0.5",
}


def _check_list(key: TopicConfigKey, value: str) -> ConfigProblem | None:
    items = [item.strip() for item in value.split(",")] if value.strip() else []
    if any(not item for item in items):
        return ConfigProblem(f'has an empty item (found "{value}")', "separate items with single commas")
    if len(set(items)) != len(items):
        return ConfigProblem(f'repeats an item (found "{value}")', "Kafka 4.x rejects duplicate list items")
    if key.allowed:
        for item in items:
            if item not in key.allowed:
                return ConfigProblem(
                    f'items must be among {", ".join(key.allowed)} (found "{item}")', _closest(item, key)
                )
    elif key.name.endswith(".throttled.replicas") and items != ["*"]:
        for item in items:
            if not _THROTTLED.fullmatch(item):
                return ConfigProblem(
                    f'items must be partition:broker pairs, or the list must be just * (found "{item}")',
                    "write partition:broker, e.g. 0:1 for partition 0 on broker 1",
                )
    return None


def _closest(value: str, key: TopicConfigKey) -> str:
    lowered = {a.lower(): a for a in key.allowed}
    if value.lower() in lowered:
        return f"did you mean {lowered[value.lower()]}? Kafka compares these case-sensitively"
    match = difflib.get_close_matches(value, list(key.allowed), n=1, cutoff=0.6)
    return f"did you mean {match[0]}?" if match else f"Kafka accepts only the values listed for {key.name}"


def _number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() and abs(number) < 2**63 else str(number)


def canonical(key: str, value: str) -> str:
    """The form two equal values share: list order ignored, booleans lower-case, numbers
    in one spelling, no blanks. Values that do not parse are returned stripped, unchanged."""
    text = value.strip()
    spec = CATALOG.get(key)
    kind = spec.type if spec else None
    if kind is ConfigType.LIST or key.endswith(".throttled.replicas"):
        return ",".join(sorted(part.strip() for part in text.split(",") if part.strip()))
    if kind in (ConfigType.INT, ConfigType.LONG):
        try:
            return str(int(text))
        except ValueError:
            return text
    if kind is ConfigType.DOUBLE:
        try:
            return repr(float(text))
        except ValueError:
            return text
    if text.lower() in ("true", "false"):
        return text.lower()
    return text
