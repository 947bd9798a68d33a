"""The hostile-input corpus: every case under tests/data/hostile/ runs the real command line and
must end with exactly its expected exit code and stderr lines, and never a traceback.

A case is one ``*.case`` file: a comment line saying what it tries, then

    args: COMMAND ARGS...       (split like a shell; run in a fresh directory)
    exit: CODE
    stderr: LINE                (each line stderr must hold, exactly and in this order)

then the inputs it needs, each introduced by a line of its own:

    --- file NAME               the lines that follow, up to the next ``---`` line, as UTF-8
                                (each line ends with a newline; no lines is an empty file)
    --- bytes NAME EXPR         the bytes of a Python expression (``b"\\xff"``, ``"[" * 100_000``)
    --- symlink NAME TARGET     a symbolic link
    --- fifo NAME               a named pipe (nothing ever writes to it)
    --- dir NAME                an empty directory

Paths in messages are relative to the case's directory. No case reaches a cluster: each
fails before connecting, and the bootstrap address points at a port nothing listens on,
so a case that tried would fail with another message.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kadmin.cli.app import app

CORPUS = Path(__file__).resolve().parents[1] / "data" / "hostile"


@dataclass
class Case:
    args: list[str]
    exit: int
    stderr: list[str]
    inputs: list[tuple[str, str, str]] = field(default_factory=list)
    """(kind, name, payload): payload is the text, the expression or the link target."""


def parse(path: Path) -> Case:
    lines = path.read_text(encoding="utf-8").removesuffix("\n").split("\n")
    case = Case([], -1, [])
    index = 0
    while index < len(lines) and not lines[index].startswith("--- "):
        line = lines[index]
        key, _, value = line.partition(": ")
        if key == "args":
            case.args = shlex.split(value)
        elif key == "exit":
            case.exit = int(value)
        elif key == "stderr":
            case.stderr.append(value)
        index += 1
    while index < len(lines):
        kind, name, *rest = lines[index].removeprefix("--- ").split(" ", 2)
        index += 1
        body: list[str] = []
        while index < len(lines) and not lines[index].startswith("--- "):
            body.append(lines[index])
            index += 1
        payload = "\n".join(body) if kind == "file" else " ".join(rest)
        case.inputs.append((kind, name, payload))
    return case


def make(root: Path, kind: str, name: str, payload: str) -> None:
    path = root / name
    match kind:
        case "file":
            path.write_text(payload + "\n" if payload else "", encoding="utf-8")
        case "bytes":
            value = eval(payload, {"__builtins__": {}})  # the corpus's own literals, no builtins
            path.write_bytes(value if isinstance(value, bytes) else str(value).encode())
        case "symlink":
            path.symlink_to(payload)
        case "fifo":
            os.mkfifo(path)
        case "dir":
            path.mkdir()
        case _:
            raise AssertionError(f"unknown input kind {kind}")


CASES = sorted(CORPUS.glob("*.case"))


def test_the_corpus_has_at_least_a_hundred_cases() -> None:
    assert len(CASES) >= 100


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_hostile_input_fails_cleanly_with_its_exact_message(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = parse(path)
    assert case.args and case.exit >= 0 and case.stderr, f"{path.name}: args, exit and stderr are required"
    for kind, name, payload in case.inputs:
        make(tmp_path, kind, name, payload)
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("KADMIN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("KADMIN_BOOTSTRAP_SERVER", "127.0.0.1:9")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")

    result = CliRunner().invoke(app, case.args)

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert (result.exit_code, [line for line in lines if line in case.stderr]) == (case.exit, case.stderr), (
        result.stderr
    )
