"""Topic config values as users write them → the exact strings Kafka stores.

Owns the spec side of configs: natural YAML (numbers, true/false, lists), human units
on `*.ms` and `*.bytes` keys, and -1 where Kafka allows it. What Kafka accepts is
`kadmin.core.kafka_configs`' business; this module only turns YAML into Kafka's string
form and asks it. Normal forms: whole numbers in decimal, booleans lower-case,
lists joined with commas in the order written, decimals as Python writes them.
"""

from __future__ import annotations

from collections.abc import Callable

from kadmin.core.durations import UnitError
from kadmin.core.kafka_configs import ConfigType, TopicConfigKey, check
from kadmin.spec.units import DURATION_HINT, SIZE_HINT, parse_duration_ms, parse_size_bytes


class ConfigValueError(ValueError):
    """A config value kadmin cannot pass to Kafka, with what to write instead."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def to_kafka(key: TopicConfigKey, value: object) -> str:
    """The string Kafka stores for `value` under `key`; raises `ConfigValueError`."""
    text = _text(key, value)
    problem = check(key, text)
    if problem:
        raise ConfigValueError(problem.message, problem.hint or _hint(key))
    return text


def _text(key: TopicConfigKey, value: object) -> str:
    match key.type:
        case ConfigType.BOOLEAN:
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                return value.strip().lower()
            raise ConfigValueError(f"must be true or false (found {_show(value)})", "write true or false")
        case ConfigType.INT | ConfigType.LONG:
            return str(_whole(key, value))
        case ConfigType.DOUBLE:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ConfigValueError(f"must be a number (found {_show(value)})", "write it like 0.5")
            try:
                return repr(float(value))
            except ValueError:
                raise ConfigValueError(
                    f"must be a number (found {_show(value)})", "write it like 0.5"
                ) from None
        case ConfigType.LIST:
            if isinstance(value, list):
                return ",".join(str(item).strip() for item in value)
            if isinstance(value, str):
                return ",".join(part.strip() for part in value.split(",")) if value.strip() else ""
            raise ConfigValueError(
                f"must be a list (found {_show(value)})",
                "write a YAML list, or the items separated by commas",
            )
        case ConfigType.STRING:
            if isinstance(value, str):
                return value.strip()
            raise ConfigValueError(f"must be text (found {_show(value)})", "quote it to make it text")
    raise AssertionError(key.type)  # pragma: no cover - every ConfigType is matched


def _whole(key: TopicConfigKey, value: object) -> int:
    if isinstance(value, bool):
        raise ConfigValueError(f"must be a whole number (found {_show(value)})", _hint(key))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        hint = f"write {int(value)}" if value.is_integer() else _hint(key)
        raise ConfigValueError(f"must be a whole number (found {value!r})", hint)
    if not isinstance(value, str):
        raise ConfigValueError(f"must be a whole number (found {_show(value)})", _hint(key))
    try:
        if key.unit == "ms":
            return _signed_unit(value, parse_duration_ms)
        if key.unit == "bytes":
            return _signed_unit(value, parse_size_bytes)
        return int(value.strip())
    except UnitError as err:
        raise ConfigValueError(err.message, err.hint) from None
    except ValueError:
        raise ConfigValueError(f"must be a whole number (found {_show(value)})", _hint(key)) from None


def _signed_unit(text: str, parse: Callable[[str], int]) -> int:
    stripped = text.strip()
    if stripped.startswith("-") and not stripped[1:].isdigit():
        # "-1d" reads as a negative duration; Kafka's only negative values are the bare sentinels.
        raise UnitError(
            f'cannot be negative with a unit (found "{text}")',
            "write a bare number; the keys that allow it take -1 (or -2) for 'no limit'",
        )
    return parse(stripped)


def _hint(key: TopicConfigKey) -> str:
    if key.unit == "ms":
        return DURATION_HINT
    if key.unit == "bytes":
        return SIZE_HINT
    return "write a whole number, e.g. 2"


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
