"""${VAR} and ${VAR:-default} expansion."""

from __future__ import annotations

import pytest

from kadmin.spec.interpolate import InterpolationError, expand

ENV = {"TEAM": "payments", "EMPTY": "", "N": "12"}


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("${TEAM}", "payments"),
        ("${TEAM}.events", "payments.events"),
        ("${TEAM}-${N}", "payments-12"),
        ("${MISSING:-7d}", "7d"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${TEAM:-fallback}", "payments"),
        ("${MISSING:-}", ""),
        ("${MISSING:-a:b}", "a:b"),
        ("$${TEAM}", "${TEAM}"),
        ("cost: $5", "cost: $5"),
        ("no variables", "no variables"),
        ("${EMPTY}", ""),
    ],
)
def test_expansion(text: str, result: str) -> None:
    assert expand(text, ENV) == result


def test_an_unset_variable_is_an_error_with_a_hint() -> None:
    with pytest.raises(InterpolationError) as caught:
        expand("${ORDERS_PARTITIONS}", ENV)
    assert caught.value.message == "variable ORDERS_PARTITIONS is not set"
    assert caught.value.hint == (
        "set ORDERS_PARTITIONS in the environment, or give a default: ${ORDERS_PARTITIONS:-value}"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${TEAM", 'unterminated variable (found "${TEAM")'),
        ("${1ABC}", "malformed variable (found ${1ABC})"),
        ("${TEAM:+x}", "malformed variable (found ${TEAM:+x})"),
        ("${}", "malformed variable (found ${})"),
    ],
)
def test_malformed_variables_are_errors(text: str, message: str) -> None:
    with pytest.raises(InterpolationError) as caught:
        expand(text, ENV)
    assert caught.value.message == message
