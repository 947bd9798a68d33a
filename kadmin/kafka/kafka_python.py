"""kafka-python's settings from the librdkafka properties kadmin is given, so one
`--command-config` (or one set of ``KADMIN_*`` variables) serves both clients.

Owns the translation (`kafka_python_config`) and its limits: a CA given as PEM text
(``ssl.ca.pem``) is loaded into an `ssl.SSLContext` built here, while a security
property kafka-python cannot honour (client certificate or key as text, keystores,
other SASL mechanisms, turned-off verification) is a `ClusterError` naming it, never
dropped. Also imports kafka-python quietly (`import_kafka_python`).
"""

from __future__ import annotations

import ssl
import warnings
from collections.abc import Mapping
from typing import Any

from kadmin.core.errors import ClusterError

_PROPERTY_TO_KWARG = {
    "bootstrap.servers": "bootstrap_servers",
    "security.protocol": "security_protocol",
    "sasl.mechanism": "sasl_mechanism",
    "sasl.mechanisms": "sasl_mechanism",
    "sasl.username": "sasl_plain_username",
    "sasl.password": "sasl_plain_password",
    "ssl.ca.location": "ssl_cafile",
    "ssl.certificate.location": "ssl_certfile",
    "ssl.key.location": "ssl_keyfile",
    "ssl.key.password": "ssl_password",
    "ssl.crl.location": "ssl_crlfile",
    "client.id": "client_id",
}
_SECURITY_PREFIXES = ("ssl.", "sasl.", "enable.ssl.")
"""Properties that decide whether and how a connection is secured; one kafka-python cannot honour
must stop kadmin, or the reassignment would connect without it (or not at all, after a timeout)."""
_HONOURED_VALUES = {
    "ssl.endpoint.identification.algorithm": ("https", "none"),
    "enable.ssl.certificate.verification": ("true",),
}
_SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
"""Those that need only a user name and password, the two SASL properties translated."""
_FILE_INSTEAD = {
    "ssl.certificate.pem": "ssl.certificate.location",
    "ssl.key.pem": "ssl.key.location",
}
"""Python's ssl module loads a client certificate and key from files only."""
_IN_CONTEXT = ("ssl.ca.pem",)
"""Honoured through an `ssl.SSLContext` built here (a CA loads from text), not a keyword."""


def kafka_python_config(config: Mapping[str, str], timeout: float) -> dict[str, Any]:
    """kafka-python's keyword arguments for the librdkafka properties `config`.

    Raises `ClusterError` naming every security property kafka-python cannot honour.
    """
    _refuse_unhonoured(config)
    kwargs: dict[str, Any] = {_PROPERTY_TO_KWARG[k]: v for k, v in config.items() if k in _PROPERTY_TO_KWARG}
    kwargs["bootstrap_servers"] = kwargs.get("bootstrap_servers", "").split(",")
    if config.get("ssl.endpoint.identification.algorithm", "https") == "none":
        kwargs["ssl_check_hostname"] = False
    if "ssl.ca.pem" in config:
        kwargs = {k: v for k, v in kwargs.items() if not k.startswith("ssl_")}
        kwargs["ssl_context"] = _ssl_context(config)
    kwargs["request_timeout_ms"] = int(timeout * 1000)
    # kafka-python's own default is 30 s whatever kadmin's --timeout says.
    kwargs["bootstrap_timeout_ms"] = int(timeout * 1000)
    return kwargs


def _refuse_unhonoured(config: Mapping[str, str]) -> None:
    unhonoured = sorted(
        key
        for key, value in config.items()
        if key.startswith(_SECURITY_PREFIXES)
        and key not in _PROPERTY_TO_KWARG
        and key not in _IN_CONTEXT
        and value.lower() not in _HONOURED_VALUES.get(key, ())
    )
    mechanism = config.get("sasl.mechanism", config.get("sasl.mechanisms", ""))
    if mechanism and mechanism.upper() not in _SASL_MECHANISMS:
        unhonoured.append(f"sasl.mechanism={mechanism}")
    if not unhonoured:
        return
    pem = [key for key in unhonoured if key in _FILE_INSTEAD]
    hints = []
    if pem:
        files = ", ".join(f"{_FILE_INSTEAD[key]} instead of {key}" for key in pem)
        hints.append(
            f"write the PEM text to files and set {files} (--command-config or KADMIN_* variables); "
            "ssl.ca.pem may stay"
        )
    if len(pem) < len(unhonoured):
        hints.append(
            f"kafka-python supports {', '.join(_SASL_MECHANISMS)} with sasl.username/sasl.password, and TLS "
            "from ssl.*.location files; remove the others, or move the partitions with Kafka's "
            "kafka-reassign-partitions.sh"
        )
    bootstrap = config.get("bootstrap.servers", "")
    raise ClusterError(
        "partition reassignments (KIP-455, read by every plan) go through kafka-python, which cannot "
        "honour " + ", ".join(unhonoured),
        where=f"cluster {bootstrap}" if bootstrap else None,
        hint="; ".join(hints),
    )


def _ssl_context(config: Mapping[str, str]) -> ssl.SSLContext:
    """kafka-python's TLS settings with the CA given as PEM text, built as kafka-python builds
    its own from files (TLS 1.2 at least, the broker's name checked unless turned off)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = config.get("ssl.endpoint.identification.algorithm", "https") != "none"
    try:
        context.load_verify_locations(cafile=config.get("ssl.ca.location"), cadata=config["ssl.ca.pem"])
        if "ssl.certificate.location" in config:
            key, password = config.get("ssl.key.location"), config.get("ssl.key.password")
            context.load_cert_chain(config["ssl.certificate.location"], key, password)
        if "ssl.crl.location" in config:
            context.load_verify_locations(cafile=config["ssl.crl.location"])
            context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    except (ssl.SSLError, OSError, ValueError) as err:
        bootstrap = config.get("bootstrap.servers", "")
        # The reason only: the text of a PEM property is never quoted back.
        reason = getattr(err, "reason", None) or getattr(err, "strerror", None) or type(err).__name__
        raise ClusterError(
            f"the TLS settings cannot be loaded for partition reassignments ({reason})",
            where=f"cluster {bootstrap}" if bootstrap else None,
            hint="check that ssl.ca.pem holds PEM certificates (-----BEGIN CERTIFICATE-----) and that "
            "the ssl.*.location files exist and are readable",
        ) from None
    return context


def import_kafka_python() -> None:
    """Import kafka-python once, quietly: its protocol schemas load through
    `importlib.resources.read_text`, deprecated since Python 3.11, which warns on first import."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import kafka.admin  # noqa: F401
