"""Real Kafka for integration tests: clusters started once per session, a namespace per test.

`kafka_single` (one node, rack zone-a) and `kafka_3zones` (brokers 1-3 in zone-a/b/c)
are started by `kadmin.local.LocalCluster`, the same code as `kadmin local up`, and
stopped at the end of the session; their JVMs also die with the test process. To run
the suite against clusters you already have, set ``KADMIN_TEST_BOOTSTRAP`` and/or
``KADMIN_TEST_BOOTSTRAP_3ZONES``. Nothing here skips: a cluster that cannot start
fails the tests that need it, with the node's log in the error.

`kafka_sasl` and `kafka_tls` are the two client listeners of one more node: SASL
SCRAM-SHA-512 (user and password from `sasl_user`) and SSL (a certificate signed by
`throwaway_ca`, a CA made with openssl for this session); every client they hand out
authenticates. Clusters you already have: ``KADMIN_TEST_BOOTSTRAP_SASL`` with
``KADMIN_TEST_SASL_USERNAME`` and ``KADMIN_TEST_SASL_PASSWORD``, and
``KADMIN_TEST_BOOTSTRAP_SSL`` with ``KADMIN_TEST_SSL_CA`` (a PEM file).

`kafka_acls` is one more node that enforces ACLs (`kadmin local up --acls`): reached
through its SASL listener as its super user (`acls_admin`); `AclsKafka.as_user` hands
out clients that authenticate as other SCRAM users, which get what ACLs grant them.
A cluster you already have: ``KADMIN_TEST_BOOTSTRAP_ACLS`` (its SCRAM-SHA-512 listener)
with ``KADMIN_TEST_ACLS_USERNAME`` and ``KADMIN_TEST_ACLS_PASSWORD`` (a super user), and
``KADMIN_TEST_BOOTSTRAP_ACLS_PLAINTEXT`` (its unauthenticated listener).

`kafka_envs` is two more 1-node clusters, started at once, for specs with environments
(``KADMIN_TEST_BOOTSTRAP_ENV_A`` and ``_B`` to reuse running ones).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient

from kadmin.cli.connection import ENV_PROPERTIES, env_name
from kadmin.core.actions import DeleteTopic
from kadmin.kafka.confluent import ConfluentAdmin
from kadmin.local.cluster import LocalCluster
from kadmin.local.record import SCRAM_MECHANISM, ClusterInfo, ScramUser

T = TypeVar("T")


@dataclass
class KafkaHandle:
    """A running cluster as tests see it."""

    bootstrap: str
    info: ClusterInfo | None = None

    def config(self, **extra: str) -> dict[str, str]:
        return {"bootstrap.servers": self.bootstrap, **extra}

    def admin(self, timeout: float = 20.0) -> ConfluentAdmin:
        return ConfluentAdmin(self.config(), timeout=timeout)

    def raw_admin(self) -> AdminClient:
        settings: dict[str, str | int | float | bool] = {**self.config()}
        return AdminClient(settings)

    def producer(self, **extra: Any) -> Producer:
        return Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 5, **extra})

    def consumer(self, group: str, **extra: Any) -> Consumer:
        conf = {
            "bootstrap.servers": self.bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            **extra,
        }
        return Consumer(conf)


def _start(
    tmp_path_factory: pytest.TempPathFactory, env: str, nodes: int, name: str
) -> Iterator[KafkaHandle]:
    if bootstrap := os.environ.get(env):
        yield KafkaHandle(bootstrap)
        return
    directory: Path = tmp_path_factory.mktemp(name)
    cluster = LocalCluster(directory, nodes=nodes, bound_to_owner=True)
    info = cluster.start()
    try:
        yield KafkaHandle(info.bootstrap, info)
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def kafka_single(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaHandle]:
    yield from _start(tmp_path_factory, "KADMIN_TEST_BOOTSTRAP", 1, "kafka-single")


@pytest.fixture(scope="session")
def kafka_3zones(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaHandle]:
    yield from _start(tmp_path_factory, "KADMIN_TEST_BOOTSTRAP_3ZONES", 3, "kafka-3zones")


ENV_CLUSTERS = {"KADMIN_TEST_BOOTSTRAP_ENV_A": "kafka-env-a", "KADMIN_TEST_BOOTSTRAP_ENV_B": "kafka-env-b"}


@pytest.fixture(scope="session")
def kafka_envs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KafkaHandle, KafkaHandle]]:
    """Two more 1-node clusters, one per spec environment, started at the same time (or the ones
    ``KADMIN_TEST_BOOTSTRAP_ENV_A`` and ``_B`` name)."""
    handles: dict[str, KafkaHandle] = {}
    starting: dict[str, LocalCluster] = {}
    for variable, name in ENV_CLUSTERS.items():
        if bootstrap := os.environ.get(variable):
            handles[variable] = KafkaHandle(bootstrap)
        else:
            starting[variable] = LocalCluster(tmp_path_factory.mktemp(name), nodes=1, bound_to_owner=True)
    # The threads that start the nodes live as long as the clusters: Linux's PR_SET_PDEATHSIG,
    # which ties a node to its owner, fires when the thread that started it ends.
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        started = {variable: pool.submit(cluster.start) for variable, cluster in starting.items()}
        for variable, future in started.items():
            info = future.result()
            handles[variable] = KafkaHandle(info.bootstrap, info)
        a, b = (handles[variable] for variable in ENV_CLUSTERS)
        yield a, b
    finally:
        for cluster in starting.values():
            cluster.stop()
        pool.shutdown()


@dataclass
class SaslKafka(KafkaHandle):
    """A cluster reached through its SASL_PLAINTEXT listener: every client authenticates as `user`."""

    user: ScramUser = field(default_factory=lambda: ScramUser("kadmin", "unset"))
    mechanism: str = SCRAM_MECHANISM

    def client_properties(self, password: str | None = None) -> dict[str, str]:
        """What a --command-config file holds for this cluster; another `password` to test failures."""
        return {
            "bootstrap.servers": self.bootstrap,
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": self.mechanism,
            "sasl.username": self.user.username,
            "sasl.password": self.user.password if password is None else password,
        }

    def write_properties(self, path: Path, password: str | None = None) -> Path:
        path.write_text("".join(f"{k}={v}\n" for k, v in self.client_properties(password).items()))
        return path

    def config(self, **extra: str) -> dict[str, str]:
        return {**self.client_properties(), **extra}

    def producer(self, **extra: Any) -> Producer:
        return Producer({**self.client_properties(), "linger.ms": 5, **extra})

    def consumer(self, group: str, **extra: Any) -> Consumer:
        return Consumer(
            {
                **self.client_properties(),
                "group.id": group,
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                **extra,
            }
        )


@pytest.fixture(scope="session")
def sasl_user() -> ScramUser:
    """The SCRAM user of `kafka_sasl`; the password is distinctive so that tests can grep for leaks."""
    if bootstrap_user := os.environ.get("KADMIN_TEST_SASL_USERNAME"):
        return ScramUser(bootstrap_user, os.environ["KADMIN_TEST_SASL_PASSWORD"])
    return ScramUser("kadmin", f"kadminSECRET-{secrets.token_hex(8)}")


@dataclass
class AclsKafka(SaslKafka):
    """A cluster that enforces ACLs, reached as its super user `user` through its SASL listener."""

    plaintext: str = ""
    """Its PLAINTEXT listeners, where every client is User:ANONYMOUS."""

    def as_user(self, username: str, password: str, mechanism: str = SCRAM_MECHANISM) -> SaslKafka:
        """The same listener as another SCRAM user: its clients get what the ACLs grant that user."""
        return SaslKafka(self.bootstrap, self.info, user=ScramUser(username, password), mechanism=mechanism)

    def anonymous(self) -> KafkaHandle:
        return KafkaHandle(self.plaintext, self.info)


@pytest.fixture(scope="session")
def acls_admin() -> ScramUser:
    """The super user of `kafka_acls`, with a distinctive password for leak checks."""
    if username := os.environ.get("KADMIN_TEST_ACLS_USERNAME"):
        return ScramUser(username, os.environ["KADMIN_TEST_ACLS_PASSWORD"])
    return ScramUser("kadmin", f"kadminACLSECRET-{secrets.token_hex(8)}")


@pytest.fixture(scope="session")
def kafka_acls(tmp_path_factory: pytest.TempPathFactory, acls_admin: ScramUser) -> Iterator[AclsKafka]:
    """One node that enforces ACLs (StandardAuthorizer), as `kadmin local up --acls` starts it."""
    if bootstrap := os.environ.get("KADMIN_TEST_BOOTSTRAP_ACLS"):
        plaintext = os.environ["KADMIN_TEST_BOOTSTRAP_ACLS_PLAINTEXT"]
        yield AclsKafka(bootstrap, user=acls_admin, plaintext=plaintext)
        return
    cluster = LocalCluster(
        tmp_path_factory.mktemp("kafka-acls"), nodes=1, bound_to_owner=True, sasl=acls_admin, acls=True
    )
    info = cluster.start()
    try:
        yield AclsKafka(info.sasl_bootstrap, info, user=acls_admin, plaintext=info.bootstrap)
    finally:
        cluster.stop()


@dataclass
class TlsKafka(KafkaHandle):
    """A cluster reached through its SSL listener, trusting the CA in `ca` (a PEM file)."""

    ca: Path = Path("ca.pem")

    def client_properties(self, ca: Path | None = None) -> dict[str, str]:
        return {
            "bootstrap.servers": self.bootstrap,
            "security.protocol": "SSL",
            "ssl.ca.location": str(ca or self.ca),
        }

    def write_properties(self, path: Path, ca: Path | None = None) -> Path:
        path.write_text("".join(f"{k}={v}\n" for k, v in self.client_properties(ca).items()))
        return path

    def config(self, **extra: str) -> dict[str, str]:
        return {**self.client_properties(), **extra}


@dataclass(frozen=True)
class ThrowawayCa:
    """A throwaway CA and a broker key + certificate it signed for 127.0.0.1, as PEM files."""

    ca: Path
    keystore: Path
    """The broker's unencrypted PKCS#8 key followed by its certificate (Kafka's PEM keystore)."""
    other_ca: Path
    """A second CA that signed nothing here: trusting it must fail the handshake."""


def _openssl(command: str, *args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *command.split(), *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def throwaway_ca(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayCa:
    d = tmp_path_factory.mktemp("ca")
    ca_extensions = (
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    )
    for name in ("ca", "other-ca"):
        command = f"req -x509 -newkey rsa:2048 -nodes -days 2 -keyout {name}.key -out {name}.pem"
        _openssl(command, "-subj", f"/CN=kadmin {name}", *ca_extensions, cwd=d)
    _openssl("req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj /CN=127.0.0.1", cwd=d)
    # librdkafka checks the broker's address against the certificate's subjectAltName.
    (d / "broker.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    _openssl(
        "x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile broker.ext "
        "-out broker.crt",
        cwd=d,
    )
    _openssl("pkcs8 -topk8 -nocrypt -in broker.key -out broker.p8", cwd=d)
    keystore = d / "broker-keystore.pem"
    keystore.write_text((d / "broker.p8").read_text() + (d / "broker.crt").read_text())
    return ThrowawayCa(d / "ca.pem", keystore, d / "other-ca.pem")


@pytest.fixture(scope="session")
def secured_cluster(
    tmp_path_factory: pytest.TempPathFactory, sasl_user: ScramUser, throwaway_ca: ThrowawayCa
) -> Iterator[ClusterInfo]:
    """One node with a SASL_PLAINTEXT and an SSL client listener besides PLAINTEXT."""
    cluster = LocalCluster(
        tmp_path_factory.mktemp("kafka-secured"),
        nodes=1,
        bound_to_owner=True,
        sasl=sasl_user,
        tls_keystore=throwaway_ca.keystore,
    )
    info = cluster.start()
    try:
        yield info
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def kafka_sasl(request: pytest.FixtureRequest, sasl_user: ScramUser) -> SaslKafka:
    if bootstrap := os.environ.get("KADMIN_TEST_BOOTSTRAP_SASL"):
        return SaslKafka(bootstrap, user=sasl_user)
    info: ClusterInfo = request.getfixturevalue("secured_cluster")
    return SaslKafka(info.sasl_bootstrap, info, user=sasl_user)


@pytest.fixture(scope="session")
def kafka_tls(request: pytest.FixtureRequest, throwaway_ca: ThrowawayCa) -> TlsKafka:
    if bootstrap := os.environ.get("KADMIN_TEST_BOOTSTRAP_SSL"):
        return TlsKafka(bootstrap, ca=Path(os.environ["KADMIN_TEST_SSL_CA"]))
    info: ClusterInfo = request.getfixturevalue("secured_cluster")
    return TlsKafka(info.tls_bootstrap, info, ca=throwaway_ca.ca)


def eventually(fn: Callable[[], T], *, timeout: float = 15.0, interval: float = 0.2) -> T:
    """`fn()`'s first result that does not raise, within `timeout`.

    After a topic is created, each broker learns of it through the metadata log a moment
    later; a describe right away may still answer UNKNOWN_TOPIC_OR_PARTITION.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)


