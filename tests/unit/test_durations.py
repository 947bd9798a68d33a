"""ISO-8601 durations and date-times in both dialects: the spec's (unsigned, weeks, a timezone
required) and Kafka's --by-duration / --to-datetime (java.time.Duration.parse: signs, no weeks;
a time without a zone is UTC)."""

from __future__ import annotations

import pytest

from kadmin.core.durations import (
    KAFKA_DATETIME,
    KAFKA_DURATION,
    SPEC_DATETIME,
    SPEC_DURATION,
    UnitError,
    parse_iso_datetime,
    parse_iso_duration,
)

# --- the spec's dialect ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("P1D", 86_400_000),
        ("PT36H", 129_600_000),
        ("P1DT2H", 93_600_000),
        ("PT15M", 900_000),
        ("PT0.5S", 500),
        ("PT1.25S", 1_250),
        ("P2W", 1_209_600_000),
        ("p1dt1h", 90_000_000),
    ],
)
def test_iso_durations_become_milliseconds(text: str, millis: int) -> None:
    assert parse_iso_duration(text, SPEC_DURATION) == millis


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "1D", "P1H", "PT1D", "P1.5D"])
def test_malformed_iso_durations_are_refused(text: str) -> None:
    with pytest.raises(UnitError) as caught:
        parse_iso_duration(text, SPEC_DURATION)
    assert caught.value.message == f'is not an ISO-8601 duration (found "{text}")'


@pytest.mark.parametrize("text", ["P1M", "P1Y", "P1Y2M3D"])
def test_months_and_years_are_refused_because_their_length_varies(text: str) -> None:
    with pytest.raises(UnitError) as caught:
        parse_iso_duration(text, SPEC_DURATION)
    assert "years and months have no fixed length" in caught.value.hint


# --- Kafka's dialect ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("PT30M", 1_800_000),
        ("P1DT12H", 129_600_000),
        ("pt1.5s", 1500),
        ("PT0,25S", 250),
        ("-PT1H", -3_600_000),
        ("PT-0.5S", -500),
        ("P2D", 172_800_000),
        ("PT1H-10M", 3_000_000),
    ],
)
def test_parse_duration_follows_java_duration(text: str, millis: int) -> None:
    assert parse_iso_duration(text, KAFKA_DURATION) == millis


@pytest.mark.parametrize("text", ["P", "PT", "1H", "P1Y", "PT1H30", "P1W", ""])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_iso_duration(text, KAFKA_DURATION)


def test_parse_datetime_defaults_to_utc() -> None:
    assert parse_iso_datetime("2024-05-01T08:00:00", KAFKA_DATETIME) == 1_714_550_400_000
    assert parse_iso_datetime("2024-05-01T08:00:00.250Z", KAFKA_DATETIME) == 1_714_550_400_250
    assert parse_iso_datetime("2024-05-01T10:00:00+02:00", KAFKA_DATETIME) == 1_714_550_400_000
    with pytest.raises(ValueError, match="not a date-time"):
        parse_iso_datetime("yesterday", KAFKA_DATETIME)


# --- where the dialects differ --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spec", "kafka"),
    [
        ("P2W", 1_209_600_000, None),
        ("-PT1H", None, -3_600_000),
        ("PT1H-10M", None, 3_000_000),
        ("PT0,25S", None, 250),
        ("PT0.123456S", None, 123),
        ("P1DT2H", 93_600_000, 93_600_000),
    ],
)
def test_the_dialects_accept_what_their_grammar_says(text: str, spec: int | None, kafka: int | None) -> None:
    for grammar, expected in ((SPEC_DURATION, spec), (KAFKA_DURATION, kafka)):
        if expected is None:
            with pytest.raises(UnitError):
                parse_iso_duration(text, grammar)
        else:
            assert parse_iso_duration(text, grammar) == expected


def test_a_spec_datetime_needs_its_timezone() -> None:
    assert parse_iso_datetime("2026-11-20T00:00:00Z", SPEC_DATETIME) == 1_795_132_800_000
    assert parse_iso_datetime("2026-11-20T01:00:00.250+01:00", SPEC_DATETIME) == 1_795_132_800_250
    with pytest.raises(UnitError) as caught:
        parse_iso_datetime("2026-11-20T00:00:00", SPEC_DATETIME)
    assert caught.value.message == "has no timezone (found 2026-11-20T00:00:00)"
    assert caught.value.hint.startswith("add Z for UTC or an offset")
    with pytest.raises(UnitError) as caught:
        parse_iso_datetime("yesterday", SPEC_DATETIME)
    assert caught.value.message == "is not an ISO-8601 date and time (found yesterday)"
