"""The bootstrap of one model's two predictions files: read their `y_true` and `y_pred` columns,
check that they pair (the same test rows in the same order), and find the confidence interval of
every metric both runs have. Loaded only when both sides kept predictions and the result cache does
not already hold the answer (see `mlci.compare.noise`).
"""

from __future__ import annotations

import io
from typing import Any

from mlci.compare.bootstrap import ChangeInterval, ModelNoise, change_interval
from mlci.config import Config, ModelSpec
from mlci.config.metric_names import COMPUTED, KIND_NAMES, computed_scorer
from mlci.config.records import record
from mlci.config.schema import NoiseSpec
from mlci.console import MAYBE_LONG, Console
from mlci.errors import MlciError
from mlci.runs import Run
from mlci.training.metrics import ResolvedMetric, resolve_metrics
from mlci.training.predictions import Y_PRED, Y_TRUE, prediction_columns
from mlci.training.scoring import StoredPredictions

ROWS_DIFFER = "the test rows differ from the base's (the data or the split changed), so they do not pair"
KIND_UNKNOWN = (
    "mlci cannot tell from the name which metric this is; if it is one of "
    f"{', '.join(KIND_NAMES)}, say so with `kind:` in mlci.yaml to let mlci compute it from the predictions"
)


@record
class Predictions:
    """The two columns the fast metrics need, in the shape `bootstrap` reads (`y_true`, `estimator.predictions`)."""

    y_true: Any
    estimator: Any

    def __len__(self) -> int:
        return len(self.y_true)


@record
class Frozen:
    """An estimator that only remembers its predictions."""

    predictions: Any


def bootstrap_pair(
    config: Config,
    model: ModelSpec,
    head: tuple[Run, bytes],
    base: tuple[Run, bytes],
    settings: NoiseSpec,
    console: Console,
) -> ModelNoise:
    """The intervals of every metric the head's and the base's runs share, from their predictions
    files' bytes; no intervals at all, and why, when the files do not pair."""
    (head_run, head_bytes), (base_run, base_bytes) = head, base
    head_columns, base_columns = prediction_columns(head_bytes), prediction_columns(base_bytes)
    if not _same_text(head_columns.get(Y_TRUE), base_columns.get(Y_TRUE)):
        return ModelNoise({}, unknown_reason=ROWS_DIFFER)
    return _bootstrap(
        config, model, (head_run, head_columns, head_bytes), (base_run, base_columns, base_bytes), settings, console
    )


_Side = tuple[Run, dict[str, Any], bytes]
"""One side's run, its predictions' `y_true` and `y_pred` columns, and the predictions file's bytes."""


def _bootstrap(
    config: Config, model: ModelSpec, head_side: _Side, base_side: _Side, settings: NoiseSpec, console: Console
) -> ModelNoise:
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
    return ModelNoise(intervals, unknown=unknown)


def _reason(exc: Exception) -> str:
    if isinstance(exc, MlciError):
        return exc.message
    if isinstance(exc, KeyError):
        return f"no column {exc.args[0]}" if exc.args else "a column is missing"
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _resolved(config: Config, model: ModelSpec, name: str, index: int) -> ResolvedMetric | None:
    """How to compute `name` on resamples: the fast table by the metric's `kind`, else by the name's
    last dotted part (so a command model's `test.r2` is R²), else a declarative model's own scorer."""
    known = computed_scorer(model.metric_kind(name) or name.rsplit(".", 1)[-1])
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
        Predictions(y_true=y_true, estimator=Frozen(head_values)),
        Predictions(y_true=y_true, estimator=Frozen(base_values)),
    )


def _stored(raw: bytes, run: Run) -> Any:
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(raw))
    return StoredPredictions.from_frame(frame, task=run.task or "classification", classes=None)
