"""Property on real Kafka: apply a random spec A, plan and apply a random spec B, plan B again: no
changes. A few examples only (each is three plans and two applies on the one-node cluster);
tests/unit/test_convergence.py runs many on the in-memory fake."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings

from kadmin.kafka.confluent import ConfluentAdmin
from tests.convergence import Shape, converge, spec_pairs
from tests.integration.conftest import Namespace

_examples = itertools.count()


def test_applying_b_after_a_leaves_nothing_to_plan_on_kafka(ns: Namespace) -> None:
    with ns.kafka.admin() as admin:  # closes the reassignment client that planning opens
        _round_trips(admin, ns)


def _round_trips(admin: ConfluentAdmin, ns: Namespace) -> None:

    @settings(
        max_examples=6,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(spec_pairs(max_rf=1))
    def round_trip(pair: tuple[dict[str, Shape], dict[str, Shape]]) -> None:
        a, b = pair
        # Fresh names per example: a topic deleted by one example may still be going away.
        prefix = f"{ns.prefix}.x{next(_examples)}"
        again = converge(admin, a, b, prefix)
        assert again.actions == (), again.actions
        assert sorted(n for n in admin.snapshot().topics if n.startswith(f"{prefix}.")) == sorted(
            f"{prefix}.{name}" for name in b
        )

    round_trip()
