"""What a local node's log says: its last lines, and the error a dead node left behind.

Each start of a node begins a fresh ``node.log`` (the previous one is kept as
``node.log.1``), so what is read here is always about the node's last run.
"""

from __future__ import annotations

import re
from pathlib import Path

# -XX:+ExitOnOutOfMemoryError prints "Terminating due to java.lang.OutOfMemoryError: ...";
# the quiet log4j2 layout writes "[time] LEVEL message (logger)".
_OUT_OF_MEMORY = re.compile(r"OutOfMemoryError")
_ERROR = re.compile(r"\] (ERROR|FATAL) |^Exception in thread |^Error: ")
_READ_LIMIT = 256 * 1024


def tail(path: Path, lines: int = 25) -> str:
    """The last `lines` lines of `path`, or a note that there is no log."""
    text = _read_end(path)
    if text is None:
        return f"(no log at {path})"
    return "\n".join(text.rstrip().splitlines()[-lines:])


def death_reason(path: Path) -> str:
    """The line of a dead node's log that best says why it died.

    An OutOfMemoryError first (the JVM exits on one, and later lines are noise), else the
    last ERROR or FATAL line, else "" (a node killed by a signal writes nothing).
    """
    text = _read_end(path)
    if not text:
        return ""
    lines = text.splitlines()
    for pattern in (_OUT_OF_MEMORY, _ERROR):
        for line in reversed(lines):
            if pattern.search(line):
                return line.strip()
    return ""


def rotate(path: Path) -> None:
    """Keep the previous run's log as ``<name>.1`` so a new run starts an empty one."""
    if path.exists():
        path.replace(path.with_name(path.name + ".1"))


def _read_end(path: Path) -> str | None:
    # Logs of long-running nodes grow; the reason for a death is at the end.
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            f.seek(max(0, size - _READ_LIMIT))
            return f.read().decode(errors="replace")
    except OSError:
        return None
