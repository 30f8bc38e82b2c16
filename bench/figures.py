"""What every benchmark reports, and the one way they time commands: a figure is mlci's time next to
an anchor's (what users would otherwise run, or the floor nothing can beat), with the goal it is held to.

Modules under bench/ that expose `figures(quick: bool) -> list[Figure]` are run by `bench/run.py`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """mlci's time for one thing next to its anchor's (both medians, in seconds), and whether it meets its goal."""

    name: str
    anchor_name: str
    anchor_seconds: float
    mlci_seconds: float
    goal: str
    met: bool
    detail: str = ""
    """Anything a reader needs to trust the figure: spread, sizes, what was skipped."""

    @property
    def ratio(self) -> float:
        """mlci's time as a multiple of the anchor's."""
        return self.mlci_seconds / self.anchor_seconds if self.anchor_seconds else float("inf")


@dataclass(frozen=True)
class Timing:
    """Seconds of repeated runs of one command."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def spread(self) -> str:
        """`min/median/max` in milliseconds."""
        return f"{min(self.samples) * 1000:.0f}/{self.median * 1000:.0f}/{max(self.samples) * 1000:.0f} ms"


def time_alternately(
    commands: Mapping[str, Sequence[str]],
    *,
    cwd: Path,
    runs: int,
    env: Mapping[str, str] | None = None,
    before: Callable[[], None] | None = None,
) -> dict[str, Timing]:
    """Run each command `runs` times, taking turns (a, b, a, b, ...), so a slower moment of a shared
    machine falls on all of them alike. One untimed run each first warms the file cache. A command
    that fails (exit code other than 0 or 1) stops the benchmark with its error."""
    environment = dict(env or bench_environment())
    samples: dict[str, list[float]] = {label: [] for label in commands}
    for round_ in range(runs + 1):
        for label, command in commands.items():
            if before is not None:
                before()
            started = time.perf_counter()
            done = subprocess.run(list(command), cwd=cwd, env=environment, capture_output=True)
            elapsed = time.perf_counter() - started
            if done.returncode not in (0, 1):
                stderr = done.stderr.decode(errors="replace")
                sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{stderr}")
            if round_:
                samples[label].append(elapsed)
    return {label: Timing(values) for label, values in samples.items()}


def bench_environment(pycache: Path | None = None) -> dict[str, str]:
    """The environment commands are timed in: this interpreter first on PATH, no mlci settings, and
    Python's compiled bytecode kept (as an installed package has it) but outside the repository."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("MLCI_CONFIG", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache or Path(os.environ.get("TMPDIR", "/tmp")) / "mlci-bench-pycache")
    return env


def mlci_command() -> list[str]:
    """The `mlci` script of this interpreter's environment, as users run it; `python -m mlci` without one."""
    script = Path(sys.executable).parent / "mlci"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "mlci"]
