"""From command-line options to a connected `ConfluentAdmin`.

The bootstrap address comes from, in order: ``--bootstrap-server`` or
``KADMIN_BOOTSTRAP_SERVER``, the spec's ``cluster.bootstrap``, ``bootstrap.servers``
in the ``--command-config`` file, and the cluster that `kadmin local up` started.
Client security settings come from ``--command-config`` (librdkafka properties) and
``KADMIN_<PROPERTY>`` variables, the latter winning. Every admin call of a command
goes through the one client built here, so they all carry the same credentials; the
command closes it when it ends.

Secrets (passwords, keys) are read here and handed to the client only: no message
built in this module quotes a property's value.
"""

from __future__ import annotations

import math
import os
import re
import socket
import sys
from pathlib import Path

from kadmin.cli.app import close_at_command_end
from kadmin.core.errors import KadminError, Location
from kadmin.core.model import ClusterSpec
from kadmin.core.paths import path_problem
from kadmin.kafka.confluent import DEFAULT_TIMEOUT_S, ConfluentAdmin

ENV_PROPERTIES = (
    "security.protocol",
    "sasl.mechanism",
    "sasl.username",
    "sasl.password",
    "ssl.ca.location",
    "ssl.ca.pem",
    "ssl.certificate.location",
    "ssl.certificate.pem",
    "ssl.key.location",
    "ssl.key.pem",
    "ssl.key.password",
    "ssl.keystore.location",
    "ssl.keystore.password",
    "ssl.endpoint.identification.algorithm",
    "client.id",
)
"""Client properties settable as environment variables: ``sasl.username`` -> ``KADMIN_SASL_USERNAME``."""

_JAVA_ONLY = {
    "ssl.truststore.location": "convert the truststore to PEM and set ssl.ca.location",
    "ssl.truststore.password": "librdkafka reads the CA as PEM (ssl.ca.location) and needs no password",
    "ssl.truststore.type": "librdkafka reads the CA as PEM (ssl.ca.location)",
    "sasl.login.callback.handler.class": "librdkafka has no Java callbacks; use sasl.username/sasl.password",
}
"""Properties of Java clients' config files that librdkafka does not have, with what to use instead."""

_JAAS_OPTION = re.compile(r'(username|password)\s*=\s*"((?:[^"\\]|\\.)*)"')


def env_name(prop: str, prefix: str = "KADMIN_") -> str:
    return prefix + prop.upper().replace(".", "_")


def resolve_bootstrap(
    flag: str | None, spec_bootstrap: str | None = None, config_bootstrap: str | None = None
) -> str:
    return resolve_connection(flag, spec_bootstrap, config_bootstrap, secured=True)["bootstrap.servers"]


def resolve_connection(
    flag: str | None, spec_bootstrap: str | None, config_bootstrap: str | None, *, secured: bool
) -> dict[str, str]:
    """``bootstrap.servers``: the first address given, else the local cluster's. A local cluster that
    enforces ACLs denies unauthenticated clients, so a command with no security settings of its own
    (not `secured`) reaches it as its super user: its SASL listeners and ``client-sasl.properties``."""
    given = flag or spec_bootstrap or config_bootstrap
    if given:
        return {"bootstrap.servers": given}
    from kadmin.local import state  # psutil and the local-cluster records, only when no address is given

    local = state.current()
    if local is None:
        raise KadminError(
            "no cluster to talk to",
            hint="pass --bootstrap-server HOST:PORT, set KADMIN_BOOTSTRAP_SERVER or cluster.bootstrap "
            "in the spec, or start a local cluster with `kadmin local up`",
        )
    settings = {"bootstrap.servers": local.bootstrap}
    if local.acls and not secured:
        from kadmin.local.config import admin_client_config

        settings = admin_client_config(local)
    # Said on stderr: with no -b, the user should see which cluster is about to be read or changed.
    as_admin = " as kadmin" if len(settings) > 1 else ""
    sys.stderr.write(
        f"using the local cluster started by `kadmin local up` at {settings['bootstrap.servers']}{as_admin} "
        f"({local.dir})\n"
    )
    return settings


