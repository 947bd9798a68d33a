"""The JSON Schema of spec files, and its failures worded for people, at their line.

Owns `schema.json` (the contract, also printed by `kadmin schema` for editors) and the
validators compiled from it. A document is first checked by jsonschema-rs, which imports in
about 10 ms and compiles the schema in about 1; only a document it does not pass is
checked again by jsonschema, whose errors carry what wording needs (jsonschema's import
alone costs more than a valid spec's whole check). Each jsonschema error is turned into a
`KadminError` at the key or value it is about, with what was found and what to do;
alternatives (`oneOf`) are narrowed to the branch the author evidently meant before wording them.

Checks here are about shape only; meaning (zones, profiles, units) is `resolve`'s.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from kadmin.core.errors import KadminError, Location
from kadmin.core.kafka_configs import CATALOG, REMOVED
from kadmin.spec.wording import did_you_mean, empty_hint, name_hint, range_hint, show, type_hint, typed
from kadmin.spec.yamlpos import Document, Path, format_path

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "empty",
}
_REQUIRED_HINTS = {
    "version": "start the file with version: 1",
    "id": "give the reset a unique id, e.g. billing-replay-2026-11-20",
    "group": "name the consumer group whose offsets move",
    "to": "say where offsets move: earliest, latest, {datetime: ...}, ...",
    "topics": "list the topics to reset (or take them from a CSV with to: {file: ...})",
}
_MISMATCH = frozenset({"type", "const", "enum", "required"})


@functools.cache
def schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of one spec document."""
    text = resources.files("kadmin.spec").joinpath("schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    # An environment takes every key of cluster:, whichever are added to it later; schema.json
    # lists only the environment's own keys, and they are joined here, once.
    defs = loaded["$defs"]
    own = defs["environment"]["properties"]
    defs["environment"]["properties"] = {**defs["cluster"]["properties"], **own}
    return loaded


def _is_integer(_checker: object, instance: object) -> bool:
    # JSON Schema counts 12.0 as an integer and Python counts True; a spec means neither.
    return isinstance(instance, int) and not isinstance(instance, bool)


@functools.cache
def _quick_validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(schema())


def _conforms(data: Any) -> bool:
    """True when `data` certainly matches the schema; False sends it to jsonschema, which words
    what is wrong or, where the two differ (a pattern's `$` before a final newline), finds nothing."""
    if _holds_integral_float(data):
        return False  # jsonschema-rs counts 3.0 as an integer; a spec does not (`_is_integer`)
    try:
        return _quick_validator().is_valid(data)
    except ValueError:  # a value JSON has no type for, e.g. a YAML date: jsonschema words it
        return False


def _holds_integral_float(node: Any) -> bool:
    if isinstance(node, float):
        return node.is_integer()
    if isinstance(node, dict):
        return any(_holds_integral_float(value) for value in node.values())
    if isinstance(node, list):
        return any(_holds_integral_float(item) for item in node)
    return False


@functools.cache
def _validator() -> Validator:
    from jsonschema import Draft202012Validator, validators

    checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer)
    strict: Any = validators.extend(Draft202012Validator, type_checker=checker)  # type: ignore[no-untyped-call]
    full = schema()
    # Following a $ref costs jsonschema a registry lookup each time, most of the run at 10,000
    # topics; the schema is not recursive, so validate against a copy with every $ref inlined.
    compiled: Validator = strict(_inline(full, full["$defs"]))
    return compiled


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    """`node` with each local ``{"$ref": "#/$defs/X", ...}`` replaced by X merged with its siblings."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inline(value, defs) for key, value in node.items() if key not in ("$ref", "$defs")}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = _inline(defs[ref.removeprefix("#/$defs/")], defs)
        out = {**target, **out}
    return out


@dataclass(frozen=True, slots=True)
class _Failure:
    """The parts of a jsonschema error this module reads, typed once."""

    rule: str
    path: Path
    value: Any
    expected: Any
    schema: Mapping[str, Any]
    about_key: bool
    """The error is about a mapping key (`propertyNames`), reported at the mapping."""
    branch: int
    """For an error inside a `oneOf`: which alternative it belongs to."""
    context: tuple[_Failure, ...]
    message: str


def _failure(error: ValidationError) -> _Failure:
    where = tuple(error.relative_schema_path)
    return _Failure(
        rule=str(error.validator),
        path=tuple(error.absolute_path),
        value=error.instance,
        expected=error.validator_value,
        schema=error.schema if isinstance(error.schema, Mapping) else {},
        about_key="propertyNames" in where,
        branch=where[0] if where and isinstance(where[0], int) else -1,
        context=tuple(_failure(sub) for sub in error.context or ()),
        message=error.message,
    )


def check_structure(doc: Document) -> list[KadminError]:
    """Every way `doc` departs from the schema, worded and located."""
    if _conforms(doc.data):
        return []
    problems: list[KadminError] = []
    earlier = set(doc.reported)
    broken: set[Path] = set()
    for error in _validator().iter_errors(doc.data):
        failure = _failure(error)
        if not _settled(failure.path, earlier):
            problems.extend(_explain(failure, doc))
            broken.update(_broken(failure))
    doc.reported.update(broken)
    return problems


def _broken(failure: _Failure) -> Iterator[Path]:
    """The values an error makes unusable, so later checks skip rather than repeat it."""
    path = failure.path
    if failure.about_key:
        yield (*path, failure.value)
    elif failure.rule == "additionalProperties":
        allowed = failure.schema.get("properties", {})
        yield from ((*path, key) for key in failure.value if key not in allowed)
    elif failure.rule == "required":
        yield from ((*path, key) for key in failure.expected if key not in failure.value)
    else:
        yield path


def _settled(path: Path, reported: set[Path]) -> bool:
    return any(path[:n] in reported for n in range(len(path) + 1)) if reported else False


def _explain(failure: _Failure, doc: Document) -> Iterator[KadminError]:
    path, value, rule, expected = failure.path, failure.value, failure.rule, failure.expected
    pos = doc.positions
    here = pos.value(path)
    if failure.about_key:
        # jsonschema reports a bad key at its mapping; the key itself is the place to look.
        yield KadminError(
            f"{_words(failure)} (found {show(value)})", where=pos.key((*path, value)), hint=name_hint(value)
        )
        return
    match rule:
        case "additionalProperties":
            yield from _unknown_keys(value, failure.schema, path, doc)
        case "required":
            for key in expected:
                if key not in value:
                    hint = _REQUIRED_HINTS.get(key, f"add {key}:")
                    yield KadminError(f"is missing the required key {key}", where=here, hint=hint)
        case "type":
            wanted = [str(w) for w in expected] if isinstance(expected, list) else [str(expected)]
            words = " or ".join(_TYPE_WORDS[w] for w in wanted if w != "null")
            yield KadminError(
                f"must be {words} (found {typed(value)})", where=here, hint=type_hint(wanted, value)
            )
        case "minimum" | "maximum":
            bound = "at least" if rule == "minimum" else "at most"
            yield KadminError(
                f"must be {bound} {expected} (found {value})", where=here, hint=range_hint(path, rule)
            )
        case "const":
            hint = "this kadmin reads version 1 specs" if path == ("version",) else ""
            yield KadminError(f"must be {show(expected)} (found {show(value)})", where=here, hint=hint)
        case "enum":
            options = [str(o) for o in expected]
            yield KadminError(
                f"must be one of {', '.join(options)} (found {show(value)})",
                where=here,
                hint=did_you_mean(value, options),
            )
        case "minItems" | "minLength":
            yield KadminError("must not be empty", where=here, hint=empty_hint(path))
        case "minProperties" | "maxProperties":
            yield _one_of_keys(value, failure.schema, path, here)
        case "oneOf" | "anyOf":
            yield from _alternatives(failure, doc)
        case "pattern" | "maxLength":
            if path == ("cluster", "id") or path[:1] + path[2:] == ("environments", "id"):
                hint = "Kafka's cluster id: 22 characters, as `kadmin zones` shows it"
            elif path[-1:] == ("id",):
                hint = "e.g. billing-replay-2026-11-20"
            elif path[:1] == ("environments",) and path[-1:] == ("variables",):
                hint = "KADMIN_PROD_ reads sasl.password from KADMIN_PROD_SASL_PASSWORD, and so on"
            elif path[-1:] == ("principal",):
                hint = "write the principal's type before its name, as Kafka does: User:svc-orders"
            else:
                hint = name_hint(value)
            yield KadminError(f"{_words(failure)} (found {show(value)})", where=here, hint=hint)
        case _:  # pragma: no cover - every keyword the schema uses is handled above
            yield KadminError(failure.message, where=here)


def _unknown_keys(
    value: Mapping[str, Any], sub: Mapping[str, Any], path: Path, doc: Document
) -> Iterator[KadminError]:
    known = list(sub.get("properties", {}))
    is_configs = set(known) == set(CATALOG)
    for key in value:
        if key in known:
            continue
        spot = doc.positions.key((*path, key))
        where = Location(spot.file, spot.line, spot.column, format_path(path))
        if is_configs:
            yield KadminError(f"unknown topic config ({key})", where=where, hint=_config_hint(key, known))
        else:
            hint = did_you_mean(key, known) or f"known keys here: {', '.join(known)}"
            yield KadminError(f"unknown key ({key})", where=where, hint=hint)


def _config_hint(key: str, known: list[str]) -> str:
    topic_level = key.removeprefix("log.")
    if key != topic_level and topic_level in CATALOG:
        # Kafka's broker-wide defaults carry a log. prefix; the topic-level key has none.
        return f"{key} is the broker-wide default; the topic config is {topic_level}"
    return REMOVED.get(key) or did_you_mean(key, known) or "kadmin schema lists Kafka 4.x's topic configs"


def _one_of_keys(value: Mapping[str, Any], sub: Mapping[str, Any], path: Path, here: Location) -> KadminError:
    keys = list(sub.get("properties", {}))
    if sub.get("minProperties") == 1 and sub.get("maxProperties") == 1:
        found = ", ".join(value) if value else "none"
        hint = "keep the one you mean" if value else f"add one, e.g. {{{keys[0]}: ...}}"
        return KadminError(
            f"must hold exactly one of {', '.join(keys)} (found {found})", where=here, hint=hint
        )
    return KadminError("must not be empty", where=here, hint=empty_hint(path))


def _alternatives(failure: _Failure, doc: Document) -> Iterator[KadminError]:
    """Word a failed `oneOf`: follow the one branch the value's shape points at, if any."""
    branches: dict[int, list[_Failure]] = defaultdict(list)
    for sub in failure.context:
        branches[sub.branch].append(sub)
    depth = len(failure.path)
    candidates = [
        subs
        for subs in branches.values()
        if not any(len(s.path) == depth and s.rule in _MISMATCH for s in subs)
    ]
    if len(candidates) == 1:
        for sub in candidates[0]:
            yield from _explain(sub, doc)
        return
    value = failure.value
    words = failure.schema.get("errorMessage", "does not have an accepted form")
    options = [str(o) for o in _literals(failure.schema.get(failure.rule, []))]
    found = show(value)
    hint = did_you_mean(value, options) if isinstance(value, str) else ""
    if isinstance(value, dict) and value:
        found = f"a mapping with {', '.join(value)}"
        keys = [k for branch in failure.schema.get(failure.rule, []) for k in branch.get("properties", {})]
        hint = next((h for h in (did_you_mean(k, keys) for k in value) if h), "")
    yield KadminError(f"{words} (found {found})", where=doc.positions.value(failure.path), hint=hint)


def _literals(branches: Iterable[Mapping[str, Any]]) -> Iterator[object]:
    for branch in branches:
        if "const" in branch:
            yield branch["const"]
        yield from branch.get("enum", ())


def _words(failure: _Failure) -> str:
    if "errorMessage" in failure.schema:
        return str(failure.schema["errorMessage"])
    if failure.rule == "maxLength":
        return f"must be at most {failure.expected} characters long"
    return f"must match {failure.expected}"
