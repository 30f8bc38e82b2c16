"""Same-inputs comparison: score the base's model on this run's test inputs.

When a pull request changes the test inputs (other rows, another target, or the same rows with
other feature values; see `mlci.compare.inputs`), the base's recorded metrics were measured on other
inputs and are not comparable. So the base's model file is loaded (with skops, trusting only the
types on the repository's reviewed list; a pickle, joblib, ONNX or other file is never loaded, and
the note names its format) and asked to predict this run's
test set, made exactly as training made it. The comparison then uses those re-scored values, pairs
both models' predictions row by row for the bootstrap, and keeps the recorded values.

A base model that cannot be loaded safely, or cannot predict the new data (a removed column), is
reported as such; the comparison falls back to the recorded values. What re-scoring found is kept
in the result cache, keyed by the base model file's content and this run's test inputs, so it is
done once however many commands compare.
"""

from __future__ import annotations

import io
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from mlci.compare.cache import ResultCache
from mlci.compare.inputs import InputsDifference
from mlci.compare.numbers import metric_format
from mlci.compare.result import Rescore
from mlci.config import Config, ModelSpec
from mlci.config.records import record
from mlci.console import MAYBE_LONG, Console
from mlci.errors import MlciError
from mlci.git import short_sha
from mlci.runs import TEST_INPUTS_KEY, Run
from mlci.runs.fingerprint import fingerprint_bytes
from mlci.runs.modelformat import SKOPS, describe_format, model_format
from mlci.store.records import Record
from mlci.store.storage import StorageView
from mlci.training.data import load_dataset
from mlci.training.metrics import resolve_metrics
from mlci.training.modelfile import ModelLoadError, load_reviewed, reviewed_types
from mlci.training.predictions import predict_test_set
from mlci.training.scoring import score_predictions

if TYPE_CHECKING:
    import pandas as pd

CACHE_KIND = "rescore"
COLUMNS_SHOWN = 3
# Data that cannot be read now may be fixed without training again: such an outcome is not cached.
DATA_PROBLEM = "this run's test data could not be read"


@record
class Rescored:
    """What re-scoring the base gave: its `metrics` and `predictions` on this run's test rows (None
    when it could not be done) and what to tell the reader (`rescore`)."""

    metrics: dict[str, float] | None
    predictions: bytes | None
    rescore: Rescore


@record
class _Outcome:
    """Re-scoring's result, apart from which base it was: what the cache keeps."""

    metrics: dict[str, float] | None = None
    predictions: str | None = None
    rows: int | None = None
    problem: str | None = None


def rescore_base(
    config: Config,
    model: ModelSpec,
    head_run: Run,
    base_run: Run,
    record: Record,
    storage: StorageView,
    *,
    difference: InputsDifference,
    cache: ResultCache,
    console: Console,
) -> Rescored:
    """The base's model scored on this run's test inputs, which differ from the base's as
    `difference` says (a step on the console when it has to be done, not found in `cache`)."""
    if model.mode == "command" or model.data is None:
        return _not_rescored(base_run, difference, "a command model's base cannot be re-scored by mlci")
    content = record.run_file(storage, model.name, "model")
    if content is None:
        return _not_rescored(base_run, difference, "the base run kept no model file to re-score")
    task = head_run.task or base_run.task
    key = _cache_key(config, model, content, head_run, task)
    outcome = _cached(cache.get(CACHE_KIND, key)) if key is not None else None
    if outcome is None:
        with console.step(f"{model.name}: re-scoring the base model on this run's test rows", after=MAYBE_LONG):
            outcome = _score(config, model, content, record=record, task=task)
        if key is not None and not (outcome.problem or "").startswith(DATA_PROBLEM):
            cache.put(CACHE_KIND, key, asdict(outcome))
    if outcome.metrics is None or outcome.predictions is None:
        return _not_rescored(base_run, difference, outcome.problem or "re-scoring gave nothing")
    recorded = {name: value for name, value in base_run.metrics.items() if name in outcome.metrics}
    # Each recorded value with as many decimals as the re-scored one it stands beside in the report.
    shown = ", ".join(
        f"{name} {metric_format(value, outcome.metrics[name]).value(value)}" for name, value in recorded.items()
    )
    note = (
        f"{_changed(difference)}: the base model ({short_sha(record.commit)}) was re-scored on this run's "
        f"{outcome.rows} test rows (recorded on its own test set: {shown})"
    )
    rescore = Rescore(
        because=difference.because,
        columns=difference.columns,
        rescored=True,
        rows=outcome.rows,
        recorded=recorded,
        note=note,
    )
    return Rescored(outcome.metrics, outcome.predictions.encode(), rescore)


