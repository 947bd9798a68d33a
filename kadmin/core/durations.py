"""ISO-8601 durations and date-times, in the two dialects kadmin reads, as milliseconds.

One parser for each, with the dialect as a named value:

- `SPEC_DURATION` / `SPEC_DATETIME`: what a spec may write (``offset_resets``'
  ``{duration: ...}`` and ``{datetime: ...}``). Durations are unsigned, ``PnW`` or
  ``PnDTnHnMnS`` with at most milliseconds; a date-time must carry its timezone, since a
  spec applied from another machine must mean the same instant.
- `KAFKA_DURATION` / `KAFKA_DATETIME`: what Kafka's ``kafka-consumer-groups`` accepts for
  ``--by-duration`` and ``--to-datetime``, so ``kadmin offsets reset`` takes the same
  text. Durations follow Java's ``Duration.parse``: a sign before the whole and before
  each part, ``.`` or ``,`` before the fraction, days at most (no weeks); a date-time
  without a timezone is UTC.

No dialect has years or months: their length varies. Errors are `UnitError`, a
`ValueError` carrying what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNIT_MS = {"w": 604_800_000, "d": 86_400_000, "h": 3_600_000, "m": 60_000}


class UnitError(ValueError):
    """A value whose unit or number cannot be read, with what to write instead."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class DurationGrammar:
    """One dialect of ISO-8601 durations."""

    name: str
    signed: bool
    """A sign may precede the whole duration and each of its parts (``-PT1H``, ``PT1H-10M``)."""
    weeks: bool
    """``PnW`` is accepted (on its own, as ISO-8601 has it)."""
    pattern: re.Pattern[str]
    refusal: Callable[[str], UnitError]


def _duration_grammar(
    name: str, *, signed: bool, weeks: bool, fraction: str, refusal: Callable[[str], UnitError]
) -> DurationGrammar:
    sign = r"[-+]?" if signed else ""
    days_and_time = (
        rf"(?:(?P<d>{sign}\d+)D)?"
        rf"(?P<t>T(?:(?P<h>{sign}\d+)H)?(?:(?P<m>{sign}\d+)M)?(?:(?P<s>{sign}\d+)(?:{fraction})?S)?)?"
    )
    body = rf"(?:(?P<w>\d+)W|{days_and_time})" if weeks else days_and_time
    pattern = re.compile(rf"(?P<sign>{sign})P{body}", re.IGNORECASE)
    return DurationGrammar(name, signed, weeks, pattern, refusal)


def _not_a_spec_duration(text: str) -> UnitError:
    hint = "write an ISO-8601 duration such as PT30M, PT12H, P1D, P1DT12H or P2W"
    if re.match(r"P[^T]*\d[YM]", text.strip().upper()):
        hint = "years and months have no fixed length: write days instead, e.g. P30D"
    return UnitError(f'is not an ISO-8601 duration (found "{text}")', hint)


def _not_a_kafka_duration(text: str) -> UnitError:
    return UnitError(f"{text!r} is not a duration like PT30M, PT2H or P1DT12H (ISO 8601, days at most)")


SPEC_DURATION = _duration_grammar(
    "spec", signed=False, weeks=True, fraction=r"\.(?P<f>\d{1,3})", refusal=_not_a_spec_duration
)
KAFKA_DURATION = _duration_grammar(
    "kafka", signed=True, weeks=False, fraction=r"[.,](?P<f>\d{0,9})", refusal=_not_a_kafka_duration
)


def parse_iso_duration(text: str, grammar: DurationGrammar) -> int:
    """Milliseconds in `text`: ``P1DT2H`` → 93600000, ``PT0.5S`` → 500, ``-PT1H`` → -3600000 (if signed)."""
    match = grammar.pattern.fullmatch(text.strip())
    parts = match.groupdict() if match else {}
    if not match or parts["t"] == "T" or not any(parts.get(k) for k in ("w", "d", "h", "m", "s")):
        raise grammar.refusal(text)
    total = sum(int(parts[unit]) * factor for unit, factor in _UNIT_MS.items() if parts.get(unit))
    seconds = parts["s"] or "0"
    # The fraction takes the sign of its seconds, as in Java: PT-0.5S is -500 ms.
    millis = int((parts["f"] or "").ljust(3, "0")[:3])
    total += int(seconds) * 1000 + (-millis if seconds.startswith("-") else millis)
    if abs(total) > MAX_DURATION_MS:
        raise UnitError(
            f"is longer than 100 years (found {text!r}): no Kafka record is that old",
            "look back days or weeks, e.g. P7D; to start from the oldest record use earliest",
        )
    return -total if parts["sign"] == "-" else total


@dataclass(frozen=True, slots=True)
class DateTimeGrammar:
    """One dialect of ISO-8601 date-times (Python's `datetime.fromisoformat`, ``Z`` included)."""

    name: str
    zone_required: bool
    """Without it, a time with no timezone is UTC."""
    refusal: Callable[[str], UnitError]


_SPEC_DATETIME_HINT = "write it like 2026-11-20T00:00:00Z or 2026-11-20T01:00:00+01:00"

SPEC_DATETIME = DateTimeGrammar(
    "spec",
    zone_required=True,
    refusal=lambda text: UnitError(f"is not an ISO-8601 date and time (found {text})", _SPEC_DATETIME_HINT),
)
KAFKA_DATETIME = DateTimeGrammar(
    "kafka",
    zone_required=False,
    refusal=lambda text: UnitError(
        f"{text!r} is not a date-time like 2024-05-01T08:00:00, 2024-05-01T08:00:00.000+02:00 or ...Z"
    ),
)


_DATE_SHAPED = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
MAX_DURATION_MS = 36525 * 86_400_000
"""100 years: longer look-backs reach before any Kafka record (and before 1970, where timestamps turn
into ListOffsets' sentinels)."""


def parse_iso_datetime(text: str, grammar: DateTimeGrammar) -> int:
    """Epoch milliseconds of `text`: ``2024-05-01T08:00:00.250Z`` → 1714550400250."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as err:
        if _DATE_SHAPED.match(text.strip()):
            # Shaped like a date, but no such day or time: February 30th, 25 o'clock.
            raise UnitError(
                f"is not a date and time that exists ({err}; found {text})", _SPEC_DATETIME_HINT
            ) from None
        raise grammar.refusal(text) from None
    if moment.tzinfo is None:
        if grammar.zone_required:
            raise UnitError(
                f"has no timezone (found {text})", f"add Z for UTC or an offset: {_SPEC_DATETIME_HINT}"
            )
        moment = moment.replace(tzinfo=UTC)
    millis = (moment - _EPOCH) // timedelta(milliseconds=1)
    if millis < 0:
        # ListOffsets reads negative timestamps as sentinels (-1 latest, -2 earliest).
        raise UnitError(
            f"is before 1970 (found {text}), where Kafka timestamps begin",
            "give a time after 1970-01-01T00:00:00Z; to start from the oldest record use earliest",
        )
    return millis
