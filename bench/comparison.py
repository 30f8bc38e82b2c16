"""How much the trustworthy comparison costs: the paired bootstrap, content hashing, and `mlci train`
when every model is unchanged.

    python bench/comparison.py [--rows 100000] [--resamples 1000] [--hash-mb 1024]

Prints figures and ratios; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "project"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--hash-mb", type=int, default=1024)
    args = parser.parse_args()
    bootstrap(args.rows, args.resamples)
    hashing(args.hash_mb)
    cached_train()
    return 0


def bootstrap(rows: int, resamples: int) -> None:
    import pandas as pd

    from mlci.compare.bootstrap import change_interval
    from mlci.config.schema import NoiseSpec
    from mlci.training.metrics import ResolvedMetric
    from mlci.training.scoring import StoredPredictions

    generator = np.random.default_rng(0)
    y = generator.integers(0, 2, size=rows)
    y_reg = generator.normal(size=rows)

    def stored(truth, pred, task):
        return StoredPredictions.from_frame(pd.DataFrame({"y_true": truth, "y_pred": pred}), task=task, classes=None)

    settings = NoiseSpec(resamples=resamples, seed=0)
    print(f"paired bootstrap, {rows:,} rows, {resamples:,} resamples")
    cases = [
        ("accuracy", "accuracy", False, "classification", y, lambda p: np.where(generator.random(rows) < p, y, 1 - y)),
        ("f1_macro", "f1_macro", False, "classification", y, lambda p: np.where(generator.random(rows) < p, y, 1 - y)),
        ("r2", "r2", False, "regression", y_reg, lambda p: y_reg + generator.normal(scale=1 - p, size=rows)),
        ("mae", "neg_mean_absolute_error", True, "regression", y_reg, lambda p: y_reg + generator.normal(size=rows)),
    ]
    for name, scorer, negate, task, truth, make in cases:
        metric = ResolvedMetric(name=name, scorer_name=scorer, goal="maximize", negate=negate, index=0)
        base, head = stored(truth, make(0.80), task), stored(truth, make(0.81), task)
        started = time.perf_counter()
        interval = change_interval(metric, base, head, settings)
        seconds = time.perf_counter() - started
        print(f"  {name:10s} {seconds:7.2f} s   interval [{interval.low:+.4f}, {interval.high:+.4f}]")
    # The reference: scikit-learn's scorer on each resample, timed on a slice and scaled up.
    metric = ResolvedMetric(name="accuracy", scorer_name="accuracy", goal="maximize", negate=False, index=0)
    base = stored(y, np.where(generator.random(rows) < 0.8, y, 1 - y), "classification")
    sample = 20
    rows_drawn = generator.integers(0, rows, size=(sample, rows))
    started = time.perf_counter()
    for drawn in rows_drawn:
        base.score([metric], rows=drawn)
        base.score([metric], rows=drawn)
    per_resample = (time.perf_counter() - started) / sample
    print(f"  a plain loop over scikit-learn's scorer would take ~{per_resample * resamples:.1f} s for accuracy")


def hashing(megabytes: int) -> None:
    from mlci.runs.fingerprint import FingerprintCache, fingerprint_file

    with tempfile.TemporaryDirectory(prefix="mlci-bench-hash-") as folder:
        path = Path(folder) / "data.bin"
        block = np.random.default_rng(0).integers(0, 256, size=16 * 1024 * 1024, dtype=np.uint8).tobytes()
        with path.open("wb") as stream:
            for _ in range(max(1, megabytes // 16)):
                stream.write(block)
        size = path.stat().st_size
        fingerprint_file(path)  # warm the page cache: measure hashing, not the disk
        started = time.perf_counter()
        fingerprint_file(path)
        seconds = time.perf_counter() - started
        cache = FingerprintCache(Path(folder) / "cache.json")
        cache.fingerprint(path)
        started = time.perf_counter()
        cache.fingerprint(path)
        cached = time.perf_counter() - started
    print(f"content hashing (xxh3-128), {size / 2**30:.2f} GiB file in the page cache")
    speed = size / seconds / 2**30
    print(f"  {seconds:.2f} s = {speed:.2f} GiB/s; unchanged (size+mtime cache hit): {cached * 1000:.2f} ms")


def cached_train() -> None:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@mlci.invalid"]
    with tempfile.TemporaryDirectory(prefix="mlci-bench-train-") as folder:
        project = Path(folder) / "project"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".mlci", "out"))
        for step in (
            ["git", "init", "-q", "-b", "main"],
            ["git", "add", "-A"],
            ["git", *identity, "commit", "-qm", "x"],
        ):
            subprocess.run(step, cwd=project, check=True, capture_output=True)
        mlci = [sys.executable, "-m", "mlci", "-q", "train"]
        started = time.perf_counter()
        subprocess.run(mlci, cwd=project, env=env, check=True, capture_output=True)
        first = time.perf_counter() - started
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            done = subprocess.run(mlci, cwd=project, env=env, check=True, capture_output=True, text=True)
            timings.append(time.perf_counter() - started)
        reused = done.stdout.count("\n")
    cached = sorted(timings)[len(timings) // 2]
    print("mlci train on the example project (wine declarative, diabetes command with deps)")
    print(f"  first train {first:.2f} s; nothing changed: {cached:.2f} s (median of 5), {first / cached:.1f}x faster")
    print(f"  ({reused} models reported)")


if __name__ == "__main__":
    sys.exit(main())
