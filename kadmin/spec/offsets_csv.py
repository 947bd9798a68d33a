"""Kafka's offsets CSV: the ``topic,partition,offset`` rows that ``kafka-consumer-groups
--reset-offsets --export`` writes and ``--from-file`` reads.

This module owns reading (every bad row reported with file:line) and writing of that
format, and nothing else: no cluster access, no printing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kadmin.core.errors import KadminError, Location, SpecError
from kadmin.core.paths import path_problem
from kadmin.spec.names import name_problem

_FORMAT_HINT = (
    "each line is topic,partition,offset (for example: orders,0,1234), as `kadmin offsets show -o csv` writes"
)
_HEADER = ("topic", "partition", "offset")
# Kafka's partition ids are 32-bit and its offsets 64-bit, signed.
_INT_MAX = 2**31 - 1
_LONG_MAX = 2**63 - 1


def read_offsets_csv(path: Path, *, group: str | None = None) -> dict[tuple[str, int], int]:
    """The ``(topic, partition) -> offset`` rows of a reset file.

    Kafka writes the single-group form without a header. A ``topic,partition,offset``
    header line, blank lines and ``#`` comments are tolerated. With `group` set, the
    multi-group form Kafka exports for several groups (``group,topic,partition,offset``)
    is accepted too, keeping the rows of that group.

    Raises `SpecError` listing every bad row.
    """
    problem = path_problem(path)
    if problem is not None:
        raise SpecError(
            [KadminError(f"cannot read offsets file: it {problem[0]}", where=str(path), hint=problem[1])]
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise SpecError(
            [
                KadminError(
                    f"cannot read offsets file: {err.strerror or err}",
                    where=str(path),
                    hint="pass the path of a CSV written by `kadmin offsets show -o csv` or Kafka's --export",
                )
            ]
        ) from None
    except UnicodeDecodeError:
        raise SpecError(
            [KadminError("offsets file is not UTF-8 text", where=str(path), hint=_FORMAT_HINT)]
        ) from None

    offsets: dict[tuple[str, int], int] = {}
    first_line: dict[tuple[str, int], int] = {}
    problems: list[KadminError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = raw.split(",")
        fields = [c.strip() for c in cells]
        columns = _columns(cells)
        if tuple(f.lower() for f in fields) in (_HEADER, ("group", *_HEADER)):
            continue
        if len(fields) == 4 and group is not None:
            if fields[0] != group:
                continue
            fields, columns = fields[1:], columns[1:]
        where = Location(str(path), number, columns[0])
        if len(fields) != 3:
            hint = _FORMAT_HINT
            if len(fields) == 4:
                hint = (
                    "this is the multi-group form (group,topic,partition,offset); "
                    "keep one group's rows and drop the group column"
                )
            problems.append(
                KadminError(f"expected 3 fields, found {len(fields)}: {line!r}", where=where, hint=hint)
            )
            continue
        topic, partition_text, offset_text = fields
        row_problems = _check_row(topic, partition_text, offset_text, Location(str(path), number), columns)
        if row_problems:
            problems.extend(row_problems)
            continue
        key = (topic, int(partition_text))
        if key in offsets:
            problems.append(
                KadminError(
                    f"{topic} partition {key[1]} appears twice (first on line {first_line[key]})",
                    where=Location(str(path), number, columns[1], "partition"),
                    hint="keep one row per topic and partition",
                )
            )
            continue
        offsets[key] = int(offset_text)
        first_line[key] = number
    if not offsets and not problems:
        what = f"no rows for group {group}" if group is not None else "no rows"
        problems.append(KadminError(f"offsets file has {what}", where=str(path), hint=_FORMAT_HINT))
    if problems:
        raise SpecError(problems)
    return offsets


def format_offsets_csv(offsets: Mapping[tuple[str, int], int]) -> str:
    """Rows in Kafka's single-group form, sorted by topic and partition, no header."""
    return "".join(
        f"{topic},{partition},{offset}\n" for (topic, partition), offset in sorted(offsets.items())
    )


def _check_row(
    topic: str, partition: str, offset: str, line: Location, columns: list[int]
) -> list[KadminError]:
    def at(index: int, name: str) -> Location:
        return Location(line.file, line.line, columns[index], name)

    problems: list[KadminError] = []
    named = name_problem(topic)
    if not topic:
        problems.append(KadminError("empty topic name", where=at(0, "topic"), hint=_FORMAT_HINT))
    elif named is not None:
        problems.append(KadminError(f"topic {named[0]}", where=at(0, "topic"), hint=named[1]))
    if not _is_count(partition) or int(partition) > _INT_MAX:
        problems.append(
            KadminError(
                f"partition must be a whole number ≥ 0, got {partition!r}"
                if not _is_count(partition)
                else f"partition {partition} is beyond Kafka's largest partition id ({_INT_MAX})",
                where=at(1, "partition"),
                hint=_FORMAT_HINT,
            )
        )
    if not _is_count(offset) or int(offset) > _LONG_MAX:
        problems.append(
            KadminError(
                f"offset must be a whole number ≥ 0, got {offset!r}"
                if not _is_count(offset)
                else f"offset {offset} is beyond Kafka's largest offset ({_LONG_MAX})",
                where=at(2, "offset"),
                hint=_FORMAT_HINT,
            )
        )
    return problems


def _columns(cells: list[str]) -> list[int]:
    """1-based column where each cell's text starts, skipping leading blanks."""
    columns, start = [], 1
    for cell in cells:
        columns.append(start + len(cell) - len(cell.lstrip()))
        start += len(cell) + 1
    return columns


def _is_count(text: str) -> bool:
    return text.isascii() and text.isdigit()
