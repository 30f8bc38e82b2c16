"""A run: what one training of one model produced, as kept on disk.

A run is a folder holding `run.json` (metrics, goals, params, lineage) and the files it names
(the model, the test-set predictions). `.mlci/runs/<model>/` holds this checkout's latest run of each
model; the store keeps copies of recorded ones. `run.json` is read back with strict checks because a
recorded run may come from another machine, or have been edited by hand.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, field
from pathlib import Path
from typing import Any

from mlci.config.files import check_regular, confine, load_json, read_bounded
from mlci.config.records import record
from mlci.errors import StoreError

RUN_SCHEMA_VERSION = 1
RUN_FILE = "run.json"
GOALS = ("maximize", "minimize")
# The roles of a run's pictures: the plots extra's PNGs, and what a command model names in `outputs.plots`.
PICTURE_ROLE_PREFIX = "plot_"
# A run.json holds metrics, parameters and lineage: kilobytes. Far more is no run mlci wrote.
MAX_RUN_BYTES = 16 * 1024 * 1024
TEST_INPUTS_KEY = "test_inputs"
"""The lineage entry that describes the test inputs the run's predictions were made from (see
`mlci.training.testinputs`)."""


@record
class Run:
    """One model's training result."""

    model: str
    mode: str
    metrics: dict[str, float]
    goals: dict[str, str]
    params: dict[str, Any] = field(default_factory=dict)
    lineage: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    task: str | None = None
    untrusted_types: list[str] = field(default_factory=list)

    @property
    def commit(self) -> str | None:
        return self.lineage.get("git", {}).get("commit")

    @property
    def pictures(self) -> list[str]:
        """The names of the run's pictures, in the run's folder."""
        return sorted(name for role, name in self.files.items() if role.startswith(PICTURE_ROLE_PREFIX))

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": RUN_SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any, *, where: str) -> Run:
        """Validate a parsed `run.json`; `where` names it in errors."""
        if not isinstance(data, dict):
            raise StoreError(f"{where}: not a run record (expected a JSON object)")
        version = data.get("schema_version")
        if version != RUN_SCHEMA_VERSION:
            raise StoreError(
                f"{where}: run schema_version {version!r} is not one this mlci reads ({RUN_SCHEMA_VERSION})",
                hint="Upgrade mlci, or train and record again.",
            )
        try:
            model, mode = data["model"], data["mode"]
            metrics, goals = data["metrics"], data["goals"]
        except KeyError as exc:
            raise StoreError(f"{where}: run record lacks `{exc.args[0]}`") from None
        if not isinstance(model, str) or not isinstance(mode, str):
            raise StoreError(f"{where}: `model` and `mode` must be text")
        if not model.isprintable():
            raise StoreError(f"{where}: model name {model!r} holds characters that cannot be shown")
        if not isinstance(metrics, dict) or not isinstance(goals, dict):
            raise StoreError(f"{where}: `metrics` and `goals` must be objects")
        for name, value in metrics.items():
            if not name.isprintable():
                raise StoreError(f"{where}: metric name {name!r} holds characters that cannot be shown")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise StoreError(f"{where}: metric {name!r} has value {value!r}, not a finite number")
            if goals.get(name) not in GOALS:
                raise StoreError(f"{where}: metric {name!r} has no valid goal (maximize or minimize)")
        for key in ("params", "lineage", "files"):
            if not isinstance(data.get(key, {}), dict):
                raise StoreError(f"{where}: `{key}` must be an object")
        for role, name in data.get("files", {}).items():
            if not is_plain_file_name(name):
                raise StoreError(
                    f"{where}: files.{role}: {name!r} is not the name of a file in the run's folder",
                    hint="A run names its files without any folder; mlci reads nothing else.",
                )
        return cls(
            model=model,
            mode=mode,
            metrics={k: float(v) for k, v in metrics.items()},
            goals={k: goals[k] for k in metrics},
            params=data.get("params", {}),
            lineage=data.get("lineage", {}),
            files=data.get("files", {}),
            task=data.get("task"),
            untrusted_types=list(data.get("untrusted_types", [])),
        )


