"""Property: whatever access spec A the cluster was brought to, applying access spec B (with
--allow-delete) leaves nothing to plan, and what lies outside `manage_principals` is never touched.

Random pairs over a small universe of principals, apps, ACL entries, users and quotas, on the
in-memory fake of kadmin's port.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kadmin.core.access import AclBinding, AclOperation, PatternType, ResourceType
from kadmin.ops.apply import apply_plan
from kadmin.ops.planning import plan_specs
from kadmin.spec.load import load_specs
from tests.fakes import InMemoryCluster

NAMES = ["svc-a", "svc-b", "svc-c"]
OUTSIDE = AclBinding("User:ops", ResourceType.TOPIC, "t", PatternType.LITERAL, AclOperation.READ)
ENV = {f"PW_{n.upper().replace('-', '_')}_{i}": f"password-{n}-{i}" for n in NAMES for i in range(2)}


@st.composite
def access_specs(draw: st.DrawFn) -> dict[str, Any]:
    users = {
        name: {
            "mechanism": draw(st.sampled_from(["SCRAM-SHA-256", "SCRAM-SHA-512"])),
            "iterations": draw(st.sampled_from([4096, 8192])),
            "password": f"${{PW_{name.upper().replace('-', '_')}_{draw(st.integers(0, 1))}}}",
        }
        for name in draw(st.lists(st.sampled_from(NAMES), unique=True))
    }
    apps = {
        f"app-{name}": {
            "principal": f"User:{name}",
            "produces": draw(
                st.lists(st.sampled_from(["orders.*", "audit", "payments.x"]), unique=True, min_size=1)
            ),
            "group": draw(st.sampled_from(["g1", "g-*"])),
            "consumes": draw(st.lists(st.sampled_from(["orders.created", "*"]), unique=True)),
        }
        for name in draw(st.lists(st.sampled_from(NAMES), unique=True))
    }
    acls = [
        {
            "principal": f"User:{draw(st.sampled_from(NAMES))}",
            "resource_type": "topic",
            "name": draw(st.sampled_from(["orders.", "audit"])),
            "pattern": draw(st.sampled_from(["literal", "prefixed"])),
            "operations": draw(
                st.lists(st.sampled_from(["read", "describe", "alter"]), unique=True, min_size=1)
            ),
            "permission": draw(st.sampled_from(["allow", "deny"])),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    quotas = [
        {"user": name, "producer_byte_rate": draw(st.sampled_from([1024, "1MiB"]))}
        | ({"request_percentage": 50} if draw(st.booleans()) else {})
        for name in draw(st.lists(st.sampled_from(NAMES), unique=True))
    ]
    return {
        "version": 1,
        "cluster": {"manage_principals": ["User:svc-.*"]},
        "users": users,
        "apps": apps,
        "acls": acls,
        "quotas": quotas,
    }


def plan(spec: Path, mem: InMemoryCluster, allow_delete: bool) -> Any:
    return plan_specs([spec], lambda _: mem, allow_delete=allow_delete).plan


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(a=access_specs(), b=access_specs())
def test_applying_b_after_a_leaves_nothing_to_plan(
    a: dict[str, Any], b: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    mem = InMemoryCluster()
    mem.acls.add(OUTSIDE)
    spec = tmp_path / "access.yaml"
    for document, allow_delete in ((a, False), (b, True)):
        spec.write_text(yaml.safe_dump(document))
        first = plan(spec, mem, allow_delete)
        assert first.applyable, first.refusals
        assert apply_plan(first, mem, sleep=lambda _: None).ok
        again = plan(spec, mem, allow_delete)
        assert again.actions == (), again.actions
    # The cluster is what B says, inside the scope, and untouched outside it.
    wanted = load_specs([spec]).access
    assert mem.acls == {acl.binding for acl in wanted.acls} | {OUTSIDE}
    assert {q.entity: dict(q.values) for q in wanted.quotas} == mem.quotas
    assert set(mem.credentials) == {u.key for u in wanted.users}
    for key in mem.credentials:
        assert mem.password_of(key) == ENV[b["users"][key.user]["password"][2:-1]]
