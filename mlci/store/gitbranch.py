"""The results branch: recorded runs and the registry kept on a branch of the repository itself.

CI runners are thrown away after each job, so durable state must live somewhere every later run
can reach with the repository's own access: a branch (default `mlci-data`) pushed to the remote.

Everything here uses git plumbing on a private ref (`refs/mlci/<branch>`); the user's work tree,
index and branches are never touched. A write builds a commit on top of the fetched tip and pushes
it without force; when the push is rejected because another run moved the branch first, the change
is re-applied to the newer tip and pushed again, so concurrent writers never lose each other's work.

The private ref is also this clone's copy of the branch. On a laptop without the network, reads
fall back to it with a warning saying how old it is (the time of each fetch is kept next to it in
git's folder); writes always need the remote, and so does CI, where a stale base would mislead a
review that a re-run would get right.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mlci.errors import OutsideError, StoreError
from mlci.git import Git, in_background
from mlci.store.localcopy import LocalCopy
from mlci.store.remote import LOCAL_STORE_HINT, lost_race, missing_branch, remote_failure, unreachable_reason
from mlci.store.storage import Changes, StorageView, check_store_path

DEFAULT_BRANCH = "mlci-data"
MAX_PUSH_ATTEMPTS = 8
FILE_MODE = "100644"


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
        return self.read_many([path])[check_store_path(path)]

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | None]:
        """The files at `paths` (None where there is none); those not read before come from one git process."""
        wanted = [check_store_path(path) for path in paths]
        unread = {self.blobs[path] for path in wanted if path in self.blobs and path not in self._contents}
        if unread:
            blobs = self.git.read_blobs(unread)
            for path in wanted:
                sha = self.blobs.get(path)
                if sha in blobs and path not in self._contents:
                    self._contents[path] = blobs[sha]
        return {path: self._contents.get(path) for path in wanted}

    def list(self, folder: str) -> list[str]:
        prefix = f"{check_store_path(folder)}/" if folder else ""
        names = {path[len(prefix) :].split("/", 1)[0] for path in self.blobs if path.startswith(prefix)}
        return sorted(names)


class GitBranchStorage:
    """A `Storage` on branch `branch` of `git`'s remote, for the repository `git` runs in.

    `warn` hears about lost races and about reads served from this clone's copy of the branch,
    which happens only when the remote cannot be reached and `offline_copy` allows it.
    """

    def __init__(
        self,
        git: Git,
        *,
        branch: str = DEFAULT_BRANCH,
        max_attempts: int = MAX_PUSH_ATTEMPTS,
        warn: Callable[[str], None] | None = None,
        offline_copy: bool = True,
    ) -> None:
        self.branch = branch
        self.remote = git.remote
        self.max_attempts = max_attempts
        self.warn = warn or (lambda _message: None)
        self.offline_copy = offline_copy
        self.tracking_ref = f"refs/mlci/{branch}"
        if not git.is_repository():
            raise StoreError(f"{git.cwd} is not a git repository; the results branch lives in the repository's git")
        if not git.has_remote():
            raise StoreError(
                f"this repository has no remote {git.remote!r} to keep the results branch {branch!r} on",
                hint=f"Add the remote. {LOCAL_STORE_HINT}",
            )
        self._git = git
        self._copy = LocalCopy(git, branch=branch, ref=self.tracking_ref)
        self._snapshot: _Snapshot | None = None
        self._fetching: Callable[[], _Snapshot] | None = None

    @property
    def where(self) -> str:
        """`on origin/mlci-data`: where records go, as people are told."""
        return f"on {self.remote}/{self.branch}"

    # StorageView: reads see the branch as fetched once, the first time it is needed.
    def read(self, path: str) -> bytes | None:
        return self._current().read(path)

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | None]:
        return self._current().read_many(paths)

    def list(self, folder: str) -> list[str]:
        return self._current().list(folder)

    def update(self, change: Callable[[StorageView], Changes], *, message: str) -> bool:
        """Apply `change` to the newest tip of the branch and push it, re-applying when the push loses a race."""
        import random  # writing only: reading commands (compare, report) load less without it

        for attempt in range(1, self.max_attempts + 1):
            snapshot = self._snapshot = self._fetch(writing=True)
            changes = change(snapshot)
            commit = self._commit(snapshot, changes, message=message)
            if commit is None:
                return False
            outcome = self._push(commit)
            if outcome == "pushed":
                self._git.output("update-ref", self.tracking_ref, commit)
                self._copy.fetched_now()
                self._snapshot = _Snapshot.at(self._git, commit)
                return True
            wait = min(8.0, 0.2 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
            self.warn(
                f"results branch {self.branch!r} moved while writing (attempt {attempt} of {self.max_attempts}); "
                f"re-applying on the newer state in {wait:.1f}s"
            )
            time.sleep(wait)
        raise OutsideError(
            f"could not push to the results branch {self.branch!r}: it kept moving for {self.max_attempts} attempts",
            hint="Another job is writing at the same time; re-run this job.",
        )

    def prefetch(self) -> None:
        """Start fetching the branch for the reads to come, which wait for it: the fetch (a round trip
        to the remote) and the listing of the tip's files run while the command reads its own."""
        if self._snapshot is None and self._fetching is None:
            self._fetching = in_background(self._fetch)

    def _current(self) -> _Snapshot:
        if self._snapshot is None:
            started, self._fetching = self._fetching, None
            self._snapshot = started() if started is not None else self._fetch()
        return self._snapshot

    def _fetch_args(self) -> tuple[str, ...]:
        # No housekeeping (`git maintenance run --auto`) after fetching one small branch: it is one
        # more process every command pays for, and the user's own git commands do it anyway.
        args = ["fetch", "--no-tags", "--quiet", "--no-write-fetch-head", "--no-auto-maintenance"]
        # In a shallow CI checkout, fetch only the tip; in a full clone keep the history whole rather
        # than turning the user's repository into a shallow one.
        if self._git.is_shallow():
            args.append("--depth=1")
        return (*args, self.remote, f"+refs/heads/{self.branch}:{self.tracking_ref}")

    def _fetch(self, *, writing: bool = False) -> _Snapshot:
        """Fetch only the results branch into the private ref and return its tip (touching nothing
        else of this object's: it may run in the background, see `prefetch`). When the remote
        cannot be reached, a read (not `writing`) gets this clone's copy, if it has one and may use it."""
        done = self._git.attempt(*self._fetch_args())
        if done.returncode != 0:
            problem = self._git.problem(done)
            if missing_branch(problem):
                self._git.attempt("update-ref", "-d", self.tracking_ref)
                return _Snapshot.at(self._git, None)
            what = f"could not fetch the results branch {self.branch!r} from {self.remote}"
            unreachable = unreachable_reason(problem)
            if unreachable is None:
                raise remote_failure(what, problem)
            copy = self._copy.commit() if self.offline_copy and not writing else None
            if copy is None:
                raise OutsideError(f"{what}: {problem}", hint=self._unreachable_hint(writing=writing))
            self.warn(
                f"could not reach {self.remote} ({unreachable}); using the copy of {self.branch} "
                f"{self._copy.describe(copy)}; results recorded since are not seen"
            )
            return _Snapshot.at(self._git, copy)
        tip = self._git.output("rev-parse", "--verify", f"{self.tracking_ref}^{{commit}}").decode().strip()
        self._copy.fetched_now()
        return _Snapshot.at(self._git, tip)

    def _unreachable_hint(self, *, writing: bool) -> str:
        if writing:
            why = f"Records, promotions and rollbacks are written {self.where}, so they need {self.remote}"
        elif self.offline_copy:
            why = f"This clone has no copy of {self.branch} to read instead (none was ever fetched)"
        else:
            why = f"In CI, mlci does not compare with an old copy of {self.branch}"
        return f"{why}: retry when {self.remote} can be reached. {LOCAL_STORE_HINT}"

    def _commit(self, snapshot: _Snapshot, changes: Changes, *, message: str) -> str | None:
        """A new commit on top of `snapshot` with `changes`, or None when they change nothing."""
        effective = {
            check_store_path(path): content
            for path, content in changes.items()
            if (content is None and path in snapshot.blobs) or (content is not None and snapshot.read(path) != content)
        }
        if not effective:
            return None
        import tempfile  # writing only, as `random` above

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
        return (
            self._git.output("commit-tree", tree, *parents, "-m", message, env=commit_identity(self._git))
            .decode()
            .strip()
        )

    def _push(self, commit: str) -> str:
        """ "pushed", or "raced" when the branch moved; other failures raise."""
        done = self._git.attempt("push", "--quiet", "--no-verify", self.remote, f"{commit}:refs/heads/{self.branch}")
        if done.returncode == 0:
            return "pushed"
        problem = self._git.problem(done)
        if lost_race(problem):
            return "raced"
        what = f"could not push the results branch {self.branch!r} to {self.remote}"
        if unreachable_reason(problem) is not None:
            raise OutsideError(f"{what}: {problem}", hint=self._unreachable_hint(writing=True))
        raise remote_failure(what, problem)


def commit_identity(git: Git) -> dict[str, str]:
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