def encode_run(run: Run) -> bytes:
    """`run.json` bytes: stable key order so identical runs give identical files."""
    return (json.dumps(run.to_json(), indent=2, sort_keys=True, default=str) + "\n").encode()


def is_plain_file_name(name: Any) -> bool:
    """Whether `name` names a file inside a folder and nothing else: no separator, not `.` or `..`,
    not `run.json` itself, nothing unprintable."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..", RUN_FILE)
        and "/" not in name
        and "\\" not in name
        and name.isprintable()
    )


def decode_run(raw: bytes, *, where: str) -> Run:
    try:
        data = load_json(raw)
    except ValueError as exc:  # not UTF-8, not JSON, or nested too deeply
        raise StoreError(
            f"{where}: damaged run record ({exc})",
            hint="Restore it from history or train and record again; mlci will not overwrite it.",
        ) from None
    return Run.from_json(data, where=where)


def runs_dir(work_dir: Path) -> Path:
    """Where this checkout's latest runs live."""
    return work_dir / "runs"


def write_run(directory: Path, run: Run, files: dict[str, Path], *, link: bool = False) -> Path:
    """Replace the run in `directory` with `run` and copies of `files` (role -> source path).

    The new run is assembled in a sibling temp folder and swapped in, so an interrupted training
    never leaves a half-written run behind. With `link`, the files are mlci's own and nothing writes
    to them again (a training's workspace, the run being taken over): they are hard-linked instead
    of copied where the file system allows, which costs nothing whatever their size. A project's own
    file (a command model's output) is always copied: its next run may rewrite it in place.
    """
    # Loaded by the commands that write runs: those that only read them (compare, report) start sooner.
    import shutil
    import tempfile

    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        names = {}
        for role, source in files.items():
            target = staging / source.name
            if source.resolve() != target.resolve():
                _place(source, target, link=link)
            names[role] = source.name
        final = Run(**{**asdict(run), "files": names})
        (staging / RUN_FILE).write_bytes(encode_run(final))
        if directory.exists():
            old = directory.with_name(f".{directory.name}-old-{os.getpid()}")
            os.replace(directory, old)
            os.replace(staging, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, directory)
        return directory
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _place(source: Path, target: Path, *, link: bool) -> None:
    if link:
        try:
            os.link(source, target)
            return
        except OSError:  # another file system, or one without hard links: copy
            pass
    import shutil  # as in `write_run`

    shutil.copyfile(source, target)


def run_file(directory: Path, run: Run, role: str) -> Path:
    """The file `role` (`model`, `predictions`) of `run`, kept in `directory`. `StoreError` naming
    the run's `run.json` unless it is a regular file inside `directory` once its symlinks are
    followed: whatever is recorded or copied from a run comes from the run itself."""
    where = directory / RUN_FILE

    def fail(message: str, *, hint: str | None = None) -> StoreError:
        return StoreError(f"{where}: files.{role}: {message}", hint=hint)

    name = run.files.get(role)
    if not is_plain_file_name(name):
        raise fail(f"{name!r} is not the name of a file in the run's folder")
    path = directory / str(name)
    confine(path, directory, error=fail, what="the run's folder")
    check_regular(path, error=fail)
    return path


def read_run(directory: Path) -> Run:
    """Read the run in `directory`."""
    path = directory / RUN_FILE
    if not os.path.lexists(path):
        raise StoreError(f"{path}: no run here", hint="Run `mlci train` first.")
    return _read_run_file(path)


def read_latest_runs(work_dir: Path) -> dict[str, Run]:
    """This checkout's latest run of every model trained so far, by model name."""
    root = runs_dir(work_dir)
    try:
        # The folder's own listing says which entries are folders: no look at each one (a
        # repository of hundreds of models reads all of them on every comparison).
        folders = sorted(entry.name for entry in os.scandir(root) if entry.is_dir() and not entry.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return {}
    runs = {}
    for name in folders:
        path = root / name / RUN_FILE
        if os.path.lexists(path):
            runs[name] = _read_run_file(path)
    return runs


def _read_run_file(path: Path) -> Run:
    return decode_run(read_bounded(path, limit=MAX_RUN_BYTES, what="a run record", error=StoreError), where=str(path))
