"""Property: whatever spec A the cluster was brought to, applying spec B leaves nothing to plan.

Many random pairs over a small topic universe, on the in-memory fake of kadmin's port
(three brokers in three zones, moves that land at once). The same property runs on a
real cluster, with fewer examples, in tests/integration/test_convergence_kafka.py.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.convergence import Shape, converge, spec_pairs
from tests.fakes import InMemoryCluster


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec_pairs())
def test_applying_b_after_a_leaves_nothing_to_plan(pair: tuple[dict[str, Shape], dict[str, Shape]]) -> None:
    a, b = pair
    mem = InMemoryCluster()
    again = converge(mem, a, b, "t")
    assert again.actions == (), again.actions
    assert sorted(mem.topics) == sorted(f"t.{name}" for name in b)