def _score(config: Config, model: ModelSpec, content: bytes, *, record: Record, task: str | None) -> _Outcome:
    name = record.runs[model.name].files.get("model", "")
    found = model_format(content, name)
    if found != SKOPS:
        return _Outcome(
            problem=f"the base model ({short_sha(record.commit)}, {name}) is {describe_format(found)}, "
            "which mlci never loads; not re-scored"
        )
    try:
        fitted = load_reviewed(content, config=config, what=f"the base model ({short_sha(record.commit)})")
    except ModelLoadError as exc:
        return _Outcome(problem=f"{exc.message}; not loaded, so not re-scored")
    classification = task == "classification"
    try:
        dataset = load_dataset(config, model, classification=classification, console=Console(verbosity=-1))
    except MlciError as exc:
        return _Outcome(problem=f"{DATA_PROBLEM}: {exc}")
    try:
        x_test = _own_columns(fitted, dataset.x_test)
        predictions, classes = predict_test_set(fitted, x_test, dataset.y_test, classification=classification)
        values = score_predictions(
            predictions, resolve_metrics(config, model), task=task or "regression", classes=classes
        )
    except MlciError as exc:
        return _Outcome(problem=f"the base model could not be re-scored on this run's test rows: {exc}")
    except Exception as exc:  # the model's own code failing on the new data (a removed column, a new category)
        return _Outcome(problem=f"the base model could not predict this run's test rows: {type(exc).__name__}: {exc}")
    buffer = io.StringIO()
    predictions.to_csv(buffer, index=False)
    return _Outcome(metrics=values, predictions=buffer.getvalue(), rows=len(predictions))


def _own_columns(fitted: Any, features: pd.DataFrame) -> pd.DataFrame:
    """`features` as the base model was fitted on them: its own columns in its own order, when it
    names them and this run has them all (a pull request may have added a feature the base never saw)."""
    names = getattr(fitted, "feature_names_in_", None)
    if names is None or not all(name in features.columns for name in names):
        return features
    return features[list(names)]


def _not_rescored(base_run: Run, difference: InputsDifference, problem: str) -> Rescored:
    rescore = Rescore(
        because=difference.because,
        columns=difference.columns,
        rescored=False,
        rows=None,
        recorded=dict(base_run.metrics),
        note=f"{_changed(difference)}, but {problem}",
    )
    return Rescored(None, None, rescore)


def _changed(difference: InputsDifference) -> str:
    """`the test inputs changed (features: x2, x3)`."""
    columns = difference.columns[:COLUMNS_SHOWN]
    more = len(difference.columns) - len(columns)
    named = ", ".join(columns) + (f" and {more} more" if more else "")
    return f"the test inputs changed ({difference.because}{': ' + named if named else ''})"


def _cache_key(config: Config, model: ModelSpec, content: bytes, head_run: Run, task: str | None) -> dict | None:
    """Everything that decides the outcome; None when this run recorded no test inputs to key it by."""
    inputs = head_run.lineage.get(TEST_INPUTS_KEY)
    if not isinstance(inputs, dict):
        return None
    return {
        "model": fingerprint_bytes(content),
        "inputs": inputs,
        "metrics": [metric.name for metric in model.metrics],
        "task": task,
        "trusted": reviewed_types(config),
        "libraries": head_run.lineage.get("libraries"),
    }


def _cached(value: Any) -> _Outcome | None:
    """A cached outcome, when it has the shape `_Outcome` gives it."""
    if not isinstance(value, dict) or set(value) != set(_Outcome.__dataclass_fields__):
        return None
    metrics, predictions, rows, problem = value["metrics"], value["predictions"], value["rows"], value["problem"]
    if metrics is not None and not (
        isinstance(metrics, dict)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in metrics.values())
    ):
        return None
    if not (predictions is None or isinstance(predictions, str)) or not (problem is None or isinstance(problem, str)):
        return None
    if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int)):
        return None
    if (metrics is None) == (problem is None):
        return None
    return _Outcome(metrics=metrics, predictions=predictions, rows=rows, problem=problem)
