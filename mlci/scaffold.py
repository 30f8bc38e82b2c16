"""`mlci init`: write a starter `mlci.yaml` fitted to the project's data, and the GitHub workflow.

The data guess reads only a file's first rows, so `init` stays instant on large datasets; the guess
is a starting point the user reviews, which is why every line of the written config is commented.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from mlci.config import CONFIG_NAME
from mlci.console import Console
from mlci.errors import ConfigError
from mlci.git import Git

Task = Literal["classification", "regression"]

WORKFLOW_PATH = Path(".github") / "workflows" / "mlci.yml"
GITIGNORE_ENTRY = ".mlci/"
DATA_SUFFIXES = (".csv", ".parquet", ".pq")
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


@dataclass(frozen=True)
class DetectedData:
    """What `mlci init` guessed about the project's data. Paths are relative to the project folder."""

    train: Path
    target: str
    target_reason: str
    task: Task
    task_reason: str
    test: Path | None = None
    drop: tuple[str, ...] = ()


def init_project(directory: Path, *, force: bool, console: Console) -> list[Path]:
    """Write `mlci.yaml` and the workflow in `directory` and make git ignore `.mlci/`.

    Returns the paths written or changed. Refuses (ConfigError) to replace an existing config or
    workflow unless `force`, and checks both before writing either, so a refusal changes nothing.
    """
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory}: is a file, not a folder")
    config_path = directory / CONFIG_NAME
    workflow_path = directory / WORKFLOW_PATH
    existing = [path for path in (config_path, workflow_path) if path.exists()]
    if existing and not force:
        names = " and ".join(str(path) for path in existing)
        raise ConfigError(
            f"{names} already exist{'s' if len(existing) == 1 else ''}; mlci init does not overwrite files",
            hint="Pass --force to replace them, or edit them by hand.",
        )

    detected = detect_data(directory, console=console) if directory.is_dir() else None
    config_text = render_config(detected)
    directory.mkdir(parents=True, exist_ok=True)
    config_path.write_text(config_text, encoding="utf-8")
    workflow_path.parent.mkdir(parents=True, exist_ok=True)
    workflow_path.write_text(_template("mlci.yml"), encoding="utf-8")
    written = [config_path, workflow_path]
    gitignore = directory / ".gitignore"
    if ensure_ignored(gitignore, GITIGNORE_ENTRY):
        written.append(gitignore)

    _tell_what_was_found(detected, directory, console=console)
    return written


def detect_data(directory: Path, *, console: Console | None = None) -> DetectedData | None:
    """Guess the training file, its target column and the task from the data files under `directory`.

    Candidates are tried best first (a name with "train", then shallower, then alphabetical); a file
    that cannot be read or has fewer than two columns is skipped with a note. None when none fits.
    """
    for candidate in _rank_candidates(find_data_files(directory)):
        try:
            sample = read_sample(directory / candidate)
        except DataReadError as exc:
            if console:
                console.warn(f"skipped {candidate.as_posix()}: {exc}")
            continue
        if len(sample.columns) < 2:
            if console:
                console.detail(f"skipped {candidate.as_posix()}: one column only, nothing to predict it from")
            continue
        target, target_reason = guess_target([str(c) for c in sample.columns])
        task, task_reason = guess_task(sample[target])
        test = _find_test_file(directory, candidate, target, console=console)
        drop = tuple(c for c in map(str, sample.columns) if c != target and _looks_like_identifier(c))
        return DetectedData(
            train=candidate,
            target=target,
            target_reason=target_reason,
            task=task,
            task_reason=task_reason,
            test=test,
            drop=drop,
        )
    return None


def find_data_files(directory: Path, *, max_depth: int = MAX_DEPTH) -> list[Path]:
    """CSV and Parquet files under `directory` (relative paths), skipping hidden folders, virtual
    environments and dependency folders, at most `max_depth` folders deep."""
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
            if name.lower().endswith(DATA_SUFFIXES) and not name.startswith("."):
                found.append((here / name).relative_to(root))
    return found


class DataReadError(Exception):
    """A candidate data file could not be sampled; only ever shown as a note, never fatal."""


def read_sample(path: Path, *, rows: int = SAMPLE_ROWS) -> Any:
    """The header and first `rows` rows of a CSV or Parquet file, as a pandas DataFrame."""
    import pandas as pd

    try:
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, nrows=rows)
        import pyarrow.parquet as pq

        batches = pq.ParquetFile(path).iter_batches(batch_size=rows)
        first = next(batches, None)
        return first.to_pandas() if first is not None else pq.read_schema(path).empty_table().to_pandas()
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, ValueError) as exc:
        # pyarrow's ArrowInvalid is a ValueError; its messages are long, so keep the first line.
        raise DataReadError(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__) from None


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


