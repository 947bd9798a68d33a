"""`kadmin describe user` on real Kafka: after a spec with a user, an app and a quota is applied on
the cluster that enforces ACLs, it shows exactly the credential, ACLs and quota the admin API
reads, and never the password; on a cluster without an authorizer it still shows the rest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kadmin.core.access import (
    AccessReads,
    QuotaAlteration,
    QuotaEntity,
    QuotaEntityType,
    QuotaKey,
    ScramCredential,
    ScramKey,
    ScramUpsert,
    Secret,
)

from .access_clients import SHA512, AccessLeftovers, Kadmin, Workspace, leftovers
from .conftest import AclsKafka, KafkaHandle, Namespace


@pytest.fixture
def made(kafka_acls: AclsKafka) -> Iterator[AccessLeftovers]:
    yield from leftovers(kafka_acls)


@pytest.fixture
def work(
    kafka_acls: AclsKafka, ns_acls: Namespace, made: AccessLeftovers, tmp_path: Path, kadmin: Kadmin
) -> Workspace:
    return Workspace(kafka_acls, ns_acls, made, tmp_path, kadmin)


def test_describe_user_shows_what_the_applied_spec_made_of_the_user_and_no_password(
    work: Workspace, kafka_acls: AclsKafka
) -> None:
    work.run("apply", "specs", "--auto-approve")
    user = f"{work.p}-bulk"

    shown = json.loads(work.run("describe", "user", user, "-o", "json").stdout)
    text = work.run("describe", "user", user).stdout
    with kafka_acls.admin() as admin:
        state = admin.access_state(AccessReads())

    assert shown["scram_credentials"] == [
        {"mechanism": c.mechanism.value, "iterations": c.iterations, "set_by_kadmin": c.key in state.digests}
        for c in state.scram
        if c.user == user
    ]
    assert shown["scram_credentials"][0]["set_by_kadmin"] is True
    acls = sorted(b for b in state.acls if b.principal == f"User:{user}")
    assert acls, "the app bulk-loader gives its user ACLs"
    assert shown["acls"] == [
        {
            "permission": b.permission.value,
            "operation": b.operation.value,
            "resource_type": b.resource_type.value,
            "resource_name": b.resource_name,
            "pattern_type": b.pattern_type.value,
            "host": b.host,
        }
        for b in acls
    ]
    own = [q for q in shown["quotas"] if q["entity"] == {"user": user}]
    assert own == [
        {
            "entity": {"user": user},
            "matches_as": "user",
            "key": "producer_byte_rate",
            "value": 1024.0,
            "applies": True,
            "client_id": None,
            "overridden_by": None,
        }
    ]
    # Only the user's own entity or the default user's match it; no other user's ever.
    assert all(q["entity"].get("user") in (user, None) for q in shown["quotas"])
    assert f"user {user} (principal User:{user})" in text
    assert f"allow write on {work.p}.orders.created" in text
    assert "1KiB/s (1024)  applies" in text
    for password in work.passwords.values():
        assert password not in text and password not in json.dumps(shown)

    unknown = work.run("describe", "user", f"{work.p}-nobody", expect=1)
    assert f"User:{work.p}-nobody" in unknown.stderr and "Traceback" not in unknown.stderr


def test_without_an_authorizer_describe_user_says_acls_are_unreadable(
    kafka_single: KafkaHandle, ns: Namespace, kadmin: Kadmin
) -> None:
    user = f"{ns.prefix}-plain"
    entity = QuotaEntity.of({QuotaEntityType.USER: user})
    key = ScramKey(user, SHA512)
    with kafka_single.admin() as admin:
        assert admin.upsert_scram([ScramUpsert(ScramCredential(user, SHA512, 4096), Secret("plainPW-x1"))])[
            0
        ].ok
        assert admin.alter_quotas([QuotaAlteration(entity, {QuotaKey.CONSUMER_BYTE_RATE: 2048.0})])[0].ok
    try:
        text = kadmin("describe", "user", user, "-b", kafka_single.bootstrap)
        shown = kadmin("describe", "user", user, "-o", "json", "-b", kafka_single.bootstrap)
    finally:
        with kafka_single.admin() as admin:
            admin.alter_quotas([QuotaAlteration(entity, remove=(QuotaKey.CONSUMER_BYTE_RATE,))])
            admin.delete_scram([key])

    assert text.code == 0, text.stderr
    assert "SCRAM-SHA-512  4096" in text.stdout and "consumer_byte_rate" in text.stdout
    assert "ACLs: cannot be read" in text.stdout and "SECURITY_DISABLED" in text.stdout
    assert "plainPW-x1" not in text.stdout
    document = json.loads(shown.stdout)
    assert document["acls"] is None and "SECURITY_DISABLED" in document["acls_error"]
    assert document["quotas"][0]["value"] == 2048.0
