"""A project on a real bare remote whose commits have recorded runs, for the registry tests:
the config, and recording a run for a commit as `mlci train && mlci record` would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlci.runs import Run
from mlci.store.records import record_runs
from testing.projects import project_at
from testing.repos import git

CONFIG = """\
version: 1
models:
  iris:
    data: {train: iris.csv, target: species}
    estimator: {class: sklearn.linear_model.LogisticRegression}
    metrics: [accuracy]
    gates:
      accuracy: {min: 0.5, max_drop: 0.05}
"""


def commit_and_record(
    root: Path,
    accuracy: float,
    *,
    message: str,
    model_bytes: bytes = b"model-bytes",
    model_name: str = "model.skops",
    fingerprint: str | None = None,
    predictions: bytes | None = None,
) -> str:
    """Commit a change in `root` and record an iris run with `accuracy` for it on the results branch:
    its model file `model_name` holding `model_bytes`, its model `fingerprint` in the lineage, and its
    test-set `predictions` (a predictions.csv) when given."""
    return commit_and_record_models(
        root,
        {"iris": accuracy},
        message=message,
        model_bytes=model_bytes,
        model_name=model_name,
        fingerprint=fingerprint,
        predictions=predictions,
    )


def commit_and_record_models(root: Path, accuracies: dict[str, float], *, message: str, **files: Any) -> str:
    """Commit a change in `root` and record a run of each model with its accuracy, in one record
    (`files`: what `record_models` takes)."""
    (root / "notes.txt").write_text(message + "\n")
    git(root, "add", "notes.txt")
    git(root, "commit", "-q", "-m", message)
    commit = git(root, "rev-parse", "HEAD")
    record_models(root, commit, accuracies, **files)
    return commit


def record(root: Path, commit: str, accuracy: float, *, model_bytes: bytes = b"model-bytes") -> None:
    record_models(root, commit, {"iris": accuracy}, model_bytes=model_bytes)


def record_models(
    root: Path,
    commit: str,
    accuracies: dict[str, float],
    *,
    model_bytes: bytes = b"model-bytes",
    model_name: str = "model.skops",
    fingerprint: str | None = None,
    predictions: bytes | None = None,
) -> None:
    folder = root.parent / f"run-{commit[:8]}"
    folder.mkdir(exist_ok=True)
    (folder / model_name).write_bytes(model_bytes)
    files = {"model": model_name}
    if predictions is not None:
        (folder / "predictions.csv").write_bytes(predictions)
        files["predictions"] = "predictions.csv"
    runs = {}
    for model, accuracy in accuracies.items():
        run = Run(
            model=model,
            mode="declarative",
            metrics={"accuracy": accuracy},
            goals={"accuracy": "maximize"},
            params={"C": accuracy},
            lineage={"git": {"commit": commit, "branch": "main", "dirty": False}, "model_fingerprint": fingerprint},
            files=files,
            task="classification",
            untrusted_types=["numpy.dtype"],
        )
        runs[model] = (run, folder)
    record_runs(project_at(root).storage, commit=commit, runs=runs, info={})


def two_models_config(triggers: str) -> str:
    """A config of models `a` and `b` (each promoted only at accuracy 0.5 or more), with `triggers`
    (lines of YAML under `promote.triggers`, indented four spaces)."""
    model = """\
    data: {train: iris.csv, target: species}
    estimator: {class: sklearn.linear_model.LogisticRegression}
    metrics: [accuracy]
    gates:
      accuracy: {min: 0.5}
"""
    return f"version: 1\nmodels:\n  a:\n{model}  b:\n{model}promote:\n  triggers:\n{triggers}\n"


def use_config(root: Path, text: str) -> None:
    """Commit `text` as the project's mlci.yaml."""
    (root / "mlci.yaml").write_text(text)
    git(root, "commit", "-q", "-am", "Configure mlci")
