"""The paired bootstrap: the fast path agrees with a plain loop, and planted effects are told from noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlci.compare import bootstrap
from mlci.compare.bootstrap import (
    NORMAL_SUMS_ROWS,
    ChangeInterval,
    change_interval,
    paired_changes,
    resample_blocks,
)
from mlci.compare.counted import COUNTED, categories
from mlci.config.schema import NoiseSpec
from mlci.training.metrics import ResolvedMetric
from mlci.training.scoring import StoredPredictions

SETTINGS = NoiseSpec(resamples=300, confidence=0.95, seed=7)


def metric(name: str, scorer: str, *, negate: bool = False, goal: str = "maximize") -> ResolvedMetric:
    return ResolvedMetric(name=name, scorer_name=scorer, goal=goal, negate=negate, index=0)


def stored(y_true, y_pred, task: str) -> StoredPredictions:
    frame = pd.DataFrame({"y_true": y_true, "y_pred": y_pred})
    return StoredPredictions.from_frame(frame, task=task, classes=None)


def plain_loop(chosen: ResolvedMetric, base: StoredPredictions, head: StoredPredictions) -> np.ndarray:
    """The reference: the scorer itself on every resample, one at a time."""
    changes = []
    for block in resample_blocks(len(head), SETTINGS):
        for rows in block:
            changes.append(head.score([chosen], rows=rows)[chosen.name] - base.score([chosen], rows=rows)[chosen.name])
    return np.array(changes)


@pytest.mark.parametrize(
    "chosen",
    [
        metric("r2", "r2"),
        metric("mean_absolute_error", "neg_mean_absolute_error", negate=True, goal="minimize"),
        metric("neg_mean_squared_error", "neg_mean_squared_error"),
        metric("root_mean_squared_error", "neg_root_mean_squared_error", negate=True, goal="minimize"),
    ],
    ids=lambda m: m.name,
)
def test_the_vectorised_regression_metrics_match_the_plain_loop(chosen: ResolvedMetric) -> None:
    generator = np.random.default_rng(0)
    y = generator.normal(size=400)
    base = stored(y, y + generator.normal(scale=0.8, size=400), "regression")
    head = stored(y, y + generator.normal(scale=0.7, size=400), "regression")
    np.testing.assert_allclose(paired_changes(chosen, base, head, SETTINGS), plain_loop(chosen, base, head), atol=1e-9)


REGRESSION_METRICS = [
    metric("r2", "r2"),
    metric("mean_absolute_error", "neg_mean_absolute_error", negate=True, goal="minimize"),
    metric("mean_squared_error", "neg_mean_squared_error", negate=True, goal="minimize"),
    metric("root_mean_squared_error", "neg_root_mean_squared_error", negate=True, goal="minimize"),
]


@pytest.mark.parametrize("chosen", REGRESSION_METRICS, ids=lambda m: m.name)
def test_on_many_rows_the_drawn_sums_give_the_interval_resampling_rows_gives(
    chosen: ResolvedMetric, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above NORMAL_SUMS_ROWS the sums are drawn from their normal distribution: on skewed errors
    (exponential, as absolute and squared errors are), the interval ends land where resampling rows
    puts them, within the Monte Carlo error of the ends themselves."""
    rows = NORMAL_SUMS_ROWS
    generator = np.random.default_rng(3)
    y = generator.normal(size=rows)
    base = stored(y, y + generator.exponential(0.9, size=rows) - 0.9, "regression")
    head = stored(y, y + generator.exponential(0.85, size=rows) - 0.85, "regression")
    drawn, resampled = [], []
    for seed in range(8):
        settings = NoiseSpec(resamples=400, confidence=0.95, seed=seed)
        interval = change_interval(chosen, base, head, settings)
        drawn.append([interval.low, interval.high])
        with monkeypatch.context() as patched:
            patched.setattr(bootstrap, "NORMAL_SUMS_ROWS", rows + 1)
            by_rows = change_interval(chosen, base, head, settings)
        resampled.append([by_rows.low, by_rows.high])
    drawn_ends, resampled_ends = np.array(drawn), np.array(resampled)
    width = (resampled_ends[:, 1] - resampled_ends[:, 0]).mean()
    # The Monte Carlo error of a 2.5% end from 400 resamples is sqrt(0.025 * 0.975 / 400) / 0.058 =
    # 0.134 standard deviations, 0.034 of the interval's width (3.92 of them): two independent ends
    # differ by 0.048 of it. Means over 8 seeds agree within 3 of their errors, each seed within 5.
    mc_error = 0.034 * width * np.sqrt(2)
    assert np.all(np.abs(drawn_ends.mean(axis=0) - resampled_ends.mean(axis=0)) < 3 * mc_error / np.sqrt(8))
    assert np.all(np.abs(drawn_ends - resampled_ends) < 5 * mc_error)


def test_drawn_sums_of_identical_predictions_are_no_change() -> None:
    y = np.arange(NORMAL_SUMS_ROWS, dtype=float)
    same = stored(y, y + 1.0, "regression")
    for chosen in REGRESSION_METRICS:
        interval = change_interval(chosen, same, same, SETTINGS)
        assert (interval.low, interval.high) == (0.0, 0.0)


def three_class_pair(rows: int, seed: int) -> tuple[np.ndarray, StoredPredictions, StoredPredictions]:
    generator = np.random.default_rng(seed)
    y = generator.integers(0, 3, size=rows)
    base = stored(y, np.where(generator.random(rows) < 0.7, y, (y + 1) % 3), "classification")
    head = stored(y, np.where(generator.random(rows) < 0.9, y, (y + 2) % 3), "classification")
    return y, base, head


