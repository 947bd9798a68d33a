"""The access half of plan and apply: read what the spec's access sections need (and nothing for a
spec without them), read the spec users' passwords from where the spec names them, diff, and
carry out the credential changes with the digest kadmin records for each.

Passwords are read here only, as `Secret`s, at plan time (to compare with the digest kadmin
recorded, never to show) and again at apply time (to set them); they never enter a plan,
a plan file, the fingerprint or an error message.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kadmin.core.access import (
    AccessReads,
    AccessState,
    PasswordDigest,
    QuotaAlteration,
    ScramCredential,
    ScramKey,
    ScramUpsert,
    Secret,
)
from kadmin.core.access_actions import (
    ACCESS_ACTIONS,
    AlterQuota,
    CreateAcl,
    DeleteAcl,
    DeleteScram,
    RemoveQuota,
    UpsertScram,
)
from kadmin.core.access_spec import PasswordSource
from kadmin.core.actions import Action
from kadmin.core.errors import KadminError
from kadmin.core.model import DesiredState
from kadmin.core.targets import Target
from kadmin.kafka.port import ClusterAdmin, Outcome
from kadmin.plan.access_diff import AccessPlan, PasswordRead, diff_access
from kadmin.plan.fingerprint import access_facts

MAX_PASSWORD_FILE_BYTES = 4096


@dataclass(frozen=True, slots=True)
class PlannedAccess:
    """The access part of a plan, and the facts its fingerprint covers."""

    plan: AccessPlan
    facts: tuple[list[object], ...] = ()


def plan_access(
    admin: ClusterAdmin,
    desired: DesiredState,
    *,
    allow_delete: bool = False,
    rotate_unknown: bool = False,
    env: Mapping[str, str] | None = None,
) -> PlannedAccess:
    """Read the access state the spec asks about (one batched call per part) and diff it; nothing
    is read for a spec without access sections or `cluster.manage_principals`."""
    scope = desired.cluster.manage_principals
    reads = desired.access.reads(scope)
    if not reads.any:
        return PlannedAccess(AccessPlan())
    state = admin.access_state(reads)
    passwords = {u.key: read_password(u.password, env) for u in desired.access.users}
    planned = diff_access(
        desired.access,
        scope,
        state,
        passwords,
        allow_delete=allow_delete,
        rotate_unknown=rotate_unknown,
    )
    return PlannedAccess(planned, tuple(access_facts(planned.actions, state)))


def read_password(source: PasswordSource, env: Mapping[str, str] | None = None) -> PasswordRead:
    """The password `source` names, or why it cannot be read (naming the variable or file, never a value)."""
    if source.env is not None:
        value = (os.environ if env is None else env).get(source.env)
        if value is None:
            return f"the environment variable {source.env} is not set"
        if not value:
            return f"the environment variable {source.env} is empty"
        return Secret(value)
    assert source.file is not None
    path = Path(source.file)
    try:
        if path.stat().st_size > MAX_PASSWORD_FILE_BYTES:
            return f"the password file {source.file} is larger than {MAX_PASSWORD_FILE_BYTES} bytes"
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return f"the password file {source.file} does not exist"
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else "not UTF-8 text"
        return f"the password file {source.file} cannot be read ({reason})"
    # Editors end files with a newline; a password never ends with one.
    password = text.rstrip("\r\n")
    return Secret(password) if password else f"the password file {source.file} is empty"


def access_reads_of(actions: Iterable[Action]) -> AccessReads:
    """The parts of the access state that the access actions among `actions` are about."""
    kinds = {type(a) for a in actions}
    return AccessReads(
        acls=bool(kinds & {CreateAcl, DeleteAcl}),
        scram=bool(kinds & {UpsertScram, DeleteScram}),
        quotas=bool(kinds & {AlterQuota, RemoveQuota}),
    )


def fresh_access(
    admin: ClusterAdmin, actions: Sequence[Action]
) -> tuple[AccessState | None, list[list[object]]]:
    """The access state a saved plan's access actions are about, read again, and its facts;
    nothing is read for a plan without access actions."""
    access = [a for a in actions if isinstance(a, ACCESS_ACTIONS)]
    if not access:
        return None, []
    state = admin.access_state(access_reads_of(access))
    return state, access_facts(access, state)


# --- apply ----------------------------------------------------------------------

ACCESS_STEPS = {
    UpsertScram.kind: "setting SCRAM credentials",
    CreateAcl.kind: "creating ACLs",
    AlterQuota.kind: "setting client quotas",
    RemoveQuota.kind: "removing client-quota values",
    DeleteAcl.kind: "deleting ACLs",
    DeleteScram.kind: "deleting SCRAM credentials",
}
"""What apply says it is doing in each access phase."""


def write_access(admin: ClusterAdmin, batch: Sequence[Action]) -> list[Outcome]:
    """Carry out one phase of access actions (all of one kind), in one batched call."""
    acls = [a.binding for a in batch if isinstance(a, CreateAcl | DeleteAcl)]
    quotas = [a for a in batch if isinstance(a, AlterQuota | RemoveQuota)]
    match batch[0]:
        case UpsertScram():
            return set_credentials(admin, [a for a in batch if isinstance(a, UpsertScram)])
        case DeleteScram():
            return delete_credentials(admin, [a for a in batch if isinstance(a, DeleteScram)])
        case CreateAcl():
            return admin.create_acls(acls)
        case DeleteAcl():
            return admin.delete_acls(acls)
        case AlterQuota() | RemoveQuota():
            return admin.alter_quotas(quota_alterations(quotas))
    raise AssertionError(f"not an access phase: {batch[0].kind}")  # pragma: no cover


def set_credentials(admin: ClusterAdmin, actions: Sequence[UpsertScram]) -> list[Outcome]:
    """Read each password again, set the credentials in one call, then record the digest of each
    one set; a password that cannot be read fails its credential only."""
    outcomes: list[Outcome] = []
    upserts: list[ScramUpsert] = []
    for action in actions:
        password = read_password(action.password)
        if isinstance(password, str):
            hint = f"provide the password ({action.password}) where kadmin apply runs"
            outcomes.append(Outcome(action.target, False, f"{password} ({hint})"))
            continue
        upserts.append(
            ScramUpsert(ScramCredential(action.user, action.mechanism, action.iterations), password)
        )
    if not upserts:
        return outcomes
    answered = {o.target: o for o in admin.upsert_scram(upserts)}
    digests = {
        u.credential.key: PasswordDigest.of(u.credential.key, u.password)
        for u in upserts
        if _ok(answered, u.credential.key)
    }
    recorded = _record(admin, digests)
    for upsert in upserts:
        key = upsert.credential.key
        outcome = answered.get(Target.credential(key)) or Outcome(
            Target.credential(key), False, "no answer from the cluster"
        )
        if outcome.ok and recorded.get(key):
            outcome = Outcome(
                outcome.target,
                False,
                f"credential set, but kadmin could not record its password digest ({recorded[key]}): "
                "the next plan cannot tell whether the password changed",
            )
        outcomes.append(outcome)
    return outcomes


def quota_alterations(actions: Sequence[AlterQuota | RemoveQuota]) -> list[QuotaAlteration]:
    """What the port writes for quota actions: values set, keys removed, per entity."""
    return [
        QuotaAlteration(
            a.entity,
            {c.key: c.after for c in a.changes if c.after is not None},
            tuple(c.key for c in a.changes if c.after is None),
        )
        for a in actions
    ]


def delete_credentials(admin: ClusterAdmin, actions: Sequence[DeleteScram]) -> list[Outcome]:
    """Delete the credentials in one call, then forget the digests of those deleted."""
    outcomes = admin.delete_scram([a.key for a in actions])
    answered = {o.target: o for o in outcomes}
    gone = {a.key: None for a in actions if _ok(answered, a.key)}
    if gone:
        # A digest left behind would vouch for a password a later credential of that name lacks.
        _record(admin, gone)
    return outcomes


def _record(admin: ClusterAdmin, records: Mapping[ScramKey, PasswordDigest | None]) -> dict[ScramKey, str]:
    """Record digests (None: forget); the error of each key that was not recorded."""
    if not records:
        return {}
    try:
        answers = admin.record_passwords(records)
    except KadminError as err:
        return dict.fromkeys(records, err.with_hint())
    by_target = {o.target: o for o in answers}
    failed: dict[ScramKey, str] = {}
    for key in records:
        outcome = by_target.get(Target.credential(key))
        if outcome is None or not outcome.ok:
            failed[key] = outcome.error if outcome is not None else "no answer"
    return failed


def _ok(answered: Mapping[Target, Outcome], key: ScramKey) -> bool:
    outcome = answered.get(Target.credential(key))
    return outcome is not None and outcome.ok
