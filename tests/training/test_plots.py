"""With the plots extra, each run keeps its pictures as run files, and the job summary lists them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlci.cli import cli

pytestmark = pytest.mark.integration

CONFIG = """\
version: 1
models:
  clf:
    data: {train: data.csv, target: label, split: {test_size: 0.3, seed: 0}}
    estimator: {class: sklearn.ensemble.RandomForestClassifier, params: {n_estimators: 5, random_state: 0}}
    metrics: [accuracy]
  reg:
    data: {train: data.csv, target: x1}
    estimator: {class: sklearn.linear_model.Ridge}
    metrics: [r2]
"""
DATA = "x1,x2,label\n" + "".join(f"{i % 7 + 3 * (i % 2)},{i % 5},{i % 2}\n" for i in range(60))


def test_runs_keep_pictures_and_the_summary_lists_them(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    root = make_repo(files={"mlci.yaml": CONFIG, "data.csv": DATA})
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", str(root / "mlci.yaml"), "train"]).exit_code == 0
    clf = json.loads((root / ".mlci" / "runs" / "clf" / "run.json").read_text())["files"]
    assert {"plot_confusion_matrix", "plot_roc_pr", "plot_feature_importance"} <= set(clf)
    reg = json.loads((root / ".mlci" / "runs" / "reg" / "run.json").read_text())["files"]
    assert "plot_residuals" in reg and "plot_feature_importance" in reg
    png = (root / ".mlci" / "runs" / "clf" / clf["plot_confusion_matrix"]).read_bytes()
    assert png.startswith(b"\x89PNG")

    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    args = ["--config", str(root / "mlci.yaml"), "report", "--base", "main", "--first-run-ok", "--summary"]
    assert runner.invoke(cli, args, env=env).exit_code == 0
    text = summary.read_text()
    assert "- clf: <code>plot-confusion-matrix.png</code>" in text
    assert "Keep them with `actions/upload-artifact` (path `.mlci/runs/*/`, `include-hidden-files: true`)" in text

    # In the one-line action, which uploads them, the summary links the workflow run's artifacts.
    env |= {"GITHUB_REPOSITORY": "octo/demo", "GITHUB_RUN_ID": "42", "MLCI_PICTURES_ARTIFACT": "mlci-pictures-default"}
    summary.unlink()
    assert runner.invoke(cli, args, env=env).exit_code == 0
    text = summary.read_text()
    link = "In the artifact <code>mlci-pictures-default</code> of [this workflow run](https://github.com/octo/demo/actions/runs/42#artifacts)."
    assert link in text and "pictures of this run</summary>" in text


def test_a_pipeline_step_that_cannot_name_its_features_still_gets_its_pictures(
    make_repo: Callable[..., Path],
) -> None:
    # A FunctionTransformer without feature_names_out: the importances fall back to the data's columns.
    model = (
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.pipeline import make_pipeline\n"
        "from sklearn.preprocessing import FunctionTransformer\n"
        "def double(x):\n"
        "    return x * 2.0\n"
        "def build():\n"
        "    return make_pipeline(FunctionTransformer(double), LogisticRegression())\n"
    )
    config = (
        "version: 1\nmodels:\n  clf:\n    data: {train: data.csv, target: label, split: {test_size: 0.3, seed: 0}}\n"
        "    entrypoint: pipeline:build\n    metrics: [accuracy]\n"
    )
    root = make_repo(files={"mlci.yaml": config, "data.csv": DATA, "pipeline.py": model})
    result = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "train"])
    assert result.exit_code == 0, result.output
    files = json.loads((root / ".mlci" / "runs" / "clf" / "run.json").read_text())["files"]
    assert "plot_feature_importance" in files
