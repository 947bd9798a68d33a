"""`kadmin describe user`: one principal's credentials, ACLs and quotas from the in-memory cluster,
with Kafka's quota precedence, text and JSON, and the errors of an unknown user or a cluster
without an authorizer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.inspect_cmds as inspect_cmds
from kadmin.cli.app import app
from kadmin.core.access import (
    AclBinding,
    AclOperation,
    AclPermission,
    ClientQuota,
    PasswordDigest,
    PatternType,
    QuotaEntity,
    QuotaEntityType,
    QuotaKey,
    ResourceType,
    ScramKey,
    ScramMechanism,
    Secret,
)
from kadmin.ops.inspect_user import QuotaScope, user_quotas
from tests.fakes import InMemoryCluster

USER, CLIENT = QuotaEntityType.USER, QuotaEntityType.CLIENT_ID
PRODUCE, CONSUME = QuotaKey.PRODUCER_BYTE_RATE, QuotaKey.CONSUMER_BYTE_RATE
PASSWORD = "s3cret-Never-Shown"


def entity(**parts: str | None) -> QuotaEntity:
    return QuotaEntity.of({USER if k == "user" else CLIENT: v for k, v in parts.items()})


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    memory = InMemoryCluster()

    def connect(*args: Any, **kwargs: Any) -> InMemoryCluster:
        return memory

    monkeypatch.setattr(inspect_cmds, "connect", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    return memory


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def orders_service(mem: InMemoryCluster) -> None:
    mem.add_user("orders", PASSWORD, "SCRAM-SHA-512", 8192)
    key = ScramKey("orders", ScramMechanism.SCRAM_SHA_512)
    mem.digests[key] = PasswordDigest.of(key, Secret(PASSWORD))
    mem.add_user("orders", PASSWORD, "SCRAM-SHA-256")
    mem.add_user("billing", "other-password")
    mem.acls |= {
        AclBinding("User:orders", ResourceType.TOPIC, "orders.", PatternType.PREFIXED, AclOperation.WRITE),
        AclBinding("User:orders", ResourceType.GROUP, "orders-svc", PatternType.LITERAL, AclOperation.READ),
        AclBinding(
            "User:orders",
            ResourceType.TOPIC,
            "payments",
            PatternType.LITERAL,
            AclOperation.READ,
            AclPermission.DENY,
            "10.0.0.7",
        ),
        AclBinding("User:billing", ResourceType.TOPIC, "billing", PatternType.LITERAL, AclOperation.READ),
    }
    mem.quotas[entity(user="orders")] = {PRODUCE: 1048576.0}
    mem.quotas[entity(user=None)] = {PRODUCE: 512.0, CONSUME: 2048.0}
    mem.quotas[entity(user="orders", client_id="batch")] = {CONSUME: 100.0}
    mem.quotas[entity(user="billing")] = {CONSUME: 1.0}
    mem.quotas[entity(client_id=None)] = {CONSUME: 7.0}


# --- precedence (pure) ---------------------------------------------------------------


def test_the_users_own_value_overrides_the_default_users_per_quota_key() -> None:
    quotas = (
        ClientQuota(entity(user=None), {PRODUCE: 512.0, CONSUME: 2048.0}),
        ClientQuota(entity(user="orders"), {PRODUCE: 1024.0}),
        ClientQuota(entity(user="billing"), {CONSUME: 1.0}),
    )
    found = {(q.scope, q.key): q for q in user_quotas(quotas, "orders")}
    assert set(found) == {
        (QuotaScope.USER, PRODUCE),
        (QuotaScope.DEFAULT_USER, PRODUCE),
        (QuotaScope.DEFAULT_USER, CONSUME),
    }
    assert found[QuotaScope.USER, PRODUCE].applies
    assert not found[QuotaScope.DEFAULT_USER, PRODUCE].applies
    assert found[QuotaScope.DEFAULT_USER, PRODUCE].overridden_by == entity(user="orders")
    # No value of its own for consumer_byte_rate: the default user's applies.
    assert found[QuotaScope.DEFAULT_USER, CONSUME].applies


def test_user_and_default_client_id_is_more_specific_than_the_user_alone() -> None:
    quotas = (
        ClientQuota(entity(user="orders"), {PRODUCE: 1024.0}),
        ClientQuota(entity(user="orders", client_id=None), {PRODUCE: 10.0}),
        ClientQuota(entity(user=None, client_id=None), {PRODUCE: 5.0}),
        ClientQuota(entity(user="orders", client_id="batch"), {PRODUCE: 1.0}),
    )
    shown = user_quotas(quotas, "orders")
    assert [q.scope for q in shown] == [
        QuotaScope.USER_CLIENT,
        QuotaScope.USER_DEFAULT_CLIENT,
        QuotaScope.USER,
        QuotaScope.DEFAULT_USER_DEFAULT_CLIENT,
    ]
    assert [q.applies for q in shown] == [True, True, False, False]
    assert shown[0].client_id == "batch"
    assert shown[2].overridden_by == entity(user="orders", client_id=None)


# --- the command ---------------------------------------------------------------------


def test_describe_user_shows_credentials_acls_and_quotas_but_no_password(mem: InMemoryCluster) -> None:
    orders_service(mem)
    code, out, err = run("describe", "user", "orders")
    assert code == 0, err
    assert PASSWORD not in out
    assert "SCRAM-SHA-512  8192        kadmin (password digest recorded)" in out
    assert "SCRAM-SHA-256  4096        not kadmin (no digest recorded)" in out
    assert "allow write on orders.* (prefixed)" in out
    assert "deny read on payments from host 10.0.0.7" in out
    assert "allow read on orders-svc" in out
    assert "billing" not in out
    produce = next(line for line in out.splitlines() if "user=orders " in line and "producer" in line)
    assert "1MiB/s (1048576)" in produce and produce.endswith("applies")
    default_produce = next(
        line for line in out.splitlines() if "user=<default>" in line and "producer" in line
    )
    assert default_produce.endswith("overridden by user=orders")
    default_consume = next(
        line for line in out.splitlines() if "user=<default>" in line and "consumer" in line
    )
    assert "applies (default" in default_consume
    assert "applies to client id batch" in out
    assert "client-id=<default> " not in out  # a client-id-only entity does not match a user


def test_describe_user_as_json_is_the_same_document(mem: InMemoryCluster) -> None:
    orders_service(mem)
    code, out, _ = run("describe", "user", "orders", "-o", "json")
    assert code == 0 and PASSWORD not in out
    doc = json.loads(out)
    assert doc["principal"] == "User:orders"
    assert doc["scram_credentials"] == [
        {"mechanism": "SCRAM-SHA-256", "iterations": 4096, "set_by_kadmin": False},
        {"mechanism": "SCRAM-SHA-512", "iterations": 8192, "set_by_kadmin": True},
    ]
    assert len(doc["acls"]) == 3
    assert {"permission": "deny", "operation": "read", "resource_type": "topic", "resource_name": "payments",
            "pattern_type": "literal", "host": "10.0.0.7"} in doc["acls"]  # fmt: skip
    by = {(json.dumps(q["entity"], sort_keys=True), q["key"]): q for q in doc["quotas"]}
    default_produce = by['{"user": null}', "producer_byte_rate"]
    assert default_produce["matches_as"] == "default user"
    assert not default_produce["applies"] and default_produce["overridden_by"] == "user=orders"
    assert by['{"user": null}', "consumer_byte_rate"]["applies"]
    assert by['{"user": "orders"}', "producer_byte_rate"]["value"] == 1048576.0
    assert by['{"client-id": "batch", "user": "orders"}', "consumer_byte_rate"]["client_id"] == "batch"
    assert doc["acls_error"] is None


def test_an_unknown_user_is_an_error_naming_it(mem: InMemoryCluster) -> None:
    orders_service(mem)  # a default user quota exists, yet it is no user of its own
    code, out, err = run("describe", "user", "nobody")
    assert code == 1 and out == ""
    assert "User:nobody" in err and "no such user" in err and "Traceback" not in err


def test_without_an_authorizer_credentials_and_quotas_are_shown_and_acls_said_unreadable(
    mem: InMemoryCluster,
) -> None:
    mem.authorizer = False
    mem.add_user("orders", PASSWORD)
    mem.quotas[entity(user="orders")] = {PRODUCE: 100.0}
    code, out, err = run("describe", "user", "orders")
    assert code == 0, err
    assert "SCRAM-SHA-512" in out and "producer_byte_rate" in out
    assert "ACLs: cannot be read" in out and "SECURITY_DISABLED" in out
    code, out, _ = run("describe", "user", "orders", "-o", "json")
    doc = json.loads(out)
    assert doc["acls"] is None and "SECURITY_DISABLED" in doc["acls_error"]


def test_a_user_name_is_printed_literally(mem: InMemoryCluster) -> None:
    mem.add_user("[bold]ops:fire:", PASSWORD)
    code, out, _ = run("describe", "user", "[bold]ops:fire:")
    assert code == 0 and "user [bold]ops:fire: (principal User:[bold]ops:fire:)" in out
