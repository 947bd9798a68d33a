"""Plan and drift over several environments (`kadmin.ops.fanout`) and how the fleet is shown
(`kadmin.render.fleet`), over in-memory clusters: one per environment, read at once, each
checked against its own `cluster.id`, a failing one reported in its own section.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType

import pytest
from rich.console import Console

from kadmin.core.errors import ClusterError, KadminError
from kadmin.core.fleet import EnvResult, fleet_changes, fleet_failed
from kadmin.core.model import Broker, ClusterSpec, DesiredState, TopicSpec
from kadmin.core.plan import Plan
from kadmin.ops.fanout import drift_environments, fan_out, plan_environments
from kadmin.ops.planning import Planned
from kadmin.plan.identity import WrongClusterError
from kadmin.plan.planfile import plan_to_document
from kadmin.plan.planfile_read import plan_from_document
from kadmin.render.fleet import fleet_document, render_fleet, render_fleet_markdown, total_line
from tests.fakes import InMemoryCluster

IDS = {"dev": "ZGV2LWNsdXN0ZXItaWQtMDAx", "prod": "cHJvZC1jbHVzdGVyLWlkLTAw"}


def desired(env: str, partitions: int = 3, cluster_id: str | None = None) -> DesiredState:
    topic = TopicSpec("t.orders", partitions, 1)
    spec = ClusterSpec(name=f"{env}-eu", id=cluster_id or IDS[env])
    return DesiredState(topics=MappingProxyType({topic.name: topic}), cluster=spec)


def cluster(env: str) -> InMemoryCluster:
    return InMemoryCluster(brokers=(Broker(1, "zone-a"),), cluster_id=IDS[env])


def connector(clusters: dict[str, InMemoryCluster]) -> Callable[[str, DesiredState], InMemoryCluster]:
    def connect(env: str, _: DesiredState) -> InMemoryCluster:
        return clusters[env]

    return connect


def plans(results: tuple[EnvResult[Planned], ...]) -> tuple[EnvResult[Plan], ...]:
    return tuple(EnvResult(r.env, r.value.plan if r.value else None, r.error) for r in results)


def test_each_environment_is_planned_against_its_own_cluster_with_its_own_overrides() -> None:
    clusters = {"dev": cluster("dev"), "prod": cluster("prod")}
    clusters["prod"].add_topic("t.orders", 3, 1)
    states = {"dev": desired("dev", partitions=3), "prod": desired("prod", partitions=6)}

    results = plan_environments(["specs/"], states, connector(clusters))

    assert [r.env for r in results] == ["dev", "prod"]
    dev, prod = (r.value for r in results)
    assert dev is not None and prod is not None
    assert [a.kind for a in dev.plan.actions] == ["create_topic"]
    assert [a.kind for a in prod.plan.actions] == ["add_partitions"]
    assert dev.plan.cluster_id == IDS["dev"] and prod.plan.cluster_id == IDS["prod"]
    assert dev.plan.inputs is not None and dev.plan.inputs.environment == "dev"
    assert prod.plan.inputs is not None and prod.plan.inputs.environment == "prod"
    # One moment for the whole fleet, so that the plans read as one review.
    assert dev.plan.created_at == prod.plan.created_at


def test_an_unreachable_cluster_is_reported_in_its_section_and_the_others_are_still_planned() -> None:
    clusters = {"dev": cluster("dev"), "prod": cluster("prod")}
    clusters["dev"].raise_on("snapshot")

    results = plan_environments(
        ["specs/"], {"dev": desired("dev"), "prod": desired("prod")}, connector(clusters)
    )

    assert isinstance(results[0].error, ClusterError) and results[0].value is None
    assert results[1].value is not None and results[1].error is None
    shown = plans(results)
    assert fleet_failed(shown) and fleet_changes(shown)


def test_a_wrong_cluster_refuses_only_that_environment_naming_both_ids() -> None:
    shared = cluster("dev")
    clusters = {"dev": shared, "prod": shared}  # prod's address leads to dev's cluster

    results = plan_environments(
        ["specs/"], {"dev": desired("dev"), "prod": desired("prod")}, connector(clusters)
    )

    assert results[0].value is not None
    error = results[1].error
    assert isinstance(error, WrongClusterError)
    assert IDS["prod"] in error.message and IDS["dev"] in error.message
    # Refused before anything was planned: only the snapshot the identity came from was read.
    # prod was refused right after its snapshot: only dev's plan read anything more.
    assert shared.counts()["snapshot"] == 2 and shared.counts()["broker_throttles"] == 1


def test_clusters_are_read_at_the_same_time() -> None:
    # Each environment's read waits for the other two: read one after another, the barrier breaks.
    meet = threading.Barrier(3, timeout=10)
    clusters = {env: InMemoryCluster(cluster_id=env) for env in ("a", "b", "c")}

    def meet_the_others() -> None:
        meet.wait()

    for memory in clusters.values():
        memory.before["snapshot"] = meet_the_others
    states = {env: desired("dev", cluster_id=env) for env in clusters}

    results = plan_environments(["specs/"], states, connector(clusters))

    assert [r.error for r in results] == [None, None, None]


def test_no_more_clusters_than_the_bound_are_worked_on_at_once() -> None:
    busy, most = 0, 0
    lock = threading.Lock()
    release = threading.Event()

    def work(env: str, _: DesiredState) -> str:
        nonlocal busy, most
        with lock:
            busy += 1
            most = max(most, busy)
            if busy == 2:
                release.set()
        release.wait(timeout=10)
        with lock:
            busy -= 1
        return env

    states = {env: desired("dev") for env in ("a", "b", "c", "d", "e")}
    results = fan_out(states, work, wait_s=30, workers=2)

    assert [r.value for r in results] == ["a", "b", "c", "d", "e"]
    assert most == 2


def test_an_environment_without_an_answer_by_the_deadline_ends_in_an_error() -> None:
    hang = threading.Event()

    def work(env: str, _: DesiredState) -> str:
        if env == "slow":
            hang.wait(timeout=30)
        return env

    try:
        results = fan_out({"fast": desired("dev"), "slow": desired("dev")}, work, wait_s=0.5)
    finally:
        hang.set()
    assert results[0].value == "fast"
    assert isinstance(results[1].error, ClusterError) and "no answer" in results[1].error.message


def test_a_bug_is_not_taken_for_an_environment_error() -> None:
    def work(env: str, _: DesiredState) -> str:
        raise ZeroDivisionError(env)

    with pytest.raises(ZeroDivisionError):
        fan_out({"dev": desired("dev")}, work, wait_s=5)


def test_a_bad_topic_pattern_is_the_commands_error_before_any_cluster_is_read() -> None:
    clusters = {"dev": cluster("dev")}
    with pytest.raises(KadminError, match="not a valid regular expression"):
        plan_environments(["specs/"], {"dev": desired("dev")}, connector(clusters), only=["("])
    assert clusters["dev"].calls == []


def test_drift_is_found_per_environment() -> None:
    clusters = {"dev": cluster("dev"), "prod": cluster("prod")}
    clusters["prod"].add_topic("t.orders", 3, 1)
    clusters["dev"].raise_on("snapshot")

    results = drift_environments({"dev": desired("dev"), "prod": desired("prod")}, connector(clusters))

    assert isinstance(results[0].error, ClusterError)
    assert results[1].value is not None and not results[1].value.drifted


# --- how the fleet is shown ------------------------------------------------------------


def fleet() -> tuple[EnvResult[Plan], ...]:
    clusters = {"dev": cluster("dev"), "prod": cluster("prod")}
    clusters["prod"].raise_on("snapshot")
    return plans(
        plan_environments(["specs/"], {"dev": desired("dev"), "prod": desired("prod")}, connector(clusters))
    )


def test_text_has_a_section_per_environment_and_the_total() -> None:
    out = io.StringIO()
    render_fleet(fleet(), Console(file=out, width=200, no_color=True))
    text = out.getvalue()

    assert (
        text.index("== Environment dev ==")
        < text.index("+ topic t.orders")
        < text.index("== Environment prod ==")
    )
    assert "error: cluster 127.0.0.1:9092: no answer" in text
    assert text.rstrip().endswith(
        "Total over 2 environments: 1 to create, 0 to update, 0 to delete. 1 failed: prod."
    )


def test_markdown_is_one_comment_with_a_summary_table_and_a_section_per_environment() -> None:
    text = render_fleet_markdown(fleet())

    assert text.startswith("## kadmin plan of 2 environments\n\n| Environment | Cluster |")
    assert "| dev | `dev-eu` | 1 | 0 | 0 | 0 |" in text
    assert "| prod | — | failed | | | |" in text
    assert text.index("## Environment dev") < text.index("### dev-eu: Plan: 1 to create")
    assert "## Environment prod\n\n> [!CAUTION]\n> Not planned:\n> cluster 127.0.0.1:9092: no answer" in text


def test_json_lists_the_clusters_under_the_format_version() -> None:
    document = json.loads(json.dumps(fleet_document(fleet())))

    assert document["format_version"] == 1
    dev, prod = document["clusters"]
    assert dev["env"] == "dev" and dev["cluster_id"] == IDS["dev"]
    assert dev["plan"]["actions"][0]["kind"] == "create_topic"
    assert dev["plan"]["inputs"]["environment"] == "dev"
    assert document["spec_hash"] == dev["plan"]["spec_hash"] is not None
    assert prod["env"] == "prod" and prod["cluster_id"] is None and "plan" not in prod
    assert prod["error"]["problems"][0]["message"].startswith("no answer")
    assert document["summary"] == {"create": 1, "update": 0, "delete": 0, "refused": 0, "failed": 1}


def test_the_total_says_refused_changes() -> None:
    clusters = {"dev": cluster("dev")}
    clusters["dev"].add_topic("t.orders", 6, 1)
    shown = plans(plan_environments(["specs/"], {"dev": desired("dev")}, connector(clusters)))
    assert total_line(shown) == "Total over 1 environment: 0 to create, 0 to update, 0 to delete. 1 refused."
    assert fleet_failed(shown)


def test_a_saved_plan_records_its_environment_and_one_without_keeps_its_format() -> None:
    (dev,) = plans(plan_environments(["specs/"], {"dev": desired("dev")}, connector({"dev": cluster("dev")})))
    assert dev.value is not None and dev.value.inputs is not None
    document = json.loads(json.dumps(plan_to_document(dev.value)))
    assert document["inputs"]["environment"] == "dev"
    back = plan_from_document(document)
    assert back.inputs is not None and back.inputs.environment == "dev"

    without = replace(dev.value, inputs=replace(dev.value.inputs, environment=None))
    assert "environment" not in plan_to_document(without)["inputs"]
