"""What training one model produces before it is written: the run and the files that go with it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlci.runs import Run


@dataclass(frozen=True)
class TrainedModel:
    """A run not yet written, and its files by role (`model`, `predictions`) at their current place."""

    run: Run
    files: dict[str, Path]


@dataclass(frozen=True)
class TrainResult:
    """One model trained (or taken over unchanged): the run as written, and the folder it is in."""

    run: Run
    directory: Path
