"""A project on a real bare remote whose commits have recorded runs, for the registry tests:
the config, and recording a run for a commit as `mlci train && mlci record` would."""

from __future__ import annotations

from pathlib import Path

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


def commit_and_record(root: Path, accuracy: float, *, message: str, model_bytes: bytes = b"model-bytes") -> str:
    """Commit a change in `root` and record an iris run with `accuracy` for it on the results branch."""
    (root / "notes.txt").write_text(message + "\n")
    git(root, "add", "notes.txt")
    git(root, "commit", "-q", "-m", message)
    commit = git(root, "rev-parse", "HEAD")
    record(root, commit, accuracy, model_bytes=model_bytes)
    return commit


def record(root: Path, commit: str, accuracy: float, *, model_bytes: bytes = b"model-bytes") -> None:
    run = Run(
        model="iris",
        mode="declarative",
        metrics={"accuracy": accuracy},
        goals={"accuracy": "maximize"},
        params={"C": accuracy},
        lineage={"git": {"commit": commit, "branch": "main", "dirty": False}},
        files={"model": "model.skops"},
        untrusted_types=["numpy.dtype"],
    )
    folder = root.parent / f"run-{commit[:8]}"
    folder.mkdir(exist_ok=True)
    (folder / "model.skops").write_bytes(model_bytes)
    record_runs(project_at(root).storage, commit=commit, runs={"iris": (run, folder)}, info={})
