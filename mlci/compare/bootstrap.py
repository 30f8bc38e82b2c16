"""Is a metric's change real? A paired bootstrap over the test rows both models predicted.

Both models' predictions for the same rows are resampled together (the same rows drawn, with
replacement, for both), and the metric's change is computed on each resample. The middle
`confidence` share of those changes is the interval: when it holds zero, the change is within the
noise of this test set. Resamples are drawn from a seeded generator, so a report never changes
between re-runs of the same job.

Metrics that are means of a per-row quantity (accuracy, absolute or squared error, and R², which is
built from such means) are computed for a whole block of resamples at once with numpy; any other
scikit-learn metric goes through the scorer itself on each resample, through the same stored
predictions the recorded metrics came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlci.config.schema import NoiseSpec

if TYPE_CHECKING:
    import numpy as np

    from mlci.training.metrics import ResolvedMetric
    from mlci.training.scoring import StoredPredictions

BLOCK_CELLS = 4_000_000  # row indices drawn per block: bounds memory at ~32 MB whatever the test set size


@dataclass(frozen=True)
class ChangeInterval:
    """The `confidence` interval of head minus base, from `resamples` paired resamples."""

    low: float
    high: float
    confidence: float
    resamples: int

    @property
    def holds_zero(self) -> bool:
        return self.low <= 0.0 <= self.high


@dataclass(frozen=True)
class ModelNoise:
    """The bootstrap's findings for one model: an interval per metric it could compute, why not for
    the whole model (no predictions on one side, or not the same test rows), and why not for each
    metric it could not compute (`unknown`: a command model's metric mlci cannot tell the kind of)."""

    intervals: dict[str, ChangeInterval]
    unknown_reason: str | None = None
    unknown: dict[str, str] = field(default_factory=dict)


def resample_blocks(rows: int, settings: NoiseSpec) -> Any:
    """Blocks of resamples (each a row of `rows` indices drawn with replacement), seeded."""
    import numpy as np

    generator = np.random.default_rng(settings.seed)
    per_block = max(1, BLOCK_CELLS // max(rows, 1))
    remaining = settings.resamples
    while remaining > 0:
        size = min(per_block, remaining)
        remaining -= size
        yield generator.integers(0, rows, size=(size, rows))


def paired_changes(
    metric: ResolvedMetric, base: StoredPredictions, head: StoredPredictions, settings: NoiseSpec
) -> np.ndarray:
    """The metric's change (head minus base, as reported) on each resample."""
    import numpy as np

    vectorised = _vectorised(metric, base, head)
    changes = []
    for block in resample_blocks(len(head), settings):
        if vectorised is not None:
            changes.append(vectorised(block))
            continue
        for rows in block:
            head_value = head.score([metric], rows=rows)[metric.name]
            base_value = base.score([metric], rows=rows)[metric.name]
            changes.append(np.array([head_value - base_value]))
    return np.concatenate(changes)


def change_interval(
    metric: ResolvedMetric, base: StoredPredictions, head: StoredPredictions, settings: NoiseSpec
) -> ChangeInterval:
    import numpy as np

    changes = paired_changes(metric, base, head, settings)
    tail = (1.0 - settings.confidence) / 2 * 100
    low, high = np.percentile(changes, [tail, 100 - tail])
    return ChangeInterval(
        low=float(low), high=float(high), confidence=settings.confidence, resamples=settings.resamples
    )


def _vectorised(
    metric: ResolvedMetric, base: StoredPredictions, head: StoredPredictions
) -> Callable[[np.ndarray], np.ndarray] | None:
    """A function of a block of resamples giving the change on each, or None for other metrics."""
    import numpy as np

    scorer = metric.scorer_name.removeprefix("neg_")
    sign = -1.0 if metric.scorer_name.startswith("neg_") and not metric.negate else 1.0
    y_true = head.y_true
    head_pred, base_pred = _point_predictions(head), _point_predictions(base)
    if head_pred is None or base_pred is None:
        return None
    if scorer == "accuracy":
        head_rows = (head_pred == y_true).astype(float)
        base_rows = (base_pred == y_true).astype(float)
        return lambda block: head_rows[block].mean(axis=1) - base_rows[block].mean(axis=1)
    if scorer == "f1_macro":
        return _f1_macro_change(y_true, base_pred, head_pred)
    if scorer not in ("mean_absolute_error", "mean_squared_error", "root_mean_squared_error", "r2"):
        return None
    y = y_true.astype(float)
    head_error, base_error = head_pred.astype(float) - y, base_pred.astype(float) - y
    if scorer == "mean_absolute_error":
        head_abs, base_abs = np.abs(head_error), np.abs(base_error)
        return lambda block: sign * (head_abs[block].mean(axis=1) - base_abs[block].mean(axis=1))
    head_sq, base_sq = head_error**2, base_error**2
    if scorer == "mean_squared_error":
        return lambda block: sign * (head_sq[block].mean(axis=1) - base_sq[block].mean(axis=1))
    if scorer == "root_mean_squared_error":
        return lambda block: sign * (np.sqrt(head_sq[block].mean(axis=1)) - np.sqrt(base_sq[block].mean(axis=1)))

    def r2_change(block: np.ndarray) -> np.ndarray:
        drawn = y[block]
        total = ((drawn - drawn.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (base_sq[block].sum(axis=1) - head_sq[block].sum(axis=1)) / total

    return r2_change


def _f1_macro_change(y_true: np.ndarray, base_pred: np.ndarray, head_pred: np.ndarray) -> Callable:
    """Macro F1 from per-class counts on each resample: 2·TP / (2·TP + FP + FN), averaged over the
    labels seen in the truth or the predictions of that side (what scikit-learn averages over)."""
    import numpy as np

    labels = np.unique(np.concatenate([y_true, base_pred, head_pred]))

    def f1(pred: np.ndarray, block: np.ndarray) -> np.ndarray:
        truth, guess = y_true[block], pred[block]
        scores, present = [], []
        for label in labels:
            is_true, is_pred = truth == label, guess == label
            tp = (is_true & is_pred).sum(axis=1)
            wrong = (is_true ^ is_pred).sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                scores.append(np.where(2 * tp + wrong > 0, 2 * tp / (2 * tp + wrong), 0.0))
            present.append((is_true | is_pred).any(axis=1))
        scores_matrix, present_matrix = np.array(scores), np.array(present)
        return (scores_matrix * present_matrix).sum(axis=0) / present_matrix.sum(axis=0)

    return lambda block: f1(head_pred, block) - f1(base_pred, block)


def _point_predictions(predictions: StoredPredictions) -> np.ndarray | None:
    return getattr(predictions.estimator, "predictions", None)
