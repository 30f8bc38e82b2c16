"""`mlci --version`, `mlci --help` and `mlci compare --help` against bare interpreter start-up
(`python -c pass`), timed alternately in one run; and proof that they stay light: a figure misses its
goal when the command loaded pandas, scikit-learn or matplotlib (about a second of start-up; they
belong inside the commands that train). Each figure's detail lists the slowest imports of the
command (`python -X importtime`), the place to look when it grows."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from figures import Figure, bench_environment, mlci_command, time_alternately

GOALS = {"--version": 2.0, "--help": 4.0, "compare --help": 4.0}
FORBIDDEN = ("pandas", "sklearn", "matplotlib")
PROBE = """\
import sys
from mlci.__main__ import main
try:
    sys.argv[0] = "mlci"
    main()
except SystemExit:
    pass
print("\\nloaded:", ",".join(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def figures(quick: bool) -> list[Figure]:
    runs = 10 if quick else 30
    mlci = mlci_command()
    commands = {"python -c pass": [sys.executable, "-c", "pass"]}
    commands.update({f"mlci {flags}": [*mlci, *flags.split()] for flags in GOALS})
    with tempfile.TemporaryDirectory(prefix="mlci-bench-startup-") as folder:
        timings = time_alternately(commands, cwd=Path(folder), runs=runs)
        floor = timings["python -c pass"]
        results = []
        for flags, goal in GOALS.items():
            timing = timings[f"mlci {flags}"]
            leaked = sorted(set(FORBIDDEN) & loaded_modules(flags.split(), cwd=Path(folder)))
            slowest = ", ".join(f"{name} {ms:.0f} ms" for name, ms in slowest_imports(flags.split(), cwd=Path(folder)))
            results.append(
                Figure(
                    name=f"mlci {flags}",
                    anchor_name="python -c pass",
                    anchor_seconds=floor.median,
                    mlci_seconds=timing.median,
                    goal=f"<= {goal:g}x python -c pass, none of {', '.join(FORBIDDEN)} loaded",
                    met=timing.median <= goal * floor.median and not leaked,
                    detail=f"mlci {timing.spread()}, python {floor.spread()}; {runs} runs each; "
                    f"{'LOADED ' + ', '.join(leaked) if leaked else 'no heavy library loaded'}; "
                    f"slowest imports: {slowest or 'none'}",
                )
            )
    return results


def loaded_modules(cli_args: list[str], *, cwd: Path) -> set[str]:
    """The top-level packages in `sys.modules` after `mlci <cli_args>`."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *cli_args], cwd=cwd, env=bench_environment(), capture_output=True, text=True
    )
    line = [row for row in done.stderr.splitlines() if row.startswith("loaded:")][-1]
    return set(line.split(":", 1)[1].strip().split(","))


def slowest_imports(cli_args: list[str], *, cwd: Path, top: int = 4) -> list[tuple[str, float]]:
    """Top-level packages by cumulative import time in `mlci <cli_args>`, from `python -X importtime`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mlci", *cli_args],
        cwd=cwd,
        env=bench_environment(),
        capture_output=True,
        text=True,
    )
    totals: dict[str, float] = {}
    for row in done.stderr.splitlines():
        if not row.startswith("import time:") or "|" not in row or "cumulative" in row:
            continue
        _, cumulative, name = row.split("|")
        # Top-level imports are printed with a single space of indent; nested ones with more.
        if name.startswith("  "):
            continue
        package = name.strip().split(".")[0]
        totals[package] = totals.get(package, 0.0) + int(cumulative) / 1000
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)[:top]
