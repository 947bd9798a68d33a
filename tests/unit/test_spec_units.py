"""Human units: durations for *.ms configs, sizes for *.bytes configs, ISO-8601 durations."""

from __future__ import annotations

import pytest

from kadmin.core.durations import UnitError
from kadmin.spec.units import parse_duration_ms, parse_size_bytes


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("500ms", 500),
        ("30s", 30_000),
        ("15m", 900_000),
        ("12h", 43_200_000),
        ("7d", 604_800_000),
        ("2w", 1_209_600_000),
        ("1h30m", 5_400_000),
        ("1d 12h", 129_600_000),
        ("250", 250),
        ("-1", -1),
        (" 7d ", 604_800_000),
    ],
)
def test_durations_become_milliseconds(text: str, millis: int) -> None:
    assert parse_duration_ms(text) == millis


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("7 days", 'is not a duration (found "7 days")'),
        ("1.5h", 'is not a duration (found "1.5h")'),
        ("30m1h", 'repeats a unit or puts a smaller one first (found "30m1h")'),
        ("1h1h", 'repeats a unit or puts a smaller one first (found "1h1h")'),
        ("", "is empty"),
    ],
)
def test_bad_durations_say_what_was_found(text: str, message: str) -> None:
    with pytest.raises(UnitError) as caught:
        parse_duration_ms(text)
    assert caught.value.message == message
    assert "7d" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("512KiB", 524_288),
        ("1MiB", 1_048_576),
        ("2GiB", 2_147_483_648),
        ("1TiB", 1_099_511_627_776),
        ("500KB", 500_000),
        ("1MB", 1_000_000),
        ("3GB", 3_000_000_000),
        ("64B", 64),
        ("4096", 4096),
        ("1 MiB", 1_048_576),
    ],
)
def test_sizes_become_bytes_binary_and_decimal(text: str, size: int) -> None:
    assert parse_size_bytes(text) == size


def test_size_units_are_case_sensitive_with_a_hint() -> None:
    with pytest.raises(UnitError) as caught:
        parse_size_bytes("1mib")
    assert caught.value.message == 'has an unknown size unit "mib" (found "1mib")'
    assert caught.value.hint == "units are case-sensitive: did you mean MiB?"


def test_unknown_size_unit_lists_the_units() -> None:
    with pytest.raises(UnitError) as caught:
        parse_size_bytes("3 parsecs")
    assert "512KiB" in caught.value.hint
