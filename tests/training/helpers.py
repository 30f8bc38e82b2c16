"""Small real datasets and a project folder to train in, shared by the training tests."""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
from click.testing import CliRunner, Result
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

from mlci.cli import cli
from mlci.config import Config, load_config
from mlci.runs import Run, read_run

IRIS_CONFIG = """\
version: 1
models:
  iris:
    data:
      train: data/iris.csv
      target: species
      split: {test_size: 0.25, seed: 0}
    estimator:
      class: sklearn.linear_model.LogisticRegression
      params: {C: 1.0, max_iter: 500}
    metrics: [accuracy, f1_macro]
"""


@cache
def _iris() -> pd.DataFrame:
    iris = load_iris(as_frame=True)
    frame = iris.frame.rename(columns={"target": "species"})
    frame["species"] = frame["species"].map(dict(enumerate(iris.target_names)))
    return frame


def iris_frame() -> pd.DataFrame:
    """Iris with the species as text: 150 rows, 3 classes of 50."""
    return _iris().copy()


@cache
def _diabetes() -> pd.DataFrame:
    return load_diabetes(as_frame=True, scaled=False).frame.rename(columns={"target": "progression"})


def diabetes_frame() -> pd.DataFrame:
    """Diabetes progression (regression): 442 rows, 10 numeric features."""
    return _diabetes().copy()


@cache
def _cancer() -> pd.DataFrame:
    cancer = load_breast_cancer(as_frame=True)
    frame = cancer.frame.rename(columns={"target": "diagnosis"})
    frame["diagnosis"] = frame["diagnosis"].map(dict(enumerate(cancer.target_names)))
    return frame


def cancer_frame() -> pd.DataFrame:
    """Breast cancer diagnosis (binary, as text): 569 rows, 30 numeric features."""
    return _cancer().copy()


def python_command(script: str) -> str:
    """A YAML-safe command running `script` with the interpreter running the tests."""
    return json.dumps(f"{shlex.quote(sys.executable)} {script}")


@dataclass
class Project:
    """A project folder in a real git repository, which is also the working directory."""

    root: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def write_frame(self, relative: str, frame: pd.DataFrame) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix in (".parquet", ".pq"):
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        return path

    def config(self, text: str) -> Config:
        self.write("mlci.yaml", text)
        return load_config(self.root / "mlci.yaml")

    def mlci(self, *args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    def run_dir(self, model: str) -> Path:
        return self.root / ".mlci" / "runs" / model

    def run(self, model: str) -> Run:
        return read_run(self.run_dir(model))


def assert_clean_failure(result: Result, *fragments: str) -> str:
    """The command failed with exit code 2, no traceback, and a message holding every fragment."""
    output = result.output
    assert result.exit_code == 2, f"exit code {result.exit_code}, output:\n{output}"
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    for fragment in fragments:
        assert fragment in output, f"{fragment!r} not in:\n{output}"
    return output
