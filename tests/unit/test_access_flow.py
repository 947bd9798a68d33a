"""Access as code through `kadmin plan` and `kadmin apply` against the in-memory cluster: users, apps,
ACLs and quotas are created, a re-plan is empty, passwords rotate by their recorded digest, deletes
stay inside `manage_principals` and need --allow-delete, and no password reaches any output."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.drift_cmds as drift_cmds
import kadmin.cli.export_cmds as export_cmds
import kadmin.cli.plan_cmds as plan_cmds
from kadmin.cli.app import app
from kadmin.core.access import (
    AclBinding,
    AclOperation,
    PatternType,
    QuotaEntity,
    QuotaEntityType,
    QuotaKey,
    ResourceType,
    ScramKey,
    ScramMechanism,
)
from kadmin.core.model import Broker
from kadmin.core.targets import Target
from kadmin.kafka.port import Outcome
from kadmin.ops.apply import apply_plan
from kadmin.ops.planning import plan_specs
from kadmin.plan.planfile import load_plan, plan_from_document, plan_to_document
from tests.fakes import InMemoryCluster

PASSWORD = "orders-secret-1a2b3c"
NEW_PASSWORD = "orders-secret-rotated-9z8y"
SPEC = """\
version: 1
cluster:
  manage_principals: ['User:svc-.*']
users:
  svc-orders:
    password: ${SVC_ORDERS_PASSWORD}
apps:
  orders-service:
    principal: User:svc-orders
    produces: [orders.*]
  billing:
    principal: User:svc-billing
    consumes: [orders.created]
    group: billing
quotas:
  - user: svc-orders
    producer_byte_rate: 1MiB
