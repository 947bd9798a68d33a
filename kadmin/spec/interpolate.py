"""`${VAR}` and `${VAR:-default}` in spec values.

Owns the expansion rules only; where a value sits is the caller's business. The rules,
kept to a small, shell-like subset so that a reader can predict every result:

- ``${NAME}`` is the variable's value; unset is an error (the spec must not depend on an
  empty string by accident).
- ``${NAME:-text}`` is the value, or ``text`` when the variable is unset or empty.
- ``$${`` is a literal ``${``; a ``$`` anywhere else is just a dollar sign.
- No nesting, no other operators. NAME is ``[A-Za-z_][A-Za-z0-9_]*``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_BODY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)


class InterpolationError(ValueError):
    """A `${...}` that cannot be expanded, with what to do about it."""

    def __init__(self, message: str, hint: str, *, unset: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.unset = unset
        """A well-formed ${NAME} whose variable is not set (not a mistake in the text)."""


def expand(text: str, env: Mapping[str, str]) -> str:
    """`text` with every `${...}` replaced; raises `InterpolationError` on the first bad one."""
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("${", pos)
        if start < 0:
            out.append(text[pos:])
            return "".join(out)
        if start > 0 and text[start - 1] == "$":
            out.append(text[pos : start - 1] + "${")
            pos = start + 2
            continue
        end = text.find("}", start + 2)
        if end < 0:
            raise InterpolationError(
                f'unterminated variable (found "{text[start:]}")',
                "close it with } or write $${ for a literal ${",
            )
        out.append(text[pos:start])
        out.append(_lookup(text[start + 2 : end], env))
        pos = end + 1


def _lookup(body: str, env: Mapping[str, str]) -> str:
    match = _BODY.fullmatch(body)
    if not match:
        raise InterpolationError(
            f"malformed variable (found ${{{body}}})", "write ${NAME} or ${NAME:-default}, NAME as in a shell"
        )
    name, default = match.group(1), match.group(2)
    value = env.get(name)
    if default is not None:
        return value if value else default
    if value is None:
        raise InterpolationError(
            f"variable {name} is not set",
            f"set {name} in the environment, or give a default: ${{{name}:-value}}",
            unset=True,
        )
    return value
