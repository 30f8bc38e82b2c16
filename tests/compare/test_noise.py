"""The noise of a command model's metrics: named by the project, paired through `kind:`, and the
report saying why whenever it stays unknown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlci.cli import cli
from tests.conftest import git
from tests.training.helpers import python_command

pytestmark = pytest.mark.integration

# A CML-style training script: reads DVC's params.yaml, writes metrics.txt and the predictions; the
# share of wrong predictions follows `train.errors`, so the PR's change of it is a real change.
TRAIN = """\
import random, yaml
from pathlib import Path

errors = yaml.safe_load(Path("params.yaml").read_text())["train"]["errors"]
generator = random.Random(0)
y_true = [generator.randint(0, 1) for _ in range(400)]
y_pred = [1 - y if index % 100 < errors else y for index, y in enumerate(y_true)]
accuracy = sum(a == b for a, b in zip(y_true, y_pred)) / len(y_true)
Path("out").mkdir(exist_ok=True)
Path("out/metrics.txt").write_text(f"Accuracy: {accuracy}\\nScore: {accuracy * 10}\\n")
lines = ["y_true,y_pred"] + [f"{a},{b}" for a, b in zip(y_true, y_pred)]
Path("out/predictions.csv").write_text("\\n".join(lines) + "\\n")
"""

CONFIG = f"""\
version: 1
models:
  cml:
    command: {python_command("train.py")}
    outputs:
      metrics: out/metrics.txt
      predictions: out/predictions.csv
    metrics:
      - {{name: Accuracy, kind: accuracy}}
      - {{name: Score, goal: maximize}}
    params: [params.yaml]
    deps: [train.py]
"""


def mlci(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args], catch_exceptions=False)


def project_with_change(make_repo: Callable[..., Path], config: str, *, errors: tuple[int, int]) -> Path:
    """A project whose base run is recorded with `train.errors` at `errors[0]`, and whose branch
    changed it to `errors[1]` and trained."""
    before, after = errors
    files = {"mlci.yaml": config, "train.py": TRAIN, "params.yaml": f"train:\n  errors: {before}\n  seed: 0\n"}
    root = make_repo(files=files)
    assert mlci(root, "train").exit_code == 0 and mlci(root, "record").exit_code == 0
    git(root, "checkout", "-q", "-b", "feature")
    (root / "params.yaml").write_text(f"train:\n  errors: {after}\n  seed: 0\n")
    git(root, "commit", "-q", "-am", "more errors")
    assert mlci(root, "train").exit_code == 0
    return root


@pytest.fixture
def changed(make_repo: Callable[..., Path]) -> Path:
    return project_with_change(make_repo, CONFIG, errors=(5, 25))


def test_a_named_metric_of_a_known_kind_gets_its_noise_and_the_others_say_why_not(changed: Path) -> None:
    result = mlci(changed, "compare", "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.output

    model = json.loads(result.output)["models"][0]
    metrics = {metric["name"]: metric for metric in model["metrics"]}
    assert metrics["Accuracy"]["noise"] == "real" and metrics["Accuracy"]["interval"][1] < 0
    assert metrics["Score"]["noise"] == "unknown" and metrics["Score"]["interval"] is None
    assert model["notes"] == [
        "noise unknown for Score: mlci cannot tell from the name which metric this is; if it is one of "
        "accuracy, f1_macro, r2, mae, mse, rmse, say so with `kind:` in mlci.yaml to let mlci compute it from "
        "the predictions"
    ]


def test_the_parameter_file_is_diffed_like_declarative_parameters(changed: Path) -> None:
    result = mlci(changed, "compare", "--base", "main", "--format", "json")

    params = json.loads(result.output)["models"][0]["params"]
    assert params == [{"name": "params.yaml:train.errors", "base": 5, "head": 25, "kind": "changed"}]
    report = mlci(changed, "report", "--base", "main", "--output", str(changed / "report.md"))
    assert report.exit_code == 0, report.output
    assert "params.yaml:train.errors" in (changed / "report.md").read_text()


def test_a_metric_named_like_a_known_one_in_any_case_gets_its_noise(make_repo: Callable[..., Path]) -> None:
    # `Accuracy` without `kind:`: its name says what it is.
    config = CONFIG.replace("{name: Accuracy, kind: accuracy}", "Accuracy")
    root = project_with_change(make_repo, config, errors=(5, 25))

    model = json.loads(mlci(root, "compare", "--base", "main", "--format", "json").output)["models"][0]

    accuracy = next(metric for metric in model["metrics"] if metric["name"] == "Accuracy")
    assert accuracy["noise"] == "real" and accuracy["interval"] is not None
