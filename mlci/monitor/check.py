"""One model's monitor check: its alias holder on the batch, for drift and for decay."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.config import Config, ModelSpec
from mlci.config.fields import model_field, monitor_field
from mlci.config.schema import WatchSpec
from mlci.config.yamlsource import display_path
from mlci.errors import ConfigError, DataError
from mlci.git import Git, short_sha
from mlci.monitor.batch import features_lacking, find_batch, read_batch
from mlci.monitor.decay import check_metric
from mlci.monitor.drift import DriftFindings, check_drift
from mlci.monitor.holder import Holder, load_holder
from mlci.monitor.result import Alert, MetricCheck, ModelMonitor
from mlci.registry.registry import RegistryView
from mlci.training.metrics import resolve_metrics
from mlci.training.predictions import predict_test_set
from mlci.training.scoring import MetricComputationError, StoredPredictions
from mlci.training.tables import read_table

if TYPE_CHECKING:
    import pandas as pd


def watched_alias(config: Config, model: ModelSpec, alias: str | None = None) -> str:
    """The alias whose version is checked: `alias` (the command line's), else the model's
    `monitor.alias`, else `promote.alias`."""
    return alias or model.monitor.alias or config.promote.alias


def monitor_model(
    config: Config,
    model: ModelSpec,
    *,
    registry: RegistryView,
    git: Git,
    alias: str | None = None,
    batch: Path | None = None,
    now: str,
) -> ModelMonitor:
    """Check `model`'s alias holder (`alias`, else `monitor.alias`, else `promote.alias`) on `batch`
    (else the newest file `monitor.batch` matches). Bad input (no batch, a batch without the model's
    features, an alias no version holds, a model file mlci will not load) raises before anything is
    decided, so nothing is recorded or alerted for it."""
    spec = model.monitor
    if model.data is None:
        raise model_field(config, model.name, "command").error(
            f"{model.name} is a command model: mlci monitor needs its `data:` to know its features, target and "
            "training data",
            hint="Monitor declarative and entrypoint models, whose model files mlci writes with skops.",
        )
    data = model.data
    holder = load_holder(config, registry, model.name, watched_alias(config, model, alias))
    where = None if batch is not None else monitor_field(config, model, "batch")
    if batch is None:
        if spec.batch is None or where is None:
            raise ConfigError(
                f"{model.name}: no batch to monitor",
                hint="Name the fresh data with `monitor: {batch: data/incoming/*.parquet}` in mlci.yaml, or --batch.",
            )
        batch = find_batch(spec.batch, root=config.root, field=where)
    frame = read_batch(batch, header=data.header, field=where)
    shown = display_path(batch)
    version = holder.version
    train, notes = _training_data(config, model, holder, git)
    features = _features(holder.estimator, train if train is not None else frame, model)
    lacking = features_lacking(frame, features)
    if lacking:
        raise DataError(
            f"{shown} lacks {lacking} that {model.name} version {version.number} was trained on",
            hint=f"The batch needs every feature the model reads: {', '.join(features)}.",
        )
    found = ModelMonitor(
        model=model.name,
        alias=holder.alias,
        version=version.number,
        commit=version.commit,
        batch=shown,
        rows=len(frame),
        verdict="not_enough_data",
        alerts=[],
        drifted_features=[],
        decayed_metrics=[],
        drifted_share=None,
        notes=notes,
        checked_at=now,
    )
    if len(frame) < spec.min_rows:
        note = f"{len(frame)} rows in the batch, fewer than the {spec.min_rows} needed for a verdict (monitor.min_rows)"
        return replace(found, notes=[*notes, note])
    drift = check_drift(train, frame, features=features, path=shown, spec=spec.drift) if train is not None else None
    metrics, metric_notes = _check_metrics(config, model, holder, frame, features)
    alerts: list[Alert] = []
    if drift is not None and drift.batch_drifted(spec.drift):
        alerts.append("drift")
    decayed = [check.metric for check in metrics if check.decayed]
    if decayed:
        alerts.append("decay")
    return replace(
        found,
        verdict="alert" if alerts else "healthy",
        alerts=alerts,
        drifted_features=drift.drifted if drift else [],
        decayed_metrics=decayed,
        drifted_share=drift.share if drift else None,
        features=drift.features if drift else [],
        metrics=metrics,
        missing=drift.missing if drift else [],
        notes=[*notes, *metric_notes, *_drift_notes(drift, spec.drift.max_drifted_share)],
    )


def _training_data(config: Config, model: ModelSpec, holder: Holder, git: Git) -> tuple[pd.DataFrame | None, list[str]]:
    """The version's training file as it was at its commit, or None and a note saying why not."""
    assert model.data is not None
    path = model.data.train
    commit = holder.version.commit
    try:
        relative = path.resolve().relative_to(git.root().resolve()).as_posix()
    except ValueError:
        return None, [f"the training data ({display_path(path)}) is outside the repository, so drift was not checked"]
    content = git.file_at(commit, relative)
    if content is None:
        return None, [f"{relative} is not in git at the version's commit {short_sha(commit)}: drift not checked"]
    try:
        return read_table(path, content=content, header=model.data.header), []
    except DataError as exc:
        return None, [f"{relative} at {short_sha(commit)} could not be read ({exc.message}), so drift was not checked"]


def _features(estimator: Any, frame: pd.DataFrame, model: ModelSpec) -> list[str]:
    """The columns the model reads: those it was fitted on when it names them, else the data's
    columns but the target and `drop`."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        return [str(name) for name in names]
    assert model.data is not None
    columns = [column for column in frame.columns if column != model.data.target]
    excluded = set(model.data.drop)
    return [column for column in columns if column not in excluded]


def _check_metrics(
    config: Config, model: ModelSpec, holder: Holder, frame: pd.DataFrame, features: list[str]
) -> tuple[list[MetricCheck], list[str]]:
    """Each watched metric on the labelled rows of the batch; none (and a note) without labels."""
    assert model.data is not None
    target = model.data.target
    if target not in frame.columns:
        return [], [f"the batch has no {target!r} column (the target), so quality was not checked, only drift"]
    labelled = frame[frame[target].notna()]
    if labelled.empty:
        return [], [f"no row of the batch has a value of {target!r}, so quality was not checked, only drift"]
    run = holder.version.run
    classification = run.task == "classification"
    try:
        predictions, classes = predict_test_set(
            holder.estimator, labelled[features], labelled[target], classification=classification
        )
    except Exception as exc:  # the model's own code failing on this data (a new category, a wrong type)
        raise DataError(
            f"{model.name} version {holder.version.number} could not predict the batch: {type(exc).__name__}: {exc}"
        ) from None
    stored = StoredPredictions.from_frame(predictions, task=run.task or "regression", classes=classes)
    watched = model.monitor.performance
    if watched is None:
        watched = tuple(WatchSpec(metric=metric.name) for metric in model.metrics)
    resolved = {metric.name: metric for metric in resolve_metrics(config, model)}
    checks, notes = [], []
    for watch in watched:
        recorded = run.metrics.get(watch.metric)
        if recorded is None:
            notes.append(f"version {holder.version.number} recorded no {watch.metric}, so it was not checked")
            continue
        try:
            checks.append(
                check_metric(
                    watch, resolved[watch.metric], recorded=recorded, predictions=stored, settings=config.noise
                )
            )
        except MetricComputationError as exc:
            notes.append(f"{watch.metric} could not be computed on the batch: {exc.reason}")
    if len(labelled) < len(frame):
        notes.append(f"quality measured on the {len(labelled)} rows with a value of {target!r}")
    return checks, notes


def _drift_notes(drift: DriftFindings | None, share: float) -> list[str]:
    if drift is None or not drift.drifted or drift.share >= share:
        return []
    return [
        f"{len(drift.drifted)} of {len(drift.features)} features drifted, below the share of {share:g} that makes "
        "the batch drifted (monitor.drift.max_drifted_share)"
    ]
