"""`Target`: what a change is about, as a value; its text form is the ``kind:name`` plan files carry."""

from __future__ import annotations

import pytest

from kadmin.core.targets import Target, TargetKind


def test_text_form_is_kind_colon_name_and_reads_back() -> None:
    for target, text in [
        (Target.topic("orders.created"), "topic:orders.created"),
        (Target.group("billing"), "group:billing"),
        (Target.broker(3), "broker:3"),
        (Target.topic("a:b"), "topic:a:b"),
    ]:
        assert str(target) == text
        assert Target.parse(text) == target


def test_people_read_kind_space_name() -> None:
    assert Target.topic("orders").describe() == "topic orders"
    assert Target.broker(7).describe() == "broker 7"


@pytest.mark.parametrize("text", ["orders", "table:orders", ":orders", ""])
def test_parse_refuses_text_that_is_not_a_target(text: str) -> None:
    with pytest.raises(ValueError, match="is not a target"):
        Target.parse(text)


def test_ordered_by_kind_then_name_as_their_text_sorts() -> None:
    targets = [Target.topic("b"), Target.group("z"), Target.topic("a.b"), Target.broker(2), Target.topic("a")]
    assert sorted(targets) == sorted(targets, key=str)
    assert [t.kind for t in sorted(targets)] == [
        TargetKind.BROKER,
        TargetKind.GROUP,
        TargetKind.TOPIC,
        TargetKind.TOPIC,
        TargetKind.TOPIC,
    ]
