"""Access as code end to end: `kadmin plan` / `kadmin apply` of a spec with users, apps, ACLs and
quotas on a cluster that enforces ACLs, proven with real producers and consumers logging in as
the spec's users: what the spec allows works, what it does not is denied, and what `manage_principals`
does not cover is never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kadmin.core.access import (
    AccessReads,
    AclBinding,
    AclOperation,
    PatternType,
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

from .access_clients import (
    AccessLeftovers,
    consume_one,
    first_throttle_ms,
    leftovers,
    login_error,
    produce,
    produce_one,
)
from .conftest import AclsKafka, CliRun, Namespace, SaslKafka, eventually

Kadmin = Callable[..., CliRun]
SHA512, SHA256 = ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256


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


@pytest.fixture
def made(kafka_acls: AclsKafka) -> Iterator[AccessLeftovers]:
    yield from leftovers(kafka_acls)


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
        made.quotas.add(QuotaEntity.of({QuotaEntityType.USER: f"{ns.prefix}-bulk"}))
        self.write()

    def write(self, **options: bool) -> None:
        (self.root / "specs" / "access.yaml").write_text(access_spec(self.p, **options))

    def run(self, *args: str, expect: int | None = 0) -> CliRun:
        env = {"ORDERS_PASSWORD": self.passwords["orders"], "BULK_PASSWORD": self.passwords["bulk"]}
        result = self.kadmin(*args, "--command-config", str(self.properties), env=env, cwd=self.root)
        if expect is not None:
            assert result.code == expect, (args, result.stdout, result.stderr)
        return result

    def settled_plan(self, *extra: str) -> CliRun:
        """`kadmin plan --detailed-exitcode` once it is empty: brokers learn of access changes from
        the metadata log a moment after the controller answers."""
        return eventually(
            lambda: self.run("plan", "specs", "--detailed-exitcode", *extra), timeout=20, interval=1
        )

    def app(self, user: str, password: str | None = None, mechanism: ScramMechanism = SHA512) -> SaslKafka:
        """Clients that log in as the spec's user `user`."""
        return self.kafka.as_user(f"{self.p}-{user}", password or self.passwords[user], mechanism.value)


@pytest.fixture
def work(
    kafka_acls: AclsKafka, ns_acls: Namespace, made: AccessLeftovers, tmp_path: Path, kadmin: Kadmin
) -> Workspace:
    return Workspace(kafka_acls, ns_acls, made, tmp_path, kadmin)


def test_a_spec_applied_on_an_authorizing_cluster_is_what_its_brokers_enforce(
    work: Workspace, kafka_acls: AclsKafka, made: AccessLeftovers
) -> None:
    p = work.p
    outsider = AclBinding(
        f"User:{p}x-ops", ResourceType.TOPIC, f"{p}.orders.created", PatternType.LITERAL, AclOperation.READ
    )
    made.acls.add(outsider)
    made.credentials.add(ScramKey(f"{p}x-ops", SHA512))
    with kafka_acls.admin() as admin:
        assert admin.create_acls([outsider])[0].ok
        upsert = ScramUpsert(ScramCredential(f"{p}x-ops", SHA512, 4096), Secret("opsSECRET-outside-1"))
        assert admin.upsert_scram([upsert])[0].ok

    planned = work.run("plan", "specs")
    assert "from app orders-service at" in planned.stdout
    applied = work.run("apply", "specs", "--auto-approve")
    assert "0 failed" in applied.stdout, applied.stdout
    work.settled_plan()

    orders, payments = f"{p}.orders.created", f"{p}.payments.x"
    # Since KIP-679 an idempotent producer needs no IdempotentWrite on the cluster: Write will do.
    assert produce_one(work.app("orders"), orders) == ""
    assert produce(work.app("orders"), orders, **{"enable.idempotence": True}) == [""]
    assert produce_one(work.app("orders"), payments) == "TOPIC_AUTHORIZATION_FAILED"
    assert produce_one(work.app("bulk"), payments) == "TOPIC_AUTHORIZATION_FAILED"
    billing = work.app("billing", mechanism=SHA256)
    assert consume_one(billing, orders, f"{p}.billing") == ""
    assert consume_one(billing, orders, f"{p}.elsewhere") == "GROUP_AUTHORIZATION_FAILED"
    assert produce_one(billing, orders) == "TOPIC_AUTHORIZATION_FAILED"

    # The quota is on the cluster, and it holds back its user only.
    with kafka_acls.admin() as admin:
        quotas = {
            q.entity: dict(q.values) for q in admin.access_state(AccessReads(acls=False, scram=False)).quotas
        }
    assert quotas[QuotaEntity.of({QuotaEntityType.USER: f"{p}-bulk"})] == {
        QuotaKey.PRODUCER_BYTE_RATE: 1024.0
    }
    assert first_throttle_ms(work.app("bulk"), orders, 256 * 1024) >= 1000
    assert first_throttle_ms(work.app("orders"), orders, 256 * 1024) == 0

    # Without --allow-delete an app dropped from the spec keeps its access; with it, it loses it.
    work.write(with_billing=False)
    kept = work.run("apply", "specs", "--auto-approve")
    assert "--allow-delete" in kept.stdout
    assert consume_one(billing, orders, f"{p}.billing") == ""
    work.run("apply", "specs", "--auto-approve", "--allow-delete")
    work.settled_plan("--allow-delete")
    assert consume_one(billing, orders, f"{p}.billing") in (
        "TOPIC_AUTHORIZATION_FAILED",
        "GROUP_AUTHORIZATION_FAILED",
    )

    # A principal outside manage_principals is never touched, even with --allow-delete.
    with kafka_acls.admin() as admin:
        assert outsider in admin.access_state(AccessReads(scram=False, quotas=False)).acls
    assert login_error(kafka_acls.as_user(f"{p}x-ops", "opsSECRET-outside-1")) == ""


def test_a_rotated_password_works_and_the_old_one_no_longer_does(work: Workspace) -> None:
    work.run("apply", "specs", "--auto-approve")
    old = work.passwords["orders"]
    assert login_error(work.app("orders")) == ""

    work.passwords["orders"] = old.replace("-1", "-2")
    planned = work.run("plan", "specs")
    assert "rotate credential" in planned.stdout
    assert old not in planned.stdout + planned.stderr
    assert work.passwords["orders"] not in planned.stdout + planned.stderr
    work.run("apply", "specs", "--auto-approve")
    work.settled_plan()

    assert login_error(work.app("orders")) == ""
    assert "authentication failed" in login_error(work.app("orders", password=old))
    assert produce_one(work.app("orders"), f"{work.p}.orders.created") == ""
