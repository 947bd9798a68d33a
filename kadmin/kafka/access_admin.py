"""The access half of `ConfluentAdmin`: ACLs, SCRAM credentials, client quotas and the password
digests kadmin records in its state topic (see `kadmin.kafka.port.ClusterAdmin`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kadmin.core.access import (
    AccessReads,
    AccessState,
    AclBinding,
    PasswordDigest,
    QuotaAlteration,
    ScramKey,
    ScramUpsert,
)
from kadmin.kafka.port import Outcome


class AccessAdmin:
    """Mixed into `ConfluentAdmin`."""

    def access_state(self, reads: AccessReads) -> AccessState:
        raise NotImplementedError("access_state")

    def create_acls(self, bindings: Sequence[AclBinding]) -> list[Outcome]:
        raise NotImplementedError("create_acls")

    def delete_acls(self, bindings: Sequence[AclBinding]) -> list[Outcome]:
        raise NotImplementedError("delete_acls")

    def upsert_scram(self, upserts: Sequence[ScramUpsert]) -> list[Outcome]:
        raise NotImplementedError("upsert_scram")

    def delete_scram(self, keys: Sequence[ScramKey]) -> list[Outcome]:
        raise NotImplementedError("delete_scram")

    def alter_quotas(
        self, alterations: Sequence[QuotaAlteration], *, validate_only: bool = False
    ) -> list[Outcome]:
        raise NotImplementedError("alter_quotas")

    def record_passwords(self, records: Mapping[ScramKey, PasswordDigest | None]) -> list[Outcome]:
        raise NotImplementedError("record_passwords")
