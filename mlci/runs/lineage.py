"""A run's lineage: which commit, config, inputs and library versions produced it, and when.

What was trained is the state when training started, so git and the input fingerprints are taken
before the fit (or before the command runs, which could change files); timings are added after.
"""

from __future__ import annotations

import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlci.config import Config, ModelSpec
from mlci.config.fields import model_field
from mlci.config.records import record
from mlci.config.yamlsource import display_path
from mlci.errors import GitError
from mlci.git import Git
from mlci.runs.fingerprint import fingerprint_bytes, fingerprint_paths, project_cache
from mlci.runs.run import TEST_INPUTS_KEY

LIBRARIES = ("mlci", "scikit-learn", "pandas", "numpy", "skops")
FINGERPRINT_KEY = "model_fingerprint"


@record
class ModelInputs:
    """What a model's fingerprint is made of, as seen now: its inputs' fingerprints and the libraries."""

    fingerprints: dict[str, str]
    libraries: dict[str, str]
    model_fingerprint: str | None


@record
class LineageStart:
    """What is recorded when a model's training begins, and the model's fingerprint from it."""

    git: dict[str, Any]
    fingerprints: dict[str, str]
    libraries: dict[str, str]
    model_fingerprint: str | None
    started_at: datetime
    started: float


def check_deps(config: Config, model: ModelSpec) -> None:
    """`ConfigError` at the `deps` entry of a path that does not exist."""
    for index, dep in enumerate(model.deps):
        if not dep.exists():
            raise model_field(config, model.name, "deps", index).error(
                f"{display_path(dep)}: no such file or folder",
                hint="`deps` lists what the model depends on, relative to mlci.yaml's folder.",
            )


def model_inputs(model: ModelSpec) -> list[Path]:
    """The files whose content makes up the model's inputs: its data files, its `deps` and a command
    model's parameter files."""
    inputs = []
    if model.data is not None:
        inputs.append(model.data.train)
        if model.data.test is not None:
            inputs.append(model.data.test)
    return [*inputs, *model.deps, *(spec.path for spec in model.params)]


def model_fingerprint(model: ModelSpec, inputs: dict[str, str], libraries: dict[str, str]) -> str | None:
    """The fingerprint of everything that decides `model`'s result: its section of mlci.yaml, the
    content of its inputs and the library versions; None when mlci cannot see it all (an entrypoint
    or command model runs code mlci knows about only through `deps`)."""
    if model.mode != "declarative" and not model.deps:
        return None
    payload = {"config": model.config_hash, "inputs": inputs, "libraries": libraries}
    return fingerprint_bytes(json.dumps(payload, sort_keys=True).encode())


def current_inputs(config: Config, model: ModelSpec) -> ModelInputs:
    """The fingerprints of `model`'s inputs, the library versions and its model fingerprint, now.
    Missing deps raise `ConfigError`."""
    check_deps(config, model)
    inputs = [path for path in model_inputs(model) if path.exists()]
    fingerprints = fingerprint_paths(inputs, root=config.root, cache=project_cache(config.work_dir))
    libraries = library_versions()
    return ModelInputs(fingerprints, libraries, model_fingerprint(model, fingerprints, libraries))


def start_lineage(config: Config, model: ModelSpec) -> LineageStart:
    """The git state, the fingerprints of `model`'s inputs and its model fingerprint, now. Missing
    deps raise `ConfigError`."""
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    now = current_inputs(config, model)
    return LineageStart(
        git=git_state(config.root, ignore=config.ignored_changes),
        fingerprints=now.fingerprints,
        libraries=now.libraries,
        model_fingerprint=now.model_fingerprint,
        started_at=started_at,
        started=started,
    )


def finish_lineage(
    start: LineageStart,
    model: ModelSpec,
    *,
    fit_seconds: float | None = None,
    rows: dict[str, int] | None = None,
    test_inputs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The complete lineage of a run that began at `start` and ends now; `test_inputs` are the
    fingerprints of what its test-set predictions were made from (see `mlci.training.testinputs`)."""
    duration = time.perf_counter() - start.started
    lineage: dict[str, Any] = {
        "git": start.git,
        "config_hash": model.config_hash,
        "fingerprints": start.fingerprints,
        "libraries": start.libraries,
        FINGERPRINT_KEY: start.model_fingerprint,
        "started_at": _iso(start.started_at),
        "finished_at": _iso(datetime.now(UTC)),
        "duration_seconds": round(duration, 3),
    }
    if fit_seconds is not None:
        lineage["fit_seconds"] = round(fit_seconds, 3)
    if rows:
        lineage["rows"] = rows
    if test_inputs:
        lineage[TEST_INPUTS_KEY] = test_inputs
    return lineage


def git_state(root: Path, *, ignore: tuple[str, ...] = ()) -> dict[str, Any]:
    """`commit`, `branch` and `dirty` of the repository holding `root`; all None outside one. Changes
    to what `ignore` names (see `Git.changed_files`) do not make it dirty."""
    git = Git(root)
    try:
        if not git.is_repository():
            return {"commit": None, "branch": None, "dirty": None}
        commit, branch = git.position()
        return {"commit": commit, "branch": branch, "dirty": git.is_dirty(ignore=ignore)}
    except (GitError, OSError):
        # No git at all is not a reason to refuse training; the run just cannot name a commit.
        return {"commit": None, "branch": None, "dirty": None}


def library_versions() -> dict[str, str]:
    """Python's version and those of the installed libraries that shape a model's results."""
    from importlib import metadata  # only training asks; it costs comparisons ~15 ms of start-up

    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")
