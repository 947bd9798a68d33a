"""Exit codes: 2 only ever means "changes" (or drift); every error, usage errors included, exits 1."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kadmin.cli.app import app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "--bogus"], "No such option: --bogus"),
        (["plan"], "Missing argument 'SPEC'"),
        (["plan", "specs/", "--timeout", "0"], "Invalid value for '--timeout'"),
        (["apply", "specs/", "--throttle", "0"], "Invalid value for '--throttle'"),
        (["offsets", "reset"], "Missing option '--group'"),
        (["offsets", "bogus"], "No such command 'bogus'"),
        (["bogus"], "No such command 'bogus'"),
        (["zones", "-o", "yaml"], "Invalid value for '--output'"),
        (["local", "up", "--nodes", "x"], "Invalid value for '--nodes'"),
    ],
)
def test_usage_errors_exit_1_not_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
