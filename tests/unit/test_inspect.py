"""Topic health, group lag and their views, over hand-built snapshots and the in-memory cluster;
the inspection commands end to end with only the adapter factory swapped for the fake."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.inspect_cmds as inspect_cmds
import kadmin.cli.offsets_cmds as offsets_cmds
from kadmin.cli.app import app
from kadmin.core.errors import KadminError
from kadmin.core.model import (
    Broker,
    ClusterState,
    ConfigEntry,
    ConfigSource,
    ConsumerGroupState,
    GroupMember,
    GroupState,
    ObservedTopic,
    Partition,
    Watermarks,
)
from kadmin.ops.inspect import (
    TopicHealth,
    describe_topic,
    read_groups,
    read_topics,
    select_topics,
    topic_health,
)
from kadmin.render.inspect import groups_lines, human_bytes, topic_detail_lines, topics_document, topics_lines
from tests.fakes import InMemoryCluster

BROKERS = (Broker(1, "zone-a"), Broker(2, "zone-b"), Broker(3, "zone-c"))


def state(*topics: ObservedTopic) -> ClusterState:
    return ClusterState("c1", BROKERS, {t.name: t for t in topics})


def topic(name: str, *partitions: Partition, min_isr: str | None = None) -> ObservedTopic:
    configs = {"min.insync.replicas": ConfigEntry(min_isr, ConfigSource.TOPIC)} if min_isr else {}
    return ObservedTopic(name, partitions, configs)


# --- health (pure) -------------------------------------------------------------------


def test_a_partition_missing_a_replica_in_its_isr_is_under_replicated_but_still_available() -> None:
    t = topic("orders", Partition(0, (1, 2, 3), (1, 2, 3), 1), Partition(1, (2, 3, 1), (2, 1), 2))
    [health] = topic_health(state(t), {1: 1, 2: 1, 3: 1})
    assert health.under_replicated == (1,)
    assert health.under_min_isr == ()
    assert health.offline == ()
    assert not health.unavailable
    assert health.zones_spanned == 3


def test_min_isr_comes_from_the_leaders_broker_unless_the_topic_overrides_it() -> None:
    inherits = topic("a", Partition(0, (1, 2, 3), (1, 2), 1))
    overrides = topic("b", Partition(0, (1, 2, 3), (1, 2), 1), min_isr="3")
    health = {t.name: t for t in topic_health(state(inherits, overrides), {1: 2, 2: 2, 3: 2})}
    assert health["a"].under_min_isr == ()
    assert health["b"].under_min_isr == (0,)
    assert health["b"].unavailable


def test_a_partition_without_leader_is_offline_not_also_counted_under_min_isr() -> None:
    t = topic("x", Partition(0, (3,), (), None), Partition(1, (1,), (1,), 1))
    [health] = topic_health(state(t), {1: 1})
    assert health.offline == (0,)
    assert health.under_min_isr == ()
    assert health.unavailable


def test_zones_spanned_is_the_fewest_any_partition_spans() -> None:
    t = topic("x", Partition(0, (1, 2), (1, 2), 1), Partition(1, (1, 1), (1,), 1))
    [health] = topic_health(state(t), {})
    assert health.zones_spanned == 1


def test_size_sums_every_replica_on_disk() -> None:
    t = topic("x", Partition(0, (1, 2), (1, 2), 1), Partition(1, (2, 3), (2, 3), 2))
    sizes = {("x", 0): {1: 100, 2: 100}, ("x", 1): {2: 50, 3: 50}}
    [health] = topic_health(state(t), {}, sizes)
    assert health.size_bytes == 300


def test_filters_keep_what_they_say() -> None:
    healthy = topic("orders.a", Partition(0, (1, 2), (1, 2), 1))
    lagging = topic("orders.b", Partition(0, (1, 2), (1,), 1))
    down = topic("payments", Partition(0, (3,), (), None))
    internal = ObservedTopic("__consumer_offsets", (Partition(0, (1,), (1,), 1),), internal=True)
    all_ = topic_health(state(healthy, lagging, down, internal), {1: 1})

    def names(topics: Iterable[TopicHealth]) -> list[str]:
        return [t.name for t in topics]

    assert names(select_topics(all_, under_replicated=True)) == ["orders.b", "payments"]
    assert names(select_topics(all_, unavailable=True)) == ["payments"]
    assert names(select_topics(all_, match=re.compile(r"^orders\."))) == ["orders.a", "orders.b"]
    assert "__consumer_offsets" not in names(select_topics(all_, internal=False))


# --- reads through the port ------------------------------------------------------------


def test_listing_topics_is_a_handful_of_calls_whatever_the_number_of_topics() -> None:
    mem = InMemoryCluster()
    for i in range(200):
        mem.add_topic(f"t{i}", partitions=3, rf=3)
    view = read_topics(mem)
    assert len(view.topics) == 200
    assert mem.methods() == ["snapshot", "broker_values", "replica_sizes"]


def test_groups_show_the_exact_lag_from_one_describe_and_one_read_of_log_ends() -> None:
    mem = InMemoryCluster()
    mem.add_topic("orders", partitions=2)
    member = GroupMember("m-1", "billing-app", "/10.0.0.1", (("orders", 0), ("orders", 1)))
    committed = {("orders", 0): 40, ("orders", 1): 7}
    mem.groups["billing"] = GroupState("billing", ConsumerGroupState.STABLE, (member,), committed)
    mem.groups["idle"] = GroupState("idle", ConsumerGroupState.EMPTY, (), {("orders", 0): 100})
    mem.marks.update({("orders", 0): Watermarks(0, 100), ("orders", 1): Watermarks(0, 10)})
    groups = {g.group: g for g in read_groups(mem)}
    assert groups["billing"].lag == 60 + 3
    assert groups["billing"].members == 1
    assert groups["idle"].lag == 0
    assert mem.methods() == ["list_groups", "describe_groups", "watermarks"]
    lines = groups_lines(list(groups.values()))
    assert re.search(r"^billing\s+Stable\s+consumer\s+1\s+1\s+63$", "\n".join(lines), re.M)


def test_describing_a_missing_topic_names_it_and_says_how_to_find_one() -> None:
    with pytest.raises(KadminError) as caught:
        describe_topic(InMemoryCluster(), "nope")
    assert caught.value.where == "topic nope"
    assert "kadmin topics" in (caught.value.hint or "")


def test_describing_a_topic_shows_each_configs_source_and_its_consumers() -> None:
    mem = InMemoryCluster()
    mem.add_topic("orders", partitions=2, rf=3, overrides={"retention.ms": "1000"})
    mem.groups["billing"] = GroupState("billing", ConsumerGroupState.EMPTY, (), {("orders", 1): 5})
    mem.marks[("orders", 1)] = Watermarks(0, 9)
    detail = describe_topic(mem, "orders")
    text = "\n".join(topic_detail_lines(detail))
    assert re.search(r"retention\.ms\s+1000\s+override$", text, re.M)
    assert re.search(r"min\.insync\.replicas\s+1\s+broker \(BROKER\)$", text, re.M)
    assert re.search(r"^  billing\s+Empty\s+0\s+4$", text, re.M)


# --- views -------------------------------------------------------------------------


def test_unhealthy_partitions_are_listed_below_the_table() -> None:
    t = topic("orders", Partition(0, (1, 2, 3), (1, 3), 1))
    view = read_topics(InMemoryCluster.from_state(state(t)))
    text = "\n".join(topics_lines(view))
    assert re.search(r"^  orders\[0\]\s+1\s+1,2,3\s+1,3\s+under-replicated$", text, re.M)
    assert text.endswith("1 topic(s), 1 partition(s): 1 under-replicated, 0 under min ISR, 0 offline")
    document = topics_document(view)
    assert document["topics"][0]["under_replicated"] == [0]
    assert document["topics"][0]["unhealthy_partitions"][0]["isr"] == [1, 3]


def test_sizes_read_in_binary_units() -> None:
    assert [human_bytes(n) for n in (None, 512, 1536, 20 * 1024 * 1024)] == ["-", "512B", "1.5KiB", "20.0MiB"]


# --- the commands ------------------------------------------------------------------


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> InMemoryCluster:
    memory = InMemoryCluster()

    def connect(*args: Any, **kwargs: Any) -> InMemoryCluster:
        return memory

    monkeypatch.setattr(inspect_cmds, "connect", connect)
    monkeypatch.setattr(offsets_cmds, "connect", connect)
    monkeypatch.setenv("NO_COLOR", "1")
    return memory


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_names_from_the_cluster_are_printed_as_they_are(mem: InMemoryCluster) -> None:
    mem.add_topic("[prod]orders:fire:")
    committed = {("[prod]orders:fire:", 0): 0}
    mem.groups["[bold]billing"] = GroupState("[bold]billing", ConsumerGroupState.EMPTY, (), committed)
    code, out, _ = run("topics")
    assert code == 0 and "[prod]orders:fire:" in out
    code, out, _ = run("groups")
    assert code == 0 and "[bold]billing" in out
    code, out, _ = run("describe", "topic", "[prod]orders:fire:")
    assert code == 0 and "topic [prod]orders:fire:" in out and "[bold]billing" in out


def test_topics_filters_and_json(mem: InMemoryCluster) -> None:
    mem.add_topic("orders", partitions=2)
    mem.add_topic("payments", partitions=1)
    code, out, _ = run("topics", "--match", "^pay", "-o", "json")
    assert code == 0
    assert [t["name"] for t in json.loads(out)["topics"]] == ["payments"]
    code, _, err = run("topics", "--match", "(")
    assert code == 1 and "not a regular expression" in err


def test_groups_describe_of_an_unknown_group_is_an_error_with_a_hint(mem: InMemoryCluster) -> None:
    code, _, err = run("groups", "describe", "ghost")
    assert code == 1
    assert "group ghost" in err and "kadmin groups" in err


def test_offsets_show_without_a_group_shows_every_group(mem: InMemoryCluster) -> None:
    mem.add_topic("orders")
    mem.groups["a"] = GroupState("a", ConsumerGroupState.EMPTY, (), {("orders", 0): 1})
    mem.groups["b"] = GroupState("b", ConsumerGroupState.EMPTY, (), {("orders", 0): 2})
    mem.marks[("orders", 0)] = Watermarks(0, 5)
    code, out, _ = run("offsets", "show", "-o", "json")
    assert code == 0
    assert [(g["group"], g["partitions"][0]["lag"]) for g in json.loads(out)["groups"]] == [
        ("a", 4),
        ("b", 3),
    ]
    code, _, err = run("offsets", "show", "-o", "csv")
    assert code == 1 and "--group" in err
