"""Comparisons to render: one that passes and one that fails, with every kind of row."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mlci.compare.result import Comparison, DataCheck, FeatureDrift, ParamChange, TargetShift
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


def every_part(tmp_path: Path) -> Comparison:
    """The failing comparison with every optional part filled in: a data check, a trend, intervals."""
    _, comparison = failing(tmp_path)
    iris = comparison.models[0]
    check = DataCheck(
        path="data/iris.csv",
        changed=True,
        added_columns=["petal_ratio"],
        retyped_columns=[("sepal_width", "float64", "object")],
        rows=(150, 160),
        missing=[("sepal_length", 0.0, 0.05)],
        target=TargetShift(kind="classes", shares={"setosa": (0.33, 0.3)}),
        drift=[FeatureDrift(column="petal_length", kind="numeric", psi=0.31, ks_pvalue=0.001)],
    )
    metrics = [dataclasses.replace(iris.metrics[0], noise="real", interval=(-0.08, -0.01)), *iris.metrics[1:]]
    iris = dataclasses.replace(
        iris,
        data=check,
        metrics=metrics,
        params=[ParamChange(name="C", base=1.0, head={"grid": [0.1, 1, None, "auto"]})],
        trend={"accuracy": [("1a2b3c4", 0.91), ("2b3c4d5", 0.92)]},
    )
    return dataclasses.replace(comparison, models=[iris, *comparison.models[1:]], notes=["uncommitted changes"])
