"""ACL bindings on a real cluster: one DescribeAcls for all of them, CreateAcls and exact DeleteAcls.

confluent-kafka's AdminClient creates and deletes them, except what librdkafka cannot name:
delegation-token resources and the CREATE_TOKENS / DESCRIBE_TOKENS operations (its enums stop
at TRANSACTIONAL_ID and IDEMPOTENT_WRITE). Those, and the read (see `describe_all`), go
through the adapter's kafka-python client, whose protocol classes name everything. Bindings
on resources kadmin does not model (USER, KIP-373) are left out of what is read, so nothing
ever plans to delete them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from confluent_kafka import admin as ck

from kadmin.core.access import AclBinding, AclOperation, AclPermission, PatternType, ResourceType
from kadmin.core.errors import ClusterError
from kadmin.core.targets import Target
from kadmin.kafka.answers import outcomes
from kadmin.kafka.kafka_python import import_kafka_python
from kadmin.kafka.port import Outcome

NO_AUTHORIZER_HINT = (
    "the brokers run without an authorizer (authorizer.class.name), so they keep no ACLs: configure one "
    "(KRaft: org.apache.kafka.metadata.authorizer.StandardAuthorizer; locally: `kadmin local up --acls`), "
    "or remove acls and apps from the spec"
)
ACL_ACCESS_HINT = "kadmin's principal needs Describe (to read) and Alter (to change) on the cluster resource"

_RESOURCE = {
    ResourceType.TOPIC: ck.ResourceType.TOPIC,
    ResourceType.GROUP: ck.ResourceType.GROUP,
    # librdkafka calls Kafka's CLUSTER resource type (4) BROKER.
    ResourceType.CLUSTER: ck.ResourceType.BROKER,
    ResourceType.TRANSACTIONAL_ID: ck.ResourceType.TRANSACTIONAL_ID,
}
_PATTERN = {
    PatternType.LITERAL: ck.ResourcePatternType.LITERAL,
    PatternType.PREFIXED: ck.ResourcePatternType.PREFIXED,
}
_PERMISSION = {AclPermission.ALLOW: ck.AclPermissionType.ALLOW, AclPermission.DENY: ck.AclPermissionType.DENY}
_TOKEN_OPERATIONS = frozenset({AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS})


def confluent_can_name(binding: AclBinding) -> bool:
    return binding.resource_type in _RESOURCE and binding.operation not in _TOKEN_OPERATIONS


def describe_all(client: Any, where: str | None) -> frozenset[AclBinding]:
    """Every ACL binding of the cluster, from one match-all DescribeAcls.

    Sent through kafka-python: librdkafka answers a DescribeAcls that the broker refused with
    SECURITY_DISABLED (no authorizer) as an empty list, which would plan every ACL of a spec as
    new on a cluster that keeps none; and it reads delegation-token resources back as UNKNOWN.
    """
    import_kafka_python()
    from kafka.admin import (
        ACLFilter,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePatternFilter,
    )
    from kafka.admin import ResourceType as KpResourceType
    from kafka.errors import ClusterAuthorizationFailedError, SecurityDisabledError
    from kafka.errors import KafkaError as KafkaPythonError

    match_all = ACLFilter(
        None,
        None,
        ACLOperation.ANY,
        ACLPermissionType.ANY,
        ResourcePatternFilter(KpResourceType.ANY, None, ACLResourcePatternType.ANY),
    )
    try:
        found, _ = client.describe_acls(match_all)
    except SecurityDisabledError:
        raise ClusterError(
            "could not read the ACLs: SECURITY_DISABLED: the cluster has no authorizer",
            where=where,
            hint=NO_AUTHORIZER_HINT,
        ) from None
    except ClusterAuthorizationFailedError:
        raise ClusterError(
            "could not read the ACLs: not authorized (CLUSTER_AUTHORIZATION_FAILED)",
            where=where,
            hint=ACL_ACCESS_HINT,
        ) from None
    except KafkaPythonError as err:
        raise ClusterError(f"could not read the ACLs: {err}", where=where, hint=ACL_ACCESS_HINT) from None
    modelled = {t.name: t for t in ResourceType}
    bindings = set()
    for acl in found:
        pattern = acl.resource_pattern
        resource = modelled.get(pattern.resource_type.name)
        if resource is None:
            continue  # a USER resource (KIP-373): not modelled, so never touched
        bindings.add(
            AclBinding(
                acl.principal,
                resource,
                pattern.resource_name,
                PatternType[pattern.pattern_type.name],
                AclOperation[acl.operation.name],
                AclPermission[acl.permission_type.name],
                acl.host,
            )
        )
    return frozenset(bindings)


def create(
    admin: ck.AdminClient, kafka_python: Callable[[], Any], bindings: Sequence[AclBinding], timeout: float
) -> list[Outcome]:
    """Create `bindings` (one CreateAcls per client that can name them); an outcome per binding, in order."""
    return _split(
        bindings,
        lambda mine: _create_confluent(admin, mine, timeout),
        lambda mine: _write_kafka_python(kafka_python(), mine, delete=False),
    )


def delete(
    admin: ck.AdminClient, kafka_python: Callable[[], Any], bindings: Sequence[AclBinding], timeout: float
) -> list[Outcome]:
    """Delete exactly `bindings` (a filter matching one binding each); one already gone is a success."""
    return _split(
        bindings,
        lambda mine: _delete_confluent(admin, mine, timeout),
        lambda mine: _write_kafka_python(kafka_python(), mine, delete=True),
    )


def _split(
    bindings: Sequence[AclBinding],
    by_confluent: Callable[[list[AclBinding]], list[Outcome]],
    by_kafka_python: Callable[[list[AclBinding]], list[Outcome]],
) -> list[Outcome]:
    unique = list(dict.fromkeys(bindings))
    plain = [b for b in unique if confluent_can_name(b)]
    tokens = [b for b in unique if not confluent_can_name(b)]
    answered = {
        o.target: o
        for o in [*(by_confluent(plain) if plain else []), *(by_kafka_python(tokens) if tokens else [])]
    }
    return [answered[Target.acl(b)] for b in bindings]


def _create_confluent(admin: ck.AdminClient, bindings: list[AclBinding], timeout: float) -> list[Outcome]:
    theirs = [_to_confluent(b) for b in bindings]
    futures = admin.create_acls(theirs, request_timeout=timeout)
    return outcomes(((Target.acl(b), futures[t]) for b, t in zip(bindings, theirs, strict=True)), timeout)


def _delete_confluent(admin: ck.AdminClient, bindings: list[AclBinding], timeout: float) -> list[Outcome]:
    filters = [_exact_filter(_to_confluent(b)) for b in bindings]
    futures: dict[ck.AclBindingFilter, Future[Any]] = admin.delete_acls(filters, request_timeout=timeout)
    # A filter that matched nothing answers an empty list: the binding was already gone.
    return outcomes(((Target.acl(b), futures[f]) for b, f in zip(bindings, filters, strict=True)), timeout)


def _to_confluent(binding: AclBinding) -> ck.AclBinding:
    return ck.AclBinding(
        _RESOURCE[binding.resource_type],
        binding.resource_name,
        _PATTERN[binding.pattern_type],
        binding.principal,
        binding.host,
        ck.AclOperation[binding.operation.name],
        _PERMISSION[binding.permission],
    )


def _exact_filter(binding: ck.AclBinding) -> ck.AclBindingFilter:
    return ck.AclBindingFilter(
        binding.restype,
        binding.name,
        binding.resource_pattern_type,
        binding.principal,
        binding.host,
        binding.operation,
        binding.permission_type,
    )


# --- what librdkafka cannot name, through kafka-python ------------------------------


def _write_kafka_python(client: Any, bindings: list[AclBinding], *, delete: bool) -> list[Outcome]:
    import_kafka_python()
    from kafka.admin import ACLOperation, ACLPermissionType, ACLResourcePatternType
    from kafka.admin import ResourceType as KpResourceType
    from kafka.errors import KafkaError as KafkaPythonError
    from kafka.errors import for_code
    from kafka.protocol.admin import CreateAclsRequest, DeleteAclsRequest

    names = ("resource_type", "resource_name", "resource_pattern_type", "principal", "host", "operation")
    if delete:
        # DeleteAcls names the same fields as filters.
        names = (
            "resource_type_filter",
            "resource_name_filter",
            "pattern_type_filter",
            "principal_filter",
            "host_filter",
            "operation",
        )
    rows = [
        {
            **dict(
                zip(
                    names,
                    (
                        int(KpResourceType[b.resource_type.name]),
                        b.resource_name,
                        int(ACLResourcePatternType[b.pattern_type.name]),
                        b.principal,
                        b.host,
                        int(ACLOperation[b.operation.name]),
                    ),
                    strict=True,
                )
            ),
            "permission_type": int(ACLPermissionType[b.permission.name]),
        }
        for b in bindings
    ]
    if delete:
        request: Any = DeleteAclsRequest(filters=[DeleteAclsRequest.DeleteAclsFilter(**r) for r in rows])
    else:
        request = CreateAclsRequest(creations=[CreateAclsRequest.AclCreation(**r) for r in rows])
    try:
        response = client._manager.run(client._manager.send, request)
    except KafkaPythonError as err:
        return [Outcome(Target.acl(b), False, str(err)) for b in bindings]
    results = response.filter_results if delete else response.results
    answered = []
    for binding, result in zip(bindings, results, strict=True):
        if result.error_code:
            name = for_code(result.error_code).message
            answered.append(
                Outcome(
                    Target.acl(binding), False, f"{name}: {result.error_message or ''}".rstrip(": "), name
                )
            )
        else:
            answered.append(Outcome(Target.acl(binding), True))
    return answered
