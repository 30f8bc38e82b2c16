"""Writing a 1.4-million-row predictions.csv (a binary classifier's: y_true, y_pred, two
probabilities), as `mlci train` writes it, next to pandas' `to_csv`; the two files are compared byte
for byte.

    python bench/predictions_write.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from figures import Figure  # bench/ is on the path, run as a script or by bench/run.py

ROWS = 1_400_000
GOAL = 0.5


def figures(quick: bool) -> list[Figure]:
    import numpy as np
    import pandas as pd

    from mlci.training.csvwrite import write_frame

    rows = 200_000 if quick else ROWS
    generator = np.random.default_rng(0)
    probability = generator.random(rows)
    frame = pd.DataFrame(
        {
            "y_true": generator.integers(0, 2, rows),
            "y_pred": (probability > 0.5).astype(int),
            "proba_0": 1 - probability,
            "proba_1": probability,
        }
    )
    plain, fast = [], []
    with tempfile.TemporaryDirectory(prefix="mlci-bench-predictions-") as folder:
        expected, written = Path(folder) / "pandas.csv", Path(folder) / "mlci.csv"
        for _ in range(3):
            started = time.perf_counter()
            frame.to_csv(expected, index=False)
            plain.append(time.perf_counter() - started)
            started = time.perf_counter()
            write_frame(frame, written)
            fast.append(time.perf_counter() - started)
        same = expected.read_bytes() == written.read_bytes()
    anchor, seconds = statistics.median(plain), statistics.median(fast)
    goal = GOAL * rows / ROWS
    return [
        Figure(
            name=f"write predictions.csv, {rows:,} rows",
            anchor_name="pandas DataFrame.to_csv",
            anchor_seconds=anchor,
            mlci_seconds=seconds,
            goal=f"<= {goal:.2f} s",
            met=seconds <= goal and same,
            detail=f"{anchor / seconds:.1f}x faster; {'the same bytes' if same else 'THE FILES DIFFER'}",
        )
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200,000 rows")
    for figure in figures(parser.parse_args().quick):
        print(f"{figure.name}: mlci {figure.mlci_seconds:.2f} s, {figure.anchor_name} {figure.anchor_seconds:.2f} s")
        print(f"  {figure.detail}; goal {figure.goal}: {'met' if figure.met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
