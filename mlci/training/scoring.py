"""Metric values computed from stored test-set predictions, through scikit-learn's own scorers.

A scorer is called as `scorer(estimator, X, y_true)` and asks the estimator for `predict`,
`predict_proba` or `decision_function` as it needs. Here the estimator is a stand-in that
answers from the stored predictions, and `X` is an array of row numbers: so the same code scores
the whole test set after training, a `predictions.csv` read back later, or a bootstrap resample
(`rows` drawn with replacement), and every metric means exactly what scikit-learn means by it.

scikit-learn is imported only when scoring, so importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from mlci.config.records import record
from mlci.errors import TrainingError
from mlci.training.metrics import ResolvedMetric
from mlci.training.predictions import PROBA_PREFIX, SCORE_COLUMN, SCORE_PREFIX, Y_PRED, Y_TRUE

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Task = str
CANNOT_COMPUTE = "cannot be computed from these predictions"
MAX_CLASSES_SHOWN = 5


class MetricComputationError(TrainingError):
    """A metric could not be computed from the predictions (it does not suit them), or is not finite."""

    def __init__(self, metric: str, reason: str, *, hint: str | None = None) -> None:
        super().__init__(f"metric {metric}: {reason}", hint=hint)
        self.metric = metric
        self.reason = reason


@record
class StoredPredictions:
    """Test-set predictions, ready to be scored on all their rows or any selection of them."""

    y_true: np.ndarray
    estimator: Any

    @classmethod
    def from_frame(cls, predictions: pd.DataFrame, *, task: Task, classes: Sequence[Any] | None) -> StoredPredictions:
        """From a frame in the `predictions.csv` format (`y_true`, `y_pred`, and for classifiers
        optional `proba_<class>` or `score` / `score_<class>` columns). `classes` is the model's
        `classes_` order; None takes the sorted labels seen in `y_true` and `y_pred`."""
        import numpy as np

        y_true = predictions[Y_TRUE].to_numpy()
        y_pred = predictions[Y_PRED].to_numpy()
        frozen_classifier, frozen_regressor = _frozen_estimator_classes()
        if task != "classification":
            return cls(y_true=y_true, estimator=frozen_regressor(predictions=y_pred))
        labels = np.asarray(list(classes)) if classes is not None else np.unique(np.concatenate([y_true, y_pred]))
        probabilities = scores = None
        proba_columns = [f"{PROBA_PREFIX}{label}" for label in labels]
        score_columns = [f"{SCORE_PREFIX}{label}" for label in labels]
        if all(column in predictions.columns for column in proba_columns):
            probabilities = predictions[proba_columns].to_numpy(dtype=float)
        if SCORE_COLUMN in predictions.columns:
            scores = predictions[SCORE_COLUMN].to_numpy(dtype=float)
        elif all(column in predictions.columns for column in score_columns):
            scores = predictions[score_columns].to_numpy(dtype=float)
        estimator = frozen_classifier(predictions=y_pred, probabilities=probabilities, scores=scores, classes=labels)
        return cls(y_true=y_true, estimator=estimator)

    def __len__(self) -> int:
        return len(self.y_true)

    def score(self, metrics: Sequence[ResolvedMetric], *, rows: np.ndarray | None = None) -> dict[str, float]:
        """Each metric's value on `rows` (row numbers, repeats allowed; default all rows), as reported:
        positive for a `neg_` scorer's alias. `MetricComputationError` when one cannot be computed
        or is not finite."""
        import warnings

        import numpy as np

        selected = np.arange(len(self.y_true)) if rows is None else np.asarray(rows, dtype=np.intp)
        x = selected.reshape(-1, 1)
        y_true = self.y_true[selected]
        values = {}
        for metric in metrics:
            scorer = metric.scorer()
            try:
                with warnings.catch_warnings():
                    # Undefined cases (no predicted samples of a class) are scored 0 by scikit-learn,
                    # which is the value the metric reports; a warning per metric would only be noise.
                    warnings.simplefilter("ignore", category=UserWarning)
                    value = float(scorer(self.estimator, x, y_true))
            except (ValueError, TypeError, AttributeError, IndexError) as exc:
                raise MetricComputationError(
                    metric.name, f"{CANNOT_COMPUTE}: {exc}", hint=_hint_for(str(exc))
                ) from None
            if metric.negate:
                value = -value
            if not math.isfinite(value):
                raise MetricComputationError(
                    metric.name,
                    f"is {value} on these {len(selected)} test rows",
                    hint="A metric that is not a finite number cannot be compared; check that the test set is "
                    "large enough and holds more than one value of the target.",
                )
            values[metric.name] = value
        return values


def score_predictions(
    predictions: pd.DataFrame,
    metrics: Sequence[ResolvedMetric],
    *,
    task: Task,
    classes: Sequence[Any] | None,
    rows: np.ndarray | None = None,
) -> dict[str, float]:
    """The value of each of `metrics` on the stored `predictions` (the `predictions.csv` format),
    on all rows or on `rows` (row numbers; repeats allowed, as in a bootstrap resample)."""
    return StoredPredictions.from_frame(predictions, task=task, classes=classes).score(metrics, rows=rows)


def check_target_fits(metrics: Sequence[ResolvedMetric], target: pd.Series) -> None:
    """`MetricComputationError` for a metric no classifier's predictions of `target` could give: a
    binary metric (`f1`, `roc_auc`) for three classes, `f1` for labels that are not 0 and 1. Found by
    scoring perfect predictions (one-hot probabilities included) with the scorer itself, so what is
    refused here before the fit is exactly what would fail after it."""
    import numpy as np
    import pandas as pd

    y = target.to_numpy()
    classes = np.unique(y)
    frame = pd.DataFrame({Y_TRUE: y, Y_PRED: y})
    for label in classes:
        frame[f"{PROBA_PREFIX}{label}"] = (y == label).astype(float)
    perfect = StoredPredictions.from_frame(frame, task="classification", classes=list(classes))
    for metric in metrics:
        try:
            perfect.score([metric])
        except MetricComputationError as exc:
            if not exc.reason.startswith(CANNOT_COMPUTE):
                continue  # a value that is not finite depends on the predictions: only the real ones tell
            shown = ", ".join(str(label) for label in classes[:MAX_CLASSES_SHOWN])
            more = ", ..." if len(classes) > MAX_CLASSES_SHOWN else ""
            reason = exc.reason.removeprefix(CANNOT_COMPUTE).removeprefix(": ")
            raise MetricComputationError(
                metric.name,
                f"cannot be computed for the target {target.name!r} ({len(classes)} classes: {shown}{more}): {reason}",
                hint=exc.hint,
            ) from None


def _hint_for(reason: str) -> str | None:
    if "pos_label" in reason:
        return (
            "Binary metrics such as f1, precision and recall need the positive class to be 1; use the "
            "_macro or _weighted variant, or encode the target as 0/1."
        )
    if "multiclass" in reason or "multi_class" in reason:
        return (
            "f1, precision, recall and roc_auc are scikit-learn's metrics for two classes; for more, use a "
            "multiclass variant such as f1_macro, f1_weighted or roc_auc_ovr."
        )
    return None


@cache
def _frozen_estimator_classes() -> tuple[type, type]:
    """The stand-in estimator classes, defined on first use because they subclass scikit-learn's
    mixins (which set the estimator type scorers look at) and importing it here would slow every
    command that imports this module."""
    import numpy as np
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.utils.metaestimators import available_if

    def rows(x: Any) -> np.ndarray:
        return np.asarray(x, dtype=np.intp).reshape(-1)

    class FrozenClassifier(ClassifierMixin, BaseEstimator):
        """Answers `predict`, `predict_proba` and `decision_function` from stored arrays, by row number."""

        def __init__(
            self, predictions: Any = None, probabilities: Any = None, scores: Any = None, classes: Any = None
        ) -> None:
            self.predictions = predictions
            self.probabilities = probabilities
            self.scores = scores
            self.classes = classes
            self.classes_ = classes

        def fit(self, x: Any, y: Any = None) -> FrozenClassifier:
            return self

        def predict(self, x: Any) -> np.ndarray:
            return self.predictions[rows(x)]

        @available_if(lambda self: self.probabilities is not None)
        def predict_proba(self, x: Any) -> np.ndarray:
            return self.probabilities[rows(x)]

        @available_if(lambda self: self.scores is not None)
        def decision_function(self, x: Any) -> np.ndarray:
            return self.scores[rows(x)]

    class FrozenRegressor(RegressorMixin, BaseEstimator):
        """Answers `predict` from a stored array, by row number."""

        def __init__(self, predictions: Any = None) -> None:
            self.predictions = predictions

        def fit(self, x: Any, y: Any = None) -> FrozenRegressor:
            return self

        def predict(self, x: Any) -> np.ndarray:
            return self.predictions[rows(x)]

    return FrozenClassifier, FrozenRegressor
