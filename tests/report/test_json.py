"""`--format json`: a stable document that validates against the shipped JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlci.report import render, render_json
from mlci.report.markdown import BUILTIN_TEMPLATES
from tests.report.helpers import every_part, failing, passing

SCHEMA_PATH = BUILTIN_TEMPLATES / "comparison.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    document = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    return document


@pytest.mark.parametrize("make", [passing, failing])
def test_output_validates_against_the_schema(tmp_path: Path, schema: dict[str, Any], make) -> None:
    config, comparison = make(tmp_path)
    data = json.loads(render(comparison, "json", config=config))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["schema_version"] == 1
    assert data["passed"] is comparison.passed


def test_every_field_is_documented(tmp_path: Path, schema: dict[str, Any]) -> None:
    """The schema allows unknown fields (readers must ignore them), so this test is what keeps it complete."""
    _, comparison = failing(tmp_path)
    data = comparison.to_json()
    defs = schema["$defs"]
    assert set(data) == set(schema["properties"])
    assert set(data["base"]) == set(defs["base"]["properties"])
    assert set(data["head"]) == set(defs["head"]["properties"])
    for model in data["models"]:
        assert set(model) == set(defs["model"]["properties"])
        for key, definition in (("metrics", "metric"), ("gates", "gate"), ("params", "param")):
            for item in model[key]:
                assert set(item) == set(defs[definition]["properties"])
        for run in (model["head_run"], model["base_run"]):
            if run is not None:
                assert set(run) == set(defs["run"]["properties"])
    assert any(model["gates"] for model in data["models"])


def test_output_is_sorted_and_stable(tmp_path: Path) -> None:
    config, comparison = passing(tmp_path)
    text = render(comparison, "json", config=config)
    assert text == render(comparison, "json", config=config)
    assert list(json.loads(text)) == sorted(json.loads(text))
    assert text.startswith('{"base":{') and text.count("\n") == 1, "compact, one line, for programs"
    indented = render(comparison, "json", config=config, indent=True)
    assert indented.startswith('{\n  "base": {'), "indented for a person"
    assert indented == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("make", [lambda p: passing(p)[1], lambda p: failing(p)[1], every_part])
@pytest.mark.parametrize("indent", [False, True])
def test_the_written_document_is_the_documents_plain_form(tmp_path: Path, make, indent: bool) -> None:
    """Written straight from the comparison's records, the JSON holds exactly what `to_json` says:
    every field, the derived `passed` and `schema_changed`, nothing else."""
    comparison = make(tmp_path)
    data = json.loads(render_json(comparison, indent=indent))
    assert data == json.loads(json.dumps(comparison.to_json()))
    assert [model["passed"] for model in data["models"]] == [model.passed for model in comparison.models]
    if make is every_part:
        checks = [model["data"] for model in data["models"] if model["data"] is not None]
        assert checks and all(isinstance(check["schema_changed"], bool) for check in checks)


def test_names_that_could_rewrite_a_terminal_are_escaped_losslessly(tmp_path: Path) -> None:
    from dataclasses import replace

    config, comparison = passing(tmp_path)
    odd = replace(comparison, notes=["bidi \u202e, C1 \x9b, surrogate \ud800, plain é"])
    text = render(odd, "json", config=config)
    assert "\\u202e" in text and "\\u009b" in text and "\\ud800" in text and "plain é" in text
    text.encode("utf-8")  # nothing left that cannot be written
    assert json.loads(text)["notes"] == odd.notes
