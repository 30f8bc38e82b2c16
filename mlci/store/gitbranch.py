"""The results branch: recorded runs and the registry kept on a branch of the repository itself.

CI runners are thrown away after each job, so durable state must live somewhere every later run
can reach with the repository's own access: a branch (default `mlci-data`) pushed to the remote.

Everything here uses git plumbing on a private ref (`refs/mlci/<branch>`); the user's work tree,
index and branches are never touched. A write builds a commit on top of the fetched tip and pushes
it without force; when the push is rejected because another run moved the branch first, the change
is re-applied to the newer tip and pushed again, so concurrent writers never lose each other's work.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mlci.errors import INVALID_TOKEN_HINT, OutsideError, StoreError
from mlci.git import Git
from mlci.store.storage import Changes, StorageView, check_store_path

DEFAULT_BRANCH = "mlci-data"
MAX_PUSH_ATTEMPTS = 8
FILE_MODE = "100644"

# What git prints when a push lost a race: the remote branch moved, or a concurrent receive held its lock.
_RACE_SIGNS = ("[rejected]", "non-fast-forward", "fetch first", "failed to update ref", "cannot lock ref", "stale info")
_MISSING_BRANCH_SIGNS = ("couldn't find remote ref", "could not find remote ref")
# A remote that does not take the token at all, apart from one that takes it but refuses the write.
_REJECTED_TOKEN_SIGNS = (
    "authentication failed",
    "invalid username or password",
    "error: 401",
    "could not read username",
)
_DENIED_SIGNS = ("403", "permission", "denied")


@dataclass
class _Snapshot:
    """One commit of the results branch, read on demand: its file list up front, contents lazily."""

    git: Git
    commit: str | None
    blobs: dict[str, str] = field(default_factory=dict)
    _contents: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def at(cls, git: Git, commit: str | None) -> _Snapshot:
        blobs: dict[str, str] = {}
        if commit:
            listing = git.output("ls-tree", "-r", "-z", "--full-tree", commit).decode()
            for entry in filter(None, listing.split("\0")):
                meta, path = entry.split("\t", 1)
                _mode, kind, sha = meta.split()
                if kind == "blob":
                    blobs[path] = sha
        return cls(git=git, commit=commit, blobs=blobs)

    def read(self, path: str) -> bytes | None:
        path = check_store_path(path)
        sha = self.blobs.get(path)
        if sha is None:
            return None
        if path not in self._contents:
            self._contents[path] = self.git.output("cat-file", "blob", sha)
        return self._contents[path]

    def list(self, folder: str) -> list[str]:
        prefix = f"{check_store_path(folder)}/" if folder else ""
        names = {path[len(prefix) :].split("/", 1)[0] for path in self.blobs if path.startswith(prefix)}
        return sorted(names)


class GitBranchStorage:
    """A `Storage` on branch `branch` of `remote`, for the repository at `repo`."""

    def __init__(
        self,
        git: Git,
        *,
        branch: str = DEFAULT_BRANCH,
        max_attempts: int = MAX_PUSH_ATTEMPTS,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.branch = branch
        self.remote = git.remote
        self.max_attempts = max_attempts
        self.on_retry = on_retry or (lambda _message: None)
        self.tracking_ref = f"refs/mlci/{branch}"
        if not git.is_repository():
            raise StoreError(f"{git.cwd} is not a git repository; the results branch lives in the repository's git")
        if not git.has_remote():
            raise StoreError(
                f"this repository has no remote {git.remote!r} to keep the results branch {branch!r} on",
                hint="Add the remote, or keep results in a folder with `store: {backend: local}` in mlci.yaml.",
            )
        self._git = git
        self._snapshot: _Snapshot | None = None

    # StorageView: reads see the branch as fetched once, the first time it is needed.
    def read(self, path: str) -> bytes | None:
        return self._current().read(path)

    def list(self, folder: str) -> list[str]:
        return self._current().list(folder)

    def update(self, change: Callable[[StorageView], Changes], *, message: str) -> bool:
        """Apply `change` to the newest tip of the branch and push it, re-applying when the push loses a race."""
        for attempt in range(1, self.max_attempts + 1):
            snapshot = self._fetch()
            changes = change(snapshot)
            commit = self._commit(snapshot, changes, message=message)
            if commit is None:
                return False
            outcome = self._push(commit)
            if outcome == "pushed":
                self._git.output("update-ref", self.tracking_ref, commit)
                self._snapshot = _Snapshot.at(self._git, commit)
                return True
            wait = min(8.0, 0.2 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
            self.on_retry(
                f"results branch {self.branch!r} moved while writing (attempt {attempt} of {self.max_attempts}); "
                f"re-applying on the newer state in {wait:.1f}s"
            )
            time.sleep(wait)
        raise OutsideError(
            f"could not push to the results branch {self.branch!r}: it kept moving for {self.max_attempts} attempts",
            hint="Another job is writing at the same time; re-run this job.",
        )

    def _current(self) -> _Snapshot:
        if self._snapshot is None:
            self._snapshot = self._fetch()
        return self._snapshot

    def _fetch(self) -> _Snapshot:
        """Fetch only the results branch into the private ref and return its tip."""
        args = ["fetch", "--no-tags", "--quiet", "--no-write-fetch-head"]
        # In a shallow CI checkout, fetch only the tip; in a full clone keep the history whole rather
        # than turning the user's repository into a shallow one.
        if self._git.attempt("rev-parse", "--is-shallow-repository").stdout.strip() == b"true":
            args.append("--depth=1")
        done = self._git.attempt(*args, self.remote, f"+refs/heads/{self.branch}:{self.tracking_ref}")
        if done.returncode != 0:
            problem = self._git.problem(done)
            if any(sign in problem.lower() for sign in _MISSING_BRANCH_SIGNS):
                self._git.attempt("update-ref", "-d", self.tracking_ref)
                self._snapshot = _Snapshot.at(self._git, None)
                return self._snapshot
            raise _remote_failure(f"could not fetch the results branch {self.branch!r} from {self.remote}", problem)
        tip = self._git.output("rev-parse", "--verify", f"{self.tracking_ref}^{{commit}}").decode().strip()
        self._snapshot = _Snapshot.at(self._git, tip)
        return self._snapshot

    def _commit(self, snapshot: _Snapshot, changes: Changes, *, message: str) -> str | None:
        """A new commit on top of `snapshot` with `changes`, or None when they change nothing."""
        effective = {
            check_store_path(path): content
            for path, content in changes.items()
            if (content is None and path in snapshot.blobs) or (content is not None and snapshot.read(path) != content)
        }
        if not effective:
            return None
        with tempfile.TemporaryDirectory(prefix="mlci-index-") as folder:
            index = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            if snapshot.commit:
                self._git.output("read-tree", snapshot.commit, env=index)
            lines = []
            for path, content in sorted(effective.items()):
                if content is None:
                    lines.append(f"0 {'0' * 40}\t{path}")
                else:
                    sha = self._git.output("hash-object", "-w", "--stdin", input=content).decode().strip()
                    lines.append(f"{FILE_MODE} {sha}\t{path}")
            self._git.output("update-index", "--index-info", input=("\n".join(lines) + "\n").encode(), env=index)
            tree = self._git.output("write-tree", env=index).decode().strip()
        parents = ["-p", snapshot.commit] if snapshot.commit else []
        return self._git.output("commit-tree", tree, *parents, "-m", message, env=_identity(self._git)).decode().strip()

    def _push(self, commit: str) -> str:
        """ "pushed", or "raced" when the branch moved; other failures raise."""
        done = self._git.attempt("push", "--quiet", "--no-verify", self.remote, f"{commit}:refs/heads/{self.branch}")
        if done.returncode == 0:
            return "pushed"
        problem = self._git.problem(done)
        if any(sign in problem for sign in _RACE_SIGNS):
            return "raced"
        raise _remote_failure(f"could not push the results branch {self.branch!r} to {self.remote}", problem)


def _remote_failure(what: str, problem: str) -> OutsideError:
    """The error for a fetch or push the remote refused, saying whether the token or a permission is why."""
    lowered = problem.lower()
    if any(sign in lowered for sign in _REJECTED_TOKEN_SIGNS):
        return OutsideError(f"{what}: the token is missing, invalid or expired ({problem})", hint=INVALID_TOKEN_HINT)
    hint = None
    if any(sign in lowered for sign in _DENIED_SIGNS):
        hint = "The token needs `contents: write` (add it to the workflow's `permissions:`)."
    return OutsideError(f"{what}: {problem}", hint=hint)


def _identity(git: Git) -> dict[str, str]:
    """Who commits to the results branch: the user's git identity, else the Actions bot (CI runners have none)."""
    if git.attempt("config", "user.email").returncode == 0 or "GIT_COMMITTER_EMAIL" in git.env:
        return {}
    name, email = "github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
