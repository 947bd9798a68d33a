"""`kadmin tail` and `kadmin produce` over the in-memory cluster: where reading starts, input
lines into records, and the views of messages and of what a produce wrote."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

import kadmin.cli.messages_cmds as messages_cmds
from kadmin.cli.app import app
from kadmin.core.errors import KadminError
from kadmin.core.messages import Delivery, Message
from kadmin.core.model import Watermarks
from kadmin.core.targets import Target
from kadmin.ops.messages import ProduceReport, Start, StartKind, records_from_lines, start_positions
from kadmin.render.messages import message_document, message_line, produce_document, produce_lines
from tests.fakes import InMemoryCluster


@pytest.fixture
def mem() -> InMemoryCluster:
    memory = InMemoryCluster()
    memory.add_topic("orders", partitions=2)
    memory.marks.update({("orders", 0): Watermarks(5, 20), ("orders", 1): Watermarks(0, 3)})
    return memory


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (Start(StartKind.END), {0: 20, 1: 3}),
        (Start(StartKind.BEGINNING), {0: 5, 1: 0}),
        (Start(StartKind.OFFSET, 10), {0: 10, 1: 3}),  # kept within the log
        (Start(StartKind.OFFSET, 1), {0: 5, 1: 1}),
        (Start(StartKind.OFFSET, -4), {0: 16, 1: 0}),  # that many before the end
    ],
)
def test_reading_starts_where_asked_and_within_the_log(
    mem: InMemoryCluster, start: Start, expected: dict[int, int]
) -> None:
    found = start_positions(mem, "orders", None, start)
    assert {p: o for (_, p), o in found.items()} == expected


def test_a_partition_the_topic_lacks_is_an_error_naming_the_topic(mem: InMemoryCluster) -> None:
    with pytest.raises(KadminError) as caught:
        start_positions(mem, "orders", [0, 5], Start())
    assert caught.value.where == "topic orders"
    assert "no partition 5" in str(caught.value.message)


def test_lines_become_records_keyed_at_the_first_separator_with_blank_lines_skipped() -> None:
    records = records_from_lines([b"k1:a:b\n", b"\n", b"k2:c\r\n"], key_separator=":", headers=(("h", b"1"),))
    assert [(r.line, r.key, r.value, r.headers) for r in records] == [
        (1, b"k1", b"a:b", (("h", b"1"),)),
        (3, b"k2", b"c", (("h", b"1"),)),
    ]


def test_a_line_without_the_key_separator_names_its_line_and_nothing_is_written() -> None:
    with pytest.raises(KadminError) as caught:
        records_from_lines([b"k:v\n", b"no separator\n"], key_separator=":")
    assert caught.value.where == "stdin:2"


def test_a_message_shows_on_one_line_and_as_json_bytes_that_are_not_text_as_base64() -> None:
    m = Message("t", 1, 42, 0, "create", b"[k]", b"\xff\x00", (("h", b"v"), ("n", None)))
    assert message_line(m) == "1/42  1970-01-01T00:00:00.000Z  key=[k]  [h=v n=null]  \\xff\\x00"
    document = message_document(m)
    assert document["key"] == "[k]"
    assert document["value_base64"] == "/wA="
    assert document["headers"] == [{"name": "h", "value": "v"}, {"name": "n", "value": None}]


def test_a_produce_report_gives_offsets_per_partition_and_every_failed_line() -> None:
    report = ProduceReport(
        "t",
        (Delivery(1, 0, 7), Delivery(2, 0, 8), Delivery(3, 1, 0), Delivery(4, None, None, "MSG_TIMED_OUT")),
    )
    assert produce_lines(report) == [
        "wrote 3 message(s) to t",
        "  partition 0: 2 at offsets 7-8",
        "  partition 1: 1 at offset 0",
        "1 message(s) failed:",
        "  line 4: MSG_TIMED_OUT",
    ]
    assert produce_document(report)["failed"] == 1


# --- the commands ------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, mem: InMemoryCluster) -> InMemoryCluster:
    def connect(*args: Any, **kwargs: Any) -> InMemoryCluster:
        return mem

    monkeypatch.setattr(messages_cmds, "connect", connect)
    return mem


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_produce_then_tail_gives_back_the_keyed_lines(cli: InMemoryCluster) -> None:
    code, out, _ = run("produce", "orders", "--key-separator", "=", "-o", "json", stdin="a=1\nb=2\n")
    assert code == 0
    assert json.loads(out)["written"] == 2
    cli.marks.clear()  # the fake's log now holds the messages; read it from its start
    code, out, _ = run("tail", "orders", "--from-beginning", "-o", "json")
    assert code == 0
    assert sorted((d["key"], d["value"]) for d in map(json.loads, out.splitlines())) == [
        ("a", "1"),
        ("b", "2"),
    ]


def test_produce_exits_1_naming_the_topic_when_a_message_fails(cli: InMemoryCluster) -> None:
    code, out, _ = run("produce", "orders", "--partition", "1", stdin="x\n")
    assert code == 0 and "partition 1: 1 at offset 0" in out
    cli.fail[Target.topic("orders")] = "NOT_ENOUGH_REPLICAS: Messages are rejected"
    code, out, err = run("produce", "orders", stdin="x\ny\n")
    assert code == 1
    assert "line 2: NOT_ENOUGH_REPLICAS" in out
    assert "topic orders: 2 of 2 message(s) were not written" in err


def test_tail_refuses_a_group_with_a_start_of_its_own(cli: InMemoryCluster) -> None:
    code, _, err = run("tail", "orders", "--group", "g", "--offset", "3")
    assert code == 1 and "group g" in err and "--group" in err
    code, _, err = run("tail", "orders", "--offset", "1", "--from-beginning")
    assert code == 1 and "choose one start" in err
