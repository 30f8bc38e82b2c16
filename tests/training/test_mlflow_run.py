"""A command model whose script logs to MLflow (`outputs: {mlflow: true}`), trained for real: mlci
reads the run's metrics, params and logged model from its own store, without the script changing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mlci.cli import cli

pytestmark = pytest.mark.integration

SCRIPT = """\
import mlflow
import mlflow.sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

X, y = load_iris(return_X_y=True)
with mlflow.start_run():
    model = LogisticRegression(C=0.5, max_iter=300).fit(X, y)
    mlflow.log_param("C", 0.5)
    mlflow.log_metric("accuracy", 0.5, step=0)
    mlflow.log_metric("accuracy", model.score(X, y), step=1)
    mlflow.sklearn.log_model(model, name="model")
"""

CONFIG = """\
version: 1
models:
  flowers:
    command: python train.py
    outputs: {mlflow: true}
    metrics: [accuracy]
"""


def test_a_script_that_logs_to_mlflow_is_read_as_it_logged(make_repo) -> None:
    root = make_repo("project", {"mlci.yaml": CONFIG, "train.py": SCRIPT})
    result = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "train"])
    assert result.exit_code == 0, result.output
    run = json.loads((root / ".mlci" / "runs" / "flowers" / "run.json").read_text())
    # The last value of the metric, not the first logged.
    assert run["metrics"]["accuracy"] > 0.9
    assert run["params"]["mlflow:C"] == "0.5"
    assert run["files"]["model"] == "model.skops"
    assert not (root / "mlruns").exists()
