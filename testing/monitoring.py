"""A project whose model is in production, and batches of fresh data with planted effects, for the
monitor's tests and its false-alarm experiment.

The data: four standard normal features and a label that depends on three of them, so a logistic
regression reaches about 0.85 accuracy. A batch can shift a feature by some standard deviations
(drift) and flip a share of its labels (decay), each on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import CliRunner

from mlci.cli import cli
from testing.repos import git

if TYPE_CHECKING:
    import pandas as pd

FEATURES = ("x1", "x2", "x3", "x4")
TARGET = "label"
CONFIG = """\
version: 1
models:
  churn:
    data: {train: data/train.csv, target: label}
    estimator: {class: sklearn.linear_model.LogisticRegression}
    metrics: [accuracy, f1_macro]
monitor:
  batch: data/incoming/*.csv
  alert: none
store: {backend: local}
"""
# Two models, each watching its own folder of fresh data; what a test adds after them (its `monitor:`
# settings, a `retrain:` section) is its own.
TWO_MODELS = """\
version: 1
models:
  churn:
    data: {train: data/train.csv, target: label}
    estimator: {class: sklearn.linear_model.LogisticRegression}
    metrics: [accuracy]
    monitor: {batch: data/incoming/churn/*.csv}
  steady:
    data: {train: data/train.csv, target: label}
    estimator: {class: sklearn.linear_model.LogisticRegression, params: {C: 0.5}}
    metrics: [accuracy]
    monitor: {batch: data/incoming/steady/*.csv}
"""


def unreviewed_model() -> bytes:
    """A skops file of a fitted model whose class no repository has reviewed."""
    import numpy as np
    import skops.io
    from sklearn.linear_model import LogisticRegression

    class UnreviewedRegression(LogisticRegression):
        pass

    UnreviewedRegression.__module__ = __name__
    globals()["UnreviewedRegression"] = UnreviewedRegression
    model = UnreviewedRegression().fit(np.eye(2), [0, 1])
    return skops.io.dumps(model)


def sample(rows: int, seed: int, *, shift: dict[str, float] | None = None, flip: float = 0.0) -> pd.DataFrame:
    """`rows` rows of the project's distribution; `shift` moves features by that many standard
    deviations after the labels are drawn (the world changed, the labels did not follow), `flip`
    flips that share of the labels."""
    import numpy as np
    import pandas as pd

    generator = np.random.default_rng(seed)
    x = generator.normal(size=(rows, len(FEATURES)))
    score = 1.5 * x[:, 0] + x[:, 1] - x[:, 2] + generator.normal(scale=0.8, size=rows)
    label = np.where(score > 0, "yes", "no")
    frame = pd.DataFrame(x, columns=list(FEATURES)).round(4)
    for column, sigmas in (shift or {}).items():
        frame[column] = frame[column] + sigmas
    if flip:
        flipped = generator.random(rows) < flip
        label = np.where(flipped, np.where(label == "yes", "no", "yes"), label)
    frame[TARGET] = label
    return frame


def mlci(root: Path, *args: str, env: dict[str, str] | None = None):
    """`mlci --config root/mlci.yaml ARGS`, in this process (with `env` added to its environment)."""
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args], env=env)


def production_project(root: Path, *, config: str = CONFIG, rows: int = 1200) -> Path:
    """A git repository at `root` whose model is trained, recorded and promoted to production."""
    (root / "data" / "incoming").mkdir(parents=True)
    (root / "mlci.yaml").write_text(config)
    (root / ".gitignore").write_text(".mlci/\ndata/incoming/\n")
    sample(rows, seed=1000).to_csv(root / "data" / "train.csv", index=False)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "churn model")
    for step in ("train", "record", "promote"):
        done = mlci(root, step)
        assert done.exit_code == 0, done.output
    return root


def write_batch(root: Path, frame: pd.DataFrame, name: str = "batch.csv") -> Path:
    path = root / "data" / "incoming" / name
    frame.to_csv(path, index=False)
    return path
