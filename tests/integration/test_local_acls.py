"""`kadmin local up --acls`: a cluster that enforces ACLs, checked with real clients.

Grants here go through confluent-kafka's AdminClient directly: what is tested is the
cluster, not kadmin's access management (tests/integration/test_access_*.py).
"""

from __future__ import annotations

from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from kadmin.core.actions import CreateTopic

from .conftest import AclsKafka, KafkaHandle, Namespace


def produce_one(client: KafkaHandle, topic: str) -> str:
    """Kafka's name for the error writing one message to `topic` as `client`; "" once written."""
    answers: list[str] = []
    producer = client.producer(**{"message.timeout.ms": 20000})
    producer.produce(topic, b"m", on_delivery=lambda err, _msg: answers.append(err.name() if err else ""))
    producer.flush(40)
    return answers[0] if answers else "no delivery report"


def test_only_the_super_user_and_what_acls_grant_get_through(
    kafka_acls: AclsKafka, ns_acls: Namespace
) -> None:
    topic = ns_acls.topic("orders")
    (created,) = kafka_acls.admin().create_topics([CreateTopic(topic, 1, 1)])
    assert created.ok, created.error
    user, password = f"{ns_acls.prefix}-app", "appSECRET-local-acls"
    raw = kafka_acls.raw_admin()
    upsert = UserScramCredentialUpsertion(
        user, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password.encode()
    )
    raw.alter_user_scram_credentials([upsert])[user].result(timeout=30)
    app = kafka_acls.as_user(user, password)

    assert produce_one(kafka_acls, topic) == ""
    # Unauthenticated clients are User:ANONYMOUS, which no ACL allows.
    assert produce_one(kafka_acls.anonymous(), topic) == "TOPIC_AUTHORIZATION_FAILED"
    # An authenticated user gets nothing until an ACL grants it.
    assert produce_one(app, topic) == "TOPIC_AUTHORIZATION_FAILED"

    write = AclBinding(
        ResourceType.TOPIC,
        topic,
        ResourcePatternType.LITERAL,
        f"User:{user}",
        "*",
        AclOperation.WRITE,
        AclPermissionType.ALLOW,
    )
    try:
        raw.create_acls([write])[write].result(timeout=30)
        assert produce_one(app, topic) == ""
        assert produce_one(kafka_acls.anonymous(), topic) == "TOPIC_AUTHORIZATION_FAILED"
    finally:
        exact = AclBindingFilter(
            write.restype,
            write.name,
            write.resource_pattern_type,
            write.principal,
            write.host,
            write.operation,
            write.permission_type,
        )
        raw.delete_acls([exact])[exact].result(timeout=30)
        gone = UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_512)
        raw.alter_user_scram_credentials([gone])[user].result(timeout=30)
