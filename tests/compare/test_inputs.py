"""Telling whether two runs' test-set predictions were made from the same inputs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mlci.compare.inputs import InputsDifference, TestInputs, inputs_difference
from mlci.runs import Run
from tests.compare.factories import make_run

FEATURES = {"x1": "xxh3:1", "x2": "xxh3:2"}
SAME = TestInputs(rows=120, target="xxh3:t", features=FEATURES)


def with_inputs(recorded: object) -> Run:
    run = make_run("iris", {"accuracy": 0.5})
    return replace(run, lineage={**run.lineage, "test_inputs": recorded})


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (SAME, None),
        (TestInputs(rows=121, target="xxh3:t", features=FEATURES), InputsDifference("rows")),
        (TestInputs(rows=120, target="xxh3:other", features=FEATURES), InputsDifference("target")),
        (TestInputs(rows=120, target="xxh3:other", features={**FEATURES, "x2": "xxh3:9"}), InputsDifference("rows")),
        (
            TestInputs(rows=120, target="xxh3:t", features={**FEATURES, "x2": "xxh3:9"}),
            InputsDifference("features", ["x2"]),
        ),
        # A column only one side was given changes the model, not the inputs both are judged on.
        (TestInputs(rows=120, target="xxh3:t", features={"x1": "xxh3:1", "x3": "xxh3:3"}), None),
        # A side that does not know its features (a command model, an older run) is judged by its target.
        (TestInputs(rows=120, target="xxh3:t"), None),
        (TestInputs(rows=120, target="xxh3:other"), InputsDifference("rows")),
        (None, None),
    ],
)
def test_what_differs_is_named(head: TestInputs | None, expected: InputsDifference | None) -> None:
    assert inputs_difference(head, SAME) == expected


def test_a_run_without_recorded_inputs_is_known_by_its_predictions() -> None:
    predictions = b"y_true,y_pred\n1,1\n0,1\n"
    recorded = with_inputs({"rows": 2, "target": "xxh3:t"})
    older = make_run("iris", {"accuracy": 0.5})

    assert TestInputs.of(recorded, predictions) == TestInputs(rows=2, target="xxh3:t")
    found = TestInputs.of(older, predictions)
    assert found is not None and found.rows == 2 and found.features is None
    assert TestInputs.of(older, None) is None


@pytest.mark.parametrize(
    "damaged", ["text", {"rows": "2", "target": "xxh3:t"}, {"rows": 2}, {"rows": True, "target": "t"}]
)
def test_recorded_inputs_that_are_not_what_mlci_writes_are_not_trusted(damaged: object) -> None:
    assert TestInputs.of(with_inputs(damaged), None) is None


def test_recorded_features_that_are_not_fingerprints_are_not_known() -> None:
    found = TestInputs.of(with_inputs({"rows": 2, "target": "xxh3:t", "features": {"x": 5}}), None)
    assert found == TestInputs(rows=2, target="xxh3:t")
