"""Reading YAML with positions: keys as text, duplicate keys, typing after expansion."""

from __future__ import annotations

import textwrap

from kadmin.core.errors import KadminError, Location
from kadmin.spec.yamlpos import Document, format_path, read_yaml


def read(text: str, env: dict[str, str] | None = None) -> tuple[list[Document], list[KadminError]]:
    return read_yaml("s.yaml", textwrap.dedent(text), env or {})


def test_positions_of_keys_and_values_are_one_based() -> None:
    (doc,), problems = read(
        """\
        version: 1
        topics:
          orders:
            partitions: 12
        """
    )
    assert problems == []
    assert doc.positions.key(("topics", "orders")) == Location("s.yaml", 3, 3, "topics.orders")
    assert doc.positions.value(("topics", "orders", "partitions")) == Location(
        "s.yaml", 4, 17, "topics.orders.partitions"
    )
    # A path that was never written falls back to the nearest enclosing value.
    assert doc.positions.value(("topics", "orders", "configs")).line == 4


def test_keys_are_the_text_written_and_values_follow_yaml() -> None:
    (doc,), _ = read("2024: yes\non: 1:30\nnull: 2026-11-20T00:00:00Z\nx: ~\ny: 0x10\nz: 1_000\n")
    assert doc.data == {
        "2024": True,
        "on": "1:30",
        "null": "2026-11-20T00:00:00Z",
        "x": None,
        "y": 16,
        "z": 1000,
    }


def test_duplicate_keys_are_reported_at_the_second_with_the_first_line() -> None:
    (doc,), problems = read(
        """\
        configs:
          retention.ms: 7d
          segment.ms: 1d
          retention.ms: 14d
        """
    )
    assert [str(p) for p in problems] == [
        "s.yaml:4:3: configs.retention.ms: is a duplicate key (first at line 2, column 3)"
        " — remove one of them: YAML parsers silently keep only the last"
    ]
    # The first one stays in the data, and is checked like any other value.
    assert doc.data == {"configs": {"retention.ms": "7d", "segment.ms": "1d"}}
    assert doc.sound(("configs", "retention.ms"))


def test_variables_type_unquoted_values_after_expansion_and_keep_quoted_ones_text() -> None:
    (doc,), problems = read('a: ${N}\nb: "${N}"\nc: ${FLAG:-true}\nd: x-${N}\n', {"N": "12"})
    assert problems == []
    assert doc.data == {"a": 12, "b": "12", "c": True, "d": "x-12"}


def test_a_missing_variable_is_reported_at_its_value() -> None:
    (doc,), problems = read("topics:\n  t:\n    partitions: ${P}\n")
    assert [str(p.where) for p in problems] == ["s.yaml:3:17: topics.t.partitions"]
    assert problems[0].message == "variable P is not set"
    assert doc.broken(("topics", "t", "partitions"))


def test_merge_keys_and_tags_are_refused() -> None:
    _, problems = read("a: &x {b: 1}\nc:\n  <<: *x\nd: !!binary aGk=\n")
    assert [(p.where, p.message) for p in problems] == [
        (Location("s.yaml", 3, 3, "c"), "uses a YAML merge key (<<)"),
        (Location("s.yaml", 4, 4, "d"), "has an explicit YAML tag (!!binary)"),
    ]


def test_aliases_are_followed_and_recursion_is_refused() -> None:
    (doc,), problems = read("a: &x [1, 2]\nb: *x\n")
    assert doc.data == {"a": [1, 2], "b": [1, 2]} and problems == []
    _, problems = read("a: &x [1, *x]\n")
    assert [p.message for p in problems] == ["is a recursive alias"]


def test_several_documents_and_syntax_errors() -> None:
    docs, problems = read("version: 1\n---\nversion: 1\ntopics: {}\n")
    assert [d.data for d in docs] == [{"version": 1}, {"version": 1, "topics": {}}]
    assert problems == []
    docs, problems = read("version: 1\ntopics: [a\n")
    assert docs == []
    assert [str(p.where) for p in problems] == ["s.yaml:3:1"]
    assert problems[0].message.startswith("is not valid YAML: ")


def test_format_path() -> None:
    assert (
        format_path(("offset_resets", 0, "topics", "orders.created", 2))
        == "offset_resets[0].topics.orders.created[2]"
    )
    assert format_path(()) == ""


def test_a_variable_in_flow_style_gets_a_hint_about_quoting() -> None:
    _, problems = read("version: 1\ntopics: {t: {partitions: ${N}}}\n")
    assert [str(p) for p in problems] == [
        "s.yaml:2:27: is not valid YAML: did not find expected ',' or '}'"
        " — inside {...} or [...], a ${VAR} value must be quoted (which makes it text); use block style"
    ]
