"""What loading a spec found: errors (fatal, all of them) and warnings (reported, not fatal).

Owns collecting and de-duplicating them. A value set once in `defaults:` and checked
for each of 10,000 topics must be reported once, at its line, not 10,000 times.
"""

from __future__ import annotations

from kadmin.core.errors import KadminError, Location


class Findings:
    """Errors and warnings in the order found; `SpecError` sorts them later."""

    __slots__ = ("_seen", "errors", "warnings")

    def __init__(self) -> None:
        self.errors: list[KadminError] = []
        self.warnings: list[str] = []
        self._seen: set[tuple[str, str]] = set()

    def error(self, where: Location | str, message: str, hint: str = "") -> None:
        self.add(KadminError(message, where=where, hint=hint))

    def add(self, problem: KadminError) -> None:
        key = (str(problem.where), problem.message)
        if key not in self._seen:
            self._seen.add(key)
            self.errors.append(problem)

    def warn(self, where: Location | str, message: str) -> None:
        text = f"{where}: {message}"
        if text not in self.warnings:
            self.warnings.append(text)
