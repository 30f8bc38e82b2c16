"""Unchanged models cost nothing: a model whose inputs did not change is not trained again.

A model's fingerprint covers everything that decides its result: its section of mlci.yaml, the
content of its data files and `deps`, and the versions of Python and the libraries that fit it. When
the fingerprint equals that of a run already made (this checkout's latest run, or the run recorded
for the base), that run is taken over: its metrics, model and predictions, stamped with the current
commit and with where it came from (`reused_from`), so the report can say "not retrained".

Only inputs mlci can see are covered. A declarative model is entirely described by its config and
data; an entrypoint or command model runs code mlci does not know about, so it is reused only when
its `deps` name that code.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from mlci.config import Config, ModelSpec
from mlci.console import Console
from mlci.errors import StoreError
from mlci.git import short_sha
from mlci.runs import RUN_FILE, Run, read_run, run_file, runs_dir, write_run
from mlci.runs.lineage import FINGERPRINT_KEY, LineageStart
from mlci.store.records import Record
from mlci.store.storage import StorageView
from mlci.training.outcome import TrainResult


def reuse_unchanged(
    config: Config,
    model: ModelSpec,
    start: LineageStart,
    *,
    base: tuple[Record, StorageView] | None,
    console: Console,
) -> TrainResult | None:
    """Take over this checkout's latest run, or the base's recorded run, when its fingerprint is the
    one `start` found for the model now; None when there is none to take (then it must be trained)."""
    fingerprint = start.model_fingerprint
    if fingerprint is None:
        return None
    directory = runs_dir(config.work_dir) / model.name
    latest = _read_latest(directory)
    if latest is not None and latest.lineage.get(FINGERPRINT_KEY) == fingerprint:
        try:
            files = {role: run_file(directory, latest, role) for role in latest.files}
        except StoreError as exc:  # a file missing or replaced: not reusable, so it is trained again
            console.detail(f"{model.name}: not reusing the last run: {exc.message}")
            return None
        return _take_over(latest, files, directory, git=start.git, console=console)
    if base is None:
        return None
    record, storage = base
    recorded = record.runs.get(model.name)
    if recorded is None or recorded.lineage.get(FINGERPRINT_KEY) != fingerprint:
        return None
    with tempfile.TemporaryDirectory(prefix=f"mlci-{model.name}-") as folder:
        files = {}
        for role, name in recorded.files.items():
            content = record.run_file(storage, model.name, role)
            if content is None:
                return None  # an incomplete record is no base to reuse; train instead
            files[role] = Path(folder) / name
            files[role].write_bytes(content)
        return _take_over(recorded, files, directory, git=start.git, console=console)


def _take_over(
    run: Run, files: dict[str, Path], directory: Path, *, git: dict[str, Any], console: Console
) -> TrainResult:
    origin = run.lineage.get("reused_from") or {"commit": run.commit}
    lineage: dict[str, Any] = {**run.lineage, "git": git, "reused_from": origin}
    # The files come from a run folder or a temporary one, both mlci's own: linked, not copied.
    written = write_run(directory, replace(run, lineage=lineage), files, link=True)
    where = short_sha(origin.get("commit")) if origin.get("commit") else "an earlier run"
    console.info(f"{run.model}: unchanged since {where} (same config, data, deps and libraries); not retrained")
    return TrainResult(run=read_run(written), directory=written)


def _read_latest(directory: Path) -> Run | None:
    if not (directory / RUN_FILE).is_file():
        return None
    try:
        return read_run(directory)
    except StoreError:  # a damaged run is simply not reusable; training replaces it
        return None
