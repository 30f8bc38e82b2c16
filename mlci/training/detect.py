"""What a project's data looks like, guessed for `mlci init`: the training file, whether it has a
header row, its target column, the task, a test file and identifier columns to drop.

The guess reads only a file's first rows (through the one table reader, so every format `mlci train`
accepts is found), so `init` stays instant on large datasets; it is a starting point the user
reviews, which is why every line of the config it leads to is commented.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from mlci.config.records import record
from mlci.console import Console
from mlci.errors import DataError
from mlci.training.tables import looks_headerless, read_table, table_format

Task = Literal["classification", "regression"]

SKIPPED_DIRS = {"node_modules", "venv", "env", "__pycache__", "site-packages", "build", "dist"}
MAX_DEPTH = 3
MAX_DIRS = 2000
SAMPLE_ROWS = 500
# The most distinct values an integer target may have and still be read as class labels.
MAX_CLASSES = 20
TARGET_NAMES = (
    "target",
    "label",
    "labels",
    "class",
    "y",
    "species",
    "outcome",
    "churn",
    "churned",
    "diagnosis",
    "survived",
    "default",
    "fraud",
    "is_fraud",
    "quality",
    "price",
    "response",
)
ID_NAMES = {"id", "index", "row_id", "uuid"}


@record
class DetectedData:
    """What `mlci init` guessed about the project's data. Paths are relative to the project folder."""

    train: Path
    target: str
    target_reason: str
    task: Task
    task_reason: str
    test: Path | None = None
    drop: tuple[str, ...] = ()
    header: bool = True
    """False for a CSV whose first row is data (UCI files, `np.savetxt`): columns are `col_0`, ..."""


def detect_data(directory: Path, *, console: Console | None = None) -> DetectedData | None:
    """Guess the training file, its target column and the task from the data files under `directory`.

    Candidates are tried best first (a name with "train", then shallower, then alphabetical); a file
    that cannot be read or has fewer than two columns is skipped with a note. None when none fits.
    """
    for candidate in _rank_candidates(find_data_files(directory)):
        header = not looks_headerless(directory / candidate)
        try:
            sample = read_table(directory / candidate, rows=SAMPLE_ROWS, header=header)
        except DataError as exc:
            if console:
                console.warn(f"skipped {candidate.as_posix()}: {exc}")
            continue
        if len(sample.columns) < 2:
            if console:
                console.detail(f"skipped {candidate.as_posix()}: one column only, nothing to predict it from")
            continue
        target, target_reason = guess_target([str(c) for c in sample.columns])
        task, task_reason = guess_task(sample[target])
        test = _find_test_file(directory, candidate, target, header=header, console=console)
        drop = tuple(c for c in map(str, sample.columns) if c != target and _looks_like_identifier(c))
        return DetectedData(
            train=candidate,
            target=target,
            target_reason=target_reason,
            task=task,
            task_reason=task_reason,
            test=test,
            drop=drop,
            header=header,
        )
    return None


def find_data_files(directory: Path, *, max_depth: int = MAX_DEPTH) -> list[Path]:
    """The data files mlci reads (CSV, TSV, Parquet) under `directory`, as relative paths, skipping
    hidden folders, virtual environments and dependency folders, at most `max_depth` folders deep."""
    return find_files(directory, lambda name: table_format(Path(name)) is not None, max_depth=max_depth)


def find_files(directory: Path, accept: Callable[[str], bool], *, max_depth: int = MAX_DEPTH) -> list[Path]:
    """The files under `directory` whose name `accept`s, as relative paths, skipping hidden files and
    folders, virtual environments and dependency folders, at most `max_depth` folders deep."""
    found: list[Path] = []
    root = directory.resolve()
    for visited, (current, dirs, files) in enumerate(os.walk(root), start=1):
        here = Path(current)
        depth = len(here.relative_to(root).parts)
        # Pruning in place is how os.walk is told not to descend; sorting keeps the result stable.
        dirs[:] = sorted(
            d
            for d in dirs
            if depth < max_depth
            and not d.startswith(".")
            and d not in SKIPPED_DIRS
            and not (here / d / "pyvenv.cfg").exists()
        )
        if visited > MAX_DIRS:
            dirs[:] = []
        for name in sorted(files):
            if accept(name) and not name.startswith("."):
                found.append((here / name).relative_to(root))
    return found


