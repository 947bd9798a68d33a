"""Reading and writing Kafka's topic,partition,offset reset files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kadmin.core.errors import Location, SpecError
from kadmin.spec.offsets_csv import format_offsets_csv, read_offsets_csv


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "offsets.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_kafka_export_form(tmp_path: Path) -> None:
    path = _write(tmp_path, "orders,0,15\norders,1,0\npayments.v2,3,987654321\n")
    assert read_offsets_csv(path) == {("orders", 0): 15, ("orders", 1): 0, ("payments.v2", 3): 987654321}


def test_tolerates_header_blank_lines_comments_and_spaces(tmp_path: Path) -> None:
    path = _write(tmp_path, "# backup of billing\ntopic,partition,offset\n\n orders , 2 , 7 \n")
    assert read_offsets_csv(path) == {("orders", 2): 7}


def test_round_trips_with_format(tmp_path: Path) -> None:
    offsets = {("b", 1): 5, ("a", 10): 3, ("a", 2): 0}
    text = format_offsets_csv(offsets)
    assert text == "a,2,0\na,10,3\nb,1,5\n"
    assert read_offsets_csv(_write(tmp_path, text)) == offsets


def test_every_bad_row_is_reported_with_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "orders,0,1\norders,x,1\norders,1,-4\norders,0,9\nonly,two\n")
    with pytest.raises(SpecError) as caught:
        read_offsets_csv(path)
    where = [(p.where, p.message) for p in caught.value.problems]
    assert where == [
        (Location(str(path), 2, 8, "partition"), "partition must be a whole number ≥ 0, got 'x'"),
        (Location(str(path), 3, 10, "offset"), "offset must be a whole number ≥ 0, got '-4'"),
        (Location(str(path), 4, 8, "partition"), "orders partition 0 appears twice (first on line 1)"),
        (Location(str(path), 5, 1), "expected 3 fields, found 2: 'only,two'"),
    ]
    assert all(p.hint for p in caught.value.problems)


def test_multi_group_form_needs_a_group(tmp_path: Path) -> None:
    path = _write(tmp_path, "billing,orders,0,4\nother,orders,0,9\nbilling,orders,1,6\n")
    assert read_offsets_csv(path, group="billing") == {("orders", 0): 4, ("orders", 1): 6}
    with pytest.raises(SpecError) as caught:
        read_offsets_csv(path)
    assert "multi-group form" in caught.value.problems[0].hint


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no rows"):
        read_offsets_csv(_write(tmp_path, "\n# nothing\n"))


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "absent.csv"
    with pytest.raises(SpecError) as caught:
        read_offsets_csv(path)
    assert caught.value.problems[0].where == str(path)
    assert "cannot read" in caught.value.problems[0].message
