"""The bootstrap for a whole comparison: pair each model's head and base predictions, then find the
confidence interval of every metric that can be computed from them.

Predictions pair only when both runs scored the same test rows (the same `y_true`, in the same
order); otherwise the change is not comparable row by row and the report says the noise is unknown.
The common metrics are computed with numpy alone, so `mlci compare` stays light; any other
scikit-learn metric of a declarative model goes through scikit-learn's scorer.
"""

from __future__ import annotations

import io
import os
from dataclasses import asdict, dataclass
from typing import Any

from mlci.compare.bootstrap import ChangeInterval, ModelNoise, change_interval
from mlci.compare.cache import ResultCache
from mlci.compare.decode import decode_as
from mlci.config import Config, ModelSpec
from mlci.config.schema import NoiseSpec
from mlci.console import MAYBE_LONG, Console
from mlci.errors import DataError, MlciError
from mlci.runs import Run, run_file, runs_dir
from mlci.runs.fingerprint import fingerprint_bytes
from mlci.training.metrics import ResolvedMetric, resolve_metrics
from mlci.training.predictions import Y_TRUE, prediction_columns
from mlci.training.scoring import StoredPredictions

CACHE_KIND = "bootstrap"

# Metrics the bootstrap computes without scikit-learn: reported name -> (scorer, reported positive).
KNOWN_METRICS = {
    "accuracy": ("accuracy", False),
    "f1_macro": ("f1_macro", False),
    "r2": ("r2", False),
    "mean_absolute_error": ("neg_mean_absolute_error", True),
    "mae": ("neg_mean_absolute_error", True),
    "neg_mean_absolute_error": ("neg_mean_absolute_error", False),
    "mean_squared_error": ("neg_mean_squared_error", True),
    "mse": ("neg_mean_squared_error", True),
    "neg_mean_squared_error": ("neg_mean_squared_error", False),
    "root_mean_squared_error": ("neg_root_mean_squared_error", True),
    "rmse": ("neg_root_mean_squared_error", True),
    "neg_root_mean_squared_error": ("neg_root_mean_squared_error", False),
}


ROWS_DIFFER = "the test rows differ from the base's (the data or the split changed), so they do not pair"


@dataclass(frozen=True)
class _Predictions:
    """The two columns the fast metrics need, in the shape `bootstrap` reads (`y_true`, `estimator.predictions`)."""

    y_true: Any
    estimator: Any

    def __len__(self) -> int:
        return len(self.y_true)


@dataclass(frozen=True)
class _Frozen:
    predictions: Any


def head_predictions(config: Config, run: Run) -> bytes | None:
    folder = runs_dir(config.work_dir) / run.model
    name = run.files.get("predictions")
    if name is None or not os.path.lexists(folder / name):
        return None
    return run_file(folder, run, "predictions").read_bytes()


def paired_noise(
    config: Config,
    model: ModelSpec,
    head_run: Run,
    base_run: Run,
    predictions: tuple[bytes | None, bytes | None],
    settings: NoiseSpec,
    *,
    console: Console,
    cache: ResultCache | None = None,
    names: tuple[str, str] = ("this run", "the base run"),
) -> ModelNoise:
    """The intervals of every metric both runs have, from their `predictions` (head's, base's);
    found in `cache` when these predictions were bootstrapped with these settings before. `names`
    are how a reason names the head and the base."""
    head_bytes, base_bytes = predictions
    if head_bytes is None or base_bytes is None:
        side = names[0] if head_bytes is None else names[1]
        return ModelNoise({}, unknown_reason=f"{side} kept no test-set predictions (see the predictions file format)")
    cache = cache or ResultCache(None)
    key = {
        "head": fingerprint_bytes(head_bytes),
        "base": fingerprint_bytes(base_bytes),
        "metrics": [[name, head_run.goals.get(name)] for name in head_run.metrics if name in base_run.metrics],
        "model": [model.mode, head_run.task, base_run.task],
        "settings": [settings.resamples, settings.confidence, settings.seed],
    }
    # Only predictions that paired were bootstrapped, so what is cached needs no second look at them.
    cached = _intervals(cache.get(CACHE_KIND, key))
    if cached is not None:
        return ModelNoise(cached)
    head_columns, base_columns = prediction_columns(head_bytes), prediction_columns(base_bytes)
    if head_columns.get(Y_TRUE) != base_columns.get(Y_TRUE):
        return ModelNoise({}, unknown_reason=ROWS_DIFFER)
    intervals = _bootstrap(
        config, model, (head_run, head_columns, head_bytes), (base_run, base_columns, base_bytes), settings, console
    )
    cache.put(CACHE_KIND, key, {name: asdict(interval) for name, interval in intervals.items()})
    return ModelNoise(intervals)


_Side = tuple[Run, dict[str, list[str]], bytes]
"""One side's run, its predictions' `y_true` and `y_pred` columns, and the predictions file's bytes."""


def _bootstrap(
    config: Config, model: ModelSpec, head_side: _Side, base_side: _Side, settings: NoiseSpec, console: Console
) -> dict[str, ChangeInterval]:
    (head_run, head_columns, head_bytes), (base_run, base_columns, base_bytes) = head_side, base_side
    intervals = {}
    shared = [name for name in head_run.metrics if name in base_run.metrics]
    rows = len(head_columns.get(Y_TRUE, []))
    label = f"{model.name}: bootstrap of {len(shared)} metric{'s' if len(shared) != 1 else ''}"
    with console.step(f"{label}, {settings.resamples:,} resamples of {rows:,} test rows", after=MAYBE_LONG):
        for index, name in enumerate(head_run.metrics):
            if name not in base_run.metrics:
                continue
            metric = _resolved(config, model, name, index)
            if metric is None:
                continue
            try:
                head = _stored(head_columns, head_bytes, metric, head_run)
                base = _stored(base_columns, base_bytes, metric, base_run)
                intervals[name] = change_interval(metric, base, head, settings)
            except (MlciError, ValueError, KeyError):
                continue  # a metric the predictions cannot give: its noise stays unknown
    return intervals


def _intervals(value: Any) -> dict[str, ChangeInterval] | None:
    """Cached intervals, when they have the shape `paired_noise` keeps them in."""
    try:
        return decode_as(value, dict[str, ChangeInterval], where="cached intervals")
    except DataError:
        return None


def _resolved(config: Config, model: ModelSpec, name: str, index: int) -> ResolvedMetric | None:
    """How to compute `name` on resamples: the fast table by the name's last dotted part (so a
    command model's `test.r2` is R²), else a declarative model's own scorer."""
    known = KNOWN_METRICS.get(name.rsplit(".", 1)[-1])
    goal = next((m.goal for m in model.metrics if m.name == name), None) or "maximize"
    if known is not None:
        scorer, negate = known
        return ResolvedMetric(name=name, scorer_name=scorer, goal=goal, negate=negate, index=index)
    if model.mode == "command":
        return None
    return next((m for m in resolve_metrics(config, model) if m.name == name), None)


def _stored(columns: dict[str, list[str]], raw: bytes, metric: ResolvedMetric, run: Run) -> Any:
    import numpy as np

    if metric.scorer_name.removeprefix("neg_") in {s.removeprefix("neg_") for s, _ in KNOWN_METRICS.values()}:
        numeric = run.task != "classification"
        convert = (lambda values: np.asarray(values, dtype=float)) if numeric else np.asarray
        return _Predictions(y_true=convert(columns["y_true"]), estimator=_Frozen(convert(columns["y_pred"])))
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(raw))
    return StoredPredictions.from_frame(frame, task=run.task or "classification", classes=None)
