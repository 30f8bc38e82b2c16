"""`mlci --version` and `mlci --help` against bare interpreter start-up (`python -c pass`), timed
alternately in one run. (`bench/startup.py` has the fuller picture: compare --help, heavy imports.)"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from figures import Figure, mlci_command, time_alternately

GOALS = {"--version": 2.0, "--help": 4.0}


def figures(quick: bool) -> list[Figure]:
    runs = 10 if quick else 30
    mlci = mlci_command()
    commands = {"python -c pass": [sys.executable, "-c", "pass"]}
    commands.update({f"mlci {flag}": [*mlci, flag] for flag in GOALS})
    with tempfile.TemporaryDirectory(prefix="mlci-bench-startup-") as folder:
        timings = time_alternately(commands, cwd=Path(folder), runs=runs)
    floor = timings["python -c pass"]
    results = []
    for flag, goal in GOALS.items():
        timing = timings[f"mlci {flag}"]
        results.append(
            Figure(
                name=f"mlci {flag}",
                anchor_name="python -c pass",
                anchor_seconds=floor.median,
                mlci_seconds=timing.median,
                goal=f"<= {goal:g}x python -c pass",
                met=timing.median <= goal * floor.median,
                detail=f"mlci {timing.spread()}, python {floor.spread()}; {runs} runs each",
            )
        )
    return results
