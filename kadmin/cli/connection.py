"""From command-line options to a connected `ConfluentAdmin`.

The bootstrap address comes from, in order: ``--bootstrap-server`` or
``KADMIN_BOOTSTRAP_SERVER``, the spec's ``cluster.bootstrap``, and the cluster that
`kadmin local up` started. Client security settings come from ``--command-config``
(librdkafka properties) and ``KADMIN_<PROPERTY>`` variables, the latter winning.
"""

from __future__ import annotations

import os
from pathlib import Path

from kadmin.cluster.confluent import DEFAULT_TIMEOUT_S, ConfluentAdmin
from kadmin.errors import KadminError, Location
from kadmin.local import state

ENV_PROPERTIES = (
    "security.protocol",
    "sasl.mechanism",
    "sasl.username",
    "sasl.password",
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
    "ssl.key.password",
    "ssl.endpoint.identification.algorithm",
    "client.id",
)
"""Client properties settable as environment variables: ``sasl.username`` -> ``KADMIN_SASL_USERNAME``."""

SECRET_WORDS = ("password", "secret", "key.pem", "token")


def env_name(prop: str) -> str:
    return "KADMIN_" + prop.upper().replace(".", "_")


def resolve_bootstrap(flag: str | None, spec_bootstrap: str | None = None) -> str:
    if flag:
        return flag
    if spec_bootstrap:
        return spec_bootstrap
    local = state.current()
    if local is not None:
        return local.bootstrap
    raise KadminError(
        "no cluster to talk to",
        hint="pass --bootstrap-server HOST:PORT, set KADMIN_BOOTSTRAP_SERVER or cluster.bootstrap "
        "in the spec, or start a local cluster with `kadmin local up`",
    )


def read_command_config(path: str) -> dict[str, str]:
    """librdkafka properties: ``key=value`` lines, ``#`` and ``!`` comments, as Java tools read them."""
    file = Path(path)
    try:
        lines = file.read_text().splitlines()
    except OSError as err:
        raise KadminError(
            f"cannot read the command config ({err.strerror})",
            where=path,
            hint="pass a readable file of client properties to --command-config",
        ) from None
    props: dict[str, str] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        sep = min((i for i in (line.find("="), line.find(":")) if i > 0), default=-1)
        if sep < 0:
            raise KadminError(
                "expected key=value",
                where=Location(path, number, 1),
                hint="write one client property per line, e.g. security.protocol=SASL_SSL",
            )
        props[line[:sep].strip()] = line[sep + 1 :].strip()
    return props


def client_config(bootstrap: str, command_config: str | None = None) -> dict[str, str]:
    config = read_command_config(command_config) if command_config else {}
    for prop in ENV_PROPERTIES:
        value = os.environ.get(env_name(prop))
        if value:
            config[prop] = value
    config["bootstrap.servers"] = bootstrap
    return config


def connect(
    bootstrap: str | None,
    command_config: str | None = None,
    *,
    spec_bootstrap: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> ConfluentAdmin:
    """The adapter for the cluster the options point at (no request is sent yet)."""
    return ConfluentAdmin(
        client_config(resolve_bootstrap(bootstrap, spec_bootstrap), command_config), timeout=timeout
    )


def redact(config: dict[str, str]) -> dict[str, str]:
    """A copy safe to print: secret values replaced."""
    return {k: ("***" if any(w in k for w in SECRET_WORDS) else v) for k, v in config.items()}