@dataclass
class Namespace:
    """A unique prefix for one test's topics and groups; what it names is deleted afterwards."""

    kafka: KafkaHandle
    prefix: str
    groups: set[str] = field(default_factory=set)

    def topic(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def group(self, name: str) -> str:
        full = f"{self.prefix}.{name}"
        self.groups.add(full)
        return full

    def cleanup(self) -> None:
        admin = self.kafka.admin()
        state = admin.snapshot()
        mine = [
            DeleteTopic(t.name, len(t.partitions))
            for t in state.topics.values()
            if t.name.startswith(self.prefix)
        ]
        admin.delete_topics(mine)
        if self.groups:
            # Keep the client referenced until its futures are done: a collected client never answers.
            raw = self.kafka.raw_admin()
            futures = raw.delete_consumer_groups(sorted(self.groups), request_timeout=10)
            for future in futures.values():
                # A group that never committed cannot be deleted; that is fine here.
                with contextlib.suppress(Exception):
                    future.result(timeout=15)


def _namespace(request: pytest.FixtureRequest, kafka: KafkaHandle) -> Iterator[Namespace]:
    slug = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40]
    ns = Namespace(kafka, f"t-{slug}-{secrets.token_hex(3)}")
    yield ns
    ns.cleanup()


@pytest.fixture
def ns(request: pytest.FixtureRequest, kafka_single: KafkaHandle) -> Iterator[Namespace]:
    """A namespace on the single-node cluster."""
    yield from _namespace(request, kafka_single)


