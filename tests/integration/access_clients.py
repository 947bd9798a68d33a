"""What the access tests do as the users a spec creates: write, read, log in, and measure throttling,
with real confluent-kafka clients; the spec and workspace they run `kadmin` in; and what they
leave behind, removed afterwards."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka import KafkaError, ThrottleEvent

from kadmin.core.access import (
    AccessReads,
    AclBinding,
    QuotaAlteration,
    QuotaEntity,
    QuotaEntityType,
    QuotaKey,
    ScramKey,
    ScramMechanism,
)
from kadmin.core.errors import ClusterError

from .conftest import AclsKafka, CliRun, KafkaHandle, Namespace, SaslKafka

Kadmin = Callable[..., CliRun]
SHA512, SHA256 = ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256


def produce(client: KafkaHandle, topic: str, count: int = 1, size: int = 1, **extra: object) -> list[str]:
    """Kafka's name for the error of each message `client` writes to `topic`; "" for one written."""
    answers: list[str] = []
    producer = client.producer(**{"message.timeout.ms": 20000, **extra})
    payload = b"m" * size
    for _ in range(count):
        producer.produce(
            topic, payload, on_delivery=lambda err, _msg: answers.append(err.name() if err else "")
        )
        producer.poll(0)
    producer.flush(120)
    return answers


def produce_one(client: KafkaHandle, topic: str) -> str:
    """Kafka's name for the error writing one message to `topic` as `client`; "" once written."""
    answers = produce(client, topic)
    return answers[0] if answers else "no delivery report"


def consume_one(client: KafkaHandle, topic: str, group: str, timeout: float = 30.0) -> str:
    """What `client`, in `group`, gets reading `topic`: "" for a message, else Kafka's error name."""
    consumer = client.consumer(group)
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            error = message.error()
            if error is None:
                return ""
            if not error.retriable() or "AUTHORIZATION" in error.name():
                return str(error.name())
        return "nothing read"
    finally:
        consumer.close()


def login_error(client: SaslKafka) -> str:
    """ "" when `client`'s user authenticates, else the error kadmin reports."""
    admin = client.admin(timeout=15)
    try:
        admin.snapshot(scope=[])
    except ClusterError as err:
        return err.message
    finally:
        admin.close()
    return ""


