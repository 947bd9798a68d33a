"""The spec corpus: every invalid case must produce exactly the located messages its files
name, and every valid case must load with exactly the warnings its files name.

A case is a file or a directory under tests/data/specs/{invalid,valid}; a case with
environments loads every one of them. Each of its
files (YAML or CSV) lists what it must produce in trailing comments:

    # expect: LINE:COL: field: message — hint     (an error located in this file)
    # warn: LINE:COL: field: message              (a warning located in this file)

``{dir}`` stands for the case's directory, for messages that cite another location.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kadmin.core.errors import Location, SpecError
from kadmin.spec.load import load_every_state, load_specs

DATA = Path(__file__).resolve().parents[1] / "data" / "specs"
ENV = {"TEAM": "payments", "RETENTION": "3d"}


def cases(kind: str) -> list[Path]:
    return sorted(p for p in (DATA / kind).iterdir() if p.is_dir() or p.suffix == ".yaml")


def expected(case: Path, marker: str) -> list[str]:
    folder = case if case.is_dir() else case.parent
    files = sorted(p for p in case.iterdir() if p.is_file()) if case.is_dir() else [case]
    lines = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.startswith(f"# {marker}: "):
                text = line.removeprefix(f"# {marker}: ").replace("{dir}", str(folder))
                lines.append(f"{file}:{text}")
    return sorted(lines)


@pytest.mark.parametrize("case", cases("invalid"), ids=lambda p: p.name)
def test_invalid_spec_reports_exactly_its_expected_problems(case: Path) -> None:
    want = expected(case, "expect")
    assert want, f"{case} names no expected problem"
    with pytest.raises(SpecError) as caught:
        load_every_state([str(case)], env=ENV)
    assert sorted(str(problem) for problem in caught.value.problems) == want


@pytest.mark.parametrize("case", cases("valid"), ids=lambda p: p.name)
def test_valid_spec_loads_with_exactly_its_expected_warnings(case: Path) -> None:
    # A case with environments is valid when each of them is.
    for state in load_every_state([str(case)], env=ENV).values():
        assert sorted(state.warnings) == expected(case, "warn")
        assert state.topics or state.offset_resets or state.cluster.zones


def test_problems_come_sorted_by_file_line_and_column() -> None:
    with pytest.raises(SpecError) as caught:
        load_specs([str(DATA / "invalid" / "offsets-entries.yaml")], env=ENV)
    spots = [(p.where.line, p.where.column) for p in caught.value.problems if isinstance(p.where, Location)]
    assert spots == sorted(spots)
    assert len(spots) == len(caught.value.problems) == 15
