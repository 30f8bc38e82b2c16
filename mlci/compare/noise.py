"""The bootstrap for a whole comparison: pair each model's head and base predictions, then find the
confidence interval of every metric that can be computed from them.

Predictions pair only when both runs scored the same test rows (the same `y_true`, in the same
order); otherwise the change is not comparable row by row and the report says the noise is unknown.
The common metrics are computed with numpy alone, so `mlci compare` stays light; any other
scikit-learn metric of a declarative model goes through scikit-learn's scorer. A command model's
metric is computed when its `kind:` or its name says which common metric it is; for every metric
left without an interval, the reason is kept so the report can say it.
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
from mlci.config.metric_names import COMPUTED, KIND_NAMES, computed_scorer
from mlci.config.schema import NoiseSpec
from mlci.console import MAYBE_LONG, Console
from mlci.errors import DataError, MlciError
from mlci.runs import Run, run_file, runs_dir
from mlci.runs.fingerprint import fingerprint_bytes
from mlci.training.metrics import ResolvedMetric, resolve_metrics
from mlci.training.predictions import Y_PRED, Y_TRUE, prediction_columns
from mlci.training.scoring import StoredPredictions

CACHE_KIND = "bootstrap"

ROWS_DIFFER = "the test rows differ from the base's (the data or the split changed), so they do not pair"
KIND_UNKNOWN = (
    "mlci cannot tell from the name which metric this is; if it is one of "
    f"{', '.join(KIND_NAMES)}, say so with `kind:` in mlci.yaml to let mlci compute it from the predictions"
)


@dataclass(frozen=True)
class _Found:
    """What the bootstrap found for one pair of predictions, as the cache keeps it."""

    intervals: dict[str, ChangeInterval]
    unknown: dict[str, str]


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
        "metrics": [
            [name, head_run.goals.get(name), _kind(model, name)]
            for name in head_run.metrics
            if name in base_run.metrics
        ],
        "model": [model.mode, head_run.task, base_run.task],
        "settings": [settings.resamples, settings.confidence, settings.seed],
    }
    # Only predictions that paired were bootstrapped, so what is cached needs no second look at them.
    cached = _cached(cache.get(CACHE_KIND, key))
    if cached is not None:
        return ModelNoise(cached.intervals, unknown=cached.unknown)
    head_columns, base_columns = prediction_columns(head_bytes), prediction_columns(base_bytes)
    if not _same_text(head_columns.get(Y_TRUE), base_columns.get(Y_TRUE)):
        return ModelNoise({}, unknown_reason=ROWS_DIFFER)
    found = _bootstrap(
        config, model, (head_run, head_columns, head_bytes), (base_run, base_columns, base_bytes), settings, console
    )
    cache.put(CACHE_KIND, key, asdict(found))
    return ModelNoise(found.intervals, unknown=found.unknown)


_Side = tuple[Run, dict[str, Any], bytes]
"""One side's run, its predictions' `y_true` and `y_pred` columns, and the predictions file's bytes."""


def _bootstrap(
    config: Config, model: ModelSpec, head_side: _Side, base_side: _Side, settings: NoiseSpec, console: Console
) -> _Found:
    (head_run, head_columns, head_bytes), (base_run, base_columns, base_bytes) = head_side, base_side
    intervals: dict[str, ChangeInterval] = {}
    unknown: dict[str, str] = {}
    shared = [name for name in head_run.metrics if name in base_run.metrics]
    rows = len(head_columns[Y_TRUE]) if Y_TRUE in head_columns else 0
    computed: list[tuple[Any, Any]] = []
    label = f"{model.name}: bootstrap of {len(shared)} metric{'s' if len(shared) != 1 else ''}"
    with console.step(f"{label}, {settings.resamples:,} resamples of {rows:,} test rows", after=MAYBE_LONG):
        for index, name in enumerate(head_run.metrics):
            if name not in base_run.metrics:
                continue
            metric = _resolved(config, model, name, index)
            if metric is None:
                unknown[name] = KIND_UNKNOWN
                continue
            try:
                if metric.scorer_name in COMPUTED.values():
                    # Both sides' columns are converted once for every metric computed from them.
                    computed = computed or [_computed_sides(head_columns, base_columns, head_run)]
                    head, base = computed[0]
                else:
                    head, base = _stored(head_bytes, head_run), _stored(base_bytes, base_run)
                intervals[name] = change_interval(metric, base, head, settings)
            except (MlciError, ValueError, KeyError) as exc:
                unknown[name] = f"it cannot be computed from the predictions ({_reason(exc)})"
    return _Found(intervals, unknown)


def _cached(value: Any) -> _Found | None:
    """What the cache holds, when it has the shape `paired_noise` keeps it in."""
    try:
        return decode_as(value, _Found, where="cached intervals")
    except DataError:
        return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, MlciError):
        return exc.message
    if isinstance(exc, KeyError):
        return f"no column {exc.args[0]}" if exc.args else "a column is missing"
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _kind(model: ModelSpec, name: str) -> str | None:
    return next((m.kind for m in model.metrics if m.name == name), None)


def _resolved(config: Config, model: ModelSpec, name: str, index: int) -> ResolvedMetric | None:
    """How to compute `name` on resamples: the fast table by the metric's `kind`, else by the name's
    last dotted part (so a command model's `test.r2` is R²), else a declarative model's own scorer."""
    known = computed_scorer(_kind(model, name) or name.rsplit(".", 1)[-1])
    goal = next((m.goal for m in model.metrics if m.name == name), None) or "maximize"
    if known is not None:
        scorer, negate = known
        return ResolvedMetric(name=name, scorer_name=scorer, goal=goal, negate=negate, index=index)
    if model.mode == "command":
        return None
    return next((m for m in resolve_metrics(config, model) if m.name == name), None)


def _same_text(head: Any, base: Any) -> bool:
    if head is None or base is None:
        return head is base
    return bool(head.equals(base))


def _computed_sides(head_columns: dict[str, Any], base_columns: dict[str, Any], run: Run) -> tuple[Any, Any]:
    """The head's and the base's `y_true` and `y_pred` as numpy arrays: numbers for a regression; for
    a classification, each label as a number shared by both sides, so equal labels stay equal."""
    import numpy as np
    import pyarrow as pa

    truth, head_pred, base_pred = head_columns[Y_TRUE], head_columns[Y_PRED], base_columns[Y_PRED]
    if run.task != "classification":
        y_true, head_values, base_values = (
            np.asarray(column.cast(pa.float64())) for column in (truth, head_pred, base_pred)
        )
    else:
        codes = np.asarray(pa.concat_arrays([truth, head_pred, base_pred]).dictionary_encode().indices)
        y_true, head_values, base_values = np.split(codes, [len(truth), len(truth) + len(head_pred)])
    return (
        _Predictions(y_true=y_true, estimator=_Frozen(head_values)),
        _Predictions(y_true=y_true, estimator=_Frozen(base_values)),
    )


def _stored(raw: bytes, run: Run) -> Any:
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(raw))
    return StoredPredictions.from_frame(frame, task=run.task or "classification", classes=None)
