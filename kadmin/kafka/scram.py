"""SCRAM credentials on a real cluster, through confluent-kafka's AdminClient (KIP-554):
one DescribeUserScramCredentials for every user, and upserts and deletions in one
AlterUserScramCredentials. librdkafka salts and hashes a password before it leaves the
process; the cluster never gives one back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka import admin as ck

from kadmin.core.access import ScramCredential, ScramKey, ScramMechanism, ScramUpsert
from kadmin.core.errors import ClusterError
from kadmin.core.targets import Target
from kadmin.kafka.answers import cluster_error, outcomes
from kadmin.kafka.port import Outcome

SCRAM_ACCESS_HINT = (
    "kadmin's principal needs Describe (to read) and Alter (to change) on the cluster resource"
)


def describe_all(admin: ck.AdminClient, timeout: float, where: str | None) -> tuple[ScramCredential, ...]:
    """Every user's credentials: user, mechanism and iterations, sorted."""
    # With no user names, one future answers for every user.
    future: Any = admin.describe_user_scram_credentials(request_timeout=timeout)
    try:
        described: dict[str, ck.UserScramCredentialsDescription] = future.result(timeout=timeout)
    except KafkaException as err:
        raise cluster_error(err, "read the SCRAM credentials", where, denied=SCRAM_ACCESS_HINT) from None
    except TimeoutError:
        raise ClusterError(
            f"could not read the SCRAM credentials: no answer within {timeout:g} s",
            where=where,
            hint=SCRAM_ACCESS_HINT,
        ) from None
    found = []
    for user, description in described.items():
        for info in description.scram_credential_infos:
            mechanism = ScramMechanism(info.mechanism.name.replace("_", "-"))
            found.append(ScramCredential(user, mechanism, int(info.iterations)))
    return tuple(sorted(found))


def upsert(admin: ck.AdminClient, upserts: Sequence[ScramUpsert], timeout: float) -> list[Outcome]:
    """Set each credential in one call; an outcome per credential, in order."""
    alterations: list[ck.UserScramCredentialAlteration] = [
        ck.UserScramCredentialUpsertion(
            u.credential.user,
            ck.ScramCredentialInfo(_mechanism(u.credential.mechanism), u.credential.iterations),
            u.password.reveal().encode(),
        )
        for u in upserts
    ]
    return _alter(admin, alterations, [u.credential.key for u in upserts], timeout)


def delete(admin: ck.AdminClient, keys: Sequence[ScramKey], timeout: float) -> list[Outcome]:
    """Delete each user's credential for its mechanism in one call; an outcome per key, in order."""
    alterations: list[ck.UserScramCredentialAlteration] = [
        ck.UserScramCredentialDeletion(k.user, _mechanism(k.mechanism)) for k in keys
    ]
    return _alter(admin, alterations, list(keys), timeout)


def _alter(
    admin: ck.AdminClient,
    alterations: list[ck.UserScramCredentialAlteration],
    keys: list[ScramKey],
    timeout: float,
) -> list[Outcome]:
    if not alterations:
        return []
    # Kafka answers per user, not per mechanism: each credential gets its user's answer.
    futures: dict[str, Any] = admin.alter_user_scram_credentials(alterations, request_timeout=timeout)
    return outcomes(((Target.credential(k), futures[k.user]) for k in keys), timeout)


def _mechanism(mechanism: ScramMechanism) -> ck.ScramMechanism:
    return ck.ScramMechanism[mechanism.name]
