"""Topic configs: natural YAML → the strings Kafka stores, checked against Kafka 4.x's catalog."""

from __future__ import annotations

import pytest

from kadmin.core.kafka_configs import CATALOG, REMOVED, ConfigType, canonical, check
from kadmin.spec.configs import ConfigValueError, to_kafka


def kafka(key: str, value: object) -> str:
    return to_kafka(CATALOG[key], value)


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("retention.ms", "7d", "604800000"),
        ("retention.ms", 86_400_000, "86400000"),
        ("retention.ms", -1, "-1"),
        ("retention.ms", "-1", "-1"),
        ("local.retention.ms", -2, "-2"),
        ("segment.ms", "1h30m", "5400000"),
        ("max.message.bytes", "2MiB", "2097152"),
        ("max.message.bytes", "1MB", "1000000"),
        ("retention.bytes", "10GiB", "10737418240"),
        ("retention.bytes", -1, "-1"),
        ("min.insync.replicas", 2, "2"),
        ("min.insync.replicas", "2", "2"),
        ("flush.messages", 1, "1"),
        ("preallocate", True, "true"),
        ("unclean.leader.election.enable", "False", "false"),
        ("min.cleanable.dirty.ratio", 0.25, "0.25"),
        ("min.cleanable.dirty.ratio", 1, "1.0"),
        ("cleanup.policy", ["compact", "delete"], "compact,delete"),
        ("cleanup.policy", "delete, compact", "delete,compact"),
        ("cleanup.policy", "compact", "compact"),
        ("cleanup.policy", [], ""),
        ("compression.type", "zstd", "zstd"),
        ("compression.gzip.level", -1, "-1"),
        ("compression.zstd.level", -5, "-5"),
        ("message.timestamp.type", "LogAppendTime", "LogAppendTime"),
        ("leader.replication.throttled.replicas", ["0:1", "1:2"], "0:1,1:2"),
        ("follower.replication.throttled.replicas", "*", "*"),
        ("segment.bytes", "1MiB", "1048576"),
    ],
)
def test_values_become_the_strings_kafka_stores(key: str, value: object, stored: str) -> None:
    assert kafka(key, value) == stored


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("retention.ms", "7 days", 'is not a duration (found "7 days")'),
        ("retention.ms", -2, "must be at least -1 (found -2)"),
        ("retention.ms", 1.5, "must be a whole number (found 1.5)"),
        ("retention.ms", True, "must be a whole number (found true)"),
        ("retention.ms", "-1d", 'cannot be negative with a unit (found "-1d")'),
        ("delete.retention.ms", -1, "must be at least 0 (found -1)"),
        ("max.message.bytes", "3GiB", "must be at most 2147483647, Kafka's int maximum (found 3221225472)"),
        ("segment.bytes", "512KiB", "must be at least 1048576 (found 524288)"),
        ("min.insync.replicas", 0, "must be at least 1 (found 0)"),
        ("min.insync.replicas", "two", 'must be a whole number (found "two")'),
        ("preallocate", "maybe", 'must be true or false (found "maybe")'),
        ("min.cleanable.dirty.ratio", 2, "must be between 0 and 1 (found 2)"),
        ("min.cleanable.dirty.ratio", "half", 'must be a number (found "half")'),
        ("cleanup.policy", ["compact", "compact"], 'repeats an item (found "compact,compact")'),
        ("cleanup.policy", "compact,,delete", 'has an empty item (found "compact,,delete")'),
        ("cleanup.policy", ["archive"], 'items must be among compact, delete (found "archive")'),
        ("cleanup.policy", 5, "must be a list (found 5)"),
        (
            "compression.type",
            "brotli",
            'must be one of uncompressed, zstd, lz4, snappy, gzip, producer (found "brotli")',
        ),
        ("compression.type", 1, "must be text (found 1)"),
        ("compression.gzip.level", 10, "must be between 1 and 9 or -1 (found 10)"),
        ("compression.lz4.level", 18, "must be between 1 and 17 (found 18)"),
        ("compression.zstd.level", 23, "must be between -131072 and 22 (found 23)"),
        (
            "leader.replication.throttled.replicas",
            ["*", "0:1"],
            'items must be partition:broker pairs, or the list must be just * (found "*")',
        ),
    ],
)
def test_bad_values_say_what_is_wrong_and_what_was_found(key: str, value: object, message: str) -> None:
    with pytest.raises(ConfigValueError) as caught:
        kafka(key, value)
    assert caught.value.message == message
    assert caught.value.hint


def test_case_mistakes_in_enums_get_the_right_spelling() -> None:
    with pytest.raises(ConfigValueError) as caught:
        kafka("message.timestamp.type", "logappendtime")
    assert caught.value.hint == "did you mean LogAppendTime? Kafka compares these case-sensitively"


def test_the_catalog_has_kafka_4_topic_configs_and_not_the_removed_ones() -> None:
    assert len(CATALOG) == 35
    assert {"retention.ms", "cleanup.policy", "compression.zstd.level", "remote.storage.enable"} <= set(
        CATALOG
    )
    assert not set(REMOVED) & set(CATALOG)
    assert set(REMOVED) == {
        "message.format.version",
        "message.timestamp.difference.max.ms",
        "message.downconversion.enable",
    }
    assert CATALOG["segment.bytes"].minimum == 1024 * 1024
    assert CATALOG["max.message.bytes"].type is ConfigType.INT
    assert CATALOG["retention.ms"].unit == "ms" and CATALOG["retention.bytes"].unit == "bytes"
    assert CATALOG["flush.messages"].unit is None and CATALOG["min.insync.replicas"].unit is None


def test_every_default_passes_its_own_check() -> None:
    for key in CATALOG.values():
        assert check(key, key.default) is None, key.name


@pytest.mark.parametrize(
    ("key", "one", "other"),
    [
        ("cleanup.policy", "delete,compact", "compact, delete"),
        ("leader.replication.throttled.replicas", "1:2,0:1", "0:1,1:2"),
        ("preallocate", "TRUE", "true"),
        ("retention.ms", "0604800000", "604800000"),
        ("min.cleanable.dirty.ratio", "0.50", "0.5"),
        ("min.cleanable.dirty.ratio", "1", "1.0"),
        ("compression.type", " zstd ", "zstd"),
        ("some.plugin.config", "True", "true"),
    ],
)
def test_canonical_forms_of_equal_values_are_equal(key: str, one: str, other: str) -> None:
    assert canonical(key, one) == canonical(key, other)


def test_canonical_keeps_different_values_different_and_odd_ones_unchanged() -> None:
    assert canonical("retention.ms", "1000") != canonical("retention.ms", "10000")
    assert canonical("retention.ms", "7d") == "7d"
    assert canonical("min.cleanable.dirty.ratio", "half") == "half"


def test_what_the_loader_stores_is_canonical_already() -> None:
    for key, value in [("retention.ms", "7d"), ("min.cleanable.dirty.ratio", 0.5), ("preallocate", True)]:
        stored = kafka(key, value)
        assert canonical(key, stored) == stored
