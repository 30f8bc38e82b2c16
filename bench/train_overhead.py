"""What `mlci train` costs on top of the training itself.

Builds a dataset whose fit takes several seconds (make_classification, 20,000 rows x 40 features, a
200-tree random forest on one core, fixed seeds), then times, a few times each, as subprocesses:
  plain:  a Python script doing read CSV, stratified split, fit, predict, accuracy;
  mlci:   `mlci train` on an mlci.yaml declaring the same data, split, estimator and metric,
          which also preprocesses, saves the model with skops, keeps predictions and lineage.
Prints the median wall time of each and the ratio mlci / plain (close to 1.0 means the overhead is
small next to the fit), and both accuracies, which should be equal.

    python bench/train_overhead.py [--repeats 3] [--trees 200]

`figures(quick)` measures the issue's case instead: `mlci train --force` of a LogisticRegression on
50,000 rows x 20 features, where the fit is short and mlci's own work shows, against two anchors:
the plain script as above, and the same script also saving its model with skops, as mlci does (a
run keeps a model that can be loaded safely; a script that keeps none does less than mlci).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS, FEATURES, SEED, TEST_SIZE = 20_000, 40, 0, 0.25
GIT_IDENTITY = ("-c", "user.name=mlci bench", "-c", "user.email=bench@mlci.invalid", "-c", "commit.gpgsign=false")

PLAIN_SCRIPT = """\
import sys

import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

data = pd.read_csv("data/bench.csv")
features, target = data.drop(columns="label"), data["label"]
x_train, x_test, y_train, y_test = train_test_split(
    features, target, test_size={test_size}, random_state={seed}, stratify=target
)
model = RandomForestClassifier(n_estimators={trees}, n_jobs=1, random_state={seed}).fit(x_train, y_train)
print(accuracy_score(y_test, model.predict(x_test)))
"""

CONFIG = """\
version: 1
models:
  forest:
    data:
      train: data/bench.csv
      target: label
      split: {{test_size: {test_size}, seed: {seed}}}
    estimator:
      class: sklearn.ensemble.RandomForestClassifier
      params: {{n_estimators: {trees}, n_jobs: 1, random_state: {seed}}}
    metrics: [accuracy]
"""


LOGISTIC_ROWS, LOGISTIC_FEATURES = 50_000, 20
LOGISTIC_SCRIPT = """\
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

data = pd.read_csv("data/bench.csv")
features, target = data.drop(columns="label"), data["label"]
x_train, x_test, y_train, y_test = train_test_split(
    features, target, test_size={test_size}, random_state={seed}, stratify=target
)
model = LogisticRegression(max_iter=1000).fit(x_train, y_train)
print(accuracy_score(y_test, model.predict(x_test)))
"""
SAVING = """\
import skops.io

skops.io.dump(model, "model.skops")
"""
LOGISTIC_CONFIG = """\
version: 1
models:
  logistic:
    data:
      train: data/bench.csv
      target: label
      split: {{test_size: {test_size}, seed: {seed}}}
    estimator:
      class: sklearn.linear_model.LogisticRegression
      params: {{max_iter: 1000}}
    metrics: [accuracy]
