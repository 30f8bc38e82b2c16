"""A command model's metric goal, read from the name people give it, short names included."""

from __future__ import annotations

import pytest

from mlci.config.goals import goal_from_name


@pytest.mark.parametrize(
    "name",
    ["auc", "AUC", "accuracy", "Accuracy", "acc", "f1", "f1_score", "r2", "test.r2", "mcc", "roc_auc_score"],
)
def test_names_of_scores_are_maximized(name: str) -> None:
    assert goal_from_name(name) == "maximize"


@pytest.mark.parametrize(
    "name",
    ["rmse", "RMSE", "test.rmse", "mae", "mse", "mape", "msle", "medae", "logloss", "brier", "log_loss", "latency_ms"],
)
def test_names_of_errors_and_losses_are_minimized(name: str) -> None:
    assert goal_from_name(name) == "minimize"


@pytest.mark.parametrize("name", ["score", "throughput", "val_metric"])
def test_names_that_do_not_tell_have_no_goal(name: str) -> None:
    assert goal_from_name(name) is None
