"""Carrying runs between the jobs of one workflow run: the matrix jobs each train a model and export
its run; the job that gathers them imports them all.

An export is a folder per model: the run's folder as it is (`run.json` and the files it names) and
`export.json`, a small manifest saying which model, commit and fingerprint it holds. An import trusts
none of it: what is downloaded could be an artifact of another commit, or crafted. A run is imported
only when its folder, manifest and `run.json` agree on the model, the model is in mlci.yaml, it was
trained at this very commit, and every file it names is a regular file inside its own folder. Every
folder is checked before anything is written, so a refusal leaves this checkout's runs as they were.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlci.config import Config
from mlci.config.files import display_path, load_json, read_bounded
from mlci.config.records import record
from mlci.errors import StoreError
from mlci.git import short_sha
from mlci.runs.lineage import FINGERPRINT_KEY
from mlci.runs.run import RUN_FILE, Run, read_run, run_file, runs_dir, write_run

MANIFEST_FILE = "export.json"
MANIFEST_VERSION = 1
MAX_MANIFEST_BYTES = 64 * 1024
LAYOUT_HINT = (
    "`mlci import-runs DIR` reads what `mlci export-run MODEL -o DIR` wrote: a folder per model holding "
    f"{RUN_FILE}, {MANIFEST_FILE} and the run's files."
)


@record
class Exported:
    """One model's run in an export folder, checked and ready to import."""

    folder: Path
    run: Run
    files: dict[str, Path]


def export_run(config: Config, model: str, output: Path) -> Path:
    """Write this checkout's latest run of `model` to `output/<model>/` with its manifest; returns that
    folder. `StoreError` when there is no run of it."""
    source = runs_dir(config.work_dir) / model
    run = read_run(source)
    files = {role: run_file(source, run, role) for role in run.files}
    target = write_run(output / model, run, files)
    manifest = {
        "schema_version": MANIFEST_VERSION,
        "model": model,
        "commit": run.commit,
        "fingerprint": run.lineage.get(FINGERPRINT_KEY),
    }
    (target / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def read_exports(config: Config, folder: Path, *, head: str) -> list[Exported]:
    """Every run exported into `folder`, each checked (see the module's docstring); `StoreError`
    naming the folder and what is wrong at the first that fails. No folder at all holds no runs."""
    if not folder.exists():
        return []
    if not folder.is_dir():
        raise StoreError(f"{display_path(folder)}: is not a folder", hint=LAYOUT_HINT)
    return [_check(config, child, head=head) for child in sorted(folder.iterdir())]


def import_run(config: Config, exported: Exported) -> Path:
    """Make `exported` this checkout's latest run of its model; returns the run's folder."""
    # Copied, not linked: the downloaded folder is the workflow's, which may change or remove it.
    return write_run(runs_dir(config.work_dir) / exported.run.model, exported.run, exported.files)


def _check(config: Config, folder: Path, *, head: str) -> Exported:
    shown = display_path(folder)

    def refuse(message: str, hint: str | None = None) -> StoreError:
        return StoreError(f"{shown}: {message}", hint=hint)

    if folder.is_symlink() or not folder.is_dir():
        raise refuse("is not an exported run", hint=LAYOUT_HINT)
    manifest = _manifest(folder, refuse)
    run = read_run(folder)
    names = {"folder": folder.name, MANIFEST_FILE: manifest["model"], RUN_FILE: run.model}
    if len(set(names.values())) != 1:
        said = ", ".join(f"{where} says {name!r}" for where, name in names.items())
        raise refuse(f"does not agree on its model: {said}", hint=LAYOUT_HINT)
    if run.model not in config.models:
        raise refuse(
            f"{run.model!r} is not a model in {config.path.name}",
            hint=f"Models in this config: {', '.join(config.models)}.",
        )
    if run.commit != head or manifest["commit"] != head:
        trained = short_sha(run.commit) if run.commit else "no commit"
        raise refuse(
            f"{run.model} was trained at {trained}, not at HEAD {short_sha(head)}; a run of another commit "
            "is never imported",
            hint="Download the artifacts of this workflow run only, and check out the same commit in every job.",
        )
    if manifest["fingerprint"] != run.lineage.get(FINGERPRINT_KEY):
        raise refuse(f"{MANIFEST_FILE} names another fingerprint than {RUN_FILE}", hint=LAYOUT_HINT)
    files = {role: run_file(folder, run, role) for role in run.files}
    return Exported(folder=folder, run=run, files=files)


def _manifest(folder: Path, refuse: Any) -> dict[str, Any]:
    path = folder / MANIFEST_FILE

    def error(message: str, *, hint: str | None = None) -> StoreError:
        return StoreError(message, hint=hint or LAYOUT_HINT)

    raw = read_bounded(path, limit=MAX_MANIFEST_BYTES, what="an export manifest", error=error)
    try:
        data = load_json(raw)
    except ValueError as exc:
        raise refuse(f"{MANIFEST_FILE} is not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("schema_version") != MANIFEST_VERSION:
        raise refuse(f"{MANIFEST_FILE} is not an export manifest of version {MANIFEST_VERSION}", hint=LAYOUT_HINT)
    for key in ("model", "commit"):
        if not isinstance(data.get(key), str):
            raise refuse(f"{MANIFEST_FILE}: `{key}` must be text", hint=LAYOUT_HINT)
    if data.get("fingerprint") is not None and not isinstance(data["fingerprint"], str):
        raise refuse(f"{MANIFEST_FILE}: `fingerprint` must be text or null", hint=LAYOUT_HINT)
    return data
