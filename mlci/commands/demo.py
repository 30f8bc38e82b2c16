"""`mlci demo`: the whole loop on bundled data in a throwaway repository.

It uses the same functions as the commands (train, record, compare, report), so what the demo
shows is what a project gets; only the project itself is generated.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from pathlib import Path

import click

from mlci.commands.compare import comparison_for
from mlci.commands.project import Project
from mlci.commands.record import record_current_runs
from mlci.commands.train import train
from mlci.config import load_config
from mlci.console import Console, printable
from mlci.errors import MlciError
from mlci.git import Git, short_sha
from mlci.github.context import GitHubContext
from mlci.report import render

DEMO_IDENTITY = ("-c", "user.name=mlci demo", "-c", "user.email=demo@mlci.invalid", "-c", "commit.gpgsign=false")

CONFIG = """\
# The mlci demo project: two models, one of each kind.
version: 1
models:
  cancer:                       # declarative: mlci loads the data, splits, trains and scores
    data:
      train: data/breast_cancer.csv
      target: diagnosis
      split: {{test_size: 0.3, seed: 7}}
    estimator:
      class: sklearn.linear_model.LogisticRegression
      params: {{C: {C}, max_iter: 5000}}
    metrics: [accuracy, f1_macro, roc_auc]
    gates:
      accuracy: {{min: 0.9, max_drop: 0.02}}
  diabetes:                     # command mode: any program that writes a metrics file
    command: {command}
    outputs:
      metrics: out/metrics.json
      predictions: out/predictions.csv
    metrics:
      - {{name: test.r2, goal: maximize}}
      - {{name: test.mae, goal: minimize}}
    gates:
      test.r2: {{min: 0.3}}
    deps: [train.py, params.json, data/diabetes.csv]
"""

TRAIN_SCRIPT = """\
\"\"\"Trains a ridge regression on the diabetes data and writes metrics and predictions.\"\"\"
import json
from pathlib import Path

import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split

params = json.loads(Path("params.json").read_text())
data = pd.read_csv("data/diabetes.csv")
X, y = data.drop(columns="progression"), data["progression"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=7)
model = Ridge(alpha=params["alpha"]).fit(X_train, y_train)
predicted = model.predict(X_test)
out = Path("out")
out.mkdir(exist_ok=True)
metrics = {"test": {"r2": r2_score(y_test, predicted), "mae": mean_absolute_error(y_test, predicted)}}
(out / "metrics.json").write_text(json.dumps(metrics, indent=2))
pd.DataFrame({"y_true": y_test, "y_pred": predicted}).to_csv(out / "predictions.csv", index=False)
print(f"ridge alpha={params['alpha']}: r2={metrics['test']['r2']:.3f}")
"""


def run_demo(directory: Path | None, *, console: Console) -> Path:
    """Build the demo project in `directory` (or a temporary folder) and run the loop; returns the
    path of the Markdown report. It runs as on a laptop, whatever CI the demo itself runs in."""
    root = _prepare_folder(directory)
    git = Git(root)
    console.info(f"demo project: {root}")
    with console.step("writing the project (breast cancer and diabetes data from scikit-learn)"):
        _write_project(root, git)
    project = Project(config=load_config(root / "mlci.yaml"), console=console, github=GitHubContext())

    console.info("")
    console.heading("1. On main: train and record the baseline")
    train(project, []).check()
    outcome = record_current_runs(project, replace=False, allow_dirty=False)
    console.info(f"recorded {', '.join(outcome.models)} for main ({short_sha(outcome.commit)})")

    console.info("")
    console.heading("2. On branch tune-models: weaker regularisation, a different ridge alpha")
    git.run("checkout", "-q", "-b", "tune-models")
    (root / "mlci.yaml").write_text(CONFIG.format(C=100.0, command=_command()))
    (root / "params.json").write_text('{"alpha": 0.1}\n')
    git.run(*DEMO_IDENTITY, "commit", "-q", "-am", "Tune the models")
    project = Project(config=load_config(root / "mlci.yaml"), console=console, github=GitHubContext())
    train(project, []).check()
    config = project.config

    console.info("")
    console.heading("3. Compare with main and render the report")
    comparison = comparison_for(project, "main")
    report = render(comparison, "markdown", config=config)
    report_path = root / "report.md"
    report_path.write_text(report, encoding="utf-8")
    (root / "comparison.json").write_text(render(comparison, "json", config=config), encoding="utf-8")

    click.echo(printable(report.rstrip("\n")))
    console.info("")
    console.info(f"report:      {report_path}")
    console.info(f"comparison:  {root / 'comparison.json'}")
    console.info(f"runs:        {config.work_dir / 'runs'}")
    console.info(f"try:         cd {shlex.quote(str(root))} && mlci compare --base main")
    return report_path


def _prepare_folder(directory: Path | None) -> Path:
    if directory is None:
        return Path(tempfile.mkdtemp(prefix="mlci-demo-"))
    if directory.exists() and any(directory.iterdir()):
        raise MlciError(f"{directory} is not empty; the demo needs an empty or new folder")
    directory.mkdir(parents=True, exist_ok=True)
    return directory.resolve()


def _write_project(root: Path, git: Git) -> None:
    from sklearn.datasets import load_breast_cancer, load_diabetes

    data = root / "data"
    data.mkdir()
    cancer = load_breast_cancer(as_frame=True)
    frame = cancer.frame.rename(columns={"target": "diagnosis"})
    frame["diagnosis"] = frame["diagnosis"].map(dict(enumerate(cancer.target_names)))
    frame.to_csv(data / "breast_cancer.csv", index=False)
    diabetes = load_diabetes(as_frame=True, scaled=False)
    diabetes.frame.rename(columns={"target": "progression"}).to_csv(data / "diabetes.csv", index=False)
    (root / "train.py").write_text(TRAIN_SCRIPT)
    (root / "params.json").write_text('{"alpha": 1.0}\n')
    (root / "mlci.yaml").write_text(CONFIG.format(C=1.0, command=_command()))
    (root / ".gitignore").write_text(".mlci/\nout/\n")
    git.run("init", "-q", "-b", "main")
    git.run("add", "-A")
    git.run(*DEMO_IDENTITY, "commit", "-q", "-m", "Add the models")


def _command() -> str:
    """The training command, run by the interpreter running mlci so it finds pandas and scikit-learn;
    JSON-quoted, which is valid YAML whatever the interpreter's path holds."""
    return json.dumps(f"{shlex.quote(sys.executable)} train.py")
