"""The adapter's access calls on real Kafka: what they write is what the cluster then enforces.

Users, ACLs and quotas are made through `ConfluentAdmin` (the port kadmin's apply uses) and
proven with real producers and consumers authenticating as those users.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest

from kadmin.core.access import (
    AccessReads,
    AclBinding,
    AclOperation,
    AclPermission,
    PasswordDigest,
    PatternType,
    QuotaAlteration,
    QuotaEntity,
    QuotaEntityType,
    QuotaKey,
    ResourceType,
    ScramCredential,
    ScramKey,
    ScramMechanism,
    ScramUpsert,
    Secret,
)
from kadmin.core.actions import CreateTopic
from kadmin.core.errors import ClusterError
from kadmin.kafka.confluent import ConfluentAdmin

from .access_clients import (
    AccessLeftovers,
    consume_one,
    first_throttle_ms,
    leftovers,
    login_error,
    produce_one,
)
from .conftest import AclsKafka, KafkaHandle, Namespace, eventually

ONLY_ACLS = AccessReads(acls=True, scram=False, quotas=False)
ONLY_SCRAM = AccessReads(acls=False, scram=True, quotas=False)
ONLY_QUOTAS = AccessReads(acls=False, scram=False, quotas=True)
SHA512 = ScramMechanism.SCRAM_SHA_512


@pytest.fixture
def made(kafka_acls: AclsKafka) -> Iterator[AccessLeftovers]:
    yield from leftovers(kafka_acls)


@pytest.fixture
def admin(kafka_acls: AclsKafka) -> Iterator[ConfluentAdmin]:
    with kafka_acls.admin() as adapter:
        yield adapter


def allow(
    principal: str, resource: ResourceType, name: str, operation: AclOperation, prefixed: bool = False
) -> AclBinding:
    pattern = PatternType.PREFIXED if prefixed else PatternType.LITERAL
    return AclBinding(principal, resource, name, pattern, operation)


def add_user(
    admin: ConfluentAdmin, made: AccessLeftovers, user: str, password: str, mechanism: ScramMechanism = SHA512
) -> None:
    key = ScramKey(user, mechanism)
    made.credentials.add(key)
    (outcome,) = admin.upsert_scram([ScramUpsert(ScramCredential(user, mechanism, 8192), Secret(password))])
    assert outcome.ok, outcome.error


def grant(admin: ConfluentAdmin, made: AccessLeftovers, *bindings: AclBinding) -> None:
    made.acls.update(bindings)
    answers = admin.create_acls(list(bindings))
    assert all(o.ok for o in answers), answers


def test_acls_of_every_resource_type_are_created_read_back_and_deleted_exactly(
    admin: ConfluentAdmin, made: AccessLeftovers, ns_acls: Namespace
) -> None:
    principal = f"User:{ns_acls.prefix}-svc"
    wanted = [
        allow(principal, ResourceType.TOPIC, ns_acls.topic("orders."), AclOperation.WRITE, prefixed=True),
        allow(principal, ResourceType.TOPIC, ns_acls.topic("orders."), AclOperation.DESCRIBE, prefixed=True),
        allow(principal, ResourceType.GROUP, ns_acls.group("billing"), AclOperation.READ),
        allow(principal, ResourceType.CLUSTER, "kafka-cluster", AclOperation.IDEMPOTENT_WRITE),
        allow(principal, ResourceType.TRANSACTIONAL_ID, ns_acls.topic("tx"), AclOperation.WRITE),
        # librdkafka cannot name this resource type: the adapter goes through kafka-python for it.
        allow(principal, ResourceType.DELEGATION_TOKEN, ns_acls.topic("token"), AclOperation.DESCRIBE),
        AclBinding(
            principal,
            ResourceType.TOPIC,
            ns_acls.topic("secret"),
            PatternType.LITERAL,
            AclOperation.READ,
            AclPermission.DENY,
            "10.0.0.1",
        ),
    ]
    made.acls.update(wanted)

    created = admin.create_acls(wanted)
    state = admin.access_state(ONLY_ACLS)

    assert [o.ok for o in created] == [True] * len(wanted), created
    assert {b for b in state.acls if b.principal == principal} == set(wanted)
    assert state.scram == () and state.quotas == ()

    deleted = admin.delete_acls(wanted[:2] + wanted[5:6])
    again = admin.delete_acls(wanted[:1])  # already gone: nothing to do, not a failure
    left = {b for b in admin.access_state(ONLY_ACLS).acls if b.principal == principal}

    assert [o.ok for o in deleted] == [True, True, True]
    assert again[0].ok
    assert left == set(wanted[2:5] + wanted[6:])


def test_a_user_set_by_the_adapter_authenticates_until_rotated_or_deleted(
    kafka_acls: AclsKafka, admin: ConfluentAdmin, made: AccessLeftovers, ns_acls: Namespace
) -> None:
    user = f"{ns_acls.prefix}-rot"
    first, second = "firstSECRET-rot-1", "secondSECRET-rot-2"
    add_user(admin, made, user, first)
    add_user(admin, made, user, "sha256SECRET-rot", ScramMechanism.SCRAM_SHA_256)

    state = admin.access_state(ONLY_SCRAM)
    assert {c for c in state.scram if c.user == user} == {
        ScramCredential(user, SHA512, 8192),
        ScramCredential(user, ScramMechanism.SCRAM_SHA_256, 8192),
    }
    assert login_error(kafka_acls.as_user(user, first)) == ""
    assert login_error(kafka_acls.as_user(user, "sha256SECRET-rot", "SCRAM-SHA-256")) == ""

    add_user(admin, made, user, second)

    assert "authentication failed" in login_error(kafka_acls.as_user(user, first))
    assert login_error(kafka_acls.as_user(user, second)) == ""

    (deleted,) = admin.delete_scram([ScramKey(user, SHA512)])
    assert deleted.ok, deleted.error
    assert "authentication failed" in login_error(kafka_acls.as_user(user, second))
    # The other mechanism's credential is the user's own: deleting one leaves it.
    assert login_error(kafka_acls.as_user(user, "sha256SECRET-rot", "SCRAM-SHA-256")) == ""


def test_a_bad_credential_fails_alone_and_says_why(
    admin: ConfluentAdmin, made: AccessLeftovers, ns_acls: Namespace
) -> None:
    good, bad = f"{ns_acls.prefix}-good", f"{ns_acls.prefix}-bad"
    made.credentials.update({ScramKey(good, SHA512), ScramKey(bad, SHA512)})

    answers = admin.upsert_scram(
        [
            ScramUpsert(ScramCredential(good, SHA512, 4096), Secret("goodSECRET-1")),
            ScramUpsert(ScramCredential(bad, SHA512, 100), Secret("badSECRET-1")),
        ]
    )
    gone = admin.delete_scram([ScramKey(f"{ns_acls.prefix}-nobody", SHA512)])

    assert answers[0].ok
    assert not answers[1].ok and "UNACCEPTABLE_CREDENTIAL" in answers[1].error
    assert "badSECRET" not in answers[1].error
    assert not gone[0].ok and "RESOURCE_NOT_FOUND" in gone[0].error


def test_password_digests_are_recorded_read_back_and_forgotten(
    admin: ConfluentAdmin, made: AccessLeftovers, ns_acls: Namespace
) -> None:
    key = ScramKey(f"{ns_acls.prefix}-digest", SHA512)
    made.credentials.add(key)
    digest = PasswordDigest.of(key, Secret("digestSECRET-1"))

    (recorded,) = admin.record_passwords({key: digest})
    read = admin.access_state(ONLY_SCRAM).digests

    assert recorded.ok, recorded.error
    assert read[key].matches(Secret("digestSECRET-1"))
    assert not read[key].matches(Secret("another"))

    (forgotten,) = admin.record_passwords({key: None})
    assert forgotten.ok
    assert key not in admin.access_state(ONLY_SCRAM).digests


def test_quotas_validate_first_then_set_and_remove_per_entity(
    admin: ConfluentAdmin, made: AccessLeftovers, ns_acls: Namespace
) -> None:
    user = QuotaEntity.of({QuotaEntityType.USER: f"{ns_acls.prefix}-q"})
    both = QuotaEntity.of({QuotaEntityType.USER: f"{ns_acls.prefix}-q", QuotaEntityType.CLIENT_ID: "loader"})
    default_client = QuotaEntity.of({QuotaEntityType.CLIENT_ID: None})
    alterations = [
        QuotaAlteration(user, {QuotaKey.PRODUCER_BYTE_RATE: 1048576.0, QuotaKey.REQUEST_PERCENTAGE: 50.0}),
        QuotaAlteration(both, {QuotaKey.CONSUMER_BYTE_RATE: 2048.0, QuotaKey.CONTROLLER_MUTATION_RATE: 10.0}),
        QuotaAlteration(default_client, {QuotaKey.PRODUCER_BYTE_RATE: 99999999.0}),
    ]

    for alteration in alterations:
        made.quota(alteration.entity, *alteration.set)
    wanted = {a.entity: dict(a.set) for a in alterations}

    checked = admin.alter_quotas(alterations, validate_only=True)
    untouched = {e: _values(admin, e, v) for e, v in wanted.items()}
    applied = admin.alter_quotas(alterations)
    # Kafka records each key of an entity on its own: wait until the broker shows all of them. A
    # default entity is everyone's, so only the keys set here are compared.
    eventually(lambda: _assert_equal({e: _values(admin, e, v) for e, v in wanted.items()}, wanted))
    quotas = {q.entity: dict(q.values) for q in admin.access_state(ONLY_QUOTAS).quotas}

    assert [o.ok for o in checked] == [True, True, True], checked
    assert untouched == {e: {} for e in wanted}
    assert [o.ok for o in applied] == [True, True, True], applied
    assert quotas[user] == {QuotaKey.PRODUCER_BYTE_RATE: 1048576.0, QuotaKey.REQUEST_PERCENTAGE: 50.0}
    assert quotas[both] == {QuotaKey.CONSUMER_BYTE_RATE: 2048.0, QuotaKey.CONTROLLER_MUTATION_RATE: 10.0}
    assert quotas[default_client][QuotaKey.PRODUCER_BYTE_RATE] == 99999999.0

    mixed = admin.alter_quotas(
        [
            QuotaAlteration(user, remove=(QuotaKey.REQUEST_PERCENTAGE,)),
            QuotaAlteration(both, {QuotaKey.CONSUMER_BYTE_RATE: -1.0}),
        ]
    )
    eventually(lambda: _assert_equal(len(_quota_of(admin, user)), 1))
    after = {q.entity: dict(q.values) for q in admin.access_state(ONLY_QUOTAS).quotas}

    assert mixed[0].ok
    assert not mixed[1].ok and "INVALID_REQUEST" in mixed[1].error
    assert after[user] == {QuotaKey.PRODUCER_BYTE_RATE: 1048576.0}
    assert after[both][QuotaKey.CONSUMER_BYTE_RATE] == 2048.0


def test_a_cluster_without_an_authorizer_is_a_clear_error_for_acls_only(kafka_single: KafkaHandle) -> None:
    with kafka_single.admin() as admin:
        with pytest.raises(ClusterError) as raised:
            admin.access_state(ONLY_ACLS)
        others = admin.access_state(AccessReads(acls=False))
        binding = allow("User:nobody", ResourceType.TOPIC, "nothing", AclOperation.READ)
        (created,) = admin.create_acls([binding])

    assert "SECURITY_DISABLED" in raised.value.message
    assert raised.value.hint is not None and "authorizer" in raised.value.hint
    assert "kadmin local up --acls" in raised.value.hint
    assert others.acls == frozenset()
    assert not created.ok and created.code == "SECURITY_DISABLED"


# --- enforcement: what the adapter wrote is what the brokers enforce -----------------


def test_an_app_produces_to_its_prefix_only_and_loses_access_when_its_acl_goes(
    kafka_acls: AclsKafka, admin: ConfluentAdmin, made: AccessLeftovers, ns_acls: Namespace
) -> None:
    orders, payments = ns_acls.topic("orders.created"), ns_acls.topic("payments.x")
    created = admin.create_topics([CreateTopic(orders, 1, 1), CreateTopic(payments, 1, 1)])
    assert all(o.ok for o in created), created
    user, password = f"{ns_acls.prefix}-producer", "producerSECRET-1"
    principal = f"User:{user}"
    add_user(admin, made, user, password)
    write = allow(principal, ResourceType.TOPIC, ns_acls.topic("orders."), AclOperation.WRITE, prefixed=True)
    grant(
        admin,
        made,
        write,
        allow(principal, ResourceType.TOPIC, ns_acls.topic("orders."), AclOperation.DESCRIBE, prefixed=True),
    )
    app = kafka_acls.as_user(user, password)

    assert produce_one(app, orders) == ""
    assert produce_one(app, payments) == "TOPIC_AUTHORIZATION_FAILED"

    (deleted,) = admin.delete_acls([write])
    assert deleted.ok

    assert produce_one(app, orders) == "TOPIC_AUTHORIZATION_FAILED"


def test_a_consumer_reads_with_its_topic_and_group_acls_and_not_in_another_group(
    kafka_acls: AclsKafka, admin: ConfluentAdmin, made: AccessLeftovers, ns_acls: Namespace
) -> None:
    topic = ns_acls.topic("events")
    (created,) = admin.create_topics([CreateTopic(topic, 1, 1)])
    assert created.ok, created.error
    assert produce_one(kafka_acls, topic) == ""
    user, password = f"{ns_acls.prefix}-consumer", "consumerSECRET-1"
    principal = f"User:{user}"
    add_user(admin, made, user, password)
    group = ns_acls.group("readers")
    grant(
        admin,
        made,
        allow(principal, ResourceType.TOPIC, topic, AclOperation.READ),
        allow(principal, ResourceType.TOPIC, topic, AclOperation.DESCRIBE),
        allow(principal, ResourceType.GROUP, group, AclOperation.READ),
    )
    app = kafka_acls.as_user(user, password)

    assert consume_one(app, topic, group) == ""
    assert consume_one(app, topic, ns_acls.group("strangers")) == "GROUP_AUTHORIZATION_FAILED"


def test_a_producer_byte_rate_quota_throttles_its_user_and_not_another(
    kafka_acls: AclsKafka, admin: ConfluentAdmin, made: AccessLeftovers, ns_acls: Namespace
) -> None:
    topic = ns_acls.topic("bulk")
    (created,) = admin.create_topics([CreateTopic(topic, 1, 1)])
    assert created.ok, created.error
    slow, fast = f"{ns_acls.prefix}-slow", f"{ns_acls.prefix}-fast"
    for user in (slow, fast):
        add_user(admin, made, user, f"{user}-SECRET")
        grant(admin, made, allow(f"User:{user}", ResourceType.TOPIC, topic, AclOperation.WRITE))
    entity = QuotaEntity.of({QuotaEntityType.USER: slow})
    made.quota(entity, QuotaKey.PRODUCER_BYTE_RATE)
    (quota,) = admin.alter_quotas([QuotaAlteration(entity, {QuotaKey.PRODUCER_BYTE_RATE: 1024.0})])
    assert quota.ok, quota.error
    eventually(lambda: _quota_of(admin, entity))

    # 256 KiB within the 11 s quota window is 25 times 1 KiB/s: seconds of throttling. The same
    # volume by a user without a quota is never throttled.
    held_back = first_throttle_ms(kafka_acls.as_user(slow, f"{slow}-SECRET"), topic, 256 * 1024)
    free = first_throttle_ms(kafka_acls.as_user(fast, f"{fast}-SECRET"), topic, 256 * 1024)

    assert held_back >= 1000, held_back
    assert free == 0, free


def _quota_of(admin: ConfluentAdmin, entity: QuotaEntity) -> dict[QuotaKey, float]:
    """The values of `entity`'s quota, once the broker asked has them (KRaft applies them a moment
    after AlterClientQuotas answers)."""
    found = {q.entity: dict(q.values) for q in admin.access_state(ONLY_QUOTAS).quotas}
    assert entity in found, sorted(map(str, found))
    return found[entity]


def _values(admin: ConfluentAdmin, entity: QuotaEntity, keys: Iterable[QuotaKey]) -> dict[QuotaKey, float]:
    """The values of `keys` in `entity`'s quota now (those it has)."""
    found = {q.entity: q.values for q in admin.access_state(ONLY_QUOTAS).quotas}.get(entity, {})
    return {k: found[k] for k in keys if k in found}


def _assert_equal(actual: object, expected: object) -> None:
    assert actual == expected, actual
