"""`diff_access`: the access half of a spec + what the cluster holds -> typed access actions.

Pure, like `kadmin.plan.diff`: set algebra over ACL bindings, SCRAM credentials (by user and
mechanism) and client-quota entities. Deletes (ACLs, credentials, quota values) are planned
only for principals inside `cluster.manage_principals` and only with ``--allow-delete``;
otherwise they are shown as notices. Outside that scope nothing is ever deleted.

Passwords: the cluster never reveals one, so whether the spec's password is the one a
credential has is decided by the digest kadmin recorded when it set it (`PasswordDigest`).
A credential kadmin never set is left alone, with a notice, unless ``--rotate-unknown`` asks
to set it from the spec: kadmin cannot tell whether its password already matches, and
replacing a password someone else set would lock out the clients using it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kadmin.core.access import AccessState, AclBinding, QuotaEntity, ScramKey, Secret
from kadmin.core.access_actions import (
    AccessAction,
    AlterQuota,
    CreateAcl,
    CredentialChange,
    DeleteAcl,
    DeleteScram,
    QuotaChange,
    RemoveQuota,
    UpsertScram,
)
from kadmin.core.access_spec import AccessSpec, ScramUserSpec, in_principal_scope
from kadmin.core.actions import Notice, Refusal
from kadmin.core.targets import Target

PasswordRead = Secret | str
"""A user's password as read for planning, or why it could not be read."""


@dataclass(frozen=True, slots=True)
class AccessPlan:
    actions: tuple[AccessAction, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    notices: tuple[Notice, ...] = ()


@dataclass(slots=True)
class _Found:
    actions: list[AccessAction] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


_ALLOW_DELETE = "--allow-delete deletes it"


def diff_access(
    access: AccessSpec,
    manage_principals: tuple[str, ...],
    state: AccessState,
    passwords: Mapping[ScramKey, PasswordRead],
    *,
    allow_delete: bool = False,
    rotate_unknown: bool = False,
) -> AccessPlan:
    """The access actions that take `state` to `access`; `passwords` holds the spec users'
    passwords (or why one could not be read), needed only where a credential is set or checked."""
    found = _Found()
    _acls(access, manage_principals, state, allow_delete, found)
    _credentials(access, manage_principals, state, passwords, allow_delete, rotate_unknown, found)
    _quotas(access, manage_principals, state, allow_delete, found)
    return AccessPlan(tuple(found.actions), tuple(found.refusals), tuple(found.notices))


def _acls(
    access: AccessSpec, scope: tuple[str, ...], state: AccessState, allow_delete: bool, found: _Found
) -> None:
    wanted: dict[AclBinding, tuple[str, ...]] = {d.binding: d.sources for d in access.acls}
    for binding in sorted(wanted.keys() - state.acls):
        found.actions.append(CreateAcl(binding, wanted[binding]))
    for binding in sorted(state.acls - wanted.keys()):
        if not in_principal_scope(binding.principal, scope):
            continue
        if allow_delete:
            found.actions.append(DeleteAcl(binding))
        else:
            found.notices.append(
                Notice(Target.acl(binding), f"not in the spec, inside manage_principals: {_ALLOW_DELETE}")
            )


def _credentials(
    access: AccessSpec,
    scope: tuple[str, ...],
    state: AccessState,
    passwords: Mapping[ScramKey, PasswordRead],
    allow_delete: bool,
    rotate_unknown: bool,
    found: _Found,
) -> None:
    have = {c.key: c for c in state.scram}
    wanted = {u.key: u for u in access.users}
    for key in sorted(wanted):
        spec = wanted[key]
        now = have.get(key)
        password = passwords.get(key, f"the password of {key.user} was not read")
        if now is None:
            _set(spec, CredentialChange.CREATE, None, password, found)
        elif now.iterations != spec.iterations:
            _set(spec, CredentialChange.ITERATIONS, now.iterations, password, found)
        elif key not in state.digests:
            if rotate_unknown:
                _set(spec, CredentialChange.UNKNOWN, now.iterations, password, found)
            else:
                found.notices.append(
                    Notice(
                        Target.credential(key),
                        "kadmin never set this credential, so its password is not checked against "
                        f"{spec.password}: --rotate-unknown sets it from the spec",
                    )
                )
        elif isinstance(password, str):
            # Nothing to change is known, and nothing could be set: say so without holding up the plan.
            found.notices.append(
                Notice(Target.credential(key), f"password not checked, so not rotated: {password}")
            )
        elif not state.digests[key].matches(password):
            _set(spec, CredentialChange.ROTATE, now.iterations, password, found)
    for key in sorted(have.keys() - wanted.keys()):
        if not in_principal_scope(f"User:{key.user}", scope):
            continue
        if allow_delete:
            found.actions.append(DeleteScram(key.user, key.mechanism, have[key].iterations))
        else:
            found.notices.append(
                Notice(Target.credential(key), f"not in the spec, inside manage_principals: {_ALLOW_DELETE}")
            )


def _set(
    spec: ScramUserSpec,
    change: CredentialChange,
    before: int | None,
    password: PasswordRead,
    found: _Found,
) -> None:
    if isinstance(password, str):
        _refuse_unread(
            spec, f"cannot {'create' if before is None else 'set'} the credential", password, found
        )
        return
    found.actions.append(
        UpsertScram(spec.user, spec.mechanism, spec.iterations, spec.password, change, before)
    )


def _refuse_unread(spec: ScramUserSpec, what: str, why: str, found: _Found) -> None:
    """A credential that must be set, whose password cannot be read: the plan cannot be applied."""
    found.refusals.append(
        Refusal(
            Target.credential(spec.key),
            f"{what}: {why}",
            spec.origin,
            f"provide the password ({spec.password}) where kadmin plan and apply run",
        )
    )


def _quotas(
    access: AccessSpec, scope: tuple[str, ...], state: AccessState, allow_delete: bool, found: _Found
) -> None:
    have = {q.entity: q.values for q in state.quotas}
    wanted = {q.entity: q.values for q in access.quotas}
    for entity in sorted(wanted.keys() | have.keys(), key=str):
        spec = wanted.get(entity)
        now = have.get(entity, {})
        if spec is not None:
            changes = tuple(
                QuotaChange(key, now.get(key), value)
                for key, value in sorted(spec.items())
                if now.get(key) != value
            )
            if changes:
                found.actions.append(AlterQuota(entity, changes))
        left = sorted(now.keys() - (spec or {}).keys())
        if not left or not _removable(entity, spec is not None, scope):
            continue
        removed = tuple(QuotaChange(key, now[key], None) for key in left)
        if allow_delete:
            found.actions.append(RemoveQuota(entity, removed))
        else:
            keys = ", ".join(left)
            found.notices.append(
                Notice(
                    Target.quota(entity), f"{keys} not in the spec, inside manage_principals: {_ALLOW_DELETE}"
                )
            )


def _removable(entity: QuotaEntity, declared: bool, scope: tuple[str, ...]) -> bool:
    """A quota of a named user follows the principal scope; one of a client id or a default entity,
    which no principal owns, is changed only while the spec declares that entity."""
    principal = entity.principal()
    if principal is not None:
        return in_principal_scope(principal, scope)
    return declared and bool(scope)