def counts_of(category: np.ndarray, block: np.ndarray) -> np.ndarray:
    """How many rows of each category each resample of rows (a row of `block`) drew."""
    cells = category.max() + 1
    offset = np.arange(len(block))[:, None] * cells
    return np.bincount((category[block] + offset).ravel(), minlength=len(block) * cells).reshape(len(block), cells)


@pytest.mark.parametrize("scorer", COUNTED)
def test_the_counted_metrics_are_scikit_learns_on_every_resample(scorer: str) -> None:
    # The same resamples of rows as the plain loop, turned into counts per category: the formulas
    # give scikit-learn's value, classes missing from a resample included (few rows make many such).
    y, base, head = three_class_pair(90, seed=2)
    chosen = metric(scorer, scorer)
    category, change = categories(scorer, y, base.estimator.predictions, head.estimator.predictions)
    changes = [change(counts_of(category, block)) for block in resample_blocks(len(y), SETTINGS)]
    np.testing.assert_allclose(np.concatenate(changes), plain_loop(chosen, base, head), atol=1e-12)


@pytest.mark.parametrize("scorer", ["accuracy", "f1_macro"])
def test_counting_gives_the_interval_resampling_rows_gives(scorer: str) -> None:
    """Drawing category counts is the same bootstrap as drawing rows, with another random stream:
    over many seeds, the interval ends of both spread alike around the same place, and on any one
    seed they differ by no more than the Monte Carlo error of the ends themselves."""
    y, base, head = three_class_pair(3000, seed=9)
    chosen = metric(scorer, scorer)
    category, change = categories(scorer, y, base.estimator.predictions, head.estimator.predictions)
    counted, resampled = [], []
    for seed in range(40):
        settings = NoiseSpec(resamples=1000, confidence=0.95, seed=seed)
        interval = change_interval(chosen, base, head, settings)
        counted.append([interval.low, interval.high])
        by_rows = np.concatenate([change(counts_of(category, block)) for block in resample_blocks(len(y), settings)])
        resampled.append(np.percentile(by_rows, [2.5, 97.5]))
    counted_ends, resampled_ends = np.array(counted), np.array(resampled)
    spread = resampled_ends.std(axis=0)  # the Monte Carlo error of an interval end, between seeds
    standard_error = spread * np.sqrt(2 / len(counted))
    assert np.all(np.abs(counted_ends.mean(axis=0) - resampled_ends.mean(axis=0)) < 3 * standard_error)
    assert np.all((0.6 * spread < counted_ends.std(axis=0)) & (counted_ends.std(axis=0) < 1.6 * spread))
    assert np.all(np.abs(counted_ends - resampled_ends) < 5 * np.sqrt(2) * spread)


def test_other_metrics_go_through_the_scorer() -> None:
    generator = np.random.default_rng(2)
    y = generator.integers(0, 2, size=200)
    base = stored(y, np.where(generator.random(200) < 0.7, y, 1 - y), "classification")
    head = stored(y, np.where(generator.random(200) < 0.9, y, 1 - y), "classification")
    mcc = metric("matthews_corrcoef", "matthews_corrcoef")
    changes = paired_changes(mcc, base, head, SETTINGS)
    np.testing.assert_allclose(changes, plain_loop(mcc, base, head))


def test_a_truly_better_model_on_enough_rows_is_a_real_improvement() -> None:
    generator = np.random.default_rng(3)
    y = generator.integers(0, 2, size=5000)
    base = stored(y, np.where(generator.random(5000) < 0.80, y, 1 - y), "classification")
    head = stored(y, np.where(generator.random(5000) < 0.85, y, 1 - y), "classification")
    interval = change_interval(metric("accuracy", "accuracy"), base, head, SETTINGS)
    assert interval.low > 0 and not interval.holds_zero


def test_the_same_model_with_another_seed_on_few_rows_is_within_noise() -> None:
    generator = np.random.default_rng(4)
    y = generator.integers(0, 2, size=120)
    base = stored(y, np.where(generator.random(120) < 0.8, y, 1 - y), "classification")
    head = stored(y, np.where(generator.random(120) < 0.8, y, 1 - y), "classification")
    interval = change_interval(metric("accuracy", "accuracy"), base, head, SETTINGS)
    assert interval.holds_zero


def test_the_same_seed_gives_the_same_interval() -> None:
    generator = np.random.default_rng(5)
    y = generator.normal(size=100)
    base, head = stored(y, y + 0.5, "regression"), stored(y, y + 0.4, "regression")
    r2 = metric("r2", "r2")
    assert change_interval(r2, base, head, SETTINGS) == change_interval(r2, base, head, SETTINGS)


def test_a_significant_gate_ignores_a_drop_within_noise_and_fails_a_real_one() -> None:
    from mlci.compare.gates import evaluate_gates
    from mlci.compare.metrics import compare_metric
    from mlci.config.schema import GateSpec

    gate = GateSpec(metric="accuracy", max_drop=0.01, significant=True)
    noisy = compare_metric(
        "accuracy", goal="maximize", base=0.90, head=0.85, interval=ChangeInterval(-0.09, 0.01, 0.95, 1000)
    )
    real = compare_metric(
        "accuracy", goal="maximize", base=0.90, head=0.85, interval=ChangeInterval(-0.08, -0.02, 0.95, 1000)
    )
    assert noisy.status == "unchanged" and noisy.noise == "within_noise"
    [passed] = evaluate_gates([gate], {"accuracy": noisy})
    assert passed.passed is True and "within noise" in passed.message
    [failed] = evaluate_gates([gate], {"accuracy": real})
    assert failed.passed is False and real.status == "regressed" and real.noise == "real"
    [plain] = evaluate_gates([GateSpec(metric="accuracy", max_drop=0.01)], {"accuracy": noisy})
    assert plain.passed is False  # without `significant`, any drop over the limit fails
