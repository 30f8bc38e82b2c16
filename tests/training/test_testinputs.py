"""The fingerprints a run keeps of its test inputs tell apart what matters and nothing else."""

from __future__ import annotations

import pandas as pd

from mlci.training.testinputs import column_fingerprint, describe_test_inputs, target_fingerprint


def table() -> pd.DataFrame:
    return pd.DataFrame({"x": [0.5, 1.5, 2.5], "colour": ["red", "blue", None], "n": [1, 2, 3]})


def features(frame: pd.DataFrame) -> dict[str, str]:
    return describe_test_inputs(b"y_true,y_pred\n", frame)["features"]


def changed(frame: pd.DataFrame) -> list[str]:
    before = features(table())
    return [name for name, value in features(frame).items() if before.get(name) != value]


def test_each_feature_column_is_known_by_its_type_and_values_in_order() -> None:
    assert features(table()) == features(table()) and list(features(table())) == ["x", "colour", "n"]
    assert changed(table().assign(x=lambda frame: frame["x"] * 10)) == ["x"]
    assert changed(table().assign(colour=["red", "blue", "green"])) == ["colour"]
    assert changed(table().assign(n=lambda frame: frame["n"].astype(float))) == ["n"]
    assert changed(table().iloc[[1, 0, 2]]) == ["x", "colour", "n"]
    assert changed(table().rename(columns={"n": "count"})) == ["count"]


def test_the_index_is_not_an_input() -> None:
    assert column_fingerprint(table()["x"].set_axis([7, 8, 9])) == column_fingerprint(table()["x"])


def test_the_target_is_read_from_the_predictions_as_written() -> None:
    predictions = b"y_true,y_pred,proba_a\na,a,0.9\nb,a,0.6\n"
    rows, target = target_fingerprint(predictions)
    assert rows == 2 and target == target_fingerprint(b"y_pred,y_true\nz,a\nz,b\n")[1]
    assert target != target_fingerprint(b"y_true,y_pred\nb,a\na,a\n")[1]
    assert describe_test_inputs(predictions) == {"rows": 2, "target": target}
    assert set(describe_test_inputs(predictions, table())) == {"rows", "target", "features"}
