"""`mlci record`: keep this commit's runs as its baseline."""

from __future__ import annotations

from pathlib import Path

from mlci.commands.project import Project
from mlci.errors import GitError, StoreError
from mlci.git import short_sha
from mlci.runs import Run, read_latest_runs, run_file, runs_dir
from mlci.runs.modelformat import PICKLE_BASED, describe_format, model_format
from mlci.store.records import RecordOutcome, load_record, record_runs

MAX_FILES_SHOWN = 5


def record_current_runs(project: Project, *, replace: bool, allow_dirty: bool) -> RecordOutcome:
    """Record every configured model's latest run for the current commit.

    Only runs trained at this very commit from a clean tree are recorded: a baseline that does not
    match its commit would make every later comparison wrong without anyone noticing.
    """
    config, git = project.config, project.git
    if not git.is_repository():
        raise GitError(f"{config.root} is not a git repository; records are kept per commit")
    head = git.head()
    if head is None:
        raise GitError("the repository has no commits yet; commit your project, then train and record")
    changed = [] if allow_dirty else git.changed_files(ignore=config.ignored_changes)
    if changed:
        shown = ", ".join(changed[:MAX_FILES_SHOWN]) + (" and more" if len(changed) > MAX_FILES_SHOWN else "")
        raise StoreError(
            f"tracked files have uncommitted changes ({shown}), so these runs do not belong to any commit",
            hint="Commit or stash them, train again, then record (or pass --allow-dirty). Files your "
            "training itself rewrites (dvc.lock) go under `record: {ignore_changes: [...]}` in mlci.yaml.",
        )
    latest = read_latest_runs(config.work_dir)
    runs = {name: run for name, run in latest.items() if name in config.models}
    if not runs:
        raise StoreError("there are no runs to record", hint="Run `mlci train` first.")
    _check_runs_match(runs, head=head, allow_dirty=allow_dirty)
    untrained = [name for name in config.models if name not in runs]
    if untrained:
        project.console.warn(f"not recording {', '.join(untrained)}: never trained in this checkout")
    folders: dict[str, tuple[Run, Path]] = {name: (run, runs_dir(config.work_dir) / name) for name, run in runs.items()}
    _check_sizes(folders, limit_mb=config.registry.max_model_mb)
    info = {"branch": git.branch(), **project.provenance().to_json()}
    outcome = record_runs(project.storage, commit=head, runs=folders, info=info, replace=replace)
    if outcome.written:
        _warn_about_pickles(project, folders)
    return outcome


def mirror_record(project: Project, outcome: RecordOutcome) -> list[str]:
    """Log the recorded runs to MLflow, when a server mirrors the results branch (already logged:
    nothing is logged again); one line per model. The record is kept whatever MLflow answers."""
    mirror = project.mlflow
    if mirror is None:
        return []
    record = load_record(project.storage, outcome.commit)
    if record is None:
        raise StoreError(f"{short_sha(outcome.commit)} is not recorded {outcome.where}")
    lines = []
    for model in outcome.models:
        logged = mirror.log_record(project.storage.read, record, model)
        done = "logged to" if logged.created else "already in"
        lines.append(f"{model}: {done} {mirror.where} as run {logged.run_id}")
    return lines


def _check_runs_match(runs: dict[str, Run], *, head: str, allow_dirty: bool) -> None:
    stale = [f"{name} (trained at {short_sha(run.commit)})" for name, run in runs.items() if run.commit != head]
    if stale:
        raise StoreError(
            f"runs were trained at another commit than HEAD {short_sha(head)}: {', '.join(stale)}",
            hint="Run `mlci train` again, then record.",
        )
    dirty = [name for name, run in runs.items() if run.lineage.get("git", {}).get("dirty")]
    if dirty and not allow_dirty:
        raise StoreError(
            f"{', '.join(dirty)} trained with uncommitted changes",
            hint="Commit them and train again (or pass --allow-dirty).",
        )


def _warn_about_pickles(project: Project, folders: dict[str, tuple[Run, Path]]) -> None:
    """One warning per model whose model file is a pickle: it is kept, registered and served as bytes,
    but nothing can load it safely, and mlci never will."""
    for name, (run, folder) in folders.items():
        if "model" not in run.files:
            continue
        path = run_file(folder, run, "model")
        found = model_format(path.read_bytes(), path.name)
        if found in PICKLE_BASED:
            project.console.warn(
                f"{name}: {path.name} is {describe_format(found)}: it is recorded, and registered by "
                "promotion, as bytes, but loading it runs whatever code it holds, so mlci never loads it "
                "(the base is not re-scored, `mlci models pull --check` refuses it). Save it with skops "
                "(skops.io.dump) to have both."
            )


def _check_sizes(folders: dict[str, tuple[Run, Path]], *, limit_mb: float) -> None:
    """Refuse run files over the registry's limit: the results branch keeps them, and every clone and
    CI run that fetches it would carry them forever."""
    for name, (run, folder) in folders.items():
        for role, file_name in run.files.items():
            size = run_file(folder, run, role).stat().st_size
            if size > limit_mb * 1024 * 1024:
                raise StoreError(
                    f"{name}: {file_name} is {size / 1024 / 1024:.1f} MB, over the limit of {limit_mb:g} MB",
                    hint="Raise `registry: {max_model_mb: ...}` in mlci.yaml, or make the model smaller.",
                )
