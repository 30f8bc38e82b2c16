"""`mlci record`: keep this commit's runs as its baseline."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlci.config import Config
from mlci.console import Console
from mlci.errors import GitError, StoreError
from mlci.git import Git
from mlci.runs import Run, read_latest_runs, runs_dir
from mlci.store import open_storage
from mlci.store.records import RecordOutcome, record_runs

MERGE_SUBJECT = re.compile(r"^Merge pull request #(\d+) ")
SQUASH_SUBJECT = re.compile(r"\(#(\d+)\)$")


def record_current_runs(config: Config, *, replace: bool, allow_dirty: bool, console: Console) -> RecordOutcome:
    """Record every configured model's latest run for the current commit.

    Only runs trained at this very commit from a clean tree are recorded: a baseline that does not
    match its commit would make every later comparison wrong without anyone noticing.
    """
    git = Git(config.root)
    if not git.is_repository():
        raise GitError(f"{config.root} is not a git repository; records are kept per commit")
    head = git.head()
    if head is None:
        raise GitError("the repository has no commits yet; commit your project, then train and record")
    if not allow_dirty and git.is_dirty():
        raise StoreError(
            "tracked files have uncommitted changes, so these runs do not belong to any commit",
            hint="Commit or stash them, train again, then record (or pass --allow-dirty).",
        )
    latest = read_latest_runs(config.work_dir)
    runs = {name: run for name, run in latest.items() if name in config.models}
    if not runs:
        raise StoreError("there are no runs to record", hint="Run `mlci train` first.")
    _check_runs_match(runs, head=head, allow_dirty=allow_dirty)
    untrained = [name for name in config.models if name not in runs]
    if untrained:
        console.warn(f"not recording {', '.join(untrained)}: never trained in this checkout")
    folders: dict[str, tuple[Run, Path]] = {name: (run, runs_dir(config.work_dir) / name) for name, run in runs.items()}
    _check_sizes(folders, limit_mb=config.registry.max_model_mb)
    info = {"branch": git.branch(), **record_provenance(git, head, os.environ)}
    storage = open_storage(config, console=console)
    return record_runs(storage, commit=head, runs=folders, info=info, replace=replace)


def record_provenance(git: Git, commit: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """Who recorded, from which workflow run, and which pull request the commit merged, when known.

    GitHub names the merged pull request in the commit subject of both merge commits ("Merge pull
    request #12 from ...") and squash merges ("Title (#12)"), so it is read from there.
    """
    info: dict[str, Any] = {"recorded_by": environ.get("GITHUB_ACTOR") or _who()}
    server, repository, run_id = (environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    if server and repository and run_id:
        info["run_url"] = f"{server.rstrip('/')}/{repository}/actions/runs/{run_id}"
    subject = git.run("log", "-1", "--format=%s", commit, check=False)
    merged = MERGE_SUBJECT.search(subject) or SQUASH_SUBJECT.search(subject)
    if merged:
        info["pull_request"] = int(merged.group(1))
    return info


def _check_runs_match(runs: dict[str, Run], *, head: str, allow_dirty: bool) -> None:
    stale = [
        f"{name} (trained at {(run.commit or 'no commit')[:12]})" for name, run in runs.items() if run.commit != head
    ]
    if stale:
        raise StoreError(
            f"runs were trained at another commit than HEAD {head[:12]}: {', '.join(stale)}",
            hint="Run `mlci train` again, then record.",
        )
    dirty = [name for name, run in runs.items() if run.lineage.get("git", {}).get("dirty")]
    if dirty and not allow_dirty:
        raise StoreError(
            f"{', '.join(dirty)} trained with uncommitted changes",
            hint="Commit them and train again (or pass --allow-dirty).",
        )


def _check_sizes(folders: dict[str, tuple[Run, Path]], *, limit_mb: float) -> None:
    """Refuse run files over the registry's limit: the results branch keeps them, and every clone and
    CI run that fetches it would carry them forever."""
    for name, (run, folder) in folders.items():
        for file_name in run.files.values():
            size = (folder / file_name).stat().st_size
            if size > limit_mb * 1024 * 1024:
                raise StoreError(
                    f"{name}: {file_name} is {size / 1024 / 1024:.1f} MB, over the limit of {limit_mb:g} MB",
                    hint="Raise `registry: {max_model_mb: ...}` in mlci.yaml, or make the model smaller.",
                )


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
