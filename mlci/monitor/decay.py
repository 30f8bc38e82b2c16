"""Has the model's quality decayed? Its metrics on the batch against the values its version recorded.

The recorded value is a number; the batch is a sample. So this is a one-sample bootstrap: the batch's
rows are resampled (seeded, `noise:` settings), the metric computed on each resample, and the middle
`confidence` share of those values is the metric's interval on the batch. A metric decayed when it
fell by more than its `max_drop` and (with `significant`, the default) the whole interval lies on the
worse side of the recorded value: a small batch's bad luck is no alert.

Accuracy, macro F1, macro precision and recall and balanced accuracy are drawn as counts of
(truth, prediction) categories (`mlci.compare.counted`), as the comparison's bootstrap does; MAE, MSE,
RMSE and R² are sums of per-row quantities, so a resample costs one gather of a small table
(`mlci.compare.bootstrap.column_sums`); any other metric goes through its scikit-learn scorer on each
resample.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlci.compare.bootstrap import column_sums, resample_blocks
from mlci.compare.counted import COUNTED, counted_values
from mlci.compare.metrics import within_tolerance
from mlci.config.schema import NoiseSpec, WatchSpec
from mlci.monitor.result import MetricCheck
from mlci.training.metrics import ResolvedMetric
from mlci.training.scoring import StoredPredictions

if TYPE_CHECKING:
    import numpy as np

SUMMED = ("mean_absolute_error", "mean_squared_error", "root_mean_squared_error", "r2")


def metric_samples(metric: ResolvedMetric, predictions: StoredPredictions, settings: NoiseSpec) -> np.ndarray:
    """The metric's value (as reported) on each of `settings.resamples` resamples of the rows."""
    import numpy as np

    scorer = metric.scorer_name.removeprefix("neg_")
    predicted = getattr(predictions.estimator, "predictions", None)
    if scorer in COUNTED and predicted is not None:
        return counted_values(scorer, predictions.y_true, predicted, settings)
    summed = _summed(metric, predictions)
    if summed is not None:
        table, value = summed
        blocks = resample_blocks(len(predictions), settings)
        return np.concatenate([value(column_sums(table, block)) for block in blocks])
    values = [
        predictions.score([metric], rows=rows)[metric.name]
        for block in resample_blocks(len(predictions), settings)
        for rows in block
    ]
    return np.asarray(values, dtype=float)


def check_metric(
    watch: WatchSpec,
    metric: ResolvedMetric,
    *,
    recorded: float,
    predictions: StoredPredictions,
    settings: NoiseSpec,
) -> MetricCheck:
    """`metric` on the batch's `predictions` against `recorded`, judged by `watch`."""
    import numpy as np

    value = predictions.score([metric])[metric.name]
    low, high = value, value
    if settings.resamples:
        with np.errstate(all="ignore"):
            samples = metric_samples(metric, predictions, settings)
        samples = samples[np.isfinite(samples)]
        if len(samples):
            tail = (1.0 - settings.confidence) / 2 * 100
            low, high = (float(end) for end in np.percentile(samples, [tail, 100 - tail]))
    maximize = metric.goal == "maximize"
    drop = recorded - value if maximize else value - recorded
    allowed = watch.max_drop / 100 * abs(recorded) if watch.max_drop_is_percent else watch.max_drop
    # Without resamples there is no interval, and so no telling noise from decay: every drop counts.
    significant = (high < recorded if maximize else low > recorded) if settings.resamples else True
    beyond = drop > allowed and not within_tolerance(drop - allowed, reference=recorded)
    return MetricCheck(
        metric=metric.name,
        goal=metric.goal,
        recorded=recorded,
        value=value,
        low=low,
        high=high,
        confidence=settings.confidence,
        drop=drop,
        max_drop=allowed,
        significant=significant,
        decayed=beyond and (significant or not watch.significant),
    )


def _summed(
    metric: ResolvedMetric, predictions: StoredPredictions
) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]] | None:
    """For a metric built from sums of per-row quantities: the table of those quantities and the
    metric as a function of its column sums over each resample; None for other metrics."""
    import numpy as np

    scorer = metric.scorer_name.removeprefix("neg_")
    predicted = getattr(predictions.estimator, "predictions", None)
    if scorer not in SUMMED or predicted is None:
        return None
    rows = len(predictions)
    sign = -1.0 if metric.scorer_name.startswith("neg_") and not metric.negate else 1.0
    y = predictions.y_true.astype(float)
    error = predicted.astype(float) - y
    if scorer == "mean_absolute_error":
        return np.abs(error), lambda sums: sign * sums / rows
    if scorer == "mean_squared_error":
        return error**2, lambda sums: sign * sums / rows
    if scorer == "root_mean_squared_error":
        return error**2, lambda sums: sign * np.sqrt(sums / rows)
    centred = y - y.mean()

    def r2(sums: np.ndarray) -> np.ndarray:
        total = sums[:, 2] - sums[:, 1] ** 2 / rows
        return 1.0 - sums[:, 0] / total

    return np.array([error**2, centred, centred**2]).T, r2
