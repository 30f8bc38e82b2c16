"""Compare this checkout's runs with the runs recorded for a base ref."""

from __future__ import annotations

from mlci.baseline import default_base_ref, resolve_baseline
from mlci.compare.build import build_comparison
from mlci.compare.result import Comparison, HeadInfo
from mlci.config import Config
from mlci.console import Console
from mlci.errors import GitError, StoreError
from mlci.git import Git
from mlci.runs import read_latest_runs
from mlci.store import open_storage


def compare_with_base(config: Config, base_ref: str | None, *, console: Console) -> Comparison:
    """Compare the latest runs in `.mlci/runs` with the runs recorded for `base_ref`."""
    git = Git(config.root)
    if not git.is_repository():
        raise GitError(f"{config.root} is not a git repository; comparisons need its history")
    head_runs = read_latest_runs(config.work_dir)
    if not any(name in config.models for name in head_runs):
        raise StoreError("there are no runs in this checkout to compare", hint="Run `mlci train` first.")
    ref = base_ref or default_base_ref(git)
    baseline = resolve_baseline(git, open_storage(config), ref)
    console.detail(f"base: {baseline.info.note}")
    head = HeadInfo(commit=git.head(), branch=git.branch(), dirty=git.is_dirty())
    return build_comparison(
        config=config, head=head, base=baseline.info, head_runs=head_runs, base_runs=baseline.record.runs
    )
