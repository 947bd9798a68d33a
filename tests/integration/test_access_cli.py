"""Access as code end to end: `kadmin plan` / `kadmin apply` of a spec with users, apps, ACLs and
quotas on a cluster that enforces ACLs, proven with real producers and consumers logging in as
the spec's users: what the spec allows works, what it does not is denied, and what `manage_principals`
does not cover is never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import KafkaException

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
    ScramUpsert,
    Secret,
)

from .access_clients import (
    SHA256,
    SHA512,
    AccessLeftovers,
    Kadmin,
    Workspace,
    consume_one,
    first_throttle_ms,
    leftovers,
    login_error,
    produce,
    produce_one,
)
from .conftest import AclsKafka, KafkaHandle, Namespace


@pytest.fixture
def made(kafka_acls: AclsKafka) -> Iterator[AccessLeftovers]:
    yield from leftovers(kafka_acls)


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
    work.empty_replan()

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
    work.empty_replan("--allow-delete")
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
    work.empty_replan()

    assert login_error(work.app("orders")) == ""
    assert "authentication failed" in login_error(work.app("orders", password=old))
    assert produce_one(work.app("orders"), f"{work.p}.orders.created") == ""


def test_acls_on_a_cluster_without_an_authorizer_are_a_clear_error_and_topics_alone_never_ask(
    kafka_single: KafkaHandle, ns: Namespace, kadmin: Kadmin, tmp_path: Path
) -> None:
    topics = f"version: 1\ntopics:\n  {ns.topic('plain')}: {{partitions: 1, replication_factor: 1}}\n"
    app = f"apps:\n  reader:\n    principal: User:{ns.prefix}-reader\n    consumes: [{ns.topic('plain')}]\n"
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "spec.yaml").write_text(topics)
    (tmp_path / "access").mkdir()
    (tmp_path / "access" / "spec.yaml").write_text(topics + app)

    refused = kadmin("plan", "access", "-b", kafka_single.bootstrap, cwd=tmp_path)
    applied = kadmin("apply", "topics", "--auto-approve", "-b", kafka_single.bootstrap, cwd=tmp_path)

    assert refused.code == 1, refused.stdout
    assert "SECURITY_DISABLED" in refused.stderr and "authorizer" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert applied.code == 0, applied.stderr


def test_export_of_the_access_state_then_plan_is_empty(work: Workspace) -> None:
    work.run("apply", "specs", "--auto-approve")
    work.empty_replan()

    work.run("export", "--access", "--out", "exported")
    exported = (work.root / "exported" / "access.yaml").read_text()
    planned = work.run("plan", "exported", "--detailed-exitcode")

    assert f"User:{work.p}-orders" in exported and f"{work.p}-bulk" in exported
    assert "No changes" in planned.stdout


def test_a_transactional_app_commits_under_its_own_transactional_id_only(work: Workspace) -> None:
    p = work.p
    (work.root / "specs" / "access.yaml").write_text(
        f"""version: 1
cluster:
  manage_principals: ['User:{p}-.*']
topics:
  {p}.ledger: {{partitions: 1, replication_factor: 1}}
users:
  {p}-orders:
    password: ${{ORDERS_PASSWORD}}
apps:
  ledger-writer:
    principal: User:{p}-orders
    produces: [{p}.ledger]
    transactional: [{p}.tx]
"""
    )
    work.run("apply", "specs", "--auto-approve")
    work.empty_replan()
    app = work.app("orders")

    own = app.producer(**{"transactional.id": f"{p}.tx"})
    own.init_transactions(30)
    own.begin_transaction()
    own.produce(f"{p}.ledger", b"entry")
    own.commit_transaction(30)
    other = app.producer(**{"transactional.id": f"{p}.other"})
    with pytest.raises(KafkaException) as refused:
        other.init_transactions(30)

    assert refused.value.args[0].name() == "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"
