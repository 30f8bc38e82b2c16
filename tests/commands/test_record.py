"""`mlci record`: only runs trained at this commit from a clean tree, where "clean" leaves out what
the training itself rewrites when mlci.yaml says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.commands.helpers import mlci
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
