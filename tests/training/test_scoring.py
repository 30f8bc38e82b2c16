"""Metric names resolved through scikit-learn's scorers, and metric values computed from stored
predictions, on all rows or on a bootstrap selection of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, roc_auc_score

from mlci.errors import ConfigError
from mlci.training.metrics import metric_names, resolve_metrics
from mlci.training.predictions import classes_from_columns
from mlci.training.scoring import MetricComputationError, StoredPredictions, score_predictions
from tests.compare.factories import make_config

CONFIG = """\
version: 1
models:
  m:
    data: {{train: d.csv, target: y}}
    estimator: sklearn.linear_model.LogisticRegression
    metrics: {metrics}
"""


def resolved(tmp_path: Path, metrics: str):
    config = make_config(tmp_path, CONFIG.format(metrics=metrics))
    return resolve_metrics(config, config.models["m"])


def test_names_resolve_to_scorers_with_goals(tmp_path: Path) -> None:
    metrics = resolved(tmp_path, "[accuracy, log_loss, neg_log_loss, root_mean_squared_error]")

    assert [(m.name, m.scorer_name, m.goal, m.negate) for m in metrics] == [
        ("accuracy", "accuracy", "maximize", False),
        ("log_loss", "neg_log_loss", "minimize", True),
        ("neg_log_loss", "neg_log_loss", "maximize", False),
        ("root_mean_squared_error", "neg_root_mean_squared_error", "minimize", True),
    ]
    assert "mean_absolute_error" in metric_names() and "neg_mean_absolute_error" in metric_names()


def test_names_people_use_are_scikit_learns_metrics_under_the_name_written(tmp_path: Path) -> None:
    metrics = resolved(tmp_path, "[rmse, mae, mse, auc, f1, r2, Accuracy, roc_auc_score, ROC-AUC, logloss, mcc]")

    assert [(m.name, m.scorer_name, m.goal, m.negate) for m in metrics] == [
        ("rmse", "neg_root_mean_squared_error", "minimize", True),
        ("mae", "neg_mean_absolute_error", "minimize", True),
        ("mse", "neg_mean_squared_error", "minimize", True),
        ("auc", "roc_auc", "maximize", False),
        ("f1", "f1", "maximize", False),
        ("r2", "r2", "maximize", False),
        ("Accuracy", "accuracy", "maximize", False),
        ("roc_auc_score", "roc_auc", "maximize", False),
        ("ROC-AUC", "roc_auc", "maximize", False),
        ("logloss", "neg_log_loss", "minimize", True),
        ("mcc", "matthews_corrcoef", "maximize", False),
    ]


def test_an_unknown_name_points_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"mlci\.yaml:6: models\.m\.metrics\[1\]: unknown metric 'acuracy'"):
        resolved(tmp_path, "[f1_macro, acuracy]")


def binary_predictions() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, 200)
    proba = np.clip(y_true * 0.6 + rng.uniform(0, 0.4, 200), 0.01, 0.99)
    return pd.DataFrame({"y_true": y_true, "y_pred": (proba > 0.5).astype(int), "proba_0": 1 - proba, "proba_1": proba})


def test_classification_metrics_equal_scikit_learns_functions(tmp_path: Path) -> None:
    frame = binary_predictions()
    metrics = resolved(tmp_path, "[accuracy, roc_auc, log_loss]")

    values = score_predictions(frame, metrics, task="classification", classes=[0, 1])

    assert values["accuracy"] == accuracy_score(frame.y_true, frame.y_pred)
    assert values["roc_auc"] == roc_auc_score(frame.y_true, frame.proba_1)
    assert values["log_loss"] == pytest.approx(log_loss(frame.y_true, frame[["proba_0", "proba_1"]]))


def test_rows_select_a_resample_with_repeats(tmp_path: Path) -> None:
    frame = binary_predictions()
    metrics = resolved(tmp_path, "[accuracy, roc_auc]")
    stored = StoredPredictions.from_frame(frame, task="classification", classes=[0, 1])
    rows = np.random.default_rng(1).integers(0, len(frame), len(frame))

    values = stored.score(metrics, rows=rows)

    sample = frame.iloc[rows]
    assert len(stored) == 200
    assert values["accuracy"] == accuracy_score(sample.y_true, sample.y_pred)
    assert values["roc_auc"] == roc_auc_score(sample.y_true, sample.proba_1)


def test_regression_and_a_decision_function(tmp_path: Path) -> None:
    regression = pd.DataFrame({"y_true": [1.0, 2.0, 3.0, 4.0], "y_pred": [1.5, 2.0, 2.5, 5.0]})
    config = make_config(tmp_path, CONFIG.format(metrics="[root_mean_squared_error, r2]"))
    metrics = resolve_metrics(config, config.models["m"])
    values = score_predictions(regression, metrics, task="regression", classes=None)
    assert values["root_mean_squared_error"] == pytest.approx(
        mean_squared_error(regression.y_true, regression.y_pred) ** 0.5
    )

    scores = pd.DataFrame(
        {"y_true": ["no", "yes", "yes", "no"], "y_pred": ["no", "yes", "no", "no"], "score": [-2.0, 1.5, -0.1, -1.0]}
    )
    auc = score_predictions(scores, resolved(tmp_path, "[roc_auc]"), task="classification", classes=None)
    assert auc == {"roc_auc": 1.0}


def test_a_metric_that_does_not_suit_the_predictions_is_named(tmp_path: Path) -> None:
    frame = pd.DataFrame({"y_true": ["a", "b", "c"], "y_pred": ["a", "b", "b"]})
    with pytest.raises(MetricComputationError) as caught:
        score_predictions(frame, resolved(tmp_path, "[log_loss]"), task="classification", classes=None)
    assert caught.value.metric == "log_loss" and "cannot be computed" in caught.value.message


def test_a_non_finite_metric_is_refused(tmp_path: Path) -> None:
    one_row = pd.DataFrame({"y_true": [1.0], "y_pred": [2.0]})
    config = make_config(tmp_path, CONFIG.format(metrics="[r2]"))
    with pytest.raises(MetricComputationError, match="metric r2: is nan on these 1 test rows"):
        score_predictions(one_row, resolve_metrics(config, config.models["m"]), task="regression", classes=None)


def test_classes_are_read_back_from_column_names_with_the_labels_type() -> None:
    numbers = pd.DataFrame(
        {"y_true": [2, 0], "y_pred": [2, 2], "proba_0": [0.1, 0.2], "proba_1": [0.1, 0.1], "proba_2": [0.8, 0.7]}
    )
    texts = pd.DataFrame({"y_true": ["b"], "y_pred": ["b"], "proba_a": [0.1], "proba_b": [0.9]})

    assert classes_from_columns(numbers) == [0, 1, 2] and all(type(c) is int for c in classes_from_columns(numbers))
    assert classes_from_columns(texts) == ["a", "b"]
    assert classes_from_columns(pd.DataFrame({"y_true": [1.0], "y_pred": [1.0]})) is None
