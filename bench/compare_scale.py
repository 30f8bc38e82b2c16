"""`mlci compare` against `dvc metrics diff` on the same repository, at growing numbers of models.

A project of N command-mode models, each writing a metrics JSON of 20 metrics (no predictions file, as
DVC has none), trained and recorded on main (the results branch on a local bare remote, as in CI), then
a branch on which every metric moved. `mlci compare --base main --format json` and `dvc metrics diff
main --json` (a dvc.yaml listing the same metrics files, committed on both sides) run alternately.

    python bench/compare_scale.py [--quick] [--install-dvc]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figure, bench_environment, mlci_command, time_alternately

BENCH = Path(__file__).resolve().parent
DVC_VENV = BENCH / ".venv-dvc"
METRICS = 20
GOAL_FASTER = 5.0  # times faster than dvc
GOAL_PER_MODEL = 0.002  # seconds per added model
GIT = ["git", "-c", "user.name=mlci bench", "-c", "user.email=bench@mlci.invalid", "-c", "commit.gpgsign=false"]
WRITER = """\
import hashlib, json, sys
from pathlib import Path

METRICS = {metrics}

name, shift = sys.argv[1], float(Path("shift.txt").read_text())
out = Path("out") / name
out.mkdir(parents=True, exist_ok=True)
values = {}
for index in range(METRICS):
    seed = int(hashlib.sha256(f"{name}{index}".encode()).hexdigest()[:6], 16)
    values[f"m{index:02d}"] = round(0.5 + seed % 1000 / 4000 + shift * (index % 3), 6)
(out / "metrics.json").write_text(json.dumps(values, indent=1))
""".replace("{metrics}", str(METRICS))


def find_dvc(*, install: bool) -> tuple[list[str] | None, str]:
    """dvc from the bench's own venv (made with pip when `install` allows), else `dvc` on PATH; None
    and why when there is neither."""
    own = DVC_VENV / "bin" / "dvc"
    if not own.is_file() and install:
        subprocess.run([sys.executable, "-m", "venv", str(DVC_VENV)], check=True)
        done = subprocess.run([str(DVC_VENV / "bin" / "pip"), "install", "-q", "dvc"], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"could not install dvc into {DVC_VENV}: {done.stderr.strip()[-300:]}", file=sys.stderr)
    if own.is_file():
        return [str(own)], f"dvc from {DVC_VENV}"
    found = shutil.which("dvc")
    if found:
        return [found], f"dvc on PATH ({found})"
    return None, f"no dvc: neither {DVC_VENV} (make it with --install-dvc) nor dvc on PATH"


def dvc_version(dvc: list[str]) -> str:
    return subprocess.run([*dvc, "--version"], capture_output=True, text=True).stdout.strip()


def build_project(root: Path, models: int, *, dvc: list[str] | None) -> Path:
    """The project described above in `root` (created), with its bare remote next to it."""
    remote = root.parent / f"{root.name}.git"
    root.mkdir(parents=True)
    env = bench_environment()

    def run(*command: str) -> None:
        subprocess.run(list(command), cwd=root, env=env, check=True, capture_output=True)

    subprocess.run([*GIT, "init", "-q", "--bare", str(remote)], check=True)
    run(*GIT, "init", "-q", "-b", "main")
    run(*GIT, "remote", "add", "origin", str(remote))
    names = [f"model{index:03d}" for index in range(models)]
    config = ["version: 1", "models:"]
    for name in names:
        config += [
            f"  {name}:",
            f"    command: python make_metrics.py {name}",
            f"    outputs: {{metrics: out/{name}/metrics.json}}",
            "    metrics:",
            *(f"      - {{name: m{index:02d}, goal: maximize}}" for index in range(METRICS)),
            "    deps: [make_metrics.py, shift.txt]",
        ]
    (root / "mlci.yaml").write_text("\n".join(config) + "\n")
    (root / "dvc.yaml").write_text("metrics:\n" + "".join(f"  - out/{name}/metrics.json\n" for name in names))
    (root / "make_metrics.py").write_text(WRITER)
    (root / "shift.txt").write_text("0\n")
    (root / ".gitignore").write_text(".mlci/\n")
    if dvc is not None:
        run(*dvc, "init", "-q")
    mlci = mlci_command()
    # The metrics files are committed, as DVC reads them from git; runs are recorded for that commit.
    run(*mlci, "train")
    run(*GIT, "add", "-A")
    run(*GIT, "commit", "-q", "-m", "models")
    run(*GIT, "push", "-q", "origin", "main")
    run(*mlci, "train", "--force")
    run(*mlci, "record")
    run(*GIT, "checkout", "-q", "-b", "tune")
    (root / "shift.txt").write_text("0.01\n")
    run(*mlci, "train")
    run(*GIT, "add", "-A")
    run(*GIT, "commit", "-q", "-m", "tune")
    return root


def empty_result_cache(project: Path) -> None:
    """Forget what earlier comparisons computed, as a job's first comparison finds it."""
    for kind in ("bootstrap", "rescore", "datacheck"):
        shutil.rmtree(project / ".mlci" / "cache" / kind, ignore_errors=True)


