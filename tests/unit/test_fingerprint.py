"""The stale-plan fingerprint: stable over what plans depend on, blind to what moves by itself."""

from __future__ import annotations

import dataclasses
import re
from types import MappingProxyType

from kadmin.core.model import (
    Broker,
    ClusterState,
    ConfigEntry,
    ConfigSource,
    ConsumerGroupState,
    GroupState,
    ObservedTopic,
    Partition,
)
from kadmin.plan.fingerprint import fingerprint

BROKERS = (Broker(1, "zone-a"), Broker(2, "zone-b"), Broker(3, "zone-c"))


def topic(
    name: str, *replicas: tuple[int, ...], configs: dict[str, ConfigEntry] | None = None
) -> ObservedTopic:
    partitions = tuple(Partition(i, r, r, r[0]) for i, r in enumerate(replicas))
    return ObservedTopic(name, partitions, MappingProxyType(configs or {}))


def state(
    *topics: ObservedTopic, brokers: tuple[Broker, ...] = BROKERS, cluster_id: str = "c1"
) -> ClusterState:
    return ClusterState(cluster_id, brokers, MappingProxyType({t.name: t for t in topics}))


ORDERS = topic("orders", (1, 2), (2, 3), configs={"retention.ms": ConfigEntry("1000", ConfigSource.TOPIC)})
BASE = state(ORDERS, topic("audit", (3, 1)))


def test_is_a_sha256_hex_and_deterministic() -> None:
    value = fingerprint(BASE, ["orders", "audit"])
    assert re.fullmatch(r"[0-9a-f]{64}", value)
    assert value == fingerprint(BASE, ["audit", "orders", "audit"])
    reordered = state(topic("audit", (3, 1)), ORDERS)
    assert fingerprint(reordered, ["orders", "audit"]) == value


def test_covers_only_the_topics_in_scope() -> None:
    changed = state(ORDERS, topic("audit", (1, 2)))
    assert fingerprint(changed, ["orders"]) == fingerprint(BASE, ["orders"])
    assert fingerprint(changed, ["orders", "audit"]) != fingerprint(BASE, ["orders", "audit"])


def test_changes_with_what_a_plan_depends_on() -> None:
    base = fingerprint(BASE, ["orders", "ghost"])
    variants = [
        state(topic("orders", (1, 2), (2, 3), (3, 1), configs=dict(ORDERS.configs))),  # partition added
        state(topic("orders", (2, 1), (2, 3), configs=dict(ORDERS.configs))),  # preferred leader swapped
        state(topic("orders", (1, 2, 3), (2, 3), configs=dict(ORDERS.configs))),  # replica added
        state(
            topic("orders", (1, 2), (2, 3), configs={"retention.ms": ConfigEntry("2000", ConfigSource.TOPIC)})
        ),
        state(topic("orders", (1, 2), (2, 3))),  # override removed
        state(ORDERS, topic("ghost", (1,))),  # a topic that did not exist now does
        state(),  # orders deleted
    ]
    prints = {fingerprint(v, ["orders", "ghost"]) for v in variants}
    assert base not in prints
    assert len(prints) == len(variants)


def test_ignores_values_that_change_by_themselves() -> None:
    moved = dataclasses.replace(
        ORDERS,
        partitions=(Partition(0, (1, 2), (2,), 2), Partition(1, (2, 3), (3, 2), None)),
        configs=MappingProxyType(
            {
                **ORDERS.configs,
                "segment.ms": ConfigEntry("100", ConfigSource.BROKER),
                "flush.ms": ConfigEntry("5", ConfigSource.DEFAULT),
            }
        ),
    )
    other = state(moved, brokers=(Broker(1, "zone-a"), Broker(2, "zone-b")), cluster_id="c1")
    assert fingerprint(other, ["orders"]) == fingerprint(BASE, ["orders"])


def test_groups_count_state_and_committed_offsets() -> None:
    group = GroupState(
        "billing", ConsumerGroupState.EMPTY, committed=MappingProxyType({("orders", 0): 5, ("orders", 1): 7})
    )
    base = fingerprint(BASE, ["orders"], {"billing": group})
    assert base != fingerprint(BASE, ["orders"])
    assert base == fingerprint(BASE, ["orders"], {"billing": dataclasses.replace(group)})
    committed = MappingProxyType({("orders", 1): 7, ("orders", 0): 5})
    assert base == fingerprint(BASE, ["orders"], {"billing": dataclasses.replace(group, committed=committed)})
    moved = MappingProxyType({("orders", 0): 6, ("orders", 1): 7})
    assert base != fingerprint(BASE, ["orders"], {"billing": dataclasses.replace(group, committed=moved)})
    assert base != fingerprint(
        BASE, ["orders"], {"billing": dataclasses.replace(group, state=ConsumerGroupState.STABLE)}
    )
    gone = dataclasses.replace(group, exists=False, committed=MappingProxyType({}))
    assert base != fingerprint(BASE, ["orders"], {"billing": gone})


def test_names_cannot_run_together() -> None:
    # Two topics "a" + "bc" must not hash like "ab" + "c".
    left = state(topic("a", (1,)), topic("bc", (1,)))
    right = state(topic("ab", (1,)), topic("c", (1,)))
    assert fingerprint(left, ["a", "bc"]) != fingerprint(right, ["ab", "c"])