"""
GOAL = 1.05


def figures(quick: bool) -> list:
    """`mlci train --force` against a plain script, and against the script saving its model too."""
    from figures import Figure  # bench/ is on the path, run as a script or by bench/run.py

    repeats = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="mlci-bench-train-") as folder:
        root = Path(folder)
        script = LOGISTIC_SCRIPT.format(test_size=TEST_SIZE, seed=SEED)
        prepare(
            root,
            rows=LOGISTIC_ROWS,
            features=LOGISTIC_FEATURES,
            scripts={"plain.py": script, "saving.py": script + SAVING},
            config=LOGISTIC_CONFIG.format(test_size=TEST_SIZE, seed=SEED),
        )
        commands = {
            "plain": [sys.executable, "plain.py"],
            "saving": [sys.executable, "saving.py"],
            "mlci": [sys.executable, "-m", "mlci", "-q", "train", "--force"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeats):
            for name, command in commands.items():  # alternating, so drift lands on every side
                times[name].append(timed(command, cwd=root)[0])
    mlci = statistics.median(times["mlci"])
    found = []
    for name, anchor_name in (("plain", "plain script"), ("saving", "plain script saving its model with skops")):
        anchor = statistics.median(times[name])
        found.append(
            Figure(
                name=f"mlci train --force, LogisticRegression, {LOGISTIC_ROWS:,} rows",
                anchor_name=anchor_name,
                anchor_seconds=anchor,
                mlci_seconds=mlci,
                goal=f"<= {GOAL}x",
                met=mlci <= GOAL * anchor,
                detail=f"{mlci / anchor:.2f}x, {mlci - anchor:+.2f} s, medians of {repeats} alternated runs",
            )
        )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--trees", type=int, default=200, help="trees in the forest (default 200)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mlci-bench-train-") as folder:
        root = Path(folder)
        prepare(
            root,
            rows=ROWS,
            features=FEATURES,
            scripts={"plain.py": PLAIN_SCRIPT.format(test_size=TEST_SIZE, seed=SEED, trees=args.trees)},
            config=CONFIG.format(test_size=TEST_SIZE, seed=SEED, trees=args.trees),
        )
        plain_cmd = [sys.executable, "plain.py"]
        # --force: measure training, not the reuse of an unchanged run (which takes a fraction of a second).
        mlci_cmd = [sys.executable, "-m", "mlci", "-q", "train", "--force"]
        plain_times, mlci_times = [], []
        plain_accuracy = mlci_accuracy = float("nan")
        # Alternating the two keeps slow drift of the machine (other jobs, thermal limits) from
        # landing on one side only.
        for repeat in range(1, args.repeats + 1):
            seconds, output = timed(plain_cmd, cwd=root)
            plain_times.append(seconds)
            plain_accuracy = float(output.strip().splitlines()[-1])
            seconds, _ = timed(mlci_cmd, cwd=root)
            mlci_times.append(seconds)
            mlci_accuracy = read_accuracy(root)
            print(f"  run {repeat}: plain {plain_times[-1]:6.2f} s   mlci train {mlci_times[-1]:6.2f} s", flush=True)

    plain, mlci = statistics.median(plain_times), statistics.median(mlci_times)
    print(
        f"\n{ROWS:,} rows x {FEATURES} features, RandomForestClassifier({args.trees} trees, n_jobs=1), "
        f"median of {args.repeats}"
    )
    print(f"  plain script   {plain:6.2f} s   accuracy {plain_accuracy:.4f}")
    print(f"  mlci train     {mlci:6.2f} s   accuracy {mlci_accuracy:.4f}")
    print(f"  ratio          {mlci / plain:6.3f}   (overhead {mlci - plain:+.2f} s)")
    if abs(plain_accuracy - mlci_accuracy) > 1e-9:
        print("  note: the accuracies differ, so the two did not train on the same split")
    return 0


def prepare(root: Path, *, rows: int, features: int, scripts: dict[str, str], config: str) -> None:
    """The dataset, the plain scripts and the mlci project, in a git repository as a user's would be."""
    import pandas as pd
    from sklearn.datasets import make_classification

    values, labels = make_classification(
        n_samples=rows, n_features=features, n_informative=features // 2, random_state=SEED
    )
    frame = pd.DataFrame(values, columns=[f"f{i}" for i in range(features)]).round(6)
    frame["label"] = labels
    (root / "data").mkdir()
    frame.to_csv(root / "data" / "bench.csv", index=False)
    for name, text in scripts.items():
        (root / name).write_text(text)
    (root / "mlci.yaml").write_text(config)
    (root / ".gitignore").write_text(".mlci/\n")
    git = ["git", *GIT_IDENTITY]
    for step in ([*git, "init", "-q", "-b", "main"], [*git, "add", "-A"], [*git, "commit", "-q", "-m", "bench"]):
        subprocess.run(step, cwd=root, check=True, capture_output=True)


def timed(command: list[str], *, cwd: Path) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "MLCI_CONFIG"}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout


def read_accuracy(root: Path) -> float:
    run = json.loads((root / ".mlci" / "runs" / "forest" / "run.json").read_text())
    return float(run["metrics"]["accuracy"])


if __name__ == "__main__":
    sys.exit(main())
