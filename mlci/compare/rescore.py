"""Same-data comparison: score the base's model on this run's test rows.

When a pull request changes the data, the base's recorded metrics were measured on other rows and
are not comparable. So the base's model file is loaded (with skops, trusting only the types on the
repository's reviewed list; a pickle is never loaded) and asked to predict this run's test set, made
exactly as training made it. The comparison then uses those re-scored values, pairs both models'
predictions row by row for the bootstrap, and keeps the recorded value in a note.

A base model that cannot be loaded safely, or cannot predict the new data (a removed column), is
reported as such; the comparison falls back to the recorded values.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from mlci.compare.numbers import metric_format
from mlci.config import Config, ModelSpec
from mlci.console import Console
from mlci.errors import MlciError
from mlci.git import short_sha
from mlci.runs import Run
from mlci.store.records import Record
from mlci.store.storage import StorageView
from mlci.training.data import load_dataset
from mlci.training.metrics import resolve_metrics
from mlci.training.modelfile import ModelLoadError, load_reviewed
from mlci.training.predictions import predict_test_set
from mlci.training.scoring import score_predictions


@dataclass(frozen=True)
class Rescored:
    """The base model's metrics and predictions on this run's test rows, or why there are none."""

    metrics: dict[str, float] | None
    predictions: bytes | None
    note: str


def rescore_base(
    config: Config, model: ModelSpec, head_run: Run, base_run: Run, record: Record, storage: StorageView
) -> Rescored:
    if model.mode == "command" or model.data is None:
        return Rescored(None, None, "the test data changed; a command model's base cannot be re-scored by mlci")
    content = record.run_file(storage, model.name, "model")
    if content is None:
        return Rescored(None, None, "the test data changed, and the base run kept no model file to re-score")
    try:
        fitted = load_reviewed(content, config=config, what=f"the base model ({short_sha(record.commit)})")
    except ModelLoadError as exc:
        return Rescored(None, None, f"the test data changed, but {exc.message}; not loaded, so not re-scored")
    classification = (head_run.task or base_run.task) == "classification"
    try:
        dataset = load_dataset(config, model, classification=classification, console=Console(verbosity=-1))
        predictions, classes = predict_test_set(fitted, dataset.x_test, dataset.y_test, classification=classification)
        metrics = resolve_metrics(config, model)
        values = score_predictions(predictions, metrics, task=head_run.task or "regression", classes=classes)
    except MlciError as exc:
        return Rescored(None, None, f"the base model could not be re-scored on this run's test rows: {exc}")
    except Exception as exc:  # the model's own code failing on the new data (a removed column, a new category)
        return Rescored(
            None, None, f"the base model could not predict this run's test rows: {type(exc).__name__}: {exc}"
        )
    buffer = io.StringIO()
    predictions.to_csv(buffer, index=False)
    recorded = ", ".join(
        f"{name} {metric_format(value, values[name]).value(value)}"
        for name, value in base_run.metrics.items()
        if name in values
    )
    note = (
        f"the test data changed: the base model ({short_sha(record.commit)}) was re-scored on this run's "
        f"{len(predictions)} test rows (recorded on its own test set: {recorded})"
    )
    return Rescored(values, buffer.getvalue().encode(), note)
