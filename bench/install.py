"""What installing mlci costs a job: cold (nothing cached) and warm (the wheels restored by the cache),
with pip and with uv when it is on PATH, each into a fresh virtual environment standing in for the job's
Python, through the actions' own installer (`python -m mlci.install`).

The anchor is what every job paid before the wheels were kept: `pip install` of mlci's source with an
empty pip cache. The restore of the cache itself (a download from GitHub's cache service) is not part
of the figures: it depends on the network, not on mlci.

    python bench/install.py [--quick]
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
from pathlib import Path

from figures import Figure

ROOT = Path(__file__).resolve().parent.parent
WARM_GOAL_SECONDS = 10.0


def _job_python(folder: Path) -> str:
    """A fresh Python environment, as actions/setup-python gives a job; not timed."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    return str(folder / "bin" / "python")


def _timed(command: list[str], *, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def _environment(work: Path, *, uv: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MLCI_", "UV_"))}
    env["HOME"] = str(work / "home")
    env["PYTHONPATH"] = str(ROOT)
    env["PIP_CACHE_DIR"] = str(work / "pip-cache")  # empty: a fresh machine
    env["UV_CACHE_DIR"] = str(work / "uv-cache")
    uv_path = shutil.which("uv")
    folders = env.get("PATH", "").split(os.pathsep)
    if uv_path is not None:
        folders = [folder for folder in folders if not (Path(folder) / "uv").exists()]
        if uv:
            folders.insert(0, str(Path(uv_path).parent))
    env["PATH"] = os.pathsep.join(folders)
    return env


def _one_job(work: Path, *, wheels: Path | None, uv: bool) -> float:
    """One job's install of mlci in a fresh environment: the installer as the actions run it."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = _environment(work, uv=uv)
    python = _job_python(work / "job")
    if wheels is not None:
        env["MLCI_WHEELS"] = str(wheels)
    return _timed([python, "-m", "mlci.install"], env=env)


def _anchor(work: Path) -> float:
    """What a job paid before: pip install of the source, empty pip cache, bytecode compiled."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = _environment(work, uv=False)
    python = _job_python(work / "job")
    source = work / "mlci"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "tests", "examples", "*.egg-info"))
    return _timed([python, "-m", "pip", "install", "--quiet", str(source)], env=env)


def figures(quick: bool) -> list[Figure]:
    """Cold and warm installs of mlci, with pip and (when on PATH) uv, next to the old cold install."""
    runs = 1 if quick else 3
    found: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="mlci-bench-install-") as folder:
        base = Path(folder)
        anchor = statistics.median(_anchor(base / "anchor") for _ in range(runs))
        cold, wheels = [], base / "wheels"
        for _ in range(runs):
            shutil.rmtree(wheels, ignore_errors=True)
            cold.append(_one_job(base / "cold", wheels=wheels, uv=False))
        size = sum(path.stat().st_size for path in wheels.iterdir()) / 2**20
        found.append(
            Figure(
                "install, cold (gathers the wheels for the cache)",
                "pip install, empty cache",
                anchor,
                statistics.median(cold),
                "no slower than before",
                statistics.median(cold) <= anchor * 1.1,
                f"{len(list(wheels.glob('*.whl')))} wheels, {size:.0f} MiB to keep",
            )
        )
        installers = ["pip", "uv"] if shutil.which("uv") else ["pip"]
        for installer in installers:
            warm = [_one_job(base / "warm", wheels=wheels, uv=installer == "uv") for _ in range(runs)]
            seconds = statistics.median(warm)
            found.append(
                Figure(
                    f"install, warm ({installer}, wheels restored)",
                    "pip install, empty cache",
                    anchor,
                    seconds,
                    f"<= {WARM_GOAL_SECONDS:.0f} s",
                    seconds <= WARM_GOAL_SECONDS,
                    f"{runs} run(s): " + ", ".join(f"{value:.1f} s" for value in warm),
                )
            )
        if "uv" not in installers:
            found.append(Figure("install, warm (uv)", "", 0.0, float("nan"), "", True, "skipped: uv is not on PATH"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each instead of three")
    arguments = parser.parse_args()
    for figure in figures(arguments.quick):
        print(
            f"{figure.name}: {figure.mlci_seconds:.1f} s (anchor {figure.anchor_name}: {figure.anchor_seconds:.1f} s, "
            f"{figure.ratio:.2f}x); goal {figure.goal}: {'met' if figure.met else 'NOT met'}; {figure.detail}"
        )


if __name__ == "__main__":
    main()
