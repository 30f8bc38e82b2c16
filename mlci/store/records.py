"""What is kept: each recorded commit's runs, laid out as `runs/<commit>/<model>/...`.

One folder per commit means two writers recording different commits never touch the same file.
`runs/<commit>/record.json` is written in the same update as the runs and is what marks a record
complete, so a reader never sees half a record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlci.config.files import load_json
from mlci.config.records import record
from mlci.errors import StoreError
from mlci.git import COMMIT_ID, short_sha
from mlci.runs import RUN_FILE, Run, decode_run, encode_run, run_file
from mlci.store.storage import Changes, Storage, StorageView

RECORD_FILE = "record.json"
RECORD_SCHEMA_VERSION = 1


@record
class Record:
    """The runs recorded for one commit."""

    commit: str
    runs: dict[str, Run]
    info: dict[str, Any] = field(default_factory=dict)

    def run_file(self, storage: StorageView, model: str, role: str) -> bytes | None:
        """The bytes of a run's file (`model`, `predictions`) as recorded, or None."""
        run = self.runs.get(model)
        name = run.files.get(role) if run else None
        return storage.read(f"runs/{self.commit}/{model}/{name}") if name else None


@record
class RecordOutcome:
    commit: str
    models: list[str]
    written: bool
    existing: bool
    where: str = ""
    """Where the record is kept, as people are told (`on origin/mlci-data`, `in .mlci/store`)."""


def record_runs(
    storage: Storage,
    *,
    commit: str,
    runs: dict[str, tuple[Run, Path]],
    info: dict[str, Any],
    replace: bool = False,
) -> RecordOutcome:
    """Record `runs` (model -> (run, its folder)) as the results of `commit`.

    An existing record is kept unless `replace` is set: a re-run of the same commit must not
    silently change what later comparisons were told.
    """
    _check_commit(commit)
    files: dict[str, bytes] = {}
    for model, (run, folder) in sorted(runs.items()):
        files[f"runs/{commit}/{model}/{RUN_FILE}"] = encode_run(run)
        for role, name in run.files.items():
            files[f"runs/{commit}/{model}/{name}"] = run_file(folder, run, role).read_bytes()
    meta = {
        "schema_version": RECORD_SCHEMA_VERSION,
        "commit": commit,
        "models": sorted(runs),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **info,
    }
    existing = False

    def change(view: StorageView) -> Changes:
        nonlocal existing
        existing = view.read(f"runs/{commit}/{RECORD_FILE}") is not None
        if existing and not replace:
            return {}
        out: dict[str, bytes | None] = dict(files)
        if existing:
            for model in view.list(f"runs/{commit}"):
                for name in view.list(f"runs/{commit}/{model}"):
                    out.setdefault(f"runs/{commit}/{model}/{name}", None)
        # Written last by a local store, so a crash mid-way leaves no record that looks complete.
        out[f"runs/{commit}/{RECORD_FILE}"] = (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode()
        return out

    written = storage.update(change, message=f"mlci: record {short_sha(commit)} ({', '.join(sorted(runs))})")
    return RecordOutcome(commit=commit, models=sorted(runs), written=written, existing=existing, where=storage.where)


def load_record(storage: StorageView, commit: str) -> Record | None:
    """The record of `commit`, or None when it has none. Damaged files raise `StoreError`."""
    _check_commit(commit)
    # The record and the runs in its folder in one read (one git process on the results branch).
    folder = f"runs/{commit}"
    listed = [f"{folder}/{model}/{RUN_FILE}" for model in storage.list(folder) if model != RECORD_FILE]
    raw = storage.read_many([f"{folder}/{RECORD_FILE}", *listed])[f"{folder}/{RECORD_FILE}"]
    if raw is None:
        return None
    where = f"runs/{commit}/{RECORD_FILE} in the store"
    try:
        info = load_json(raw)
    except ValueError as exc:  # not UTF-8, not JSON, or nested too deeply
        raise StoreError(
            f"{where}: damaged ({exc})", hint="mlci will not overwrite it; fix or remove it by hand."
        ) from None
    if not isinstance(info, dict) or not isinstance(info.get("models"), list):
        raise StoreError(f"{where}: not a record (no `models` list)")
    runs = {}
    paths = {model: f"runs/{commit}/{model}/{RUN_FILE}" for model in info["models"]}
    bodies = storage.read_many(paths.values())  # read above, unless the folder lacks some
    for model, path in paths.items():
        body = bodies[path]
        if body is None:
            raise StoreError(f"{where}: lists model {model!r} but {path} is missing")
        runs[model] = decode_run(body, where=f"{path} in the store")
    return Record(commit=commit, runs=runs, info=info)


def record_paths(storage: StorageView, commits: Iterable[str]) -> list[str]:
    """The files `load_record` reads for `commits`, so that the records of several commits can be read
    in one go (`storage.read_many`) before they are loaded one by one."""
    paths = []
    for commit in commits:
        folder = f"runs/{commit}"
        models = storage.list(folder)
        if RECORD_FILE in models:
            paths += [f"{folder}/{RECORD_FILE}", *(f"{folder}/{m}/{RUN_FILE}" for m in models if m != RECORD_FILE)]
    return paths


def is_recorded(storage: StorageView, commit: str) -> bool:
    return storage.read(f"runs/{commit}/{RECORD_FILE}") is not None


def recorded_commits(storage: StorageView) -> list[str]:
    return [c for c in storage.list("runs") if COMMIT_ID.match(c) and is_recorded(storage, c)]


def _check_commit(commit: str) -> None:
    if not COMMIT_ID.match(commit):
        raise StoreError(f"{commit!r} is not a full commit id")
