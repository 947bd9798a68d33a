"""specs/README-spec.md stays true: its quoted examples are the files, its example output is real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kadmin.cli  # noqa: F401 - registers every command on the app
from kadmin.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "specs" / "README-spec.md").read_text(encoding="utf-8")


def block_after(marker: str) -> str:
    """The fenced block right after an HTML comment marker."""
    found = re.search(re.escape(marker) + r"\n```[a-z]*\n(.*?)```\n", README, re.DOTALL)
    assert found, marker
    return found.group(1)


QUOTED = re.findall(r"<!-- quote: (\S+) -->", README)


def test_the_readme_quotes_every_example_file() -> None:
    examples = {
        str(p.relative_to(ROOT)) for p in (ROOT / "specs").rglob("*") if p.suffix in (".yaml", ".csv")
    }
    assert set(QUOTED) == examples


@pytest.mark.parametrize("path", QUOTED)
def test_quoted_examples_are_the_files_word_for_word(path: str) -> None:
    assert block_after(f"<!-- quote: {path} -->") == (ROOT / path).read_text(encoding="utf-8")


def test_the_example_output_is_what_validate_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bad.yaml").write_text(
        block_after("<!-- example: specs/bad.yaml -->"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "specs/"])
    assert result.exit_code == 1
    assert result.stderr == block_after("<!-- example-output -->")
