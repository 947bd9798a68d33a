"""A replication factor the live brokers cannot hold: "a broker is down" when the cluster knows
more brokers than are up, "add brokers" only when it has too few."""

from __future__ import annotations

from kadmin.core.model import Broker
from kadmin.plan.diff import diff

from .test_diff import cluster, desired, observed, spec

TWO_UP = (Broker(1, "zone-a"), Broker(2, "zone-b"))


def test_a_broker_that_is_down_is_named_instead_of_asking_for_more_brokers() -> None:
    # Broker 3 still holds replicas of an existing topic: it exists, it is just not up.
    plan = diff(desired(spec("orders", 1, 3)), cluster(observed("events", (1, 2, 3)), brokers=TWO_UP))
    [refusal] = plan.refusals
    assert refusal.message == "replication factor 3 needs 3 live brokers; 2 are up and broker 3 is down"
    assert refusal.hint == "start broker 3 again and plan again (kadmin places replicas on live brokers only)"


def test_too_few_brokers_at_all_still_says_add_brokers() -> None:
    plan = diff(desired(spec("orders", 1, 3)), cluster(observed("events", (1, 2)), brokers=TWO_UP))
    [refusal] = plan.refusals
    assert refusal.message == "replication factor 3 needs 3 brokers; the cluster has 2"
    assert refusal.hint == "lower replication_factor or add brokers"
