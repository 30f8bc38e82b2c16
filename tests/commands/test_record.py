"""`mlci record` as a user runs it after training: what it keeps, and what it says about it."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.commands.helpers import ESTIMATOR, data_csv, mlci

pytestmark = pytest.mark.integration

# A DVC- or CML-style training script: a model saved with joblib as model.pkl, and its metrics.
TRAIN = """\
import json
from pathlib import Path

import joblib
from sklearn.linear_model import LogisticRegression

out = Path("out")
out.mkdir(exist_ok=True)
model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
joblib.dump(model, out / "model.pkl")
(out / "metrics.json").write_text(json.dumps({"accuracy": 0.9}))
"""

CONFIG = f"""\
version: 1
models:
  churn:
    command: {json.dumps(f"{shlex.quote(sys.executable)} train.py")}
    outputs: {{metrics: out/metrics.json, model: out/model.pkl}}
    metrics: [accuracy]
    deps: [train.py]
  clf:
    data: {{train: data.csv, target: label}}
    estimator: {ESTIMATOR}
    metrics: [accuracy]
"""


def test_recording_a_pickled_model_warns_once_that_it_cannot_be_loaded_safely(
    make_repo: Callable[..., Path],
) -> None:
    root = make_repo(
        files={"mlci.yaml": CONFIG, "train.py": TRAIN, "data.csv": data_csv(), ".gitignore": "out/\n.mlci/\n"}
    )
    assert mlci(root, "train").exit_code == 0

    result = mlci(root, "record")

    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: churn: model.pkl is a joblib file (a pickle): it is recorded, and registered by promotion, "
        "as bytes, but loading it runs whatever code it holds, so mlci never loads it (the base is not "
        "re-scored, `mlci models pull --check` refuses it). Save it with skops (skops.io.dump) to have both."
    ]
    # Recorded as it is, and a record kept as it was says nothing again.
    again = mlci(root, "record")
    assert again.exit_code == 0 and "warning:" not in again.stderr