def render_config(detected: DetectedData | None) -> str:
    """The text of a starter `mlci.yaml`, for the detected data or, without it, a template to adjust."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    task: Task = detected.task if detected else "classification"
    if task == "classification":
        estimator_class = "sklearn.linear_model.LogisticRegression"
        params, metrics, gate_metric = "{max_iter: 1000}", ["accuracy", "f1_macro"], "accuracy"
        model_note = "LogisticRegression is a quick, sturdy first baseline; try any classifier once it runs."
    else:
        estimator_class = "sklearn.linear_model.Ridge"
        params, metrics, gate_metric = "{alpha: 1.0}", ["r2", "mean_absolute_error"], "r2"
        model_note = "Ridge is a quick, sturdy first baseline; try any regressor once it runs."
    if detected:
        task_comment = [f"A {task} task: {detected.task_reason} in {_one_line(detected.target)}.", model_note]
        context = {
            "data": {"train_display": _one_line(detected.train.as_posix())},
            "name": model_name(detected.train),
            "train": detected.train.as_posix(),
            "test": detected.test.as_posix() if detected.test else None,
            "target": detected.target,
            "target_reason": detected.target_reason,
            "drop": list(detected.drop),
        }
    else:
        task_comment = [
            "Assumes a classification task; LogisticRegression is a quick, sturdy first baseline.",
            "For a numeric target use class sklearn.linear_model.Ridge, params {alpha: 1.0} and",
            "metrics [r2, mean_absolute_error].",
        ]
        context = {
            "data": None,
            "name": "model",
            "train": "data/train.csv",
            "test": None,
            "target": "target",
            "target_reason": "adjust it to your column",
            "drop": [],
        }
    environment = SandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=StrictUndefined, autoescape=False
    )
    environment.filters["yaml"] = yaml_scalar
    template = environment.from_string(_template("mlci.yaml.j2"))
    return template.render(
        task_comment=task_comment,
        estimator_class=estimator_class,
        params=params,
        metrics=metrics,
        gate_metric=gate_metric,
        **context,
    )


def model_name(train: Path) -> str:
    """A valid model name from a data file's name: `data/Iris_Train.csv` -> `iris`."""
    words = [w for w in re.split(r"[^a-z0-9]+", train.stem.lower()) if w and not w.startswith(("train", "test"))]
    name = "_".join(words)
    if not name and len(train.parts) > 1:
        name = "_".join(w for w in re.split(r"[^a-z0-9]+", train.parent.name.lower()) if w)
    return name if name and name != "data" else "model"


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as the same text: bare when that is safe, else quoted.

    Column names come from user data and may hold `: `, `#` or look like numbers or booleans.
    """
    import yaml

    if re.fullmatch(r"[A-Za-z_][\w./-]*", value) and yaml.safe_load(value) == value:
        return value
    # A JSON string is also a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def ensure_ignored(gitignore: Path, entry: str) -> bool:
    """Append `entry` to `gitignore` (creating it) unless a line already ignores it; True if changed."""
    bare = entry.strip("/")
    try:
        text = gitignore.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    lines = {line.strip() for line in text.splitlines()}
    if lines & {bare, f"{bare}/", f"/{bare}", f"/{bare}/"}:
        return False
    separator = "" if not text or text.endswith("\n") else "\n"
    gitignore.write_text(f"{text}{separator}{entry}\n", encoding="utf-8")
    return True


def _rank_candidates(files: list[Path]) -> list[Path]:
    def rank(path: Path) -> tuple[bool, bool, int, str]:
        words = re.split(r"[^a-z0-9]+", path.stem.lower())
        is_train = any(w.startswith("train") for w in words)
        is_test = any(w.startswith("test") for w in words)
        return (not is_train, is_test, len(path.parts), path.as_posix())

    return sorted(files, key=rank)


def _find_test_file(directory: Path, train: Path, target: str, *, console: Console | None) -> Path | None:
    """A file next to `train` whose name says "test" and that has the target column."""
    siblings = [p for p in find_data_files(directory / train.parent, max_depth=0) if p.name != train.name]
    mirrored = re.sub("train", "test", train.name, flags=re.IGNORECASE)
    candidates = sorted(
        (p for p in siblings if any(w.startswith("test") for w in re.split(r"[^a-z0-9]+", p.stem.lower()))),
        key=lambda p: (p.name != mirrored, p.suffix.lower() != train.suffix.lower(), p.name),
    )
    for candidate in candidates:
        relative = train.parent / candidate
        try:
            columns = [str(c) for c in read_sample(directory / relative, rows=1).columns]
        except DataReadError as exc:
            if console:
                console.warn(f"skipped {relative.as_posix()} as test data: {exc}")
            continue
        if target in columns:
            return relative
        if console:
            console.detail(f"skipped {relative.as_posix()} as test data: it has no column {target!r}")
    return None


def _one_line(text: str) -> str:
    """`text` made safe for a YAML comment: a line break in a column name would end the comment."""
    return " ".join(text.splitlines())


def _looks_like_identifier(column: str) -> bool:
    lower = column.strip().lower()
    return lower in ID_NAMES or lower.endswith("_id") or column.startswith("Unnamed: ")


def _template(name: str) -> str:
    return resources.files("mlci").joinpath("templates", "init", name).read_text(encoding="utf-8")


def _tell_what_was_found(detected: DetectedData | None, directory: Path, *, console: Console) -> None:
    if detected is None:
        console.info(
            f"no CSV or Parquet file found in {directory.resolve()}; mlci.yaml points at data/train.csv "
            "with target column `target`: adjust both to your data."
        )
    else:
        console.info(f"data:    {detected.train.as_posix()}")
        if detected.test:
            console.info(f"test:    {detected.test.as_posix()}")
        console.info(f"target:  {detected.target} ({detected.target_reason})")
        console.info(f"task:    {detected.task} ({detected.task_reason})")
        if detected.drop:
            console.info(f"dropped: {', '.join(detected.drop)} (identifiers)")
    config = directory / CONFIG_NAME
    console.info(f"next:    review {config}, then run `mlci validate` and `mlci train`")
    if not Git(directory).is_repository():
        # Baselines are recorded per commit, so `mlci record` and `mlci compare` need git.
        console.info(
            f"note:    {directory.resolve()} is not in a git repository yet; run `git init` before `mlci record`"
        )