def read_command_config(path: str) -> dict[str, str]:
    """librdkafka properties: ``key=value`` lines, ``#`` and ``!`` comments, as Java tools read them.

    A Java client's ``sasl.jaas.config`` for the PLAIN or SCRAM login modules is taken
    apart into ``sasl.username`` and ``sasl.password``, so the file a team already uses
    with Kafka's own tools works unchanged.
    """
    file = Path(path)
    problem = path_problem(file)
    if problem is None and file.is_dir():
        problem = ("is a directory", "pass a file of client properties to --command-config")
    if problem is not None:
        raise KadminError(f"cannot read the command config: it {problem[0]}", where=path, hint=problem[1])
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise KadminError(
            f"the command config is not UTF-8 text (byte {err.start} is {err.object[err.start]:#04x})",
            where=path,
            hint="save the client properties as UTF-8",
        ) from None
    except OSError as err:
        raise KadminError(
            f"cannot read the command config ({err.strerror})",
            where=path,
            hint="pass a readable file of client properties to --command-config",
        ) from None
    props: dict[str, str] = {}
    where: dict[str, Location] = {}
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
        key = line[:sep].strip()
        props[key] = line[sep + 1 :].strip()
        where[key] = Location(path, number, 1, key)
    for key, hint in _JAVA_ONLY.items():
        if key in props:
            raise KadminError(
                "is a Java client property librdkafka does not have", where=where[key], hint=hint
            )
    if "sasl.jaas.config" in props:
        _take_apart_jaas(props, where["sasl.jaas.config"])
    return props


def _take_apart_jaas(props: dict[str, str], where: Location) -> None:
    jaas = props.pop("sasl.jaas.config")
    options = {name: value.replace('\\"', '"') for name, value in _JAAS_OPTION.findall(jaas)}
    if ("PlainLoginModule" not in jaas and "ScramLoginModule" not in jaas) or len(options) != 2:
        raise KadminError(
            "names a login module kadmin cannot translate (only PLAIN and SCRAM with "
            'username="..." password="...")',
            where=where,
            hint="set sasl.mechanism, sasl.username and sasl.password instead",
        )
    props.setdefault("sasl.username", options["username"])
    props.setdefault("sasl.password", options["password"])


def client_config(
    bootstrap: str | None,
    command_config: str | None = None,
    *,
    spec_bootstrap: str | None = None,
    prefix: str = "KADMIN_",
) -> dict[str, str]:
    """The librdkafka properties for a command: file, then environment (variables named `prefix` +
    property), then the resolved bootstrap."""
    config = read_command_config(command_config) if command_config else {}
    for prop in ENV_PROPERTIES:
        value = os.environ.get(env_name(prop, prefix))
        if value:
            config[prop] = value
    secured = any(k.startswith(("security.", "sasl.", "ssl.")) for k in config)
    config.update(
        resolve_connection(bootstrap, spec_bootstrap, config.get("bootstrap.servers"), secured=secured)
    )
    return config


