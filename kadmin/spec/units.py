"""Human units in specs: durations for `*.ms` configs and sizes for `*.bytes` configs
(ISO-8601 durations and date-times are `kadmin.core.durations`).

Owns the unit grammar both ways: parsing (a whole number, or `UnitError` with a hint)
and formatting (the unit a person would write, for export and plan reviews). The
units, stated once:

- durations: ``ms``, ``s``, ``m`` (minutes), ``h``, ``d``, ``w``; whole numbers, and
  compounds such as ``1h30m`` (largest unit first).
- sizes: binary ``KiB`` ``MiB`` ``GiB`` ``TiB`` (powers of 1024) and decimal ``KB`` ``MB``
  ``GB`` ``TB`` (powers of 1000), or ``B``; case as written here, because ``Mb`` (bits)
  and ``MB`` differ and a spec must not leave the reader guessing.
"""

from __future__ import annotations

import re

from kadmin.core.durations import UnitError

DURATION_UNITS_MS = {"w": 604_800_000, "d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1_000, "ms": 1}
SIZE_UNITS = {
    "B": 1,
    "KiB": 1024,
    "MiB": 1024**2,
    "GiB": 1024**3,
    "TiB": 1024**4,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
}
DURATION_HINT = "write a whole number of milliseconds or a duration such as 500ms, 30s, 15m, 12h, 7d, 1h30m"
SIZE_HINT = (
    "write a whole number of bytes or a size such as 512KiB, 1MiB, 2GiB (binary) or 500KB, 1MB (decimal)"
)

_DURATION_PART = re.compile(r"(\d+)\s*(ms|s|m|h|d|w)")
_SIZE = re.compile(r"(\d+)\s*([A-Za-z]+)")


def parse_duration_ms(text: str) -> int:
    """``"7d"`` → 604800000; ``"1h30m"`` → 5400000; ``"250"`` → 250."""
    compact = text.strip()
    if compact.lstrip("-").isdigit():
        return int(compact)
    pos, total, last_rank = 0, 0, -1
    order = list(DURATION_UNITS_MS)
    while pos < len(compact):
        match = _DURATION_PART.match(compact, pos)
        if not match:
            raise UnitError(f'is not a duration (found "{text}")', DURATION_HINT)
        number, unit = match.groups()
        rank = order.index(unit)
        if rank <= last_rank:
            raise UnitError(f'repeats a unit or puts a smaller one first (found "{text}")', DURATION_HINT)
        last_rank = rank
        total += int(number) * DURATION_UNITS_MS[unit]
        pos = match.end()
        while pos < len(compact) and compact[pos] == " ":
            pos += 1
    if not compact:
        raise UnitError("is empty", DURATION_HINT)
    return total


def parse_size_bytes(text: str) -> int:
    """``"1MiB"`` → 1048576; ``"1MB"`` → 1000000; ``"4096"`` → 4096."""
    compact = text.strip()
    if compact.lstrip("-").isdigit():
        return int(compact)
    match = _SIZE.fullmatch(compact)
    if not match:
        raise UnitError(f'is not a size (found "{text}")', SIZE_HINT)
    number, unit = match.groups()
    if unit not in SIZE_UNITS:
        near = [u for u in SIZE_UNITS if u.lower() == unit.lower()]
        hint = f"units are case-sensitive: did you mean {near[0]}?" if near else SIZE_HINT
        raise UnitError(f'has an unknown size unit "{unit}" (found "{text}")', hint)
    return int(number) * SIZE_UNITS[unit]


# Weeks are left out on purpose: retention is thought of in days ("7d", "30d"), and
# a unit that changes when a value crosses a multiple of 7 would make diffs noisy.
_DURATIONS = tuple((unit, ms) for unit, ms in DURATION_UNITS_MS.items() if unit not in ("w", "ms"))
_BINARY_SIZES = sorted(((u, n) for u, n in SIZE_UNITS.items() if u.endswith("iB")), key=lambda u: -u[1])
_DECIMAL_SIZES = sorted(
    ((u, n) for u, n in SIZE_UNITS.items() if u != "B" and not u.endswith("iB")), key=lambda u: -u[1]
)


def format_duration_ms(ms: int) -> str | None:
    """The largest whole unit (``d``, ``h``, ``m``, ``s``) that states `ms` exactly: 604800000 → ``7d``.

    None below a second, for a number no unit states exactly, and for Kafka's sentinels
    (-1, Long.MAX_VALUE), which read best as they are.
    """
    if ms < 1000:
        return None
    for unit, factor in _DURATIONS:
        if ms % factor == 0:
            return f"{ms // factor}{unit}"
    return None


def format_size_bytes(n: int) -> str | None:
    """The largest binary unit that states `n` bytes exactly (``1GiB``), else the largest
    decimal one (``500MB``); None below 1000 bytes or when no unit states it exactly."""
    if n < 1000:
        return None
    for units in (_BINARY_SIZES, _DECIMAL_SIZES):
        for unit, factor in units:
            if n % factor == 0:
                return f"{n // factor}{unit}"
    return None
