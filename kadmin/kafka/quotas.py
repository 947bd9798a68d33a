"""Client quotas on a real cluster (KIP-546): one DescribeClientQuotas matching every entity, and
one AlterClientQuotas for a batch of entities, with ``validate_only`` where asked.

confluent-kafka has no client-quota calls, so these go through the adapter's kafka-python
client, whose protocol classes encode the requests; nothing here encodes bytes. Entities kadmin
does not model (IP addresses) and keys it does not know are left out of what is read, so
nothing ever plans to change them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import MappingProxyType
from typing import Any

from kadmin.core.access import ClientQuota, QuotaAlteration, QuotaEntity, QuotaEntityType, QuotaKey
from kadmin.core.errors import ClusterError
from kadmin.core.targets import Target
from kadmin.kafka.kafka_python import import_kafka_python
from kadmin.kafka.port import Outcome

QUOTA_ACCESS_HINT = (
    "kadmin's principal needs DescribeConfigs (to read) and AlterConfigs (to change) on the cluster resource"
)
_ENTITY_TYPES = {t.value: t for t in QuotaEntityType}
_KEYS = {k.value: k for k in QuotaKey}


def describe_all(client: Any, where: str | None) -> tuple[ClientQuota, ...]:
    """Every user / client-id entity with quotas, and its values, ordered by entity."""
    import_kafka_python()
    from kafka.errors import KafkaError as KafkaPythonError
    from kafka.errors import for_code
    from kafka.protocol.admin import DescribeClientQuotasRequest

    # No components and not strict: every entity that has a quota, defaults included.
    request = DescribeClientQuotasRequest(components=[], strict=False)
    try:
        response = client._manager.run(client._manager.send, request)
    except KafkaPythonError as err:
        raise ClusterError(
            f"could not read the client quotas: {err}", where=where, hint=QUOTA_ACCESS_HINT
        ) from None
    if response.error_code:
        name = for_code(response.error_code).message
        raise ClusterError(
            f"could not read the client quotas: {name}: {response.error_message or ''}".rstrip(": "),
            where=where,
            hint=QUOTA_ACCESS_HINT,
        )
    found = []
    for entry in response.entries or ():
        entity = _entity((e.entity_type, e.entity_name) for e in entry.entity)
        values = {_KEYS[v.key]: float(v.value) for v in entry.values if v.key in _KEYS}
        if entity is not None and values:
            found.append(ClientQuota(entity, MappingProxyType(values)))
    return tuple(sorted(found, key=lambda q: q.entity))


def alter(client: Any, alterations: Sequence[QuotaAlteration], *, validate_only: bool) -> list[Outcome]:
    """Set and remove each entity's values in one call; an outcome per entity, in order."""
    if not alterations:
        return []
    import_kafka_python()
    from kafka.errors import KafkaError as KafkaPythonError
    from kafka.errors import for_code
    from kafka.protocol.admin import AlterClientQuotasRequest

    entry = AlterClientQuotasRequest.EntryData
    request = AlterClientQuotasRequest(
        entries=[
            entry(
                entity=[entry.EntityData(entity_type=t.value, entity_name=n) for t, n in a.entity.parts],
                ops=[
                    *(entry.OpData(key=k.value, value=float(v), remove=False) for k, v in a.set.items()),
                    *(entry.OpData(key=k.value, value=0.0, remove=True) for k in a.remove),
                ],
            )
            for a in alterations
        ],
        validate_only=validate_only,
    )
    targets = [Target.quota(a.entity) for a in alterations]
    try:
        response = client._manager.run(client._manager.send, request)
    except KafkaPythonError as err:
        # The request as a whole failed: every entity in it failed.
        return [Outcome(t, False, str(err)) for t in targets]
    answers: dict[QuotaEntity, Outcome] = {}
    for answered in response.entries:
        entity = _entity((e.entity_type, e.entity_name) for e in answered.entity)
        if entity is None:
            continue
        target = Target.quota(entity)
        if answered.error_code:
            name = for_code(answered.error_code).message
            text = f"{name}: {answered.error_message or ''}".rstrip(": ")
            answers[entity] = Outcome(target, False, text, name)
        else:
            answers[entity] = Outcome(target, True)
    return [
        answers.get(a.entity) or Outcome(t, False, "no answer for this entity")
        for a, t in zip(alterations, targets, strict=True)
    ]


def _entity(parts: Iterable[tuple[str, str | None]]) -> QuotaEntity | None:
    """The entity of Kafka's (type, name) pairs, or None when it names a type kadmin does not model."""
    pairs = list(parts)
    if not pairs or any(t not in _ENTITY_TYPES for t, _ in pairs):
        return None
    return QuotaEntity(tuple((_ENTITY_TYPES[t], n) for t, n in pairs))