def connect(
    bootstrap: str | None,
    command_config: str | None = None,
    *,
    spec_bootstrap: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> ConfluentAdmin:
    """The adapter for the cluster the options point at; it checks the connection on first use.

    Inside a command, the adapter is closed when the command ends, however it ends
    (`cli.app.guarded`); an adapter dropped earlier closes as it goes. The address is
    checked first (`check_bootstrap`), so a typo fails at once rather than after the timeout.
    """
    check_timeout(timeout)
    config = client_config(bootstrap, command_config, spec_bootstrap=spec_bootstrap)
    check_bootstrap(config["bootstrap.servers"])
    admin = ConfluentAdmin(config, timeout=timeout)
    close_at_command_end(admin.close)
    return admin


def connect_environment(
    cluster: ClusterSpec,
    *,
    bootstrap: str | None = None,
    command_config: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> ConfluentAdmin:
    """The adapter of one spec environment: its ``bootstrap``, its ``command_config`` file and its
    client-property variables (``variables`` as the prefix, else ``KADMIN_``).

    `bootstrap` and `command_config` (``-b``, ``--command-config``) win over the spec, for a
    command that selected one environment. An environment that names no address anywhere is an
    error: the local cluster is never taken for one environment of several.
    """
    config = environment_config(cluster, bootstrap=bootstrap, command_config=command_config)
    check_timeout(timeout)
    admin = ConfluentAdmin(config, timeout=timeout)
    close_at_command_end(admin.close)
    return admin


def environment_config(
    cluster: ClusterSpec, *, bootstrap: str | None = None, command_config: str | None = None
) -> dict[str, str]:
    """The checked client properties of one spec environment, as `connect_environment` uses them."""
    config_file = command_config or cluster.command_config
    found = bootstrap or cluster.bootstrap
    if not found and config_file:
        found = read_command_config(config_file).get("bootstrap.servers")
    if not found:
        env = cluster.environment or "?"
        raise KadminError(
            f"environment {env} names no cluster to talk to",
            where=cluster.origin.at(f"environments.{env}") if cluster.origin else f"environment {env}",
            hint=f"set bootstrap: in environments.{env}, or bootstrap.servers in its command_config file",
        )
    config = client_config(found, config_file, prefix=cluster.variables or "KADMIN_")
    check_bootstrap(config["bootstrap.servers"])
    return config


MAX_TIMEOUT_S = 3600.0
"""librdkafka takes request timeouts up to an hour (3,600,000 ms) and raises a ValueError beyond."""


def check_timeout(timeout: float, option: str = "--timeout") -> None:
    """A finite number of seconds from 1 to an hour; `nan` and `inf` pass click's range check."""
    if not (math.isfinite(timeout) and 1.0 <= timeout <= MAX_TIMEOUT_S):
        raise KadminError(
            f"{timeout:g} is not a number of seconds from 1 to {MAX_TIMEOUT_S:.0f}",
            where=option,
            hint=f"give a finite number of seconds, e.g. {option} 30",
        )


_ADDRESS_HINT = "write host:port pairs separated by commas, e.g. -b broker-1:9092,broker-2:9092"


def check_bootstrap(servers: str) -> None:
    """Fail fast on an address that cannot work: not host:port, a port that is no TCP port, or no
    host that resolves. An address that resolves but does not answer is the client's to report."""
    where = f"cluster {servers}"
    entries = [e.strip() for e in servers.split(",") if e.strip()]
    if not entries:
        raise KadminError("the bootstrap address is empty", where="--bootstrap-server", hint=_ADDRESS_HINT)
    hosts: list[tuple[str, int]] = []
    for entry in entries:
        # librdkafka accepts an optional listener name: SASL_SSL://host:port.
        host, sep, port = entry.split("://", 1)[-1].rpartition(":")
        host = host.strip("[]")  # [::1]:9092
        if not sep or not host:
            raise KadminError(f"expected host:port (found {entry!r})", where=where, hint=_ADDRESS_HINT)
        if not port.isdigit():
            raise KadminError(f"port {port} is not a number (in {entry!r})", where=where, hint=_ADDRESS_HINT)
        if not 1 <= int(port) <= 65535:
            raise KadminError(f"port {port} is not a TCP port (1-65535)", where=where, hint=_ADDRESS_HINT)
        hosts.append((host, int(port)))
    unresolved = []
    for name, number in hosts:
        try:
            socket.getaddrinfo(name, number, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            unresolved.append(name)
        else:
            return
    raise KadminError(
        f"cannot resolve host {', '.join(unresolved)}: no such name in DNS",
        where=where,
        hint="check the host in --bootstrap-server, KADMIN_BOOTSTRAP_SERVER or the spec's cluster.bootstrap",
    )