def guess_target(columns: list[str]) -> tuple[str, str]:
    """The column most likely to be predicted, and why: a usual target name, else the last column."""
    by_lower = {column.strip().lower(): column for column in reversed(columns)}
    for name in TARGET_NAMES:
        if name in by_lower:
            return by_lower[name], "recognised by its name"
    return columns[-1], "guessed: the last column; check it"


def guess_task(target: Any) -> tuple[Task, str]:
    """Classification for text, true/false or integer targets with few distinct values; else regression.

    `target` is a pandas Series. Whole-number floats count as integers, because a CSV column of class
    numbers with a gap in it is read as float.
    """
    import pandas as pd

    values = target.dropna()
    distinct = int(values.nunique())
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "classification", f"{distinct} distinct non-numeric values"
    whole = bool(((values % 1) == 0).all()) if len(values) else True
    if whole and (distinct <= 2 or (distinct <= MAX_CLASSES and distinct * 5 <= len(values))):
        return "classification", f"whole numbers with {distinct} distinct values"
    return "regression", f"numbers with {distinct} distinct values in the first {len(values)} rows"


def model_name(train: Path) -> str:
    """A valid model name from a data file's name: `data/Iris_Train.csv` -> `iris`."""
    words = [w for w in re.split(r"[^a-z0-9]+", train.stem.lower()) if w and not w.startswith(("train", "test"))]
    name = "_".join(words)
    if not name and len(train.parts) > 1:
        name = "_".join(w for w in re.split(r"[^a-z0-9]+", train.parent.name.lower()) if w)
    return name if name and name != "data" else "model"


def _rank_candidates(files: list[Path]) -> list[Path]:
    def rank(path: Path) -> tuple[bool, bool, int, str]:
        words = re.split(r"[^a-z0-9]+", path.stem.lower())
        is_train = any(w.startswith("train") for w in words)
        is_test = any(w.startswith("test") for w in words)
        return (not is_train, is_test, len(path.parts), path.as_posix())

    return sorted(files, key=rank)


def _find_test_file(directory: Path, train: Path, target: str, *, header: bool, console: Console | None) -> Path | None:
    """A file next to `train` whose name says "test", has the target column and, like `train`, a
    header row or none."""
    siblings = [p for p in find_data_files(directory / train.parent, max_depth=0) if p.name != train.name]
    mirrored = re.sub("train", "test", train.name, flags=re.IGNORECASE)
    candidates = sorted(
        (p for p in siblings if any(w.startswith("test") for w in re.split(r"[^a-z0-9]+", p.stem.lower()))),
        key=lambda p: (p.name != mirrored, p.suffix.lower() != train.suffix.lower(), p.name),
    )
    for candidate in candidates:
        relative = train.parent / candidate
        if looks_headerless(directory / relative) == header:
            if console:
                unlike = "it has no header row" if header else "it has a header row"
                console.detail(f"skipped {relative.as_posix()} as test data: {unlike}, unlike {train.as_posix()}")
            continue
        try:
            columns = [str(c) for c in read_table(directory / relative, rows=1, header=header).columns]
        except DataError as exc:
            if console:
                console.warn(f"skipped {relative.as_posix()} as test data: {exc}")
            continue
        if target in columns:
            return relative
        if console:
            console.detail(f"skipped {relative.as_posix()} as test data: it has no column {target!r}")
    return None


def _looks_like_identifier(column: str) -> bool:
    lower = column.strip().lower()
    return lower in ID_NAMES or lower.endswith("_id") or column.startswith("Unnamed: ")
