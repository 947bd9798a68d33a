"""How a schema failure is worded: the value found, shown short, and the hint on what to do.

Owns the wording only; which failure it is and where is `structure`'s business.
"""

from __future__ import annotations

import difflib
import json

from kadmin.spec.yamlpos import Path


def did_you_mean(value: object, options: list[str]) -> str:
    if not isinstance(value, str):
        return ""
    match = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f"did you mean {match[0]}?" if match else ""


def name_hint(name: object) -> str:
    if isinstance(name, str) and "${" in name:
        return "variables are expanded in values only, not in keys or topic names"
    if isinstance(name, str) and len(name) > 249:
        return "shorten the name: Kafka allows 249 characters"
    return "replace other characters, e.g. spaces or '/', with '.', '_' or '-'"


def type_hint(wanted: list[str], value: object) -> str:
    if "integer" in wanted:
        if isinstance(value, bool):
            return "write a number such as 3"
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return f"write {value.strip()} without quotes"
        if isinstance(value, float) and value.is_integer():
            return f"write {int(value)}, without a decimal point"
    if "object" in wanted and isinstance(value, str):
        return "indent the keys below it, or write {key: value}"
    if "array" in wanted and not isinstance(value, list):
        return "write a YAML list: items in square brackets, or one '- item' per line"
    if "string" in wanted and not isinstance(value, str):
        return "quote it to make it text"
    return ""


def range_hint(path: Path, rule: str) -> str:
    last = path[-1] if path else ""
    if last == "partitions":
        return (
            "a topic needs at least one partition"
            if rule == "minimum"
            else "Kafka counts partitions in a 32-bit number"
        )
    if last == "replication_factor":
        return (
            "use 1 for a single broker, 3 for a production cluster"
            if rule == "minimum"
            else "Kafka stores it in 16 bits"
        )
    return ""


def empty_hint(path: Path) -> str:
    if "replicas" in path:
        return "list the brokers of each partition, the preferred leader first"
    if path[-2:-1] == ("zones",):
        return "list the broker ids of this zone"
    if path[-1:] == ("topics",):
        return "name at least one topic"
    if path[-2:-1] == ("topics",):
        return "list at least one partition, or name the topic in a list to take every partition"
    return "give it a value or remove the key"


def show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


def typed(value: object) -> str:
    if isinstance(value, str):
        return f"the text {show(value)}"
    if isinstance(value, float):
        return f"the decimal {value!r}"
    if value is None:
        return "nothing"
    return show(value)
