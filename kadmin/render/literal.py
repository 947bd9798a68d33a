"""How the views put text on a rich console: literally, whatever console they are given.

Names, paths and values from users and the cluster reach these lines (a group
`[prod]billing`, a topic `x:fire:y`, a member's host): rich must never read them as
markup or emoji codes, and a terminal escape sequence inside them must never reach
the terminal. The views print through `say` so that holds even on a console built
with rich's defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

# C0 and C1 control characters except the newline the views put between lines.
_CONTROL_CHARACTERS: dict[int, str | None] = {
    **dict.fromkeys((*range(0x20), 0x7F, *range(0x80, 0xA0))),
    0x09: " ",
    0x0A: "\n",
}


class PlainLines:
    """Where views without any style print, instead of a rich console: straight to a text
    stream, so that a short command does not pay for importing rich (tens of milliseconds)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def print(
        self, text: str = "", *, markup: bool = False, emoji: bool = False, highlight: bool = False
    ) -> None:
        """What `say` calls: the text is literal here whatever the flags say."""
        self._stream.write(text + "\n")


def say(out: Console | PlainLines, text: str = "") -> None:
    """Print one line (or a few) as plain text: no markup, no emoji codes, no highlighting."""
    out.print(text.translate(_CONTROL_CHARACTERS), markup=False, emoji=False, highlight=False)
