"""The access half of `ConfluentAdmin`: ACLs, SCRAM credentials, client quotas and the password
digests kadmin records in its state topic (see `kadmin.kafka.port.ClusterAdmin`).

Each part is read only when asked for (`AccessReads`): a spec without ACLs never sends a
DescribeAcls, which a cluster without an authorizer refuses. The calls live in `acls`,
`scram` and `quotas`; the digests in kadmin's state topic, through `ledger`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Protocol

from confluent_kafka.admin import AdminClient

from kadmin.core.access import (
    PASSWORD_RECORD_PREFIX,
    AccessReads,
    AccessState,
    AclBinding,
    PasswordDigest,
    QuotaAlteration,
    ScramKey,
    ScramUpsert,
    password_record_key,
)
from kadmin.core.model import KADMIN_STATE_TOPIC
from kadmin.core.targets import Target
from kadmin.kafka.kip455 import ReassignmentClient
from kadmin.kafka.port import Outcome


class _Adapter(Protocol):
    """What the mixin uses of `ConfluentAdmin`."""

    config: dict[str, str]
    timeout: float

    @property
    def admin(self) -> AdminClient: ...

    @property
    def _where(self) -> str | None: ...

    def _kafka_python(self) -> ReassignmentClient: ...


class AccessAdmin:
    """Mixed into `ConfluentAdmin`."""

    def access_state(self: _Adapter, reads: AccessReads) -> AccessState:
        from kadmin.kafka import acls, quotas, scram

        state = AccessState()
        if reads.acls:
            found = acls.describe_all(self._kafka_python().client(), self._where)
            state = AccessState(acls=found)
        if reads.scram:
            credentials = scram.describe_all(self.admin, self.timeout, self._where)
            digests = MappingProxyType(_recorded_digests(self))
            state = AccessState(state.acls, credentials, state.quotas, digests)
        if reads.quotas:
            found_quotas = quotas.describe_all(self._kafka_python().client(), self._where)
            state = AccessState(state.acls, state.scram, found_quotas, state.digests)
        return state

    def create_acls(self: _Adapter, bindings: Sequence[AclBinding]) -> list[Outcome]:
        from kadmin.kafka import acls

        if not bindings:
            return []
        return acls.create(self.admin, _client_of(self), bindings, self.timeout)

    def delete_acls(self: _Adapter, bindings: Sequence[AclBinding]) -> list[Outcome]:
        from kadmin.kafka import acls

        if not bindings:
            return []
        return acls.delete(self.admin, _client_of(self), bindings, self.timeout)

    def upsert_scram(self: _Adapter, upserts: Sequence[ScramUpsert]) -> list[Outcome]:
        from kadmin.kafka import scram

        return scram.upsert(self.admin, upserts, self.timeout)

    def delete_scram(self: _Adapter, keys: Sequence[ScramKey]) -> list[Outcome]:
        from kadmin.kafka import scram

        return scram.delete(self.admin, keys, self.timeout)

    def alter_quotas(
        self: _Adapter, alterations: Sequence[QuotaAlteration], *, validate_only: bool = False
    ) -> list[Outcome]:
        from kadmin.kafka import quotas

        if not alterations:
            return []
        return quotas.alter(self._kafka_python().client(), alterations, validate_only=validate_only)

    def record_passwords(self: _Adapter, records: Mapping[ScramKey, PasswordDigest | None]) -> list[Outcome]:
        from kadmin.kafka import ledger

        if not records:
            return []
        keys = list(records)
        rows = [(password_record_key(k), None if d is None else d.encode()) for k, d in records.items()]
        errors = ledger.append_records(self.admin, self.config, rows, self.timeout)
        return [
            Outcome(
                Target.credential(k),
                not error,
                f"not recorded in {KADMIN_STATE_TOPIC}: {error}" if error else "",
            )
            for k, error in zip(keys, errors, strict=True)
        ]


def _client_of(adapter: _Adapter) -> Any:
    """The kafka-python client, made only when a call needs it (`acls` asks for it lazily)."""
    return lambda: adapter._kafka_python().client()


def _recorded_digests(adapter: _Adapter) -> dict[ScramKey, PasswordDigest]:
    """The latest digest recorded per credential; a tombstone forgets it. A record that is not a
    digest kadmin wrote, or whose key does not name the credential it describes, is skipped: the
    topic is re-validated, never trusted."""
    from kadmin.kafka import ledger

    latest: dict[bytes, bytes | None] = {}
    for key, value, _offset in ledger.read_records(adapter.admin, adapter.config, adapter.timeout):
        if key is not None and key.startswith(PASSWORD_RECORD_PREFIX):
            latest[key] = value
    digests = {}
    for key, value in latest.items():
        if value is None:
            continue
        try:
            digest = PasswordDigest.decode(value)
        except ValueError:
            continue
        if password_record_key(digest.key) == key:
            digests[digest.key] = digest
    return digests
