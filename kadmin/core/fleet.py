"""Several clusters at once: one result per spec environment, a plan or drift report, or the error
that environment ended with (unreachable, wrong cluster, refused credentials).

Pure values; `kadmin.ops.fanout` computes them, the renderers show one section per environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from kadmin.core.errors import KadminError
from kadmin.core.plan import Plan

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class EnvResult(Generic[T]):
    """What one environment gave: `value`, or the `error` it ended with (never both)."""

    env: str
    value: T | None = None
    error: KadminError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def plans_of(results: Sequence[EnvResult[Plan]]) -> list[tuple[str, Plan]]:
    """The environments that were planned, with their plans, in the order given."""
    return [(r.env, r.value) for r in results if r.value is not None]


def fleet_failed(results: Sequence[EnvResult[Plan]]) -> bool:
    """Whether the fleet plan means exit 1: an environment failed, or its plan has refused or held changes."""
    return any(r.failed for r in results) or any(
        not plan.applyable or plan.held for _, plan in plans_of(results)
    )


def fleet_changes(results: Sequence[EnvResult[Plan]]) -> bool:
    """Whether any environment's plan changes something."""
    return any(not plan.is_empty for _, plan in plans_of(results))
