"""Decay: the one-sample bootstrap of a metric on the batch, and when a drop counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score, mean_absolute_error

from mlci.compare.counted import counted_values
from mlci.config.schema import NoiseSpec, WatchSpec
from mlci.monitor.decay import check_metric, metric_samples
from mlci.training.metrics import ResolvedMetric
from mlci.training.scoring import StoredPredictions

ACCURACY = ResolvedMetric(name="accuracy", scorer_name="accuracy", goal="maximize", negate=False, index=0)
MAE = ResolvedMetric(name="mae", scorer_name="neg_mean_absolute_error", goal="minimize", negate=True, index=0)


def classified(rows: int, right: float, seed: int = 0) -> StoredPredictions:
    generator = np.random.default_rng(seed)
    truth = generator.choice(["a", "b", "c"], rows)
    wrong = pd.Series(truth).map({"a": "b", "b": "c", "c": "a"}).to_numpy()
    predicted = np.where(generator.random(rows) < right, truth, wrong)
    frame = pd.DataFrame({"y_true": truth, "y_pred": predicted})
    return StoredPredictions.from_frame(frame, task="classification", classes=None)


def test_counted_resamples_centre_on_scikit_learn_s_value() -> None:
    predictions = classified(600, 0.8)
    values = counted_values("f1_macro", predictions.y_true, predictions.estimator.predictions, NoiseSpec())
    exact = f1_score(predictions.y_true, predictions.estimator.predictions, average="macro")
    assert len(values) == 1000 and abs(np.median(values) - exact) < 0.01
    assert np.percentile(values, 2.5) < exact < np.percentile(values, 97.5)


def test_summed_metrics_resample_the_value_scikit_learn_gives() -> None:
    generator = np.random.default_rng(1)
    truth = generator.normal(size=400)
    frame = pd.DataFrame({"y_true": truth, "y_pred": truth + generator.normal(scale=0.5, size=400)})
    predictions = StoredPredictions.from_frame(frame, task="regression", classes=None)
    values = metric_samples(MAE, predictions, NoiseSpec(resamples=500))
    assert abs(np.mean(values) - mean_absolute_error(frame.y_true, frame.y_pred)) < 0.01


@pytest.mark.parametrize(
    ("right", "recorded", "watch", "decayed"),
    [
        (0.70, 0.90, WatchSpec("accuracy"), True),  # a real drop of 0.2, far beyond 5%
        (0.88, 0.90, WatchSpec("accuracy"), False),  # within the allowed 5% of 0.90
        (0.88, 0.90, WatchSpec("accuracy", max_drop=0.01, max_drop_is_percent=False), False),  # beyond, but noise
        (0.88, 0.90, WatchSpec("accuracy", max_drop=0.01, max_drop_is_percent=False, significant=False), True),
    ],
)
def test_a_metric_decays_beyond_its_allowed_drop_when_the_drop_is_real(
    right: float, recorded: float, watch: WatchSpec, decayed: bool
) -> None:
    predictions = classified(300, right, seed=2)
    check = check_metric(watch, ACCURACY, recorded=recorded, predictions=predictions, settings=NoiseSpec())
    assert check.low <= check.value <= check.high
    assert check.decayed is decayed
