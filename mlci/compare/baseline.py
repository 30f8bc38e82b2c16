"""Which recorded commit a checkout is compared with.

A ref names a commit, but that exact commit may never have been recorded (CI skipped, a docs-only
merge). Then the nearest recorded commit on its first-parent history is the honest base: it is what
the branch's history actually contained, and the report says how far back it had to look.

A record that cannot be read (edited by hand, cut short) is passed over the same way, with a warning
naming its file: one damaged old record must not stop every later comparison.
"""

from __future__ import annotations

from collections.abc import Iterable

from mlci.compare.result import BaseInfo
from mlci.config.records import record
from mlci.console import Console
from mlci.errors import GitError, StoreError
from mlci.git import USUAL_DEFAULT_BRANCHES, Git, short_sha
from mlci.store.records import Record, load_record, record_paths
from mlci.store.storage import StorageView

MAX_ANCESTORS = 200
DEEPEN_STEP = 50


class NoBaselineError(StoreError):
    """Nothing is recorded for the ref or any ancestor searched: a first run, or a forgotten `record`."""


@record
class Baseline:
    info: BaseInfo
    record: Record


class RecordReader:
    """Reads the records one comparison needs (the base's, the trend's). A damaged one is skipped:
    the first time, with a warning naming its file; `damaged` keeps why, by commit."""

    def __init__(self, storage: StorageView, console: Console | None = None) -> None:
        self.storage = storage
        self.console = console
        self.damaged: dict[str, str] = {}
        # The base's record is also the trend's newest point: each is read and decoded once.
        self._loaded: dict[str, Record | None] = {}

    def load(self, commit: str) -> Record | None:
        """The record of `commit`; None when it has none, or when it is damaged."""
        if commit not in self._loaded:
            self._loaded[commit] = self._load(commit)
        return self._loaded[commit]

    def prefetch(self, commits: Iterable[str]) -> None:
        """Read the records of `commits` in one go, so that loading them after costs no further reads."""
        self.storage.read_many(record_paths(self.storage, (c for c in commits if c not in self._loaded)))

    def _load(self, commit: str) -> Record | None:
        try:
            return load_record(self.storage, commit)
        except StoreError as exc:
            if commit not in self.damaged:
                self.damaged[commit] = exc.message
                if self.console is not None:
                    self.console.warn(f"skipping a damaged record: {exc.message}")
            return None


def default_base_ref(git: Git, branch: str | None = None) -> str:
    """A ref naming the default branch `branch` (by default what git tells, see `Git.default_branch`)
    that resolves in this clone: the remote's branch as last fetched (`origin/master`), else the local
    one, else the remote's branch fetched now (a CI checkout holds only the commit it is about).
    `GitError` naming the branch when none of these exists."""
    name = branch or git.default_branch()
    if name is None:
        raise GitError(
            f"cannot tell which branch is this repository's default one (no {git.remote}/HEAD, "
            f"{' or '.join(USUAL_DEFAULT_BRANCHES)})",
            hint=f"Pass --base REF, or let git know it: git remote set-head {git.remote} --auto.",
        )
    if git.has_commit(f"refs/remotes/{git.remote}/{name}"):
        return f"{git.remote}/{name}"
    if git.has_commit(f"refs/heads/{name}"):
        return name
    if git.has_remote() and git.fetch_branch(name, depth=DEEPEN_STEP):
        return f"{git.remote}/{name}"
    raise GitError(
        f"the default branch {name} is neither in this clone nor on {git.remote}",
        hint=f"Fetch it (git fetch {git.remote} {name}) or pass --base REF.",
    )


def resolve_baseline(
    git: Git,
    storage: StorageView,
    ref: str,
    *,
    max_ancestors: int = MAX_ANCESTORS,
    head: str | None = None,
    records: RecordReader | None = None,
) -> Baseline:
    """The record for `ref`; else for the merge-base of `ref` and `head` (where the branch started);
    else for the nearest recorded first-parent ancestor of `ref`. Damaged records are skipped (see
    `RecordReader`; pass one with a console to have them reported).

    A shallow clone (what CI checks out) is deepened as the search needs, up to `max_ancestors`
    commits. Raises `NoBaselineError` when none of them has a record, saying how to create one.
    """
    records = records or RecordReader(storage)
    requested = git.resolve(ref)
    record = records.load(requested)
    if record is not None:
        return _baseline(ref, requested, record, 0, f"recorded runs of {ref} ({short_sha(requested)})")
    missing = (
        f"the record of {ref} ({short_sha(requested)}) is damaged"
        if requested in records.damaged
        else f"{ref} ({short_sha(requested)}) has no recorded runs"
    )
    fork_point = git.merge_base(requested, head) if head else None
    if fork_point and fork_point != requested:
        record = records.load(fork_point)
        if record is not None:
            note = f"{missing}; using the commit this branch started from, {short_sha(fork_point)}"
            distance = int(git.run("rev-list", "--first-parent", "--count", f"{fork_point}..{requested}"))
            return _baseline(ref, requested, record, distance, note)
    history = first_parent_history(git, requested, limit=max_ancestors)
    for distance, commit in enumerate(history[1:], start=1):
        record = records.load(commit)
        if record is None:
            continue
        plural = "s" if distance != 1 else ""
        note = f"{missing}; using its nearest recorded ancestor {short_sha(commit)}, {distance} commit{plural} back"
        return _baseline(ref, requested, record, distance, note)
    searched = f"{len(history)} commit{'s' if len(history) != 1 else ''}"
    raise NoBaselineError(
        f"no recorded runs for {ref} ({short_sha(requested)}) or any of its first-parent ancestors "
        f"({searched} searched)",
        hint=f"Record a baseline first: check out {ref}, then run `mlci train` and `mlci record`.",
    )


def _baseline(ref: str, requested: str, record: Record, distance: int, note: str) -> Baseline:
    info = BaseInfo(ref=ref, requested_commit=requested, commit=record.commit, distance=distance, note=note)
    return Baseline(info=info, record=record)


def first_parent_history(git: Git, commit: str, *, limit: int) -> list[str]:
    """`commit` and up to `limit - 1` first-parent ancestors, deepening a shallow clone to find them."""
    history = git.first_parent_history(commit, limit=limit)
    while len(history) < limit and git.is_shallow() and git.deepen(commit, by=DEEPEN_STEP):
        history = git.first_parent_history(commit, limit=limit)
    return history


def recorded_base(git: Git, storage: StorageView, ref: str, *, console: Console | None = None) -> Record | None:
    """The record `ref` is compared with (see `resolve_baseline`); None when nothing is recorded yet."""
    try:
        return resolve_baseline(git, storage, ref, head=git.head(), records=RecordReader(storage, console)).record
    except NoBaselineError:
        return None
