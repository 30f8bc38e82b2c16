"""How long mlci takes to start, and proof that the fast commands do not load the heavy libraries.

Times (median of --runs subprocess runs) `python -c pass`, `mlci --help`, `mlci compare --help` and a
real `mlci compare --format json` on a project trained and recorded once beforehand (once with the
result cache emptied before each run, as the first comparison of a job, and once with it, as a report
after a compare), and prints each in milliseconds and as a ratio to bare interpreter start-up. Then
runs `mlci --help` and `mlci compare` in a probe that lists which heavy modules ended up in
`sys.modules`; exits 1 if pandas, scikit-learn or matplotlib is among them.

    python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "project"
FORBIDDEN = ("pandas", "sklearn", "matplotlib")
# Reported for information: loading them lazily inside a function is allowed by the house rules.
WATCHED = ("numpy", "scipy", "skops", "requests", "jinja2", "yaml")
GIT_IDENTITY = ("-c", "user.name=mlci bench", "-c", "user.email=bench@mlci.invalid", "-c", "commit.gpgsign=false")
PROBE = """\
import sys
from mlci.cli import cli
try:
    cli(sys.argv[1:], prog_name="mlci")
except SystemExit:
    pass
print("\\nloaded:", ",".join(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (default 15)")
    args = parser.parse_args()

    mlci = mlci_command()
    with tempfile.TemporaryDirectory(prefix="mlci-bench-startup-") as folder:
        project = prepare_project(Path(folder) / "project")
        compare = [*mlci, "compare", "--base", "main", "--format", "json"]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "mlci --help": [*mlci, "--help"],
            "mlci compare --help": [*mlci, "compare", "--help"],
            "mlci compare --format json": compare,
        }
        timings = {
            label: median_ms(command, cwd=project, runs=args.runs, before=lambda: empty_result_cache(project))
            for label, command in commands.items()
        }
        timings["  again, results cached"] = median_ms(compare, cwd=project, runs=args.runs)

        print(f"start-up, median of {args.runs} runs ({' '.join(mlci)})")
        floor = timings["python -c pass"]
        for label, ms in timings.items():
            print(f"  {label:<28} {ms:8.1f} ms   {ms / floor:5.1f}x python -c pass")

        print("\nheavy modules loaded")
        leaked = False
        for label, cli_args in (
            ("mlci --help", ["--help"]),
            ("mlci compare --format json", ["compare", "--base", "main", "--format", "json"]),
        ):
            empty_result_cache(project)  # the heaviest path: everything computed
            loaded = loaded_modules(cli_args, cwd=project)
            cells = []
            for name in (*FORBIDDEN, *WATCHED):
                cells.append(f"{name}={'yes' if name in loaded else 'no'}")
                leaked |= name in FORBIDDEN and name in loaded
            print(f"  {label:<28} {'  '.join(cells)}")
        print(f"  (fails on {', '.join(FORBIDDEN)}; the others are shown for information)")

        print("\nslowest imports of `mlci --help` (python -X importtime, cumulative)")
        for name, ms in slowest_imports([*mlci_python(), "--help"], cwd=project):
            print(f"  {name:<28} {ms:8.1f} ms")
    if leaked:
        print(f"\nFAIL: a fast command imported one of {', '.join(FORBIDDEN)}")
        return 1
    return 0


def mlci_command() -> list[str]:
    """The `mlci` script of this interpreter's environment, as users run it; `python -m mlci` without one."""
    script = Path(sys.executable).parent / "mlci"
    if script.is_file():
        return [str(script)]
    found = shutil.which("mlci")
    return [found] if found else mlci_python()


def mlci_python() -> list[str]:
    return [sys.executable, "-m", "mlci"]


def prepare_project(root: Path) -> Path:
    """The example project in a new git repository: trained and recorded on main, then retrained on a
    branch with one hyper-parameter changed, so `mlci compare` has real work to do."""
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mlci", "out"))
    env = environment()
    git = ["git", *GIT_IDENTITY]
    steps = [
        [*git, "init", "-q", "-b", "main"],
        [*git, "add", "-A"],
        [*git, "commit", "-q", "-m", "models"],
        [*mlci_python(), "train"],
        [*mlci_python(), "record"],
        [*git, "checkout", "-q", "-b", "tune"],
    ]
    for step in steps:
        subprocess.run(step, cwd=root, env=env, check=True, capture_output=True)
    params = root / "params.yaml"
    params.write_text(params.read_text().replace("learning_rate: 0.05", "learning_rate: 0.1"))
    for step in ([*git, "commit", "-q", "-am", "tune"], [*mlci_python(), "train"]):
        subprocess.run(step, cwd=root, env=env, check=True, capture_output=True)
    return root


def environment() -> dict[str, str]:
    """This interpreter first on PATH, so the example's `python train.py` finds the same packages."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("MLCI_CONFIG", None)
    return env


def empty_result_cache(project: Path) -> None:
    """Forget what earlier comparisons computed (bootstrap, re-scores, data checks), not the file hashes."""
    for kind in ("bootstrap", "rescore", "datacheck"):
        shutil.rmtree(project / ".mlci" / "cache" / kind, ignore_errors=True)


def median_ms(command: list[str], *, cwd: Path, runs: int, before: Callable[[], None] | None = None) -> float:
    env = environment()
    subprocess.run(command, cwd=cwd, env=env, capture_output=True)  # warm the file cache
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True)
        samples.append((time.perf_counter() - started) * 1000)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    return statistics.median(samples)


def loaded_modules(cli_args: list[str], *, cwd: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *cli_args], cwd=cwd, env=environment(), capture_output=True, text=True
    )
    line = [row for row in done.stderr.splitlines() if row.startswith("loaded:")][-1]
    return set(line.split(":", 1)[1].strip().split(","))


def slowest_imports(command: list[str], *, cwd: Path, top: int = 6) -> list[tuple[str, float]]:
    """Top-level packages by cumulative import time, from `python -X importtime`."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]], cwd=cwd, env=environment(), capture_output=True, text=True
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


if __name__ == "__main__":
    sys.exit(main())
