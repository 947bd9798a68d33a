"""The access half of `tests.fakes.InMemoryCluster`: ACLs, SCRAM credentials, client quotas and
the password digests kadmin records, kept in memory and answered per entry as Kafka does.

Passwords are kept (as `Secret`s) so that tests can check which one a credential has;
the port itself never reveals them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from kadmin.core.access import (
    MAX_SCRAM_ITERATIONS,
    MIN_SCRAM_ITERATIONS,
    AccessReads,
    AccessState,
    AclBinding,
    ClientQuota,
    PasswordDigest,
    QuotaAlteration,
    QuotaEntity,
    QuotaKey,
    ScramCredential,
    ScramKey,
    ScramMechanism,
    ScramUpsert,
    Secret,
)
from kadmin.core.errors import ClusterError
from kadmin.core.targets import Target
from kadmin.kafka.port import Outcome
from tests.fake_faults import FaultInjection

SECURITY_DISABLED = "SECURITY_DISABLED: No Authorizer is configured on the broker"


@dataclass
class AccessFake(FaultInjection):
    """ACLs, credentials (with their passwords), quotas and recorded digests of a cluster in memory."""

    acls: set[AclBinding] = field(default_factory=set)
    credentials: dict[ScramKey, tuple[int, Secret]] = field(default_factory=dict)
    """Iterations and password of each credential."""
    quotas: dict[QuotaEntity, dict[QuotaKey, float]] = field(default_factory=dict)
    digests: dict[ScramKey, PasswordDigest] = field(default_factory=dict)
    authorizer: bool = True
    """False: DescribeAcls and CreateAcls fail with SECURITY_DISABLED, as on a cluster without one."""

    def add_user(
        self, user: str, password: str, mechanism: str = "SCRAM-SHA-512", iterations: int = 4096
    ) -> None:
        """A credential someone set outside kadmin (no digest recorded)."""
        self.credentials[ScramKey(user, ScramMechanism(mechanism))] = (iterations, Secret(password))

    def password_of(self, key: ScramKey) -> str | None:
        found = self.credentials.get(key)
        return found[1].reveal() if found else None

    # --- the port -------------------------------------------------------------------

    def access_state(self, reads: AccessReads) -> AccessState:
        self._call("access_state", tuple(p for p, asked in _parts(reads).items() if asked))
        if reads.acls and not self.authorizer:
            raise _security_disabled()
        return AccessState(
            acls=frozenset(self.acls) if reads.acls else frozenset(),
            scram=tuple(
                sorted(ScramCredential(k.user, k.mechanism, it) for k, (it, _) in self.credentials.items())
            )
            if reads.scram
            else (),
            quotas=tuple(
                sorted(
                    (ClientQuota(e, MappingProxyType(dict(v))) for e, v in self.quotas.items() if v),
                    key=lambda q: str(q.entity),
                )
            )
            if reads.quotas
            else (),
            digests=MappingProxyType(dict(self.digests)) if reads.scram else MappingProxyType({}),
        )

    def create_acls(self, bindings: Sequence[AclBinding]) -> list[Outcome]:
        return self._write_acls("create_acls", bindings, self.acls.add)

    def delete_acls(self, bindings: Sequence[AclBinding]) -> list[Outcome]:
        return self._write_acls("delete_acls", bindings, self.acls.discard)

    def _write_acls(
        self,
        call: Literal["create_acls", "delete_acls"],
        bindings: Sequence[AclBinding],
        write: Callable[[AclBinding], None],
    ) -> list[Outcome]:
        targets = tuple(Target.acl(b) for b in bindings)
        self._call(call, targets)
        out = []
        for binding, target in zip(bindings, targets, strict=True):
            error = "" if self.authorizer else SECURITY_DISABLED
            error = error or self._refused(call, target, False)
            if not error:
                write(binding)
            out.append(Outcome(target, not error, error))
        return out

    def upsert_scram(self, upserts: Sequence[ScramUpsert]) -> list[Outcome]:
        self._call("upsert_scram", tuple(Target.credential(u.credential.key) for u in upserts))
        out = []
        for upsert in upserts:
            cred = upsert.credential
            target = Target.credential(cred.key)
            error = self._refused("upsert_scram", target, False)
            if not error and not MIN_SCRAM_ITERATIONS <= cred.iterations <= MAX_SCRAM_ITERATIONS:
                error = f"UNACCEPTABLE_CREDENTIAL: Iterations {cred.iterations} out of range"
            if not error:
                self.credentials[cred.key] = (cred.iterations, upsert.password)
            out.append(Outcome(target, not error, error))
        return out

    def delete_scram(self, keys: Sequence[ScramKey]) -> list[Outcome]:
        self._call("delete_scram", tuple(Target.credential(k) for k in keys))
        out = []
        for key in keys:
            target = Target.credential(key)
            error = self._refused("delete_scram", target, False)
            if not error and key not in self.credentials:
                error = f"RESOURCE_NOT_FOUND: Attempt to delete a user credential that does not exist ({key})"
            if not error:
                del self.credentials[key]
            out.append(Outcome(target, not error, error))
        return out

    def alter_quotas(
        self, alterations: Sequence[QuotaAlteration], *, validate_only: bool = False
    ) -> list[Outcome]:
        self._call("alter_quotas", tuple(Target.quota(a.entity) for a in alterations), validate_only)
        out = []
        for alteration in alterations:
            target = Target.quota(alteration.entity)
            error = self._refused("alter_quotas", target, validate_only)
            bad = [k for k, v in alteration.set.items() if v <= 0]
            if not error and bad:
                error = f"INVALID_REQUEST: Quota {bad[0]} must be positive"
            if not error and not validate_only:
                values = self.quotas.setdefault(alteration.entity, {})
                values.update(alteration.set)
                for key in alteration.remove:
                    values.pop(key, None)
                if not values:
                    del self.quotas[alteration.entity]
            out.append(Outcome(target, not error, error))
        return out

    def record_passwords(self, records: Mapping[ScramKey, PasswordDigest | None]) -> list[Outcome]:
        self._call("record_passwords", tuple(Target.credential(k) for k in records))
        out = []
        for key, digest in records.items():
            target = Target.credential(key)
            error = self._refused("record_passwords", target, False)
            if not error:
                if digest is None:
                    self.digests.pop(key, None)
                else:
                    self.digests[key] = digest
            out.append(Outcome(target, not error, error))
        return out


def _parts(reads: AccessReads) -> dict[str, bool]:
    return {"acls": reads.acls, "scram": reads.scram, "quotas": reads.quotas}


def _security_disabled() -> ClusterError:
    return ClusterError(
        "the cluster has no authorizer: ACLs cannot be read (SECURITY_DISABLED)",
        where="cluster 127.0.0.1:9092",
        hint="configure an authorizer on the brokers, or remove acls/apps from the spec",
    )
