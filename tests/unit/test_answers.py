"""Kafka's errors become kadmin's in one place: the code inside the exception picks the message
and the hint, for every adapter module alike."""

from __future__ import annotations

import pytest
from confluent_kafka import KafkaError, KafkaException

from kadmin.core.secret_properties import is_secret
from kadmin.kafka.answers import ACL_HINT, GENERIC_HINT, REACH_HINT, cluster_error, error_code, no_answer


def failure(code: int, text: str = "it failed") -> KafkaException:
    return KafkaException(KafkaError(code, text))


def test_the_code_and_text_come_out_of_the_exception() -> None:
    err = failure(KafkaError.TOPIC_ALREADY_EXISTS, "Topic 'x' already exists.")
    assert error_code(err) == KafkaError.TOPIC_ALREADY_EXISTS
    assert error_code(KafkaException("no KafkaError inside")) is None
    made = cluster_error(err, "create topic x", "topic x")
    assert made.message == "could not create topic x: TOPIC_ALREADY_EXISTS: Topic 'x' already exists."
    assert (made.where, made.hint) == ("topic x", GENERIC_HINT)


@pytest.mark.parametrize(
    ("code", "words", "hint"),
    [
        (KafkaError._TRANSPORT, "cannot reach 127.0.0.1:9092", REACH_HINT),
        (KafkaError._SSL, "TLS handshake failed", "check ssl.ca.location"),
        (KafkaError.SASL_AUTHENTICATION_FAILED, "authentication failed", "check the credentials"),
        (KafkaError.GROUP_AUTHORIZATION_FAILED, "not authorized", "grant Read on the group"),
        (KafkaError.COORDINATOR_NOT_AVAILABLE, "COORDINATOR_NOT_AVAILABLE", "try again"),
        (KafkaError.INVALID_CONFIG, "INVALID_CONFIG", "see the docs"),
    ],
)
def test_each_kind_of_failure_gets_its_message_and_hint(code: int, words: str, hint: str) -> None:
    made = cluster_error(
        failure(code),
        "describe group g",
        "group g",
        peer="127.0.0.1:9092",
        denied="grant Read on the group",
        hints={KafkaError.COORDINATOR_NOT_AVAILABLE: "try again"},
        otherwise="see the docs",
    )
    assert made.message.startswith("could not describe group g: ") and words in made.message
    assert made.hint.startswith(hint)


def test_authorization_defaults_to_the_acls_kadmin_needs() -> None:
    assert cluster_error(failure(KafkaError.TOPIC_AUTHORIZATION_FAILED), "x", None).hint == ACL_HINT


def test_no_answer_names_the_peer_and_the_wait() -> None:
    assert (
        no_answer("connect", "cluster a:1", 30.0, peer="a:1").message
        == "could not connect: no answer from a:1 within 30 s"
    )
    assert (
        no_answer("describe group g", "group g", 2.5).message
        == "could not describe group g: no answer within 2.5 s"
    )


@pytest.mark.parametrize(
    "prop",
    [
        "sasl.password",
        "ssl.key.password",
        "ssl.keystore.password",
        "ssl.key.pem",
        "sasl.jaas.config",
        "sasl.oauthbearer.client.secret",
        "sasl.oauthbearer.config",
    ],
)
def test_secret_client_properties(prop: str) -> None:
    assert is_secret(prop)


@pytest.mark.parametrize(
    "prop", ["sasl.username", "ssl.ca.location", "ssl.certificate.pem", "bootstrap.servers"]
)
def test_other_client_properties_are_not_secret(prop: str) -> None:
    assert not is_secret(prop)


def test_a_topic_config_read_left_unanswered_is_a_cluster_error_not_a_bare_timeout() -> None:
    from concurrent.futures import Future

    from confluent_kafka.admin import ConfigResource

    from kadmin.core.errors import ClusterError
    from kadmin.kafka.answers import cluster_error
    from kadmin.kafka.snapshot import _collect

    unanswered: Future[object] = Future()  # a broker killed after the metadata read never answers
    resource = ConfigResource(ConfigResource.Type.TOPIC, "orders")
    expected = r"could not describe configs of topic orders: .*no answer within 0 s"
    with pytest.raises(ClusterError, match=expected):
        _collect({resource: unanswered}, 0.01, lambda err, what: cluster_error(err, what, None))
