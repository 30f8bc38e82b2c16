"""Where recorded runs live, behind one interface (`Storage`) and one layout (`records`)."""

from __future__ import annotations

import os

from mlci.config import Config
from mlci.console import Console
from mlci.git import Git
from mlci.store.storage import LocalStorage, Storage


def open_storage(config: Config, *, console: Console | None = None) -> Storage:
    """The storage `mlci.yaml` asks for: the results branch, or a local folder."""
    spec = config.store
    backend = spec.backend
    if backend == "auto":
        has_remote = Git(config.root).succeeds("remote", "get-url", spec.remote)
        backend = "git" if has_remote else "local"
        if console:
            where = (
                f"branch {spec.branch!r} on {spec.remote}" if has_remote else f"{spec.path} (no remote {spec.remote!r})"
            )
            console.detail(f"store: {where}")
    if backend == "local":
        return LocalStorage(spec.path)
    from mlci.store.gitbranch import GitBranchStorage

    return GitBranchStorage(
        config.root,
        branch=spec.branch,
        remote=spec.remote,
        token=os.environ.get("GITHUB_TOKEN") or None,
        on_retry=console.warn if console else None,
    )
