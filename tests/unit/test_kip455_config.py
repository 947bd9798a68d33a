"""The kafka-python keyword arguments of the reassignment client, from the librdkafka properties
kadmin is given: what it translates, and what it refuses rather than drop."""

from __future__ import annotations

import pytest

from kadmin.core.errors import ClusterError
from kadmin.kafka.kip455 import kafka_python_config

SASL_SSL = {
    "bootstrap.servers": "b1:9093,b2:9093",
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "SCRAM-SHA-512",
    "sasl.username": "kadmin",
    "sasl.password": "s3cret",
    "ssl.ca.location": "/etc/kafka/ca.pem",
    "ssl.certificate.location": "/etc/kafka/client.pem",
    "ssl.key.location": "/etc/kafka/client.key",
    "ssl.key.password": "k3y",
    "ssl.endpoint.identification.algorithm": "none",
    "enable.ssl.certificate.verification": "true",
    "client.id": "kadmin-ci",
    "socket.keepalive.enable": "true",
}


def test_security_settings_are_translated_and_kadmins_timeout_bounds_the_bootstrap() -> None:
    assert kafka_python_config(SASL_SSL, timeout=12.5) == {
        "bootstrap_servers": ["b1:9093", "b2:9093"],
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "kadmin",
        "sasl_plain_password": "s3cret",
        "ssl_cafile": "/etc/kafka/ca.pem",
        "ssl_certfile": "/etc/kafka/client.pem",
        "ssl_keyfile": "/etc/kafka/client.key",
        "ssl_password": "k3y",
        "ssl_check_hostname": False,
        "client_id": "kadmin-ci",
        "request_timeout_ms": 12500,
        "bootstrap_timeout_ms": 12500,
    }


def test_pem_text_is_refused_by_name_with_the_file_properties_to_use() -> None:
    config = {
        "bootstrap.servers": "b1:9093",
        "security.protocol": "SSL",
        "ssl.ca.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "ssl.certificate.pem": "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----",
        "ssl.key.pem": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
    }
    with pytest.raises(ClusterError) as raised:
        kafka_python_config(config, timeout=10)
    err = raised.value
    assert err.message == (
        "partition reassignment (KIP-455) goes through kafka-python, which cannot honour "
        "ssl.ca.pem, ssl.certificate.pem, ssl.key.pem"
    )
    assert str(err.where) == "cluster b1:9093"
    assert err.hint == (
        "write the PEM text to files and set ssl.ca.location instead of ssl.ca.pem, ssl.certificate.location "
        "instead of ssl.certificate.pem, ssl.key.location instead of ssl.key.pem (--command-config or "
        "KADMIN_* variables)"
    )
    assert "BEGIN" not in str(err) + err.hint


@pytest.mark.parametrize(
    ("properties", "named"),
    [
        (
            {"sasl.mechanism": "GSSAPI", "sasl.kerberos.keytab": "/k"},
            "sasl.kerberos.keytab, sasl.mechanism=GSSAPI",
        ),
        ({"sasl.mechanism": "OAUTHBEARER"}, "sasl.mechanism=OAUTHBEARER"),
        ({"enable.ssl.certificate.verification": "false"}, "enable.ssl.certificate.verification"),
        (
            {"ssl.keystore.location": "/k.p12", "ssl.keystore.password": "x"},
            "ssl.keystore.location, ssl.keystore.password",
        ),
        ({"ssl.endpoint.identification.algorithm": "dns"}, "ssl.endpoint.identification.algorithm"),
    ],
)
def test_other_security_settings_kafka_python_lacks_are_refused_by_name(
    properties: dict[str, str], named: str
) -> None:
    with pytest.raises(ClusterError) as raised:
        kafka_python_config({"bootstrap.servers": "b1:9093", **properties}, timeout=10)
    assert raised.value.message.endswith(f"cannot honour {named}")
    assert "kafka-reassign-partitions.sh" in raised.value.hint