def first_throttle_ms(client: KafkaHandle, topic: str, volume: int, timeout: float = 60.0) -> float:
    """How long the brokers first throttled `client` writing `volume` bytes to `topic`, in ms; 0 when
    every message was written without a throttle.

    A broker measures a client's rate over its quota window (11 s by default), answers with the
    delay that brings the rate under the quota, and holds the connection that long (KIP-219);
    librdkafka reports the delay as a throttle event. Once one is reported the rest is dropped.
    """
    throttled: list[float] = []

    def on_throttle(event: ThrottleEvent) -> None:
        throttled.append(event.throttle_time * 1000)

    size = 8 * 1024
    producer = client.producer(throttle_cb=on_throttle, **{"linger.ms": 0, "batch.size": size})
    pending = [volume // size]
    failed: list[str] = []

    def delivered(err: KafkaError | None, _message: object) -> None:
        pending[0] -= 1
        if err is not None and err.code() not in (KafkaError._PURGE_QUEUE, KafkaError._PURGE_INFLIGHT):
            failed.append(err.name())

    for _ in range(volume // size):
        producer.produce(topic, b"m" * size, on_delivery=delivered)
    deadline = time.monotonic() + timeout
    while pending[0] and not throttled and time.monotonic() < deadline:
        producer.poll(0.1)
    producer.purge()
    producer.flush(0)
    assert not failed, failed
    assert throttled or not pending[0], "neither throttled nor written in time"
    return throttled[0] if throttled else 0.0


@dataclass
class AccessLeftovers:
    """Users, ACLs and quotas a test made on the shared cluster, removed after it."""

    kafka: SaslKafka
    acls: set[AclBinding] = field(default_factory=set)
    credentials: set[ScramKey] = field(default_factory=set)
    quotas: dict[QuotaEntity, set[QuotaKey]] = field(default_factory=dict)
    """The quota keys set on each entity: only those are removed (a default entity is everyone's)."""

    def quota(self, entity: QuotaEntity, *keys: QuotaKey) -> None:
        self.quotas.setdefault(entity, set()).update(keys)

    def cleanup(self) -> None:
        admin = self.kafka.admin()
        try:
            state = admin.access_state(AccessReads(acls=False, scram=True, quotas=True))
            present = {c.key for c in state.scram}
            with contextlib.suppress(ClusterError):
                admin.delete_acls(sorted(self.acls))
            admin.delete_scram(sorted(self.credentials & present))
            removals = [
                QuotaAlteration(q.entity, remove=tuple(sorted(self.quotas[q.entity] & set(q.values))))
                for q in state.quotas
                if q.entity in self.quotas
            ]
            admin.alter_quotas([r for r in removals if r.remove])
            admin.record_passwords(dict.fromkeys(sorted(self.credentials)))
        finally:
            admin.close()


def leftovers(kafka: SaslKafka) -> Iterator[AccessLeftovers]:
    made = AccessLeftovers(kafka)
    yield made
    made.cleanup()


def access_spec(p: str, *, with_billing: bool = True) -> str:
    """Two apps (one produces to a prefix, idempotent; one consumes in its group), their users
    (one password from a variable, one from a file, SCRAM-SHA-256), a third user with a
    producer quota, all inside ``User:<p>-.*``."""
    billing = (
        f"""  billing:
    principal: User:{p}-billing
    consumes: [{p}.orders.created]
    group: {p}.billing
"""
        if with_billing
        else ""
    )
    return f"""version: 1
cluster:
  manage_principals: ['User:{p}-.*']
topics:
  {p}.orders.created: {{partitions: 1, replication_factor: 1}}
  {p}.payments.x: {{partitions: 1, replication_factor: 1}}
users:
  {p}-orders:
    password: ${{ORDERS_PASSWORD}}
  {p}-billing:
    password: {{file: billing.pw}}
    mechanism: SCRAM-SHA-256
  {p}-bulk:
    password: ${{BULK_PASSWORD}}
apps:
  orders-service:
    principal: User:{p}-orders
    produces: [{p}.orders.*]
    idempotent: true
{billing}  bulk-loader:
    principal: User:{p}-bulk
    produces: [{p}.orders.created]
quotas:
  - user: {p}-bulk
    producer_byte_rate: 1KiB
"""


class Workspace:
    """A spec directory and the environment `kadmin` runs with against `kafka_acls` as its super user."""

    def __init__(
        self, kafka: AclsKafka, ns: Namespace, made: AccessLeftovers, root: Path, kadmin: Kadmin
    ) -> None:
        self.kafka, self.p, self.kadmin, self.root = kafka, ns.prefix, kadmin, root
        self.passwords = {
            "orders": f"ordersSECRET-{ns.prefix[-6:]}-1",
            "billing": f"billingSECRET-{ns.prefix[-6:]}-1",
            "bulk": f"bulkSECRET-{ns.prefix[-6:]}-1",
        }
        (root / "specs").mkdir()
        (root / "specs" / "billing.pw").write_text(self.passwords["billing"] + "\n")
        self.properties = kafka.write_properties(root / "client.properties")
        for user, mechanism in (("orders", SHA512), ("billing", SHA256), ("bulk", SHA512)):
            made.credentials.add(ScramKey(f"{ns.prefix}-{user}", mechanism))
        made.quota(QuotaEntity.of({QuotaEntityType.USER: f"{ns.prefix}-bulk"}), QuotaKey.PRODUCER_BYTE_RATE)
        self.write()

    def write(self, **options: bool) -> None:
        (self.root / "specs" / "access.yaml").write_text(access_spec(self.p, **options))

    def run(self, *args: str, expect: int | None = 0, offline: bool = False) -> CliRun:
        """``kadmin ARGS`` in the workspace with the users' password variables set; `offline`
        commands (validate, show) take no connection settings."""
        env = {"ORDERS_PASSWORD": self.passwords["orders"], "BULK_PASSWORD": self.passwords["bulk"]}
        connection = () if offline else ("--command-config", str(self.properties))
        result = self.kadmin(*args, *connection, env=env, cwd=self.root)
        if expect is not None:
            assert result.code == expect, (args, result.stdout, result.stderr)
        return result

    def empty_replan(self, *extra: str) -> CliRun:
        """`kadmin plan --detailed-exitcode` right after an apply, which must be empty: apply waits
        until the brokers show what it changed (they learn of it from the metadata log)."""
        return self.run("plan", "specs", "--detailed-exitcode", *extra)

    def app(self, user: str, password: str | None = None, mechanism: ScramMechanism = SHA512) -> SaslKafka:
        """Clients that log in as the spec's user `user`."""
        return self.kafka.as_user(f"{self.p}-{user}", password or self.passwords[user], mechanism.value)