@pytest.fixture
def ns_sasl(request: pytest.FixtureRequest, kafka_sasl: SaslKafka) -> Iterator[Namespace]:
    """A namespace on the SASL cluster; its cleanup authenticates too."""
    yield from _namespace(request, kafka_sasl)


@pytest.fixture
def ns_acls(request: pytest.FixtureRequest, kafka_acls: AclsKafka) -> Iterator[Namespace]:
    """A namespace on the cluster that enforces ACLs; its cleanup runs as the super user."""
    yield from _namespace(request, kafka_acls)


@pytest.fixture
def ns_tls(request: pytest.FixtureRequest, kafka_tls: TlsKafka) -> Iterator[Namespace]:
    """A namespace on the SSL listener; its cleanup goes through TLS too."""
    yield from _namespace(request, kafka_tls)


@pytest.fixture
def ns3(request: pytest.FixtureRequest, kafka_3zones: KafkaHandle) -> Iterator[Namespace]:
    """A namespace on the 3-zone cluster."""
    yield from _namespace(request, kafka_3zones)


@dataclass(frozen=True)
class CliRun:
    """One `kadmin` command as a user runs it: its exit code, output and duration."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    seconds: float


_CONNECTION_VARIABLES = {
    "KADMIN_BOOTSTRAP_SERVER",
    "KADMIN_COMMAND_CONFIG",
    *(env_name(p) for p in ENV_PROPERTIES),
}


def run_kadmin(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120.0,
    input: str | None = None,
) -> CliRun:
    """``python -m kadmin ARGS`` in a subprocess, with no connection settings but those in `env`;
    `input` is written to its stdin."""
    environment = {k: v for k, v in os.environ.items() if k not in _CONNECTION_VARIABLES}
    environment.update(env or {})
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kadmin", *args],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        check=False,
    )
    return CliRun(tuple(args), done.returncode, done.stdout, done.stderr, time.monotonic() - started)


@pytest.fixture
def kadmin() -> Callable[..., CliRun]:
    """Runs the kadmin command line in a subprocess; see `run_kadmin`."""
    return run_kadmin


# --- a private cluster whose brokers tests may kill (test_faults, test_ui_browser) ------------------


@dataclass
class Faulty:
    """A private three-node cluster whose brokers tests may kill."""

    cluster: LocalCluster
    info: ClusterInfo

    @property
    def kafka(self) -> KafkaHandle:
        return KafkaHandle(self.info.bootstrap, self.info)

    def admin(self, timeout: float = 10.0) -> ConfluentAdmin:
        """A new adapter; close it (`with`), since its reassignment client holds sockets."""
        return ConfluentAdmin({"bootstrap.servers": self.info.bootstrap}, timeout=timeout)

    def moving(self, topic: str) -> bool:
        with self.admin() as admin:
            return any(t == topic for t, _ in admin.ongoing_reassignments())

    def kill(self, node_id: int) -> None:
        node = next(n for n in (self.cluster.info or self.info).nodes if n.node_id == node_id)
        process = psutil.Process(node.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def heal(self) -> None:
        """Start the nodes that are not running (with their data) and wait until all are up."""
        self.info = self.cluster.start()

    def kadmin(self, *args: str | Path, **env: str) -> CliRun:
        return run_kadmin(*map(str, args), env={"KADMIN_BOOTSTRAP_SERVER": self.info.bootstrap, **env})


@pytest.fixture(scope="session")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faulty]:
    cluster = LocalCluster(tmp_path_factory.mktemp("kafka-faults"), nodes=3, bound_to_owner=True)
    info = cluster.start()
    try:
        yield Faulty(cluster, info)
    finally:
        cluster.stop()


@pytest.fixture
def fns(faulty: Faulty) -> Iterator[Namespace]:
    faulty.heal()
    ns = Namespace(faulty.kafka, f"f-{secrets.token_hex(3)}")
    yield ns
    faulty.heal()
    ns.cleanup()
