"""`mlci record` as a user runs it after training: only runs trained at this commit from a clean tree
(where "clean" leaves out what the training itself rewrites when mlci.yaml says so), and what it says
about what it keeps."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.commands.helpers import ESTIMATOR, data_csv, mlci
from tests.training.helpers import python_command

pytestmark = pytest.mark.integration

# A DVC-style stage: it rewrites its lock file and its (tracked) metrics file every time it runs.
TRAIN = """\
import json, time
json.dump({"accuracy": 0.9}, open("metrics.json", "w"))
open("dvc.lock", "w").write(f"stages: {{train: {{ran: {time.time()}}}}}\\n")
"""


def config(extra: str = "") -> str:
    return f"""\
version: 1
models:
  stage:
    command: {python_command("train.py")}
    outputs: {{metrics: metrics.json}}
    metrics: [accuracy]
    deps: [train.py]
{extra}"""


@pytest.fixture
def dvc_project(make_repo: Callable[..., Path]) -> Callable[[str], Path]:
    def make(extra: str = "") -> Path:
        files = {"mlci.yaml": config(extra), "train.py": TRAIN, "dvc.lock": "stages: {}\n", "metrics.json": "{}\n"}
        return make_repo(files=files)

    return make


def test_a_file_the_training_rewrites_blocks_record_and_is_named(dvc_project) -> None:
    root = dvc_project()
    assert mlci(root, "train").exit_code == 0

    result = mlci(root, "record")

    assert result.exit_code == 2
    assert "tracked files have uncommitted changes (dvc.lock, metrics.json)" in result.output
    assert "ignore_changes" in result.output


def test_changes_record_ignore_changes_names_do_not_block_record_nor_mark_runs_dirty(dvc_project) -> None:
    root = dvc_project("record:\n  ignore_changes: [dvc.lock, /metrics.json]\n")
    assert mlci(root, "train").exit_code == 0
    # Trained again with the rewritten files still there: the run is not marked dirty.
    assert mlci(root, "train", "--force").exit_code == 0

    result = mlci(root, "record")

    assert result.exit_code == 0, result.output
    assert "recorded stage" in result.output
    # Anything else still counts.
    (root / "train.py").write_text(TRAIN + "# tuned\n")
    result = mlci(root, "record", "--replace")
    assert result.exit_code == 2 and "(train.py)" in result.output


# A DVC- or CML-style training script: a model saved with joblib as model.pkl, and its metrics.
PICKLE_TRAIN = """\
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

PICKLE_CONFIG = f"""\
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
        files={
            "mlci.yaml": PICKLE_CONFIG,
            "train.py": PICKLE_TRAIN,
            "data.csv": data_csv(),
            ".gitignore": "out/\n.mlci/\n",
        }
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
