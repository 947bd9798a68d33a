"""The access sections of a spec: apps become exactly the ACLs Kafka checks, passwords stay references."""

from __future__ import annotations

from pathlib import Path

from kadmin.core.access import (
    AclBinding,
    AclOperation,
    PatternType,
    QuotaEntity,
    QuotaEntityType,
    QuotaKey,
    ResourceType,
)
from kadmin.core.access_spec import PasswordSource
from kadmin.spec.load import load_specs

APPS = """\
version: 1
apps:
  writer:
    principal: User:svc-writer
    produces: [orders.*, audit]
    transactional: true
    idempotent: true
  reader:
    principal: User:svc-reader
    consumes: ['*']
    group: [reader, reader-tmp-*]
acls:
  - principal: User:svc-writer
    resource_type: topic
    name: orders.
    pattern: prefixed
    operations: [write]
"""


def binding(
    principal: str, kind: ResourceType, name: str, op: AclOperation, prefixed: bool = False
) -> AclBinding:
    pattern = PatternType.PREFIXED if prefixed else PatternType.LITERAL
    return AclBinding(f"User:{principal}", kind, name, pattern, op)


def test_apps_become_exactly_the_acls_kafka_checks(tmp_path: Path) -> None:
    path = tmp_path / "apps.yaml"
    path.write_text(APPS)
    access = load_specs([path]).access
    T, G, X = ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID
    R, W, D = AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE
    assert {a.binding for a in access.acls} == {
        binding("svc-writer", T, "orders.", W, prefixed=True),
        binding("svc-writer", T, "orders.", D, prefixed=True),
        binding("svc-writer", T, "audit", W),
        binding("svc-writer", T, "audit", D),
        # transactional: true is the app's own name; idempotent adds nothing since KIP-679.
        binding("svc-writer", X, "writer", W),
        binding("svc-writer", X, "writer", D),
        binding("svc-reader", T, "*", R),
        binding("svc-reader", T, "*", D),
        binding("svc-reader", G, "reader", R),
        binding("svc-reader", G, "reader-tmp-", R, prefixed=True),
    }
    # The app and the acls: entry ask for the same binding: one binding, both sources.
    shared = next(
        a for a in access.acls if a.binding == binding("svc-writer", T, "orders.", W, prefixed=True)
    )
    assert shared.sources == (f"app writer at {path}:3:3", f"acls[0] at {path}:13:5")


def test_a_password_stays_a_reference_and_a_file_is_relative_to_its_spec(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "users.yaml"
    path.write_text(
        "version: 1\nusers:\n  a:\n    password: ${A_PASSWORD}\n  b:\n    password: {file: ../b.pw}\n"
        "quotas:\n  - user: a\n    client_id: <default>\n"
        "    producer_byte_rate: 512KiB\n    request_percentage: 12.5\n"
    )
    # The variable need not be set to load the spec: it is read when planning.
    state = load_specs([path], env={})
    users = {u.user: u.password for u in state.access.users}
    assert users == {"a": PasswordSource(env="A_PASSWORD"), "b": PasswordSource(file=str(tmp_path / "b.pw"))}
    (quota,) = state.access.quotas
    assert quota.entity == QuotaEntity.of({QuotaEntityType.USER: "a", QuotaEntityType.CLIENT_ID: None})
    assert dict(quota.values) == {QuotaKey.PRODUCER_BYTE_RATE: 524288.0, QuotaKey.REQUEST_PERCENTAGE: 12.5}
    assert state.access.reads(()).acls is False


def test_an_app_that_consumes_without_a_group_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("version: 1\napps:\n  a:\n    principal: User:a\n    consumes: [t]\n")
    assert load_specs([path]).warnings == (
        f"{path}:3:3: apps.a: app a consumes without a group: it can read, but not commit offsets",
    )
