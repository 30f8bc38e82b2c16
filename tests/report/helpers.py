"""Comparisons to render: one that passes and one that fails, with every kind of row."""

from __future__ import annotations

from pathlib import Path

from mlci.compare.result import Comparison
from mlci.config import Config
from tests.compare.factories import BASE_SHA, compare, make_config, make_run


def passing(tmp_path: Path, config: Config | None = None) -> tuple[Config, Comparison]:
    """iris improved (gates pass), churn unchanged, a parameter changed."""
    config = config or make_config(tmp_path)
    return config, compare(
        config,
        head_runs={
            "iris": make_run("iris", {"accuracy": 0.95, "f1_macro": 0.94}, params={"C": 10.0}),
            "churn": make_run("churn", {"auc": 0.8, "latency_ms": 80.0}),
        },
        base_runs={
            "iris": make_run("iris", {"accuracy": 0.93, "f1_macro": 0.94}, params={"C": 1.0}, commit=BASE_SHA),
            "churn": make_run("churn", {"auc": 0.8, "latency_ms": 80.0}, commit=BASE_SHA),
        },
    )


def failing(tmp_path: Path, *, distance: int = 0) -> tuple[Config, Comparison]:
    """iris regressed below its gates, churn gained a metric, a model was removed."""
    config = make_config(tmp_path)
    return config, compare(
        config,
        head_runs={
            "iris": make_run("iris", {"accuracy": 0.8712, "f1_macro": 0.90}),
            "churn": make_run("churn", {"auc": 0.8, "latency_ms": 80.0}),
        },
        base_runs={
            "iris": make_run("iris", {"accuracy": 0.92, "f1_macro": 0.90}, commit=BASE_SHA),
            "churn": make_run("churn", {"latency_ms": 80.0}, commit=BASE_SHA),
            "legacy": make_run("legacy", {"rmse": 3.5}, goals={"rmse": "minimize"}, commit=BASE_SHA),
        },
        distance=distance,
    )
