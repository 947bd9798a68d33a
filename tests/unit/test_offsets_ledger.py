"""The ledger's record format: what `__kadmin_state` stores for each applied reset."""

from __future__ import annotations

import json

import pytest

from kadmin.core.model import AppliedReset
from kadmin.kafka.ledger import decode_reset, encode_reset, ledger_key

RECORD = AppliedReset(
    "replay-2024-05",
    "billing",
    "2024-05-02T09:30:00Z",
    offsets={("orders", 1): 0, ("orders", 0): 12},
    previous={("orders", 0): 40, ("orders", 1): None},
)


def test_key_names_the_reset() -> None:
    assert ledger_key("replay-2024-05") == b"offset-reset/replay-2024-05"


def test_value_is_readable_json_sorted_by_partition() -> None:
    document = json.loads(encode_reset(RECORD))
    assert document == {
        "format": 1,
        "id": "replay-2024-05",
        "group": "billing",
        "applied_at": "2024-05-02T09:30:00Z",
        "offsets": [
            {"topic": "orders", "partition": 0, "offset": 12, "previous": 40},
            {"topic": "orders", "partition": 1, "offset": 0, "previous": None},
        ],
    }


def test_round_trip() -> None:
    assert decode_reset(encode_reset(RECORD)) == RECORD


@pytest.mark.parametrize(
    "value", [b"not json", b"{}", b'{"id": "x", "group": "g", "applied_at": "t", "offsets": [{}]}']
)
def test_foreign_values_are_rejected(value: bytes) -> None:
    with pytest.raises(ValueError, match="not a kadmin offset-reset record"):
        decode_reset(value)
