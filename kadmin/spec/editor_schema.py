"""The JSON Schema `kadmin schema` prints for editors: `schema.json` with the value rules of
every config key generated from Kafka's config catalog, and `${VAR}` accepted wherever a
number, a boolean or an enumerated value goes.

An editor then offers `zstd`, `lz4`, ... for `compression.type` (not true/false), flags
`zstdd` or `[compact, dlete]`, checks that `retention.ms` is a number or a duration and
`max.message.bytes` a number or a size, and accepts `partitions: ${N:-6}` as the docs
write it. kadmin's own validation keeps `schema.json` as it is and checks values after
variables are expanded (`kadmin.spec.configs`), with its own messages.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from kadmin.core.kafka_configs import CATALOG, ConfigType, TopicConfigKey
from kadmin.spec.structure import schema
from kadmin.spec.units import DURATION_UNITS_MS, SIZE_UNITS

VARIABLE = r"\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}"
"""A `${NAME}` or `${NAME:-default}` anywhere in a string (JSON Schema patterns are not anchored)."""

# Longest unit first, so that "ms" is not read as "m" followed by "s".
_DURATION_UNITS = "|".join(sorted(DURATION_UNITS_MS, key=len, reverse=True))
DURATION = rf"^\s*(-?\d+|(\d+\s*({_DURATION_UNITS})\s*)+)$"
SIZE = rf"^\s*(-?\d+|\d+\s*({'|'.join(sorted(SIZE_UNITS, key=len, reverse=True))}))\s*$"

_NUMBER_DEFS = ("brokerId", "partitions", "replicationFactor")


def editor_schema() -> dict[str, Any]:
    """`schema.json` (JSON Schema 2020-12) with value rules per config key and `${VAR}` allowed."""
    document = copy.deepcopy(schema())
    defs = document["$defs"]
    defs["variable"] = {
        "type": "string",
        "pattern": VARIABLE,
        "description": "${VAR} or ${VAR:-default}, expanded when the spec is read.",
    }
    for name in _NUMBER_DEFS:
        original = defs[name]
        defs[name] = {
            "description": original.get("description", ""),
            "anyOf": [
                {k: v for k, v in original.items() if k != "description"},
                {"$ref": "#/$defs/variable"},
            ],
        }
    for key, prop in defs["configs"]["properties"].items():
        rules = value_rules(CATALOG[key])
        prop.pop("$ref", None)
        prop["anyOf"] = [*rules, {"$ref": "#/$defs/variable"}]
    return document


def value_rules(key: TopicConfigKey) -> list[dict[str, Any]]:
    """The shapes a value of `key` may take in a spec (before `${VAR}`), from the catalog."""
    match key.type:
        case ConfigType.BOOLEAN:
            return [{"type": "boolean"}, {"enum": ["true", "false"]}]
        case ConfigType.INT | ConfigType.LONG:
            number: dict[str, Any] = {"type": "integer"}
            if key.minimum is not None and not key.also:
                number["minimum"] = key.minimum
            if key.maximum is not None and not key.also:
                number["maximum"] = key.maximum
            if key.unit == "ms":
                return [number, {"type": "string", "pattern": DURATION}]
            if key.unit == "bytes":
                return [number, {"type": "string", "pattern": SIZE}]
            return [number]
        case ConfigType.DOUBLE:
            return [{"type": "number"}]
        case ConfigType.STRING:
            return [{"enum": list(key.allowed)}] if key.allowed else [{"type": "string"}]
        case ConfigType.LIST:
            if not key.allowed:
                return [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
            member = "|".join(re.escape(a) for a in key.allowed)
            return [
                {"type": "array", "items": {"enum": list(key.allowed)}, "uniqueItems": True, "minItems": 1},
                {"type": "string", "pattern": rf"^\s*({member})(\s*,\s*({member}))*\s*$"},
            ]
    raise AssertionError(key.type)  # pragma: no cover - every ConfigType is matched
