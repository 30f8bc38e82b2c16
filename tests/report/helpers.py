"""Comparisons to render: one that passes and one that fails, with every kind of row."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mlci.compare.result import (
    Comparison,
    DataCheck,
    FeatureDrift,
    ModelComparison,
    ParamChange,
    Rescore,
    TargetShift,
)
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
    """The failing comparison with every optional part filled in: a data check, a re-score, a trend,
    intervals."""
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
        rescore=Rescore(
            because="features",
            columns=["petal_length"],
            rescored=True,
            rows=38,
            recorded={"accuracy": 0.93, "f1_macro": 0.9},
            note="the test inputs changed (features: petal_length): the base model (1a2b3c4) was re-scored "
            "on this run's 38 test rows (recorded on its own test set: accuracy 0.93, f1_macro 0.9)",
        ),
    )
    return dataclasses.replace(comparison, models=[iris, *comparison.models[1:]], notes=["uncommitted changes"])


def many_models(tmp_path: Path, count: int = 60, *, changed: int = 15) -> tuple[Config, Comparison]:
    """`count` models with a large metric (`mse`, in the millions) and `r2`. The first `changed`
    regressed, each with everything a section can hold (a failed gate, an interval, a trend of 12
    records, a data check, a parameter change); the others are unchanged."""
    names = [f"model_{index:02d}" for index in range(count)]
    sections = [
        f"  {name}:\n    command: python train.py\n    outputs: {{metrics: out/metrics.json}}\n"
        "    metrics:\n      - {name: mse, goal: minimize}\n      - {name: r2, goal: maximize}\n"
        "    gates:\n      mse: {max: 2500000}\n"
        for name in names
    ]
    config = make_config(tmp_path, "version: 1\nmodels:\n" + "".join(sections))
    goals = {"mse": "minimize", "r2": "maximize"}
    base = {"mse": 2_450_000.0, "r2": 0.81}
    head_runs, base_runs = {}, {}
    for index, name in enumerate(names):
        worse = index < changed
        head = {"mse": 2_510_000.0, "r2": 0.79} if worse else base
        head_runs[name] = make_run(name, head, goals=goals, params={"alpha": 0.5 if worse else 1.0}, mode="command")
        base_runs[name] = make_run(name, base, goals=goals, params={"alpha": 1.0}, commit=BASE_SHA, mode="command")
    comparison = compare(config, head_runs=head_runs, base_runs=base_runs)
    models = [_with_every_part(model) if index < changed else model for index, model in enumerate(comparison.models)]
    return config, dataclasses.replace(comparison, models=models)


def _with_every_part(model: ModelComparison) -> ModelComparison:
    mse, *others = model.metrics
    return dataclasses.replace(
        model,
        metrics=[dataclasses.replace(mse, noise="real", interval=(41_250.0, 78_900.0)), *others],
        trend={
            "mse": [(f"{index:07x}", 2_400_000.0 + 5_000 * index) for index in range(11)] + [(BASE_SHA[:7], 2.45e6)]
        },
        data=DataCheck(
            path="data/train.csv",
            changed=True,
            rows=(120_000, 125_500),
            added_columns=["region_code"],
            missing=[("income", 0.01, 0.04)],
            target=TargetShift(kind="numeric", mean=(312_400.0, 298_100.0)),
            drift=[
                FeatureDrift(column=f"feature_{n}", kind="numeric", psi=0.4 - 0.05 * n, ks_pvalue=10.0**-n)
                for n in range(6)
            ],
        ),
    )
