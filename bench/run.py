"""Every figure of the benchmarks in one run: each next to its anchor, timed alternately, with the
ratio and whether it meets its goal. Writes nothing into the repository (projects are built in a
temporary folder; Python's bytecode cache goes there too).

    python bench/run.py [--quick] [--install-dvc] [--only NAME ...]

Exits 1 when a figure misses its goal. The figures come from every module here that has a
`figures(quick: bool) -> list[Figure]` function (see `figures.py`).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import math
import os
import platform
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from figures import Figure  # noqa: E402

# Modules run first, in this order; any other module here with `figures()` runs after them.
FIRST = ("startup_figures", "compare_scale")


def machine() -> str:
    """CPU model, cores, memory and Python, as bench/README.md states them."""
    cpu = "unknown CPU"
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB memory"
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, {platform.system()}"


def modules() -> list[str]:
    found = sorted(path.stem for path in BENCH.glob("*.py") if path.stem not in ("run", "figures"))
    return [name for name in FIRST if name in found] + [name for name in found if name not in FIRST]


def collect(name: str, *, quick: bool, install_dvc: bool) -> list[Figure]:
    module = importlib.import_module(name)
    function = getattr(module, "figures", None)
    if function is None:
        return []
    if "install_dvc" in inspect.signature(function).parameters:
        return list(function(quick, install_dvc=install_dvc))
    return list(function(quick))


def show(figure: Figure) -> str:
    if math.isnan(figure.anchor_seconds):
        versus = f"{figure.anchor_name}: skipped"
    else:
        versus = f"{figure.anchor_name} {figure.anchor_seconds * 1000:8.1f} ms   ratio {figure.ratio:6.2f}"
    verdict = "met " if figure.met else "MISS"
    return (
        f"{verdict} {figure.name:<36} mlci {figure.mlci_seconds * 1000:8.1f} ms   {versus}   goal {figure.goal}\n"
        f"     {figure.detail}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a look rather than a figure")
    parser.add_argument("--install-dvc", action="store_true", help="pip install dvc into bench/.venv-dvc when missing")
    parser.add_argument("--only", nargs="*", default=None, help="run only these modules (e.g. compare_scale)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print("medians of alternating runs; ratio = mlci / anchor; detail: min/median/max\n")
    missed = 0
    for name in modules():
        if args.only is not None and name not in args.only:
            continue
        for figure in collect(name, quick=args.quick, install_dvc=args.install_dvc):
            print(show(figure), flush=True)
            missed += not figure.met
    print(f"\n{missed} figure(s) miss their goal" if missed else "\nevery figure meets its goal")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
