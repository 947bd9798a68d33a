"""Offset resets: every target mode, topic selections and CSV files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kadmin.core.errors import SpecError
from kadmin.core.model import OffsetMode, ResetTo
from kadmin.spec.load import load_specs


def resets(tmp_path: Path, entries: str) -> dict[str, object]:
    text = "version: 1\ntopics: {orders: {partitions: 4, replication_factor: 1}}\noffset_resets:\n"
    (tmp_path / "s.yaml").write_text(text + textwrap.indent(textwrap.dedent(entries), "  "), encoding="utf-8")
    state = load_specs([str(tmp_path / "s.yaml")], env={})
    return {reset.id: reset for reset in state.offset_resets}


@pytest.mark.parametrize(
    ("to", "target"),
    [
        ("earliest", ResetTo(OffsetMode.EARLIEST)),
        ("latest", ResetTo(OffsetMode.LATEST)),
        ("current", ResetTo(OffsetMode.CURRENT)),
        ("{offset: 42}", ResetTo(OffsetMode.OFFSET, 42, "42")),
        ("{shift_by: -10}", ResetTo(OffsetMode.SHIFT_BY, -10, "-10")),
        (
            '{datetime: "2026-11-20T00:00:00Z"}',
            ResetTo(OffsetMode.DATETIME, 1_795_132_800_000, "2026-11-20T00:00:00Z"),
        ),
        (
            "{datetime: 2026-11-20T01:00:00.250+01:00}",
            ResetTo(OffsetMode.DATETIME, 1_795_132_800_250, "2026-11-20T01:00:00.250+01:00"),
        ),
        ("{duration: P1DT2H}", ResetTo(OffsetMode.DURATION, 93_600_000, "P1DT2H")),
    ],
)
def test_targets(tmp_path: Path, to: str, target: ResetTo) -> None:
    reset = resets(tmp_path, f"- {{id: r, group: g, topics: [orders], to: {to}}}\n")["r"]
    assert reset.to == target  # type: ignore[attr-defined]


def test_topic_selections(tmp_path: Path) -> None:
    found = resets(
        tmp_path,
        """\
        - {id: all, group: g, topics: [orders, elsewhere], to: latest}
        - {id: some, group: h, topics: {orders: [3, 1]}, to: latest}
        """,
    )
    assert dict(found["all"].topics) == {"orders": (), "elsewhere": ()}  # type: ignore[attr-defined]
    assert dict(found["some"].topics) == {"orders": (1, 3)}  # type: ignore[attr-defined]


def test_file_target_reads_rows_relative_to_the_spec(tmp_path: Path) -> None:
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "rows.csv").write_text("orders,0,10\norders,2,30\nother,0,5\n", encoding="utf-8")
    found = resets(tmp_path, "- {id: f, group: g, to: {file: csv/rows.csv}}\n")
    reset = found["f"]
    assert reset.to.mode is OffsetMode.FILE and reset.to.text == "csv/rows.csv"  # type: ignore[attr-defined]
    assert dict(reset.to.file_offsets) == {("orders", 0): 10, ("orders", 2): 30, ("other", 0): 5}  # type: ignore[attr-defined]
    assert dict(reset.topics) == {"orders": (0, 2), "other": (0,)}  # type: ignore[attr-defined]


def test_file_rows_must_exist_in_declared_topics(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text("orders,9,10\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        resets(tmp_path, "- {id: f, group: g, to: {file: rows.csv}}\n")
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 's.yaml'}:4:34: offset_resets[0].to.file: has a row for partition 9 of orders,"
        " which has 4 (0 to 3) — partitions count from 0"
    ]


def test_the_origin_of_a_reset_is_its_entry(tmp_path: Path) -> None:
    reset = resets(tmp_path, "- id: r\n  group: g\n  topics: [orders]\n  to: latest\n")["r"]
    assert str(reset.origin) == f"{tmp_path / 's.yaml'}:4:5: offset_resets[0]"  # type: ignore[attr-defined]


def test_two_resets_of_one_group_and_partition_are_an_error_at_both_entries(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        resets(
            tmp_path,
            """\
            - {id: first, group: g, topics: {orders: [0, 1]}, to: earliest}
            - {id: other-group, group: h, topics: [orders], to: latest}
            - {id: third, group: g, topics: {orders: [2]}, to: latest}
            - {id: second, group: g, topics: [orders], to: latest}
            """,
        )
    spec = tmp_path / "s.yaml"
    assert sorted(str(p) for p in caught.value.problems) == [
        f"{spec}:4:5: offset_resets[0]: offset reset first moves orders partitions 0, 1 of group g, "
        f"as offset reset second at {spec}:7:5 does — a partition of a group is reset by one entry per spec: "
        "merge them, or remove the one already applied (kadmin keeps it recorded in the cluster)",
        f"{spec}:6:5: offset_resets[2]: offset reset third moves orders partition 2 of group g, "
        f"as offset reset second at {spec}:7:5 does — a partition of a group is reset by one entry per spec: "
        "merge them, or remove the one already applied (kadmin keeps it recorded in the cluster)",
        f"{spec}:7:5: offset_resets[3]: offset reset second moves orders partition 2 of group g, "
        f"as offset reset third at {spec}:6:5 does — a partition of a group is reset by one entry per spec: "
        "merge them, or remove the one already applied (kadmin keeps it recorded in the cluster)",
        f"{spec}:7:5: offset_resets[3]: offset reset second moves orders partitions 0, 1 of group g, "
        f"as offset reset first at {spec}:4:5 does — a partition of a group is reset by one entry per spec: "
        "merge them, or remove the one already applied (kadmin keeps it recorded in the cluster)",
    ]
