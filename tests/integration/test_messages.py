"""`kadmin produce` and `kadmin tail` on the 3-zone cluster: what is written is read back, in
order per partition; tail leaves no trace unless given a group."""

from __future__ import annotations

import json
from collections.abc import Callable

from confluent_kafka.admin import NewTopic

from tests.integration.conftest import CliRun, Namespace, eventually

Kadmin = Callable[..., CliRun]


def _create(ns: Namespace, name: str, partitions: int) -> None:
    raw = ns.kafka.raw_admin()  # referenced until its future is done: a collected client never answers
    raw.create_topics([NewTopic(name, partitions, 3)])[name].result(timeout=30)
    eventually(lambda: ns.kafka.admin().snapshot([name]).topics[name])


def test_produce_of_100_keyed_lines_then_tail_gives_the_same_messages_in_partition_order(
    ns3: Namespace, kadmin: Kadmin
) -> None:
    topic = ns3.topic("orders")
    _create(ns3, topic, 3)
    env = {"KADMIN_BOOTSTRAP_SERVER": ns3.kafka.bootstrap}
    lines = [f"key-{i % 7}|value {i}" for i in range(100)]

    produced = kadmin(
        "produce", topic, "--key-separator", "|", "--header", "src=test", "-o", "json",
        env=env, input="\n".join(lines) + "\n",
    )  # fmt: skip
    assert produced.code == 0, produced.stderr
    report = json.loads(produced.stdout)
    assert (report["written"], report["failed"]) == (100, 0)
    where = {m["line"]: (m["partition"], m["offset"]) for m in report["messages"]}

    tailed = kadmin(
        "tail", topic, "--from-beginning", "--max", "100", "-o", "json", "--timeout", "20", env=env
    )
    assert tailed.code == 0, tailed.stderr
    read = [json.loads(line) for line in tailed.stdout.splitlines()]
    assert len(read) == 100
    # The same messages, at the offsets produce reported ...
    assert sorted((m["partition"], m["offset"], m["key"], m["value"]) for m in read) == sorted(
        (*where[n], line.split("|")[0], line.split("|")[1]) for n, line in enumerate(lines, start=1)
    )
    assert all(m["headers"] == [{"name": "src", "value": "test"}] for m in read)
    # ... each partition in the order the lines were written, and one key in one partition.
    for partition in {m["partition"] for m in read}:
        values = [m["value"] for m in read if m["partition"] == partition]
        assert values == sorted(values, key=lambda v: int(v.split()[1]))
    assert all(len({m["partition"] for m in read if m["key"] == k}) == 1 for k in {m["key"] for m in read})

    groups = kadmin("groups", "-o", "json", env=env)
    assert all(topic not in g["topics"] for g in json.loads(groups.stdout)["groups"])


def test_tail_with_a_group_commits_what_it_read_and_starts_there_next_time(
    ns3: Namespace, kadmin: Kadmin
) -> None:
    topic, group = ns3.topic("events"), ns3.group("reader")
    _create(ns3, topic, 1)
    env = {"KADMIN_BOOTSTRAP_SERVER": ns3.kafka.bootstrap}
    assert kadmin("produce", topic, env=env, input="a\nb\nc\nd\n").code == 0

    first = kadmin("tail", topic, "--group", group, "--from-beginning", "--max", "3", "-o", "json", env=env)
    assert first.code == 0, first.stderr
    assert [json.loads(line)["value"] for line in first.stdout.splitlines()] == ["a", "b", "c"]

    lag = kadmin("groups", "describe", group, "-o", "json", env=env)
    assert [(p["committed"], p["lag"]) for p in json.loads(lag.stdout)["partitions"]] == [(3, 1)]

    rest = kadmin("tail", topic, "--group", group, "--max", "1", "-o", "json", env=env)
    assert [json.loads(line)["value"] for line in rest.stdout.splitlines()] == ["d"]


def test_tail_from_a_time_and_an_offset(ns3: Namespace, kadmin: Kadmin) -> None:
    topic = ns3.topic("log")
    _create(ns3, topic, 1)
    env = {"KADMIN_BOOTSTRAP_SERVER": ns3.kafka.bootstrap}
    assert kadmin("produce", topic, env=env, input="one\ntwo\nthree\n").code == 0

    last_two = kadmin("tail", topic, "--offset", "-2", "--timeout", "3", "-o", "json", env=env)
    assert [json.loads(line)["value"] for line in last_two.stdout.splitlines()] == ["two", "three"]

    future = kadmin("tail", topic, "--from-datetime", "2999-01-01T00:00:00Z", "--timeout", "2", env=env)
    assert (future.code, future.stdout) == (0, "")
    past = kadmin("tail", topic, "--from-datetime", "2000-01-01T00:00:00Z", "--max", "3", env=env)
    assert [line.rsplit("  ", 1)[1] for line in past.stdout.splitlines()] == ["one", "two", "three"]
