"""`mlci monitor --format json`: real outputs of every verdict validate against the shipped JSON Schema,
and the schema names every field the result's dataclasses write."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jsonschema
import pytest

from mlci.monitor.result import FeatureCheck, MetricCheck, ModelMonitor, MonitorResult
from mlci.report.markdown import BUILTIN_TEMPLATES
from testing.monitoring import CONFIG, mlci, production_project, sample, write_batch

pytestmark = pytest.mark.integration

SCHEMA_PATH = BUILTIN_TEMPLATES / "monitor.schema.json"
# Two models, so a run's document holds several.
TWO_MODELS = CONFIG.replace(
    "monitor:\n",
    "  cautious:\n"
    "    data: {train: data/train.csv, target: label}\n"
    "    estimator: {class: sklearn.linear_model.LogisticRegression, params: {C: 0.05}}\n"
    "    metrics: [accuracy]\n"
    "monitor:\n",
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    document = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(document)
    return document


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """`mlci monitor --format json` of both models on a batch of each kind, by kind."""
    root = production_project(tmp_path_factory.mktemp("schema") / "project", config=TWO_MODELS, rows=600)
    odd = sample(300, seed=10).drop(columns=["label"])
    odd.loc[odd.index[:90], "x2"] = None  # a missing-value rate that changed
    odd["x3"] = odd["x3"].map(lambda value: f"v{value:.1f}")  # numeric in training, text now: retyped
    batches = {
        "healthy": sample(500, seed=8),
        "drifted": sample(400, seed=9, shift={"x1": 3.0, "x4": -3.0}),
        "decayed": sample(500, seed=7, flip=0.3),
        "not_enough_data": sample(50, seed=11),
        "unlabelled": odd,
    }
    found = {}
    for kind, frame in batches.items():
        batch = write_batch(root, frame, f"{kind}.csv")
        result = mlci(root, "monitor", "--batch", str(batch), "--format", "json")
        assert result.exit_code in (0, 1), result.output
        found[kind] = json.loads(result.stdout)
    return found


def test_every_kind_of_result_validates_against_the_schema(
    outputs: dict[str, dict[str, Any]], schema: dict[str, Any]
) -> None:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    for document in outputs.values():
        validator.validate(document)
        assert document["schema_version"] == 1 and len(document["models"]) == 2
    statuses = {kind: {model["status"] for model in document["models"]} for kind, document in outputs.items()}
    assert statuses["healthy"] == {"healthy"} and statuses["not_enough_data"] == {"not enough data"}
    assert "drift" in " ".join(statuses["drifted"]) and statuses["decayed"] == {"decay"}
    unlabelled = outputs["unlabelled"]["models"][0]
    assert unlabelled["metrics"] == [] and unlabelled["missing"] == [["x2", 0.0, 0.3]]
    assert {feature["kind"] for feature in unlabelled["features"]} == {"numeric", "retyped"}


def test_every_field_of_an_output_is_in_the_schema(outputs: dict[str, dict[str, Any]], schema: dict[str, Any]) -> None:
    """The schema lets readers meet fields it does not name, so validating alone would not notice one."""
    defs = schema["$defs"]
    for document in outputs.values():
        assert set(document) == set(schema["properties"])
        for model in document["models"]:
            assert set(model) == set(defs["model"]["properties"])
            assert all(set(feature) == set(defs["feature"]["properties"]) for feature in model["features"])
            assert all(set(metric) == set(defs["metric"]["properties"]) for metric in model["metrics"])


@pytest.mark.parametrize(
    ("dataclass", "definition", "derived"),
    [
        (MonitorResult, None, {"schema_version", "healthy"}),
        (ModelMonitor, "model", {"status"}),
        (FeatureCheck, "feature", set()),
        (MetricCheck, "metric", set()),
    ],
)
def test_the_schema_names_every_field_of_the_result(
    schema: dict[str, Any], dataclass: type, definition: str | None, derived: set[str]
) -> None:
    # A field added to a dataclass reaches the JSON through `asdict`: it must reach the schema too.
    part = schema if definition is None else schema["$defs"][definition]
    written = {field.name for field in dataclasses.fields(dataclass)} | derived
    assert written == set(part["properties"]) == set(part["required"])
