"""Reading a comparison back from JSON: exactly what mlci writes comes back, and anything the schema
refuses (or that a hostile writer could use against a report) is refused, naming the field."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlci.compare import result
from mlci.compare.decode import MAX_TEXT, comparison_from_json, comparison_from_text
from mlci.compare.result import Comparison
from mlci.errors import DataError
from mlci.report import render_json
from mlci.report.markdown import BUILTIN_TEMPLATES
from tests.report.helpers import every_part, failing, passing

SCHEMA = json.loads((BUILTIN_TEMPLATES / "comparison.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

DEFINITION = {
    "BaseInfo": "base",
    "HeadInfo": "head",
    "ModelComparison": "model",
    "MetricChange": "metric",
    "GateResult": "gate",
    "ParamChange": "param",
    "RunSummary": "run",
    "DataCheck": "data_check",
    "TargetShift": "target_shift",
    "FeatureDrift": "feature_drift",
    "Rescore": "rescore",
}


def document(tmp_path: Path) -> dict[str, Any]:
    return json.loads(render_json(every_part(tmp_path)))


def decode(data: Any) -> Comparison:
    return comparison_from_json(data, where="comparison.json")


@pytest.mark.parametrize("make", [lambda p: passing(p)[1], lambda p: failing(p)[1], every_part])
def test_what_mlci_writes_comes_back_unchanged(tmp_path: Path, make) -> None:
    comparison = make(tmp_path)
    text = render_json(comparison)

    assert VALIDATOR.is_valid(json.loads(text))
    assert comparison_from_text(text, where="comparison.json") == comparison
    assert comparison_from_text(text.encode(), where="comparison.json") == comparison


def test_every_field_of_the_dataclasses_is_in_the_schema_and_required_alike() -> None:
    """A field added to the dataclasses is read back at once; this keeps the schema telling the same."""
    classes = {name: getattr(result, name) for name in [*DEFINITION, "Comparison"]}
    for name, cls in classes.items():
        spec = SCHEMA if name == "Comparison" else SCHEMA["$defs"][DEFINITION[name]]
        names = {f.name for f in dataclasses.fields(cls)}
        required = {
            f.name
            for f in dataclasses.fields(cls)
            if (f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
            or f.metadata.get("json_required")
        }
        derived = set(getattr(cls, "JSON_DERIVED", ())) | ({"schema_version"} if name == "Comparison" else set())
        assert set(spec["properties"]) == names | derived, name
        assert set(spec.get("required", [])) == required | derived, name


def mutations(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[str, tuple[Any, ...], Any]]:
    """(what, where, new value) for every place in a document: a value of the wrong type, an unknown
    word, and for object keys, leaving the key out."""
    wrong = {str: 5, bool: "true", int: "7", float: "0.5", list: {}, dict: [], type(None): []}
    yield "wrong type", path, wrong[type(value)]
    if isinstance(value, str):
        yield "unknown word", path, "not-a-known-value"
    if isinstance(value, dict):
        for key, item in value.items():
            yield "left out", (*path, key), None
            yield from mutations(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from mutations(item, (*path, index))


def mutated(data: dict[str, Any], what: str, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copied = copy.deepcopy(data)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    if what == "left out":
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copied


def test_the_reader_refuses_exactly_what_the_schema_refuses(tmp_path: Path) -> None:
    data = document(tmp_path)
    checked = 0
    for what, path, new in mutations(data):
        changed = mutated(data, what, path, new)
        schema_accepts = VALIDATOR.is_valid(changed)
        try:
            decode(changed)
        except DataError:
            reader_accepts = False
        else:
            reader_accepts = True
        assert reader_accepts == schema_accepts, f"{what} at {'.'.join(map(str, path))}: schema says {schema_accepts}"
        checked += 1
    assert checked > 300


def test_fields_the_reader_does_not_know_are_ignored(tmp_path: Path) -> None:
    data = document(tmp_path)
    data["future_field"] = {"anything": ["at", "all"]}
    data["models"][0]["metrics"][0]["another"] = 1

    assert decode(data) == every_part(tmp_path)


def nested(depth: int) -> list[Any]:
    value: list[Any] = [1]
    for _ in range(depth):
        value = [value]
    return value


def problem(text: str) -> str:
    with pytest.raises(DataError) as caught:
        comparison_from_text(text, where="comparison.json")
    return str(caught.value)


def test_problems_name_the_field(tmp_path: Path) -> None:
    data = document(tmp_path)
    data["models"][1]["metrics"][0]["base"] = "0.9"
    data["models"][0]["name"] = 5

    message = problem(json.dumps(data))
    assert message == "comparison.json: models[0].name: expected a string, got a number"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["models"][0]["metrics"][0].update(base=True), "models[0].metrics[0].base: expected a number"),
        (lambda d: d["models"][0]["gates"][0].update(kind="always"), 'expected one of "min", "max", "max_drop"'),
        (lambda d: d["base"].update(commit="HEAD~1"), "base.commit: expected a full commit id"),
        (lambda d: d["base"].update(distance=-1), "base.distance: expected zero or more"),
        (lambda d: d["models"][0]["metrics"][0].update(interval=[1, 2, 3]), "expected a list of 2 items, got 3"),
        (lambda d: d["models"][0].pop("metrics"), "models[0].metrics: missing"),
        (lambda d: d["models"][0]["data"]["drift"][0].update(psi="high"), "data.drift[0].psi: expected a number"),
        (lambda d: d["models"][0].update(name="x" * (MAX_TEXT + 1)), "at most 10000 are allowed"),
        (lambda d: d.update(passed=True), "passed: expected false, as the rest of the document says"),
        (lambda d: d["models"][0].update(passed=True), "models[0].passed: expected false, as the rest of"),
        (lambda d: d["models"][0]["data"].update(schema_changed=False), "data.schema_changed: expected true"),
        (lambda d: d["models"][0]["params"][0].update(base=nested(30)), "nested deeper than 20 levels"),
    ],
)
def test_a_hostile_or_broken_document_is_refused(tmp_path: Path, edit, expected: str) -> None:
    data = document(tmp_path)
    edit(data)

    assert expected in problem(json.dumps(data))


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_must_be_finite(tmp_path: Path, number: str) -> None:
    text = json.dumps(document(tmp_path)).replace('"head": 0.8712', f'"head": {number}', 1)
    assert number in text

    assert "finite" in problem(text) or "refused" in problem(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!-- mlci-report:default -->\n## mlci report\n", "comparison.json:1:1: not valid JSON"),
        ("[1, 2]", "a comparison is a JSON object, not a list"),
        ('{"schema_version": 2}', "schema_version is 2; this mlci reads comparisons of schema_version 1"),
        ('{"schema_version": "1"}', 'schema_version is "1"'),
        ('{"schema_version": true}', "schema_version is true"),
        ("{}", "schema_version is missing"),
        ('{"schema_version": 1, "schema_version": 1}', 'the key "schema_version" appears twice'),
        ("[" * 100_000, "not a JSON document mlci can read"),
        ('{"schema_version": 1' + "9" * 5000 + "}", "not a JSON document mlci can read"),
        (b"\xff\xfe{}", "not UTF-8 text"),
    ],
)
def test_what_is_not_a_comparison_is_refused(text: str | bytes, expected: str) -> None:
    with pytest.raises(DataError) as caught:
        comparison_from_text(text, where="comparison.json")
    assert expected in str(caught.value)
