"""The stale-plan guard: a hash of the observed values a plan was computed from.

Kafka keeps no state serial to compare against, so a plan records this hash and
apply recomputes it from a fresh snapshot over `Plan.topics_in_scope`; any
difference means someone changed the cluster in between. It covers only what
the plan's actions depend on and nothing that moves by itself: leaders, ISR
and broker liveness change under a healthy cluster and would make every saved
plan stale. Pure; no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence

from kadmin.core.access import AccessState
from kadmin.core.access_actions import AlterQuota, CreateAcl, DeleteAcl, DeleteScram, RemoveQuota, UpsertScram
from kadmin.core.actions import Action
from kadmin.core.model import ClusterState, GroupState

_VERSION = "kadmin-fingerprint/1"


def fingerprint(
    observed: ClusterState,
    topics: Iterable[str],
    groups: Mapping[str, GroupState] | None = None,
    access: Sequence[list[object]] = (),
) -> str:
    """sha256 hex over, per topic: exists, partition count, replica lists and topic-level overrides;
    per group: existence, state and committed offsets; per ACL, credential and quota entity the
    plan touches, its `access_facts`. Sorted, so it is deterministic.
    """
    digest = hashlib.sha256(_VERSION.encode())
    # One JSON line per topic and group: unambiguous (names are quoted) and cheap at 10,000 topics.
    for name in sorted(set(topics)):
        digest.update(_line(["topic", *_topic(observed, name)]))
    for name, state in sorted((groups or {}).items()):
        committed = sorted((t, p, offset) for (t, p), offset in state.committed.items())
        digest.update(_line(["group", name, state.exists, state.state, committed]))
    for fact in access:
        digest.update(_line(["access", *fact]))
    return digest.hexdigest()


def _topic(observed: ClusterState, name: str) -> list[object]:
    topic = observed.topics.get(name)
    if topic is None:
        return [name, False]
    replicas = sorted((p.id, p.replicas) for p in topic.partitions)
    return [name, True, len(topic.partitions), replicas, sorted(topic.overrides.items())]


def _line(values: list[object]) -> bytes:
    return json.dumps(values, separators=(",", ":")).encode() + b"\n"


def access_facts(actions: Iterable[Action], state: AccessState) -> list[list[object]]:
    """What the cluster held, when read, for each ACL, credential and quota entity the access
    actions touch: whether a binding exists, a credential's iterations, an entity's quota values.
    Never a password nor its digest. One line each for `fingerprint`'s `access`."""
    acls = state.acls
    credentials = {c.key: c.iterations for c in state.scram}
    quotas = {q.entity: q.values for q in state.quotas}
    facts: dict[str, list[object]] = {}
    for action in actions:
        match action:
            case CreateAcl() | DeleteAcl():
                facts[str(action.target)] = [str(action.target), action.binding in acls]
            case UpsertScram() | DeleteScram():
                facts[str(action.target)] = [str(action.target), credentials.get(action.key)]
            case AlterQuota() | RemoveQuota():
                values = sorted((k.value, v) for k, v in quotas.get(action.entity, {}).items())
                facts[str(action.target)] = [str(action.target), values]
            case _:
                continue
    return [facts[name] for name in sorted(facts)]
