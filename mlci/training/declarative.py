"""Declarative and entrypoint modes: mlci reads the data, splits it, fits, predicts once and scores.

The two modes differ only in where the estimator comes from (a dotted class with params, or a
function of the project returning one). Everything the config can get wrong is checked before the
fit, so a typo in a metric name does not cost a training run.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlci.config import Config, ModelSpec
from mlci.config.fields import ConfigField, model_field
from mlci.console import Console
from mlci.errors import TrainingError
from mlci.runs import Run
from mlci.runs.lineage import LineageStart, finish_lineage
from mlci.training.background import SAVED_WITH, imported_meanwhile
from mlci.training.csvwrite import write_frame
from mlci.training.data import Dataset, load_dataset
from mlci.training.estimators import build_estimator, failure_text, load_entrypoint, param_error
from mlci.training.metrics import ResolvedMetric, check_metric_fits, metric_field, resolve_metrics
from mlci.training.modelfile import FILE_NAME as MODEL_FILE
from mlci.training.modelfile import save_model
from mlci.training.outcome import TrainedModel
from mlci.training.painter import Painter, painter_for_run
from mlci.training.params import estimator_params
from mlci.training.plots import model_importances, plots_available
from mlci.training.predictions import FILE_NAME as PREDICTIONS_FILE
from mlci.training.predictions import predict_test_set
from mlci.training.preprocessing import needs_preprocessing, with_preprocessing
from mlci.training.scoring import MetricComputationError, check_target_fits, score_predictions
from mlci.training.testinputs import describe_test_inputs

MAX_WARNINGS_SHOWN = 5


def train_estimator_model(
    config: Config, model: ModelSpec, *, console: Console, workspace: Path, lineage: LineageStart
) -> TrainedModel:
    """Train a declarative or entrypoint `model`; its model file and predictions are written to
    `workspace`, an empty folder that lives until the run is written."""
    return _train(config, model, console=console, workspace=workspace, lineage=lineage)


def _train(
    config: Config, model: ModelSpec, *, console: Console, workspace: Path, lineage: LineageStart
) -> TrainedModel:
    if not plots_available():
        return _fit_and_keep(config, model, painter=None, console=console, workspace=workspace, lineage=lineage)
    # Asked for first, so that a new painter's libraries load while this process loads scikit-learn,
    # reads and fits.
    with painter_for_run() as painter:
        return _fit_and_keep(config, model, painter=painter, console=console, workspace=workspace, lineage=lineage)


def _fit_and_keep(
    config: Config,
    model: ModelSpec,
    *,
    painter: Painter | None,
    console: Console,
    workspace: Path,
    lineage: LineageStart,
) -> TrainedModel:
    from sklearn.base import is_classifier

    metrics = resolve_metrics(config, model)
    estimator = build_estimator(config, model) if model.mode == "declarative" else load_entrypoint(config, model)
    for metric in metrics:
        check_metric_fits(config, model, metric, estimator)
    classification = is_classifier(estimator)
    task = "classification" if classification else "regression"
    dataset = load_dataset(config, model, classification=classification, console=console)
    _describe(console, model.name, dataset)
    if classification:
        check_metrics_fit_target(config, model, metrics, dataset)

    source = estimator_field(config, model)
    fitted = estimator
    if needs_preprocessing(estimator, setting=model.preprocessing):
        fitted = with_preprocessing(estimator, dataset.x_train, field=model_field(config, model.name, "data"))
    # skops loads on another thread while the fit runs, and only then: by now the estimator's own
    # modules are imported, and two threads importing the same package at once can each find the
    # other's module half-initialised (an ImportError that names neither's fault).
    with _warnings_to(console, model.name), imported_meanwhile(SAVED_WITH):
        started = time.perf_counter()
        try:
            fitted.fit(dataset.x_train, dataset.y_train)
        except (Exception, SystemExit) as exc:
            raise param_error(config, model, exc) or source.error(
                f"fitting {type(estimator).__name__} failed: {failure_text(exc)}", kind=TrainingError
            ) from None
        fit_seconds = time.perf_counter() - started
        console.detail(f"{model.name}: fitted {type(estimator).__name__} in {fit_seconds:.2f}s")
        try:
            predictions, classes = predict_test_set(
                fitted, dataset.x_test, dataset.y_test, classification=classification
            )
        except (Exception, SystemExit) as exc:
            raise source.error(
                f"predicting the {len(dataset.x_test)} test rows failed: {failure_text(exc)}", kind=TrainingError
            ) from None
        # Written, and the pictures asked for, before waiting for skops' import: they draw meanwhile.
        predictions_path = workspace / PREDICTIONS_FILE
        write_frame(predictions, predictions_path)
        if painter is not None:
            feature_names = [str(c) for c in dataset.x_train.columns]
            painter.paint(
                predictions=predictions_path,
                classification=classification,
                importances=model_importances(fitted, feature_names),
                folder=workspace,
            )

    try:
        values = score_predictions(predictions, metrics, task=task, classes=classes)
    except MetricComputationError as exc:
        metric = next(m for m in metrics if m.name == exc.metric)
        raise metric_field(config, model, metric).error(exc.reason, kind=TrainingError, hint=exc.hint) from None

    test_inputs = describe_test_inputs(predictions_path.read_bytes(), dataset.x_test)
    model_path = workspace / MODEL_FILE
    untrusted = save_model(fitted, model_path, field=source)
    configured = model.estimator.params if model.estimator is not None else {}
    run = Run(
        model=model.name,
        mode=model.mode,
        metrics=values,
        goals={metric.name: metric.goal for metric in metrics},
        params=estimator_params(estimator, configured),
        lineage=finish_lineage(lineage, model, fit_seconds=fit_seconds, rows=dataset.rows, test_inputs=test_inputs),
        task=task,
        untrusted_types=untrusted,
    )
    pictures: dict[str, Path] = {}
    if painter is not None:
        pictures, problem = painter.pictures()
        if problem is not None:
            console.warn(f"{model.name}: the pictures could not be drawn ({problem}); the run is kept without them")
    return TrainedModel(run=run, files={"model": model_path, "predictions": predictions_path, **pictures})


def check_metrics_fit_target(config: Config, model: ModelSpec, metrics: list[ResolvedMetric], dataset: Dataset) -> None:
    """`ConfigError` at the first metric a classifier of this target cannot be scored with (a binary
    metric for three classes), before any time is spent fitting it."""
    import pandas as pd

    target = pd.concat([dataset.y_train, dataset.y_test], ignore_index=True)
    try:
        check_target_fits(metrics, target)
    except MetricComputationError as exc:
        metric = next(m for m in metrics if m.name == exc.metric)
        raise metric_field(config, model, metric).error(exc.reason, hint=exc.hint) from None


def estimator_field(config: Config, model: ModelSpec) -> ConfigField:
    """The field that names the estimator: `estimator.class` or `entrypoint`."""
    if model.mode == "declarative":
        return model_field(config, model.name, "estimator", "class")
    return model_field(config, model.name, "entrypoint")


def _describe(console: Console, name: str, dataset: Dataset) -> None:
    columns = dataset.x_train.shape[1]
    console.detail(
        f"{name}: {len(dataset.x_train)} training rows, {len(dataset.x_test)} test rows, "
        f"{columns} feature column{'s' if columns != 1 else ''}"
    )
    console.detail(f"{name}: test rows: {dataset.split}")


@contextmanager
def _warnings_to(console: Console, name: str) -> Iterator[None]:
    """Show the warnings of fit and predict (convergence, ill-defined parameters) once each as
    console warnings, instead of Python's file-and-line format in the middle of the output."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        # Also after a failure: a convergence warning can explain it.
        _show_warnings(console, name, caught)


def _show_warnings(console: Console, name: str, caught: list[warnings.WarningMessage]) -> None:
    seen: list[str] = []
    for warning in caught:
        # Deprecations inside libraries are for their developers, not for the person training.
        if issubclass(warning.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue
        text = f"{warning.category.__name__}: {str(warning.message).strip()}"
        if text not in seen:
            seen.append(text)
    for text in seen[:MAX_WARNINGS_SHOWN]:
        console.warn(f"{name}: {text}")
    if len(seen) > MAX_WARNINGS_SHOWN:
        console.warn(f"{name}: {len(seen) - MAX_WARNINGS_SHOWN} more warnings")
