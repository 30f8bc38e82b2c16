"""Pictures of a run, with the `plots` extra (matplotlib): saved as run files, so CI can keep them with
`actions/upload-artifact` and the job summary can point at them; nothing is uploaded anywhere.

Classifiers get a confusion matrix, and for two classes with probabilities ROC and precision-recall
curves; regressors get residuals against predictions; a model with `feature_importances_` or `coef_`
gets its top features. Everything but the importances is drawn from `predictions.csv`, so the pictures
show exactly the predictions the metrics were computed from.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.runs.run import PICTURE_ROLE_PREFIX
from mlci.training.predictions import PROBA_PREFIX, Y_PRED, Y_TRUE

if TYPE_CHECKING:
    import pandas as pd

TOP_FEATURES = 15
# Beyond these, a curve or a scatter shows nothing more in a picture of this size, only takes longer.
CURVE_POINTS = 2_000
SCATTER_POINTS = 5_000


def plots_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def write_plots(
    predictions: pd.DataFrame, *, classification: bool, importances: list[tuple[str, float]], folder: Path
) -> dict[str, Path]:
    """The pictures of one run, written into `folder`; role -> path (empty without matplotlib).
    `importances` are the model's top features (`model_importances`), drawn as they are."""
    if not plots_available():
        return {}
    import matplotlib

    matplotlib.use("Agg")  # files only: CI runners have no display
    import matplotlib.pyplot as plt

    written: dict[str, Path] = {}

    def save(name: str, figure: Any) -> None:
        role = PICTURE_ROLE_PREFIX + name
        path = folder / f"{role.replace('_', '-')}.png"
        figure.tight_layout()
        figure.savefig(path, dpi=100)
        plt.close(figure)
        written[role] = path

    if classification:
        save("confusion_matrix", _confusion(plt, predictions))
        proba = [c for c in predictions.columns if c.startswith(PROBA_PREFIX)]
        if len(proba) == 2:
            save("roc_pr", _roc_pr(plt, predictions, positive=proba[1]))
    else:
        save("residuals", _residuals(plt, predictions))
    if importances:
        save("feature_importance", _importance_chart(plt, importances))
    return written


def _confusion(plt: Any, predictions: pd.DataFrame) -> Any:
    import pandas as pd

    table = pd.crosstab(predictions[Y_TRUE].astype(str), predictions[Y_PRED].astype(str))
    figure, axes = plt.subplots(figsize=(4.5, 4))
    axes.imshow(table.to_numpy(), cmap="Blues")
    axes.set_xticks(range(len(table.columns)), table.columns, rotation=45)
    axes.set_yticks(range(len(table.index)), table.index)
    for (row, column), value in pd.DataFrame(table.to_numpy()).stack().items():
        axes.text(column, row, str(value), ha="center", va="center")
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title("Confusion matrix (test rows)")
    return figure


def _roc_pr(plt: Any, predictions: pd.DataFrame, *, positive: str) -> Any:
    label = positive.removeprefix(PROBA_PREFIX)
    truth = (predictions[Y_TRUE].astype(str) == label).to_numpy()
    scores = predictions[positive].to_numpy(dtype=float)
    figure, (roc, pr) = plt.subplots(1, 2, figsize=(8, 3.8))
    fpr, tpr, precision, recall = (_thinned(points) for points in _curves(truth, scores))
    roc.plot(fpr, tpr)
    roc.plot([0, 1], [0, 1], linestyle=":", color="grey")
    roc.set(xlabel="false positive rate", ylabel="true positive rate", title=f"ROC ({label})")
    pr.plot(recall, precision)
    pr.set(xlabel="recall", ylabel="precision", title=f"Precision-recall ({label})")
    return figure


