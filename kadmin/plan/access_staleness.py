"""What moved under a saved plan's access actions (each action's view of an ACL, a credential or a
quota entity compared with a fresh read, one sentence per difference), and whether a read shows
what an applied access action did. Pure."""

from __future__ import annotations

from typing import assert_never

from kadmin.core.access import AccessState
from kadmin.core.access_actions import (
    AccessAction,
    AlterQuota,
    CreateAcl,
    CredentialChange,
    DeleteAcl,
    DeleteScram,
    RemoveQuota,
    UpsertScram,
)


def access_staleness(action: AccessAction, state: AccessState) -> list[str]:
    match action:
        case CreateAcl():
            return [f"ACL {action.binding} now exists"] if action.binding in state.acls else []
        case DeleteAcl():
            return [] if action.binding in state.acls else [f"ACL {action.binding} no longer exists"]
        case UpsertScram() | DeleteScram():
            now = next((c.iterations for c in state.scram if c.key == action.key), None)
            creates = isinstance(action, UpsertScram) and action.change is CredentialChange.CREATE
            if creates:
                return [f"credential {action.key} now exists"] if now is not None else []
            expected = action.before_iterations if isinstance(action, UpsertScram) else action.iterations
            if now is None:
                return [f"credential {action.key} no longer exists"]
            if now != expected:
                return [f"credential {action.key} has {now} iterations, the plan expected {expected}"]
            return []
        case AlterQuota() | RemoveQuota():
            values = next((q.values for q in state.quotas if q.entity == action.entity), {})
            return [
                f"quota {action.entity}: {c.key} is {_shown(values.get(c.key))}, "
                f"the plan expected {_shown(c.before)}"
                for c in action.changes
                if values.get(c.key) != c.before
            ]
        case _:
            assert_never(action)


def _shown(value: float | None) -> str:
    if value is None:
        return "unset"
    return str(int(value)) if value == int(value) else repr(value)


def access_shown(action: AccessAction, state: AccessState) -> bool:
    """Whether `state` shows what `action` did: brokers apply access changes from the metadata log a
    moment after the write is answered."""
    match action:
        case CreateAcl():
            return action.binding in state.acls
        case DeleteAcl():
            return action.binding not in state.acls
        case UpsertScram():
            return any(c.key == action.key and c.iterations == action.iterations for c in state.scram)
        case DeleteScram():
            return all(c.key != action.key for c in state.scram)
        case AlterQuota() | RemoveQuota():
            values = next((q.values for q in state.quotas if q.entity == action.entity), {})
            return all(values.get(c.key) == c.after for c in action.changes)
        case _:
            assert_never(action)
