"""Waiting, bounded, until the cluster shows what apply changed.

Kafka acknowledges a change once the controller has committed it, but each broker
learns of it from the metadata log a moment later: a topic just created can be
missing from a metadata answer, or listed while DescribeConfigs still answers
UNKNOWN_TOPIC_OR_PARTITION; ACLs, SCRAM credentials and quotas show on a broker the same
way. Apply waits here before later phases and at the end, so that a `kadmin plan` run right
after an apply is empty.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from kadmin.core.access_actions import ACCESS_ACTIONS
from kadmin.core.actions import Action, AddPartitions, AlterConfigs, CreateTopic, DeleteTopic
from kadmin.core.kafka_configs import canonical
from kadmin.core.model import ClusterState
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.access import access_reads_of
from kadmin.plan.access_staleness import access_shown

SETTLE_TIMEOUT_S = 30.0


def unsettled(actions: Sequence[Action], observed: ClusterState) -> list[Action]:
    """The actions whose effect `observed` does not show yet.

    Only topic creations, partition additions, config changes and deletions are
    checked; reassignments finish in their own time and offsets are not topic state.
    """
    pending: list[Action] = []
    for action in actions:
        match action:
            case CreateTopic():
                topic = observed.topics.get(action.topic)
                # Listed before DescribeConfigs knows it, a topic would seem to lack its overrides.
                shown = (
                    topic is not None
                    and len(topic.partitions) >= action.partitions
                    and action.configs.keys() <= topic.overrides.keys()
                )
            case AddPartitions():
                topic = observed.topics.get(action.topic)
                shown = topic is not None and len(topic.partitions) >= action.after
            case AlterConfigs():
                topic = observed.topics.get(action.topic)
                have = topic.overrides if topic is not None else {}
                shown = topic is not None and all(
                    (c.key not in have)
                    if c.after is None
                    else (c.key in have and canonical(c.key, have[c.key]) == canonical(c.key, c.after))
                    for c in action.changes
                )
            case DeleteTopic():
                shown = action.topic not in observed.topics
            case _:
                shown = True
        if not shown:
            pending.append(action)
    return pending


def await_settled(
    admin: ClusterAdmin,
    actions: Sequence[Action],
    *,
    timeout: float = SETTLE_TIMEOUT_S,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[Action]:
    """Re-read the topics `actions` touch until all of them show their effect or `timeout` passes;
    the actions still unsettled then (empty when everything is visible)."""
    pending: list[Action] = [
        a
        for a in actions
        if isinstance(a, (CreateTopic, AddPartitions, AlterConfigs, DeleteTopic, *ACCESS_ACTIONS))
    ]
    deadline = clock() + timeout
    delay = 0.05
    while pending:
        topics = [a for a in pending if not isinstance(a, ACCESS_ACTIONS)]
        access = [a for a in pending if isinstance(a, ACCESS_ACTIONS)]
        pending = []
        if topics:
            pending += unsettled(topics, admin.snapshot(sorted({a.target.name for a in topics})))
        if access:
            state = admin.access_state(access_reads_of(access))
            pending += [a for a in access if not access_shown(a, state)]
        if not pending or clock() >= deadline:
            break
        sleep(min(delay, max(0.0, deadline - clock())))
        delay = min(delay * 2, 1.0)
    return pending
