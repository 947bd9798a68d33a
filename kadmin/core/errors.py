"""The one error family kadmin raises for expected failures.

Every expected failure (bad spec, unreachable cluster, refused plan) is a
`KadminError` carrying *where* it happened and *what to do*. The CLI catches this
class only and prints it without a traceback; anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a spec file: `file:line:column` and the dotted path of the field."""

    file: str
    line: int
    column: int = 1
    field: str = ""

    @property
    def spot(self) -> str:
        """``file:line:column``, without the field: how a message points at an earlier place."""
        return f"{self.file}:{self.line}:{self.column}"

    def __str__(self) -> str:
        return f"{self.spot}: {self.field}" if self.field else self.spot

    def at(self, field: str) -> Location:
        """The same place, naming another field."""
        return Location(self.file, self.line, self.column, field)


class KadminError(Exception):
    """An expected failure, with where it happened and a hint on what to do.

    `where` is a spec `Location` or a plain target such as ``topic orders`` or
    ``broker 3``.
    """

    exit_code = 1

    def __init__(self, message: str, *, where: Location | str | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text} — {self.hint}" if self.hint else text

    def with_hint(self) -> str:
        """``message (hint)``: the error as one outcome's text, where `where` is already the target."""
        return f"{self.message} ({self.hint})" if self.hint else self.message


class SpecError(KadminError):
    """One or more problems in spec files; `problems` holds every one found."""

    def __init__(self, problems: list[KadminError]) -> None:
        self.problems = sorted(problems, key=_sort_key)
        first = self.problems[0] if self.problems else None
        super().__init__(
            f"{len(self.problems)} problem(s) in the spec",
            where=first.where if first else None,
        )

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class ClusterError(KadminError):
    """The cluster could not be reached or refused a request."""


class PlanError(KadminError):
    """The spec asks for something Kafka cannot do (shrink partitions, ...)."""


class StalePlanError(KadminError):
    """A saved plan no longer matches the cluster it was computed from."""


class LocalClusterError(KadminError):
    """A local Kafka started by `kadmin local` failed to start or stop."""


def _sort_key(err: KadminError) -> tuple[str, int, int, str]:
    where = err.where
    if isinstance(where, Location):
        return (where.file, where.line, where.column, err.message)
    return (str(where or ""), 0, 0, err.message)
