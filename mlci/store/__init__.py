"""Where recorded runs live, behind one interface (`Storage`) and one layout (`records`)."""

from __future__ import annotations

from mlci.config import Config
from mlci.console import Console
from mlci.git import Git
from mlci.store.gitbranch import GitBranchStorage
from mlci.store.storage import LocalStorage, Storage, StorageView

__all__ = ["GitBranchStorage", "LocalStorage", "Storage", "StorageView", "open_storage"]


def open_storage(config: Config, *, git: Git, console: Console | None = None, offline_copy: bool = True) -> Storage:
    """The storage `mlci.yaml` asks for: the results branch on `git`'s remote, or a local folder.

    `git` runs in the project's repository with the remote named by `store.remote` (and the token
    that may fetch and push it). With `offline_copy`, reads use this clone's copy of the results
    branch, with a warning, when the remote cannot be reached (a laptop without the network).
    """
    spec = config.store
    backend = spec.backend
    if backend == "auto":
        has_remote = git.is_repository() and git.has_remote()
        backend = "git" if has_remote else "local"
        if console:
            where = (
                f"branch {spec.branch!r} on {spec.remote}" if has_remote else f"{spec.path} (no remote {spec.remote!r})"
            )
            console.detail(f"store: {where}")
    if backend == "local":
        return LocalStorage(spec.path)
    return GitBranchStorage(git, branch=spec.branch, warn=console.warn if console else None, offline_copy=offline_copy)
