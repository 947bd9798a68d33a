"""The JSON Schema: valid 2020-12, in step with the config catalog, strict about integers."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from kadmin.core.kafka_configs import CATALOG
from kadmin.spec.load import schema
from kadmin.spec.structure import _conforms, _validator, check_structure
from kadmin.spec.yamlpos import read_yaml

REPO = Path(__file__).resolve().parents[2]


def test_schema_is_a_valid_2020_12_schema_shipped_in_the_package() -> None:
    shipped = json.loads(resources.files("kadmin.spec").joinpath("schema.json").read_text(encoding="utf-8"))
    loaded = schema()
    joined = loaded["$defs"]["environment"]["properties"]
    loaded["$defs"]["environment"]["properties"] = {
        key: value for key, value in joined.items() if key not in shipped["$defs"]["cluster"]["properties"]
    }
    assert shipped == loaded
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema())


def test_an_environment_takes_every_cluster_key_and_its_own() -> None:
    defs = schema()["$defs"]
    environment = defs["environment"]["properties"]
    for key, rule in defs["cluster"]["properties"].items():
        assert environment[key] == rule
    assert {"command_config", "variables", "overrides"} <= set(environment)


def test_schema_configs_list_exactly_the_catalog() -> None:
    assert set(schema()["$defs"]["configs"]["properties"]) == set(CATALOG)


def test_schema_returns_a_copy() -> None:
    copy = schema()
    copy["title"] = "changed"
    assert schema()["title"] != "changed"


def problems(text: str) -> list[str]:
    (doc,), _ = read_yaml("s.yaml", text, {})
    return [str(p) for p in check_structure(doc)]


def test_integers_are_not_floats_or_booleans_or_text() -> None:
    base = "version: 1\ntopics:\n  t: {partitions: %s, replication_factor: 1}\n"
    assert problems(base % "3") == []
    assert problems(base % "3.0") == [
        "s.yaml:3:19: topics.t.partitions: must be a whole number (found the decimal 3.0)"
        " — write 3, without a decimal point"
    ]
    assert problems(base % "true") == [
        "s.yaml:3:19: topics.t.partitions: must be a whole number (found true) — write a number such as 3"
    ]
    assert problems(base % '"3"') == [
        's.yaml:3:19: topics.t.partitions: must be a whole number (found the text "3")'
        " — write 3 without quotes"
    ]


def test_a_plain_jsonschema_validator_agrees_on_valid_documents() -> None:
    (doc,), _ = read_yaml(
        "s.yaml",
        "version: 1\ncluster: {zones: {a: [1]}}\ntopics: {t: {partitions: 1, placement: {zone: a}}}\n"
        "offset_resets: [{id: r, group: g, topics: {t: [0]}, to: latest}]\n",
        {},
    )
    assert check_structure(doc) == []
    assert list(Draft202012Validator(schema()).iter_errors(doc.data)) == []


def _corpus_documents() -> list[Any]:
    """Every spec document the repository holds: examples, test specs, and the YAML inputs of
    the hostile-input corpus (most of them malformed on purpose)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(REPO.glob("specs/**/*.y*ml"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(REPO.glob("tests/data/**/*.y*ml"))]
    for case in sorted(REPO.glob("tests/data/hostile/*.case")):
        for block in case.read_text(encoding="utf-8").split("\n--- ")[1:]:
            header, _, body = block.partition("\n")
            if header.startswith("file ") and header.endswith((".yaml", ".yml")):
                texts.append(body)
    documents: list[Any] = []
    for text in texts:
        read, _ = read_yaml("s.yaml", text, {})
        documents += [doc.data for doc in read]
    return documents


def test_the_quick_check_passes_only_what_jsonschema_passes() -> None:
    """A document the quick check passes is never looked at again: it must have no jsonschema
    error. The others get jsonschema's worded errors, so they may only cost time."""
    checked = [(data, _conforms(data)) for data in _corpus_documents()]
    wrong = [data for data, passed in checked if passed and list(_validator().iter_errors(data))]

    assert wrong == []
    assert {passed for _, passed in checked} == {True, False}


def test_a_float_that_looks_whole_is_never_passed_by_the_quick_check() -> None:
    valid = "version: 1\ntopics:\n  t: {partitions: %s, replication_factor: 1}\n"
    (whole,), _ = read_yaml("s.yaml", valid % "3.0", {})
    (exact,), _ = read_yaml("s.yaml", valid % "3", {})

    assert (_conforms(whole.data), _conforms(exact.data)) == (False, True)