def figures(quick: bool, *, install_dvc: bool = False) -> list[Figure]:
    """compare at 50 and 200 models against dvc, and the cost of each added model."""
    sizes = (50, 200)
    runs = 5 if quick else 15
    dvc, where = find_dvc(install=install_dvc)
    mlci_compare = [*mlci_command(), "compare", "--base", "main", "--format", "json"]
    results = []
    medians: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="mlci-bench-compare-") as folder:
        for models in sizes:
            root = build_project(Path(folder) / f"p{models}", models, dvc=dvc)
            commands = {"mlci": mlci_compare}
            if dvc is not None:
                commands["dvc"] = [*dvc, "metrics", "diff", "main", "--json"]
            timings = time_alternately(commands, cwd=root, runs=runs, before=lambda root=root: empty_result_cache(root))
            mlci = timings["mlci"]
            medians[models] = mlci.median
            name = f"compare, {models} models x {METRICS} metrics"
            if dvc is None:
                results.append(
                    Figure(name, "dvc metrics diff", float("nan"), mlci.median, "5x faster than dvc", False, where)
                )
                continue
            anchor = timings["dvc"]
            faster = anchor.median / mlci.median
            results.append(
                Figure(
                    name=name,
                    anchor_name="dvc metrics diff",
                    anchor_seconds=anchor.median,
                    mlci_seconds=mlci.median,
                    goal=f">= {GOAL_FASTER:g}x faster than dvc",
                    met=faster >= GOAL_FASTER,
                    detail=f"mlci {mlci.spread()}, dvc {anchor.spread()}; {faster:.1f}x faster; "
                    f"{dvc_version(dvc)} ({where}); {runs} runs each",
                )
            )
    small, large = sizes
    per_model = (medians[large] - medians[small]) / (large - small)
    results.append(
        Figure(
            name="compare, each added model",
            anchor_name=f"goal {GOAL_PER_MODEL * 1000:g} ms",
            anchor_seconds=GOAL_PER_MODEL,
            mlci_seconds=per_model,
            goal=f"<= {GOAL_PER_MODEL * 1000:g} ms per model",
            met=per_model <= GOAL_PER_MODEL,
            detail=f"({medians[large] * 1000:.0f} ms - {medians[small] * 1000:.0f} ms) / {large - small} models",
        )
    )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--install-dvc", action="store_true", help=f"pip install dvc into {DVC_VENV} when missing")
    args = parser.parse_args()
    for figure in figures(args.quick, install_dvc=args.install_dvc):
        print(
            f"{figure.name}: mlci {figure.mlci_seconds * 1000:.0f} ms, {figure.anchor_name} "
            f"{figure.anchor_seconds * 1000:.0f} ms; {figure.detail}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