def _curves(truth: Any, scores: Any) -> tuple[Any, Any, Any, Any]:
    """ROC (false and true positive rates) and precision-recall points at every distinct score, as
    scikit-learn's `roc_curve` and `precision_recall_curve` give them; with numpy alone, so the
    process that draws needs no scikit-learn (seconds to import)."""
    import numpy as np

    order = np.argsort(-scores, kind="mergesort")
    ranked, hits = scores[order], truth[order].astype(float)
    # The last row of each run of equal scores: a threshold there takes the whole run at once.
    cuts = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    true_positives = np.cumsum(hits)[cuts]
    false_positives = cuts + 1 - true_positives
    positives, negatives = max(true_positives[-1], 1.0), max(false_positives[-1], 1.0)
    fpr = np.r_[0.0, false_positives / negatives]
    tpr = np.r_[0.0, true_positives / positives]
    # The curve starts where nothing is predicted positive: recall 0, precision 1 by convention.
    precision = np.r_[1.0, true_positives / (true_positives + false_positives)]
    recall = np.r_[0.0, true_positives / positives]
    return fpr, tpr, precision, recall


def _thinned(points: Any) -> Any:
    """At most CURVE_POINTS of a curve's points, evenly spread and both ends kept: a picture 800
    pixels wide shows no more, and a million-row test set would take seconds to draw."""
    import numpy as np

    if len(points) <= CURVE_POINTS:
        return points
    return points[np.unique(np.linspace(0, len(points) - 1, CURVE_POINTS).round().astype(int))]


def _residuals(plt: Any, predictions: pd.DataFrame) -> Any:
    rows = len(predictions)
    title = "Residuals (test rows)"
    if rows > SCATTER_POINTS:
        # A fixed sample, so the same predictions always give the same picture.
        predictions = predictions.sample(n=SCATTER_POINTS, random_state=0)
        title = f"Residuals ({SCATTER_POINTS:,} of {rows:,} test rows)"
    predicted = predictions[Y_PRED].to_numpy(dtype=float)
    residuals = predictions[Y_TRUE].to_numpy(dtype=float) - predicted
    figure, axes = plt.subplots(figsize=(5, 3.8))
    axes.scatter(predicted, residuals, s=8, alpha=0.6)
    axes.axhline(0, color="grey", linestyle=":")
    axes.set(xlabel="predicted", ylabel="true - predicted", title=title)
    return figure


def model_importances(model: Any, feature_names: list[str]) -> list[tuple[str, float]]:
    """The top features of a fitted model (or a Pipeline's final step) by `feature_importances_` or
    the mean absolute `coef_`, named as that step saw them; empty when it has neither."""
    import numpy as np

    estimator = model.steps[-1][1] if hasattr(model, "steps") else model
    values = getattr(estimator, "feature_importances_", None)
    if values is None and getattr(estimator, "coef_", None) is not None:
        values = np.abs(np.atleast_2d(estimator.coef_)).mean(axis=0)
    if values is None:
        return []
    names = _transformed_names(model, feature_names)
    if len(names) != len(values):
        names = [f"feature {i}" for i in range(len(values))]
    ranked = sorted(zip(names, map(float, values), strict=True), key=lambda pair: pair[1], reverse=True)
    return ranked[:TOP_FEATURES]


def _transformed_names(model: Any, feature_names: list[str]) -> list[str]:
    """The names of the features the final estimator saw, after a Pipeline's transformers; the input
    columns when a step cannot name its output (a FunctionTransformer without `feature_names_out`)."""
    if not hasattr(model, "steps"):
        return feature_names
    try:
        return [str(name) for name in model[:-1].get_feature_names_out()]
    except (AttributeError, ValueError, TypeError, NotImplementedError):
        return feature_names


def _importance_chart(plt: Any, importances: list[tuple[str, float]]) -> Any:
    figure, axes = plt.subplots(figsize=(6, 0.3 * len(importances) + 1.2))
    names = [name for name, _ in reversed(importances)]
    axes.barh(names, [value for _, value in reversed(importances)])
    axes.set_title("Feature importance (top features)")
    return figure
