"""A snapshot of a spec's `ReadScope` on real Kafka: the named and managed topics in full, the
cluster's other topics by name only, from the same metadata read."""

from __future__ import annotations

import re

from kadmin.core.actions import CreateTopic
from kadmin.core.model import ReadScope
from tests.integration.conftest import Namespace, eventually


def test_a_scoped_snapshot_describes_its_topics_and_only_lists_the_others(ns: Namespace) -> None:
    admin = ns.kafka.admin()
    named, managed, other = ns.topic("named"), ns.topic("managed"), ns.topic("other")
    outcomes = admin.create_topics(
        [CreateTopic(t, 2, 1, {"retention.ms": "3600000"}) for t in (named, managed, other)]
    )
    assert all(o.ok for o in outcomes), outcomes
    eventually(lambda: admin.snapshot([named, managed, other]).topics[other])

    scope = ReadScope(frozenset({named, ns.topic("absent")}), (re.escape(ns.prefix) + r"\.man.*",))
    state = admin.snapshot(scope)

    assert sorted(state.topics) == sorted([named, managed])
    assert state.topics[managed].overrides == {"retention.ms": "3600000"}
    assert len(state.topics[named].partitions) == 2
    assert other in state.others
    assert not state.others & state.topics.keys()
    assert ns.topic("absent") not in state.others