"""
KEY = ScramKey("svc-orders", ScramMechanism.SCRAM_SHA_512)


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    memory = InMemoryCluster(brokers=(Broker(1, "zone-a"),))

    def connect(*args: Any, **kwargs: Any) -> InMemoryCluster:
        return memory

    monkeypatch.setattr(plan_cmds, "connect", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("SVC_ORDERS_PASSWORD", PASSWORD)
    return memory


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def spec(tmp_path: Path, text: str = SPEC) -> Path:
    path = tmp_path / "access.yaml"
    path.write_text(text)
    return path


def test_a_spec_applies_then_plans_empty_and_says_where_each_acl_comes_from(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    path = spec(tmp_path)
    code, out, err = run("plan", path)
    assert code == 0, err
    assert (
        "user svc-orders (SCRAM-SHA-512, 4096 iterations): create credential, "
        "password from ${SVC_ORDERS_PASSWORD}" in out
    )
    assert "acls of User:svc-orders" in out and "allow write on topic orders.*" in out
    assert f"from app orders-service at {path}:8:3" in out
    assert "quotas of user=svc-orders" in out and "producer_byte_rate: 1MiB/s (1048576)" in out
    code, out, err = run("apply", path, "--auto-approve")
    assert code == 0, err + out
    assert mem.password_of(KEY) == PASSWORD
    assert (
        AclBinding("User:svc-orders", ResourceType.TOPIC, "orders.", PatternType.PREFIXED, AclOperation.WRITE)
        in mem.acls
    )
    assert (
        AclBinding("User:svc-billing", ResourceType.GROUP, "billing", PatternType.LITERAL, AclOperation.READ)
        in mem.acls
    )
    assert mem.quotas[QuotaEntity.of({QuotaEntityType.USER: "svc-orders"})] == {
        QuotaKey.PRODUCER_BYTE_RATE: 1048576.0
    }
    assert KEY in mem.digests
    code, out, err = run("plan", path, "--detailed-exitcode")
    assert code == 0, out
    assert "No changes" in out


def test_a_changed_password_is_a_rotation_that_shows_no_value(
    mem: InMemoryCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = spec(tmp_path)
    assert run("apply", path, "--auto-approve")[0] == 0
    monkeypatch.setenv("SVC_ORDERS_PASSWORD", NEW_PASSWORD)
    plan_file = tmp_path / "plan.json"
    code, out, err = run("plan", path, "--out", plan_file, "-o", "json")
    assert code == 0, err
    document = json.loads(plan_file.read_text())
    assert [a["change"] for a in document["actions"]] == ["rotate"]
    code, text, _ = run("plan", path)
    assert "rotate credential, new password from ${SVC_ORDERS_PASSWORD}" in text
    code, applied, err = run("apply", plan_file)
    assert code == 0, err
    assert mem.password_of(KEY) == NEW_PASSWORD
    for shown in (out, text, applied, err, plan_file.read_text()):
        assert PASSWORD not in shown and NEW_PASSWORD not in shown
        assert mem.digests[KEY].encode().decode() not in shown
    assert run("plan", path, "--detailed-exitcode")[0] == 0


def test_a_credential_kadmin_never_set_is_left_alone_unless_asked(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    mem.add_user("svc-orders", "set-by-someone-else")
    path = spec(tmp_path)
    assert run("apply", path, "--auto-approve")[0] == 0
    assert mem.password_of(KEY) == "set-by-someone-else"
    code, out, _ = run("plan", path)
    assert "kadmin never set this credential" in out and "--rotate-unknown" in out
    code, out, err = run("apply", path, "--auto-approve", "--rotate-unknown")
    assert code == 0, err
    assert "set credential (kadmin never set it, --rotate-unknown)" in out
    assert mem.password_of(KEY) == PASSWORD
    assert run("plan", path, "--detailed-exitcode")[0] == 0


def test_a_password_that_cannot_be_read_is_refused_naming_its_variable(
    mem: InMemoryCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SVC_ORDERS_PASSWORD")
    code, out, err = run("plan", spec(tmp_path))
    assert code == 1
    assert "the environment variable SVC_ORDERS_PASSWORD is not set" in out + err
    assert mem.credentials == {}


def test_deletes_stay_inside_manage_principals_and_need_allow_delete(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    path = spec(tmp_path)
    assert run("apply", path, "--auto-approve")[0] == 0
    outsider = AclBinding(
        "User:ops", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.ALTER
    )
    mem.acls.add(outsider)
    mem.add_user("ops", "ops-password-long")
    mem.add_user("svc-legacy", "legacy-password")
    narrower = SPEC.replace(
        "  billing:\n    principal: User:svc-billing\n    consumes: [orders.created]\n    group: billing\n",
        "",
    )
    spec(tmp_path, narrower)
    code, out, _ = run("plan", path)
    assert "--allow-delete deletes it" in out
    assert outsider in mem.acls and len([a for a in mem.acls if a.principal == "User:svc-billing"]) == 3
    code, out, err = run("apply", path, "--auto-approve", "--allow-delete")
    assert code == 0, err
    assert "This plan deletes 3 ACLs and deletes 1 SCRAM credential." in out
    assert not [a for a in mem.acls if a.principal == "User:svc-billing"]
    assert outsider in mem.acls
    assert ScramKey("ops", ScramMechanism.SCRAM_SHA_512) in mem.credentials
    assert ScramKey("svc-legacy", ScramMechanism.SCRAM_SHA_512) not in mem.credentials
    assert run("plan", path, "--allow-delete", "--detailed-exitcode")[0] == 0


def test_a_topics_only_spec_never_reads_access(mem: InMemoryCluster, tmp_path: Path) -> None:
    mem.authorizer = False
    path = spec(tmp_path, "version: 1\ntopics:\n  t: {partitions: 1, replication_factor: 1}\n")
    code, _, err = run("apply", path, "--auto-approve")
    assert code == 0, err
    assert "access_state" not in mem.methods()


def test_a_saved_plan_reads_back_as_itself_and_goes_stale_when_access_moves(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    path = spec(tmp_path)
    plan_file = tmp_path / "plan.json"
    assert run("plan", path, "--out", plan_file)[0] == 0
    saved = load_plan(plan_file)
    assert plan_from_document(plan_to_document(saved)) == saved
    assert {a.kind for a in saved.actions} == {"upsert_scram", "create_acl", "alter_quota"}
    # Someone grants one of the planned ACLs by hand: the plan no longer fits the cluster.
    mem.acls.add(
        AclBinding("User:svc-billing", ResourceType.GROUP, "billing", PatternType.LITERAL, AclOperation.READ)
    )
    code, _, err = run("apply", plan_file)
    assert code == 1
    assert "the cluster changed since this plan was computed" in err
    assert "ACL allow User:svc-billing read group:billing now exists" in err


def test_drift_lists_access_off_the_spec_inside_the_scope_only(
    mem: InMemoryCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drift_cmds, "connect", lambda *a, **k: mem)
    path = spec(tmp_path)
    assert run("apply", path, "--auto-approve")[0] == 0
    assert run("drift", path, "--detailed-exitcode")[0] == 0
    granted = AclBinding(
        "User:svc-orders", ResourceType.TOPIC, "payments", PatternType.LITERAL, AclOperation.READ
    )
    outside = AclBinding("User:ops", ResourceType.TOPIC, "payments", PatternType.LITERAL, AclOperation.READ)
    mem.acls |= {granted, outside}
    mem.quotas[QuotaEntity.of({QuotaEntityType.USER: "svc-orders"})][QuotaKey.PRODUCER_BYTE_RATE] = 1.0
    code, out, err = run("drift", path, "--detailed-exitcode", "-o", "json")
    assert code == 2, err
    found = {(d["target"], d["detail"]) for d in json.loads(out)["differences"]}
    assert found == {
        (f"acl:{granted}", "on the cluster inside manage_principals, not in the spec"),
        ("quota:user=svc-orders", "producer_byte_rate: spec 1048576, cluster 1"),
    }


def test_apply_waits_until_the_brokers_show_the_access_it_changed(
    mem: InMemoryCluster, tmp_path: Path
) -> None:
    created: list[AclBinding] = []

    def answered_but_not_shown_yet(bindings: Sequence[AclBinding]) -> list[Outcome]:
        created.extend(bindings)
        return [Outcome(Target.acl(b), True) for b in bindings]

    def shown_from_the_third_read() -> None:
        if mem.counts()["access_state"] >= 2:
            mem.acls.update(created)

    planned = plan_specs([spec(tmp_path)], lambda _: mem).plan
    mem.create_acls = answered_but_not_shown_yet  # type: ignore[method-assign]
    mem.before["access_state"] = shown_from_the_third_read
    report = apply_plan(planned, mem, sleep=lambda _: None)
    assert report.ok
    assert mem.counts()["access_state"] == 3  # the plan's read, then two until the ACLs showed
    assert plan_specs([spec(tmp_path)], lambda _: mem).plan.is_empty


def test_a_partial_plan_leaves_access_out(mem: InMemoryCluster, tmp_path: Path) -> None:
    code, out, err = run("plan", spec(tmp_path), "--topic", "orders\\..*")
    assert code == 0, err
    assert "Partial plan" in out and "No changes" in out
    assert "access_state" not in mem.methods()


def test_a_saved_rotation_whose_password_is_gone_at_apply_names_the_variable(
    mem: InMemoryCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = spec(tmp_path)
    assert run("apply", path, "--auto-approve")[0] == 0
    monkeypatch.setenv("SVC_ORDERS_PASSWORD", NEW_PASSWORD)
    plan_file = tmp_path / "plan.json"
    assert run("plan", path, "--out", plan_file)[0] == 0
    monkeypatch.delenv("SVC_ORDERS_PASSWORD")
    code, _, err = run("apply", plan_file)
    assert code == 1
    assert "the environment variable SVC_ORDERS_PASSWORD is not set" in err
    assert mem.password_of(KEY) == PASSWORD


def test_an_export_of_the_access_state_plans_to_nothing(
    mem: InMemoryCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_cmds, "connect", lambda *a, **k: mem)
    assert run("apply", spec(tmp_path), "--auto-approve")[0] == 0
    mem.add_user("ops", "set-by-hand-password", "SCRAM-SHA-256", 8192)
    mem.add_user("ops", "another-mechanism", "SCRAM-SHA-512")
    mem.acls.add(
        AclBinding("User:ops", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.ALTER)
    )
    mem.acls.add(
        AclBinding("User:ops", ResourceType.TOPIC, "${weird}", PatternType.LITERAL, AclOperation.READ)
    )
    mem.quotas[QuotaEntity.of({QuotaEntityType.CLIENT_ID: None})] = {QuotaKey.REQUEST_PERCENTAGE: 12.5}
    out = tmp_path / "exported"
    code, _, err = run("export", "--access", "--out", out)
    assert code == 0, err
    assert "user ops: also has a SCRAM-SHA-256 credential" in err
    exported = (out / "access.yaml").read_text()
    assert "password: ${SCRAM_PASSWORD_OPS}" in exported and "set-by-hand" not in exported
    assert "name: $${weird}" in exported
    code, text, err = run("plan", out, "--detailed-exitcode")
    assert code == 0, text + err
    assert "No changes" in text
