"""The kafka-python keyword arguments of the reassignment client, from the librdkafka properties
kadmin is given: what it translates, and what it refuses rather than drop."""

from __future__ import annotations

import ssl

import pytest

from kadmin.core.errors import ClusterError
from kadmin.kafka.kafka_python import kafka_python_config

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


UNIT_TEST_CA = """\
-----BEGIN CERTIFICATE-----
MIIBkjCCATegAwIBAgIUdmjMXNoGz5TdHB36fxCaiUHTCjIwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTa2FkbWluIHVuaXQtdGVzdCBDQTAeFw0yNjExMjkwNDI1Mzha
Fw0zNjExMjYwNDI1MzhaMB4xHDAaBgNVBAMME2thZG1pbiB1bml0LXRlc3QgQ0Ew
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATrMtpKGCWlshtOAAMYpZcGlIdUMe5+
02MMomj4nAsadCEFGb7GfKhXftof61lT8wjBmPXGPtyc2T3BilA1gtcyo1MwUTAd
BgNVHQ4EFgQU18WZDStcCqxDziaEj4DLb/CZI1owHwYDVR0jBBgwFoAU18WZDStc
CqxDziaEj4DLb/CZI1owDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBG
AiEAxDiFhRlaugd90A7BRN0FR5+bb7QaKlxIra+Sz/aHrLQCIQDHB2Ws4DYBrQTY
qL+KoZJL0nsmg5vkSoA51EVvrBiLAw==
-----END CERTIFICATE-----
"""
"""A self-signed CA made for this test with openssl; only its certificate, no key."""


def test_a_ca_given_as_pem_text_is_loaded_into_the_clients_tls_context() -> None:
    kwargs = kafka_python_config(
        {
            "bootstrap.servers": "b1:9093",
            "security.protocol": "SSL",
            "ssl.ca.pem": UNIT_TEST_CA,
            "ssl.endpoint.identification.algorithm": "none",
        },
        timeout=10,
    )
    context = kwargs.pop("ssl_context")
    assert isinstance(context, ssl.SSLContext)
    (ca,) = context.get_ca_certs()
    assert ca["subject"] == ((("commonName", "kadmin unit-test CA"),),)
    assert context.verify_mode == ssl.CERT_REQUIRED and not context.check_hostname
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert kwargs == {
        "bootstrap_servers": ["b1:9093"],
        "security_protocol": "SSL",
        "request_timeout_ms": 10000,
        "bootstrap_timeout_ms": 10000,
    }


def test_a_ca_pem_that_is_no_certificate_is_an_error_that_does_not_quote_it() -> None:
    with pytest.raises(ClusterError) as raised:
        kafka_python_config({"bootstrap.servers": "b1:9093", "ssl.ca.pem": "not-a-cert-s3cret"}, timeout=10)
    assert raised.value.message.startswith("the TLS settings cannot be loaded for partition reassignments (")
    assert "-----BEGIN CERTIFICATE-----" in raised.value.hint
    assert "s3cret" not in str(raised.value) + raised.value.hint


def test_client_certificate_and_key_text_are_refused_by_name_with_the_file_properties_to_use() -> None:
    config = {
        "bootstrap.servers": "b1:9093",
        "security.protocol": "SSL",
        "ssl.ca.pem": UNIT_TEST_CA,
        "ssl.certificate.pem": "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----",
        "ssl.key.pem": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
    }
    with pytest.raises(ClusterError) as raised:
        kafka_python_config(config, timeout=10)
    err = raised.value
    assert err.message == (
        "partition reassignments (KIP-455, read by every plan) go through kafka-python, which cannot "
        "honour ssl.certificate.pem, ssl.key.pem"
    )
    assert str(err.where) == "cluster b1:9093"
    assert err.hint == (
        "write the PEM text to files and set ssl.certificate.location instead of ssl.certificate.pem, "
        "ssl.key.location instead of ssl.key.pem (--command-config or KADMIN_* variables); "
        "ssl.ca.pem may stay"
    )
    assert "BEGIN" not in str(err)


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
