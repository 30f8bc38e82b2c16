"""This clone's copy of the results branch: the private ref every fetch updates, and when that was.

git keeps no time for a fetch that changed nothing, and how old the copy is matters to whoever reads
it offline, so each fetch leaves its time in a small file next to the ref, in git's own folder (shared
by all worktrees of the clone, like the ref).
"""

from __future__ import annotations

import time
from pathlib import Path

from mlci.errors import GitError
from mlci.git import Git, short_sha


class LocalCopy:
    """The copy of `branch` kept at `ref` in the repository `git` runs in."""

    def __init__(self, git: Git, *, branch: str, ref: str) -> None:
        self._git = git
        self.branch = branch
        self.ref = ref

    def commit(self) -> str | None:
        """The commit the copy is at, or None when the branch was never fetched here."""
        done = self._git.attempt("rev-parse", "--verify", "-q", f"{self.ref}^{{commit}}")
        return (done.stdout.decode().strip() or None) if done.returncode == 0 else None

    def fetched_now(self) -> None:
        """Note that the copy is, as of now, what the remote holds."""
        stamp = self._stamp()
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(f"{time.time():.0f}\n")
        except OSError:
            pass  # only the age shown when offline is lost

    def describe(self, commit: str) -> str:
        """`fetched 3 days ago (commit abc1234)`; from the commit's own date when no time was kept
        (a copy fetched by an older mlci)."""
        try:
            fetched: float | None = float(self._stamp().read_text().strip())
        except (OSError, ValueError):
            fetched = None
        if fetched is not None:
            return f"fetched {ago(time.time() - fetched)} (commit {short_sha(commit)})"
        written = self._git.run("log", "-1", "--format=%ct", commit, check=False)
        since = f", written {ago(time.time() - int(written))}" if written.isdigit() else ""
        return f"in this clone (commit {short_sha(commit)}{since})"

    def _stamp(self) -> Path:
        common = self._git.common_dir()
        if common is None:
            raise GitError(f"{self._git.cwd} is not a git repository")
        return common / "mlci" / "fetched" / self.branch


def ago(seconds: float) -> str:
    """`3 days ago`, `5 hours ago`, `1 minute ago`, `just now`."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        count = int(seconds // size)
        if count >= 1:
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
