"""The stale-plan guard at apply time: is the cluster still what the saved plan was computed from?

Kafka keeps no state serial, so apply re-reads exactly what the plan's fingerprint
covers (its topics in scope, and the groups it resets) and recomputes the hash.
When it differs, `explain_staleness` names what moved, by comparing each action's
`before` values with the fresh read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_never

from kadmin.core.access import AccessState
from kadmin.core.access_actions import (
    ACCESS_ACTIONS,
    AlterQuota,
    CreateAcl,
    DeleteAcl,
    DeleteScram,
    RemoveQuota,
    UpsertScram,
)
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
from kadmin.core.errors import StalePlanError
from kadmin.core.kafka_configs import canonical
from kadmin.core.model import ClusterState, GroupState
from kadmin.core.plan import Plan
from kadmin.kafka.port import ClusterAdmin
from kadmin.plan.access_staleness import access_staleness
from kadmin.plan.fingerprint import fingerprint

_SHOWN = 5
_REPLAN_HINT = "plan again (`kadmin plan SPEC --out FILE`), review the new plan and apply that"


def plan_groups(plan: Plan) -> list[str]:
    """The consumer groups the plan resets, which its fingerprint covers alongside its topics."""
    return sorted({a.group for a in plan.actions if isinstance(a, ResetOffsets)})


def check_fresh(plan: Plan, admin: ClusterAdmin, *, source: str | None = None) -> None:
    """Raise `StalePlanError` unless the cluster still matches the plan's fingerprint.

    One snapshot of the topics in scope, one describe of the groups reset; `source`
    (the plan file) is named in the error.
    """
    # Imported here: planning uses this module's plan_groups only, and never loads the access code.
    from kadmin.ops.access import fresh_access

    observed = admin.snapshot(plan.topics_in_scope)
    names = plan_groups(plan)
    groups = admin.describe_groups(names) if names else {}
    access, facts = fresh_access(admin, plan.actions)
    if plan.cluster_id and observed.cluster_id != plan.cluster_id:
        raise StalePlanError(
            f"the plan was computed for cluster {plan.cluster_id}, but this is cluster {observed.cluster_id}",
            where=source,
            hint="check --bootstrap-server, or plan against this cluster",
        )
    if fingerprint(observed, plan.topics_in_scope, groups, facts) == plan.fingerprint:
        return
    changes = explain_staleness(plan, observed, groups, access)
    shown = "; ".join(changes[:_SHOWN]) + (
        f"; and {len(changes) - _SHOWN} more" if len(changes) > _SHOWN else ""
    )
    detail = shown or _unexplained(plan)
    raise StalePlanError(
        f"the cluster changed since this plan was computed: {detail}", where=source, hint=_REPLAN_HINT
    )


def _unexplained(plan: Plan) -> str:
    # The fingerprint is one hash, so the topic that moved can only be named when there is one.
    covered = [f"topic {t}" for t in plan.topics_in_scope] + [f"group {g}" for g in plan_groups(plan)]
    which = covered[0] if len(covered) == 1 else "one of " + ", ".join(covered[:_SHOWN])
    more = f" (and {len(covered) - _SHOWN} more)" if len(covered) > _SHOWN else ""
    return (
        f"{which}{more} changed in something the plan's actions do not show "
        "(such as a config override they leave alone)"
    )


def explain_staleness(
    plan: Plan,
    observed: ClusterState,
    groups: Mapping[str, GroupState],
    access: AccessState | None = None,
) -> list[str]:
    """What differs between each action's `before` values and the cluster now, one sentence each."""
    found: list[str] = []
    for action in plan.ordered():
        if isinstance(action, ACCESS_ACTIONS):
            found.extend(access_staleness(action, access or AccessState()))
        else:
            found.extend(_differences(action, observed, groups))
    counted = {a.topic for a in plan.actions if isinstance(a, CreateTopic | AddPartitions | DeleteTopic)}
    seen = plan.inputs.partitions if plan.inputs is not None else ()
    for topic, count in seen:
        if topic in counted:
            continue
        now = observed.topics.get(topic)
        if now is None:
            found.append(f"topic {topic} no longer exists")
        elif len(now.partitions) > count:
            added = f"{count}" if len(now.partitions) == count + 1 else f"{count}-{len(now.partitions) - 1}"
            found.append(
                f"topic {topic} has {len(now.partitions)} partitions, the plan saw {count} "
                f"(partition {added} added since)"
            )
    return found


def _differences(action: Action, observed: ClusterState, groups: Mapping[str, GroupState]) -> list[str]:
    match action:
        case CreateTopic():
            return [f"topic {action.topic} now exists"] if action.topic in observed.topics else []
        case AddPartitions() | DeleteTopic():
            topic = observed.topics.get(action.topic)
            if topic is None:
                return [f"topic {action.topic} no longer exists"]
            expected = action.before if isinstance(action, AddPartitions) else action.partitions
            if len(topic.partitions) != expected:
                count = len(topic.partitions)
                return [f"topic {action.topic} has {count} partitions, the plan expected {expected}"]
            return []
        case AlterConfigs():
            topic = observed.topics.get(action.topic)
            if topic is None:
                return [f"topic {action.topic} no longer exists"]
            have = topic.overrides
            out = []
            for change in action.changes:
                now = have.get(change.key)
                if _config_differs(change.key, now, change.before):
                    was = _show(change.before)
                    out.append(f"topic {action.topic}: {change.key} is {_show(now)}, the plan expected {was}")
            return out
        case ReassignReplicas():
            topic = observed.topics.get(action.topic)
            if topic is None:
                return [f"topic {action.topic} no longer exists"]
            replicas = {p.id: p.replicas for p in topic.partitions}
            return [
                f"topic {action.topic} partition {m.partition} is on brokers "
                f"{list(replicas.get(m.partition, ()))}, the plan expected {list(m.before)}"
                for m in action.moves
                if replicas.get(m.partition) != m.before
            ]
        case ResetOffsets():
            state = groups.get(action.group)
            committed = state.committed if state is not None else {}
            out = [
                f"group {action.group}: {m.topic}/{m.partition} is committed at "
                f"{_show_offset(committed.get((m.topic, m.partition)))}, "
                f"the plan expected {_show_offset(m.before)}"
                for m in action.moves
                if committed.get((m.topic, m.partition)) != m.before
            ]
            if state is not None and not state.is_inactive:
                out.append(f"group {action.group} is now {state.state} with {len(state.members)} member(s)")
            return out
        case FinishMove() | RemoveThrottle():
            # Both finish what is already under way; the cluster moving on by itself (the move
            # completing, the throttle gone) leaves them nothing to do, never something wrong.
            return []
        case UpsertScram() | CreateAcl() | AlterQuota() | RemoveQuota() | DeleteAcl() | DeleteScram():
            return []  # explained by `access_staleness`
        case _:
            assert_never(action)


def _config_differs(key: str, now: str | None, before: str | None) -> bool:
    if now is None or before is None:
        return now != before
    return canonical(key, now) != canonical(key, before)


def _show(value: str | None) -> str:
    return "unset" if value is None else repr(value)


def _show_offset(offset: int | None) -> str:
    return "nothing" if offset is None else str(offset)
