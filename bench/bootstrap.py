"""The paired bootstrap per metric, at 100,000 and 1,000,000 test rows x 1,000 resamples, next to a
naive numpy loop (each resample's rows drawn, both sides gathered, the metric computed).

    python bench/bootstrap.py [--quick]

Also prints how far the count-based bootstrap's interval ends are from the row-resampling one's on
the same seeds: the tolerance the tests hold it to.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from figures import Figure  # bench/ is on the path, run as a script or by bench/run.py

RESAMPLES = 1000
# The goals: accuracy and macro F1 in milliseconds; the error metrics and R² in half a second; a
# million rows in two seconds for every metric computed without scikit-learn.
GOALS = {"accuracy": 0.05, "f1_macro": 0.05, "r2": 0.5, "mae": 0.5, "mse": 0.5}
MILLION_GOAL = 2.0
SCORERS = {
    "accuracy": ("accuracy", False),
    "f1_macro": ("f1_macro", False),
    "r2": ("r2", False),
    "mae": ("neg_mean_absolute_error", True),
    "mse": ("neg_mean_squared_error", True),
}


def figures(quick: bool) -> list[Figure]:
    """A figure per metric at 100,000 rows, and (unless `quick`) at 1,000,000."""
    found = []
    for rows in (100_000,) if quick else (100_000, 1_000_000):
        naive = naive_loop_seconds(rows, resamples=50 if quick else 200) * RESAMPLES
        for name in SCORERS:
            sides = predictions(name, rows)
            seconds = median_seconds(lambda name=name, sides=sides: run(name, sides), repeats=3 if quick else 5)
            goal = GOALS[name] if rows < 1_000_000 else MILLION_GOAL
            found.append(
                Figure(
                    name=f"paired bootstrap {name}, {rows:,} rows x {RESAMPLES:,}",
                    anchor_name="naive numpy loop (accuracy), scaled from a sample of resamples",
                    anchor_seconds=naive,
                    mlci_seconds=seconds,
                    goal=f"<= {goal} s",
                    met=seconds <= goal,
                    # The goals were set against a 1.07 s naive loop: on a busier machine, the ratio tells.
                    detail=f"{seconds / naive:.3f}x the naive loop, {seconds / naive * 1.07:.3f} s at its 1.07 s",
                )
            )
    return found


def predictions(name: str, rows: int) -> tuple[object, object]:
    """Base and head predictions in the shape the bootstrap reads, the head slightly better."""
    from mlci.compare.resampling import Frozen, Predictions

    generator = np.random.default_rng(0)
    if name in ("accuracy", "f1_macro"):
        y = generator.integers(0, 3, size=rows)
        base = np.where(generator.random(rows) < 0.80, y, (y + 1) % 3)
        head = np.where(generator.random(rows) < 0.81, y, (y + 2) % 3)
    else:
        y = generator.normal(size=rows)
        base, head = y + generator.normal(scale=0.50, size=rows), y + generator.normal(scale=0.49, size=rows)
    return Predictions(y, Frozen(base)), Predictions(y, Frozen(head))


def run(name: str, sides: tuple[object, object], seed: int = 0) -> tuple[float, float]:
    from mlci.compare.bootstrap import change_interval
    from mlci.config.schema import NoiseSpec
    from mlci.training.metrics import ResolvedMetric

    scorer, negate = SCORERS[name]
    metric = ResolvedMetric(name=name, scorer_name=scorer, goal="maximize", negate=negate, index=0)
    base, head = sides
    interval = change_interval(metric, base, head, NoiseSpec(resamples=RESAMPLES, seed=seed))  # type: ignore[arg-type]
    return interval.low, interval.high


def naive_loop_seconds(rows: int, *, resamples: int) -> float:
    """Seconds per resample of the loop one would write: draw the rows, gather both sides, compare."""
    generator = np.random.default_rng(0)
    y = generator.integers(0, 3, size=rows)
    base, head = np.where(generator.random(rows) < 0.8, y, 0), np.where(generator.random(rows) < 0.81, y, 0)
    started = time.perf_counter()
    for _ in range(resamples):
        drawn = generator.integers(0, rows, size=rows)
        float((head[drawn] == y[drawn]).mean() - (base[drawn] == y[drawn]).mean())
    return (time.perf_counter() - started) / resamples


def median_seconds(action: Callable[[], object], *, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def tolerance(rows: int, seeds: int) -> list[float]:
    """|count-based - row-resampling| of the accuracy interval ends, on the same seeds."""
    from mlci.compare.bootstrap import resample_blocks
    from mlci.compare.counted import categories
    from mlci.config.schema import NoiseSpec

    base, head = predictions("accuracy", rows)
    category, change = categories("accuracy", base.y_true, base.estimator.predictions, head.estimator.predictions)  # type: ignore[attr-defined]
    differences = []
    for seed in range(seeds):
        counted = run("accuracy", (base, head), seed)
        changes = []
        for block in resample_blocks(rows, NoiseSpec(resamples=RESAMPLES, seed=seed)):
            offset = np.arange(len(block))[:, None] * 4
            counts = np.bincount((category[block] + offset).ravel(), minlength=4 * len(block)).reshape(-1, 4)
            changes.append(change(counts))
        by_rows = np.percentile(np.concatenate(changes), [2.5, 97.5])
        differences += [abs(counted[0] - by_rows[0]), abs(counted[1] - by_rows[1])]
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows only, fewer repeats")
    args = parser.parse_args()
    for figure in figures(args.quick):
        mark = "met" if figure.met else "NOT met"
        print(f"{figure.name:50s} {figure.mlci_seconds:7.3f} s  (naive loop {figure.anchor_seconds:6.2f} s)", end="")
        print(f"  goal {figure.goal}: {mark}")
    differences = tolerance(100_000, seeds=3 if args.quick else 10)
    print(
        f"count-based vs row-resampling accuracy interval ends, 100,000 rows x {RESAMPLES:,}, same seeds: "
        f"median |difference| {statistics.median(differences):.1e}, largest {max(differences):.1e}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
