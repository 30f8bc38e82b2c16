"""Building configs, runs and comparisons directly, without training, for the comparison and report tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlci.compare.build import build_comparison
from mlci.compare.result import BaseInfo, Comparison, HeadInfo
from mlci.config import Config
from mlci.config.parse import parse_config
from mlci.config.yamlsource import parse_yaml
from mlci.runs import Run

HEAD_SHA = "b" * 40
BASE_SHA = "a" * 40

IRIS_CONFIG = """\
version: 1
models:
  iris:
    data: {train: iris.csv, target: species}
    estimator: {class: sklearn.linear_model.LogisticRegression, params: {C: 1.0}}
    metrics: [accuracy, f1_macro]
    gates:
      accuracy: {min: 0.9, max_drop: 0.02}
  churn:
    command: python train.py
    outputs: {metrics: out/metrics.json}
    metrics:
      - {name: auc, goal: maximize}
      - {name: latency_ms, goal: minimize}
    gates:
      latency_ms: {max: 100, max_drop: "10%"}
"""


def make_config(tmp_path: Path, text: str = IRIS_CONFIG) -> Config:
    """A validated config as if read from `tmp_path/mlci.yaml` (the data files need not exist)."""
    path = tmp_path / "mlci.yaml"
    path.write_text(text)
    return parse_config(parse_yaml(text, path))


def make_run(
    model: str,
    metrics: dict[str, float],
    *,
    goals: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    commit: str = HEAD_SHA,
    dirty: bool = False,
    mode: str = "declarative",
) -> Run:
    """A run of `model`; goals default to maximize except names ending in `_ms` (minimize)."""
    goals = goals or {name: "minimize" if name.endswith("_ms") else "maximize" for name in metrics}
    lineage = {
        "git": {"commit": commit, "branch": "main" if commit == BASE_SHA else "feature", "dirty": dirty},
        "config_hash": "0123456789abcdef",
        "started_at": "2026-11-22T10:00:00+00:00",
        "duration_seconds": 2.5,
    }
    return Run(model=model, mode=mode, metrics=metrics, goals=goals, params=params or {}, lineage=lineage)


def base_info(*, distance: int = 0) -> BaseInfo:
    requested = BASE_SHA if distance == 0 else "c" * 40
    note = (
        "recorded runs of main (aaaaaaa)"
        if distance == 0
        else "main (ccccccc) has no recorded runs; using its nearest recorded ancestor aaaaaaa, "
        f"{distance} commits back"
    )
    return BaseInfo(ref="main", requested_commit=requested, commit=BASE_SHA, distance=distance, note=note)


def compare(
    config: Config,
    head_runs: dict[str, Run],
    base_runs: dict[str, Run],
    *,
    head: HeadInfo | None = None,
    distance: int = 0,
    failed: dict[str, str] | None = None,
) -> Comparison:
    """`build_comparison` with a fixed base, head and time, so renderings are stable; `failed` names
    the models that failed to train, with why."""
    return build_comparison(
        config=config,
        head=head or HeadInfo(commit=HEAD_SHA, branch="feature", dirty=False),
        base=base_info(distance=distance),
        head_runs=head_runs,
        base_runs=base_runs,
        generated_at="2026-11-22T12:00:00+00:00",
        failed=failed,
    )
