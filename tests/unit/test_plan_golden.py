"""Plans a reviewer reads, checked line for line against golden files (tests/data/golden/).

Real spec files go through the real pipeline against the in-memory cluster; the text and
markdown views are compared with the files. `KADMIN_GOLDEN_UPDATE=1` rewrites them
after a deliberate change (then review the diff).
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from kadmin.core.access import AclBinding, AclOperation, PatternType, ResourceType
from kadmin.core.model import Broker
from kadmin.core.plan import Plan
from kadmin.ops.apply import apply_plan
from kadmin.ops.planning import plan_specs
from kadmin.render.markdown import render_plan_markdown
from kadmin.render.text import render_plan
from tests.fakes import InMemoryCluster

GOLDEN = Path(__file__).parent.parent / "data" / "golden"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SCREEN = 55
"""A terminal screen: what a first plan of a 30-topic spec has to fit in."""


@pytest.fixture(autouse=True)
def _in_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    # Spec paths are relative, as a user types them, so the file:line in the plans is stable.
    monkeypatch.chdir(GOLDEN)


def three_zones() -> InMemoryCluster:
    return InMemoryCluster(brokers=(Broker(1, "zone-a"), Broker(2, "zone-b"), Broker(3, "zone-c")))


def plan_of(spec: str, cluster: InMemoryCluster, only: tuple[str, ...] = ()) -> Plan:
    return plan_specs([spec], lambda _: cluster, now=NOW, only=only).plan


def text_of(plan: Plan) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    render_plan(plan, console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def check(name: str, output: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KADMIN_GOLDEN_UPDATE") == "1":
        path.write_text(output, encoding="utf-8")
    assert output == path.read_text(encoding="utf-8"), f"{name} differs; see tests/data/golden/README.md"


def test_a_thirty_topic_create_fits_a_screen() -> None:
    plan = plan_of("team", three_zones())
    assert plan.summary()["create"] == 30
    text = text_of(plan)
    check("create_30.txt", text)
    check("create_30.md", render_plan_markdown(plan))
    assert len(text.splitlines()) <= SCREEN
    # One summary line per topic instead of replica lists; settings shared through
    # defaults and profiles said once, in the spec's units beside Kafka's.
    assert "+ topic team.events.03: 12 partitions, RF 3, each partition in zone-a, zone-b, zone-c;" in text
    assert "[1, 2, 3]" not in text
    assert text.count("+ compression.type: zstd") == 1
    assert "+ retention.ms: 7d (604800000) (not on team.events.05)  # team/cluster.yaml:21" in text
    assert "    + retention.ms: 30d (2592000000)  # team/topics.yaml:15" in text


def test_a_profile_change_is_grouped_under_the_profile() -> None:
    cluster = three_zones()
    first = plan_of("team", cluster)
    assert apply_plan(first, cluster).ok
    plan = plan_of("team_v2", cluster)
    text = text_of(plan)
    check("profile_change.txt", text)
    check("profile_change.md", render_plan_markdown(plan))
    assert plan.summary()["update"] == 29
    # team.events.05 sets its own retention.ms, so the profile's change does not reach it.
    assert "~ profile events: 14 topics" in text
    assert "    ~ retention.ms: 7d → 14d (604800000 → 1209600000)  # team_v2/cluster.yaml:21" in text
    assert "team.events.05" not in text
    assert "~ profile compacted: 15 topics" in text
    assert "    ~ segment.ms: 1d → 12h (86400000 → 43200000)  # team_v2/cluster.yaml:27" in text
    # No topic is listed on its own: every change it has is the profile's.
    assert "~ topic " not in text


def test_a_refusal_is_printed_once_naming_its_topics() -> None:
    single = InMemoryCluster(brokers=(Broker(1, None),))
    plan = plan_of("refusal", single)
    assert len(plan.refusals) == 6
    text = text_of(plan)
    check("refusal.txt", text)
    check("refusal.md", render_plan_markdown(plan))
    assert text.count("needs 3 brokers") == 1
    assert "! replication factor 3 needs 3 brokers; the cluster has 1\n" in text
    assert "    on 6 topics: app.a, app.b, app.c, app.d, app.e, app.f\n" in text
    assert "    at refusal/spec.yaml:4:23: defaults.replication_factor" in text


def test_a_partial_plan_says_so_and_holds_only_the_matching_topics() -> None:
    cluster = three_zones()
    cluster.add_topic("team.legacy", 1, 3)
    plan = plan_of("team", cluster, only=(r"team\.state\..*", "team.legacy"))
    text = text_of(plan)
    assert plan.summary()["create"] == 15
    assert {a.target.name for a in plan.actions} == {f"team.state.{i:02d}" for i in range(1, 16)}
    assert [d.topic for d in plan.deletes] == ["team.legacy"]
    assert text.splitlines()[2] == (
        "Partial plan: only topics matching team\\.state\\..*, team.legacy; "
        "everything else in the spec was left out."
    )
    assert "> [!NOTE]\n> Partial plan: only topics matching" in render_plan_markdown(plan)


def test_access_plans_say_where_each_acl_comes_from_and_never_show_a_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SVC_ORDERS_PASSWORD", "orders-first-secret")
    monkeypatch.setenv("SVC_BILLING_PASSWORD", "billing-first-secret")
    cluster = three_zones()
    outsider = AclBinding(
        "User:ops", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.ALTER
    )
    cluster.acls.add(outsider)
    first = plan_of("access", cluster)
    text = text_of(first)
    check("access_create.txt", text)
    check("access_create.md", render_plan_markdown(first))
    assert "        from app orders-service at access/access.yaml:14:3" in text
    assert apply_plan(first, cluster).ok
    # Later: billing also reads orders.shipped, the orders password is rotated, and a former
    # service's ACL (inside manage_principals) is deleted; User:ops is outside the scope.
    monkeypatch.setenv("SVC_ORDERS_PASSWORD", "orders-second-secret")
    legacy = AclBinding(
        "User:svc-legacy", ResourceType.TOPIC, "legacy", PatternType.LITERAL, AclOperation.READ
    )
    cluster.acls.add(legacy)
    second = plan_specs(["access_v2"], lambda _: cluster, now=NOW, allow_delete=True).plan
    text = text_of(second)
    check("access_change.txt", text)
    check("access_change.md", render_plan_markdown(second))
    assert (
        "~ user svc-orders (SCRAM-SHA-512): rotate credential, new password from ${SVC_ORDERS_PASSWORD}"
        in text
    )
    assert "User:ops" not in text
    assert apply_plan(second, cluster).ok
    assert outsider in cluster.acls and legacy not in cluster.acls
    for shown in (text, render_plan_markdown(first), render_plan_markdown(second)):
        assert "secret" not in shown
