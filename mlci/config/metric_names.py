"""Metric names as people write them, and the metrics mlci computes itself from a predictions file.

Papers, notebooks and other tools say `rmse`, `mae` or `auc` where scikit-learn's scorers say
`neg_root_mean_squared_error` or `roc_auc`. The short names here stand for the scikit-learn metric
they name everywhere; a name that is itself a scorer (`f1`, `r2`) always means that scorer. No
scikit-learn here: `mlci.yaml` is checked without importing it.
"""

from __future__ import annotations

# Short name -> the scikit-learn metric it stands for: a scorer, or a loss by its positive name
# (`mean_absolute_error` for the scorer `neg_mean_absolute_error`).
ALIASES: dict[str, str] = {
    "acc": "accuracy",
    "auc": "roc_auc",
    "mae": "mean_absolute_error",
    "mse": "mean_squared_error",
    "rmse": "root_mean_squared_error",
    "msle": "mean_squared_log_error",
    "rmsle": "root_mean_squared_log_error",
    "mape": "mean_absolute_percentage_error",
    "medae": "median_absolute_error",
    "mcc": "matthews_corrcoef",
    "logloss": "log_loss",
    "brier": "brier_score",
    "brier_score_loss": "brier_score",
}

# The metrics the bootstrap computes from a predictions file with numpy alone (reported name ->
# scorer), so a command model's metric of one of these kinds gets its noise measured.
COMPUTED: dict[str, str] = {
    "accuracy": "accuracy",
    "f1_macro": "f1_macro",
    "r2": "r2",
    "mean_absolute_error": "neg_mean_absolute_error",
    "mean_squared_error": "neg_mean_squared_error",
    "root_mean_squared_error": "neg_root_mean_squared_error",
}

# How the kinds are named to people: the short names where there are some.
KIND_NAMES = ("accuracy", "f1_macro", "r2", "mae", "mse", "rmse")


def expand_alias(name: str) -> str:
    """The scikit-learn metric a short name stands for (`rmse` -> `root_mean_squared_error`), in
    any case; any other name as it is."""
    return ALIASES.get(name.lower(), name)


def computed_scorer(kind: str) -> tuple[str, bool] | None:
    """The scorer the bootstrap computes metric `kind` with, and whether the reported value is its
    negation (a loss reported positive); None when it is not one it computes itself. `kind` is a
    name of `COMPUTED`, a short name of one, or a loss's `neg_` scorer name, in any case (`Accuracy`)."""
    name = expand_alias(kind.lower())
    if name in COMPUTED:
        scorer = COMPUTED[name]
        return scorer, scorer != name
    if name in COMPUTED.values():
        return name, False
    return None
