"""The paired bootstrap: the fast path agrees with a plain loop, and planted effects are told from noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlci.compare.bootstrap import (
    ChangeInterval,
    change_interval,
    paired_changes,
    resample_blocks,
)
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


def test_accuracy_matches_the_plain_loop() -> None:
    generator = np.random.default_rng(1)
    y = generator.integers(0, 3, size=300)
    base = stored(y, np.where(generator.random(300) < 0.8, y, (y + 1) % 3), "classification")
    head = stored(y, np.where(generator.random(300) < 0.85, y, (y + 1) % 3), "classification")
    accuracy = metric("accuracy", "accuracy")
    np.testing.assert_allclose(paired_changes(accuracy, base, head, SETTINGS), plain_loop(accuracy, base, head))


def test_macro_f1_matches_the_plain_loop() -> None:
    generator = np.random.default_rng(2)
    y = generator.integers(0, 3, size=90)  # few rows: some resamples miss a class entirely
    base = stored(y, np.where(generator.random(90) < 0.7, y, (y + 1) % 3), "classification")
    head = stored(y, np.where(generator.random(90) < 0.9, y, (y + 2) % 3), "classification")
    f1 = metric("f1_macro", "f1_macro")
    np.testing.assert_allclose(paired_changes(f1, base, head, SETTINGS), plain_loop(f1, base, head), atol=1e-12)


def test_other_metrics_go_through_the_scorer() -> None:
    generator = np.random.default_rng(2)
    y = generator.integers(0, 2, size=200)
    base = stored(y, np.where(generator.random(200) < 0.7, y, 1 - y), "classification")
    head = stored(y, np.where(generator.random(200) < 0.9, y, 1 - y), "classification")
    balanced = metric("balanced_accuracy", "balanced_accuracy")
    changes = paired_changes(balanced, base, head, SETTINGS)
    np.testing.assert_allclose(changes, plain_loop(balanced, base, head))


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
