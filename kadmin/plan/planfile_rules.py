"""The planner's rules, checked again on every action of a plan read from a file.

A plan file travels between jobs and anyone could have edited it; it must never let
apply do what `kadmin plan` would not have planned. So before the cluster is even
contacted, each action is held to the rules the planner follows:

- topics only under legal names, never ``__`` names (Kafka's internal topics, kadmin's);
- only topics the fingerprint covers (`topics_in_scope`), so staleness was checked;
- deletes only with the recorded ``--allow-delete``, only inside the recorded managed
  scope (`cluster.manage`); config removals only with the recorded ``--prune-configs``;
- ACLs, credentials and quota values deleted only with the recorded ``--allow-delete`` and
  inside the recorded ``cluster.manage_principals`` (`planfile_access`);
- values within Kafka's limits: partitions and replication factor at least 1, replica
  lists of distinct broker ids that match the counts, config keys and values per
  Kafka's catalog (`kadmin.core.kafka_configs`), offsets not negative.

Apply then recomputes the plan from its inputs (`kadmin.ops.saved_plan`); these checks
need no cluster and name the offending field. Pure; imports only `kadmin.core`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import assert_never

from kadmin.core import kafka_configs
from kadmin.core.access_actions import AlterQuota, CreateAcl, DeleteAcl, DeleteScram, RemoveQuota, UpsertScram
from kadmin.core.actions import (
    Action,
    AddPartitions,
    AlterConfigs,
    CreateTopic,
    DeleteTopic,
    FinishMove,
    ReassignReplicas,
    RemoveThrottle,
    ResetOffsets,
)
from kadmin.core.model import INTERNAL_TOPIC_PREFIX, Assignment
from kadmin.core.plan import Plan, PlanInputs
from kadmin.plan.planfile_access import access_problems
from kadmin.plan.planfile_read import REWRITE_HINT, PlanFileError

_LEGAL_TOPIC = re.compile(r"[a-zA-Z0-9._-]{1,249}")
# Kafka keeps replica counts in a 16-bit field and partition ids in a 32-bit one.
_MAX_REPLICATION_FACTOR = 32767
_MAX_PARTITIONS = 2**31 - 1
_MAX_OFFSET = 2**63 - 1
_SHOWN = 5
# What a remove_throttle action may remove: Kafka's reassignment throttle settings, nothing else.
_TOPIC_THROTTLES = frozenset(
    {kafka_configs.LEADER_THROTTLED_REPLICAS, kafka_configs.FOLLOWER_THROTTLED_REPLICAS}
)
_BROKER_THROTTLES = frozenset(kafka_configs.THROTTLE_RATE_KEYS)


def check_plan_rules(plan: Plan, source: str) -> None:
    """Raise `PlanFileError` naming every action of `plan` that breaks a rule of the planner."""
    inputs = plan.inputs or PlanInputs(specs=())
    scope = set(plan.topics_in_scope)
    problems = [
        f"actions[{index}] ({action.kind} {action.target.describe()}): {problem}"
        for index, action in enumerate(plan.actions)
        for problem in _problems(action, inputs, scope)
    ]
    if not problems:
        return
    shown = "; ".join(problems[:_SHOWN]) + (
        f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
    )
    raise PlanFileError(
        f"the plan file asks for what no plan may: {shown}",
        where=source,
        hint=f"nothing was applied; the file was edited or damaged after kadmin wrote it: {REWRITE_HINT}",
    )


def _problems(action: Action, inputs: PlanInputs, scope: set[str]) -> Iterator[str]:
    match action:
        case CreateTopic():
            yield from _topic(action.topic, scope)
            yield from _at_least("partitions", action.partitions, 1, _MAX_PARTITIONS)
            yield from _at_least("replication_factor", action.replication_factor, 1, _MAX_REPLICATION_FACTOR)
            for key, value in sorted(action.configs.items()):
                yield from _config(key, value)
            if action.assignment is not None:
                yield from _assignment(action.assignment, action.partitions, action.replication_factor)
        case AddPartitions():
            yield from _topic(action.topic, scope)
            yield from _at_least("before", action.before, 1, _MAX_PARTITIONS)
            yield from _at_least("after", action.after, action.before + 1, _MAX_PARTITIONS)
            if action.new_assignment is not None:
                yield from _assignment(action.new_assignment, action.after - action.before, None)
        case AlterConfigs():
            yield from _topic(action.topic, scope)
            if not action.changes:
                yield "changes nothing"
            for change in action.changes:
                if change.after is None:
                    if not inputs.prune_configs:
                        yield f"removes {change.key}, but the plan was not made with --prune-configs"
                    if kafka_configs.lookup(change.key) is None:
                        yield f"{change.key} is not a topic config Kafka knows"
                else:
                    yield from _config(change.key, change.after)
        case ReassignReplicas():
            yield from _topic(action.topic, scope)
            if not action.moves:
                yield "moves nothing"
            for moved in action.moves:
                yield from _at_least("partition", moved.partition, 0, _MAX_PARTITIONS)
                yield from _replicas(f"partition {moved.partition}", moved.after)
        case DeleteTopic():
            yield from _topic(action.topic, scope)
            if not inputs.allow_delete:
                yield "deletes a topic, but the plan was not made with --allow-delete"
            if not _managed(action.topic, inputs.manage):
                managed = ", ".join(inputs.manage) or "nothing (no cluster.manage)"
                yield f"deletes a topic outside the managed scope (cluster.manage: {managed})"
        case ResetOffsets():
            if not action.group:
                yield "names no consumer group"
            for move in action.moves:
                yield from _topic(move.topic, None)
                yield from _at_least(
                    f"{move.topic}/{move.partition}: partition", move.partition, 0, _MAX_PARTITIONS
                )
                yield from _at_least(f"{move.topic}/{move.partition}: offset", move.after, 0, _MAX_OFFSET)
        case FinishMove():
            # A move left running is planned from what the cluster reports, outside the spec's topics.
            yield from _topic(action.topic, None)
            for moved in action.moves:
                yield from _at_least("partition", moved.partition, 0, _MAX_PARTITIONS)
                yield from _replicas(f"partition {moved.partition}", moved.after)
        case RemoveThrottle():
            if action.topic is not None:
                yield from _topic(action.topic, None)
            allowed = _TOPIC_THROTTLES if action.topic is not None else _BROKER_THROTTLES
            for key in sorted(set(action.configs) - allowed):
                yield f"{key} is not a replication throttle setting"
        case UpsertScram() | CreateAcl() | AlterQuota() | RemoveQuota() | DeleteAcl() | DeleteScram():
            yield from access_problems(action, inputs)
        case _:
            assert_never(action)


def _topic(name: str, scope: set[str] | None) -> Iterator[str]:
    if not _LEGAL_TOPIC.fullmatch(name) or name in (".", ".."):
        yield f"{name!r} is not a legal topic name"
    elif name.startswith(INTERNAL_TOPIC_PREFIX):
        yield f"{name} is a reserved topic (names starting with __ belong to Kafka and kadmin)"
    elif scope is not None and name not in scope:
        yield f"topic {name} is not in topics_in_scope, so the stale-plan check never covered it"


def _at_least(field: str, value: int, low: int, high: int) -> Iterator[str]:
    if value < low:
        yield f"{field} is {value}, below the least Kafka allows here ({low})"
    elif value > high:
        yield f"{field} is {value}, above the most Kafka allows ({high})"


def _config(key: str, value: str) -> Iterator[str]:
    found = kafka_configs.lookup(key)
    if found is None:
        yield f"{key} is not a topic config Kafka knows"
        return
    problem = kafka_configs.check(found, value)
    if problem is not None:
        yield f"{key} {problem.message}"


def _assignment(assignment: Assignment, partitions: int, replication_factor: int | None) -> Iterator[str]:
    if len(assignment) != partitions:
        yield f"assigns {len(assignment)} partitions where it creates {partitions}"
    for index, replicas in enumerate(assignment):
        yield from _replicas(f"assignment[{index}]", replicas)
        if replication_factor is not None and len(replicas) != replication_factor:
            yield f"assignment[{index}] has {len(replicas)} replicas, not {replication_factor}"


def _replicas(field: str, replicas: Sequence[int]) -> Iterator[str]:
    if not replicas:
        yield f"{field} has no replicas"
    elif len(set(replicas)) != len(replicas):
        yield f"{field} lists a broker twice ({list(replicas)})"
    elif min(replicas) < 0:
        yield f"{field} names a negative broker id ({list(replicas)})"


def _managed(topic: str, manage: Sequence[str]) -> bool:
    for text in manage:
        try:
            if re.fullmatch(text, topic):
                return True
        except re.error:
            continue
    return False
