"""Which recorded commit a checkout is compared with.

A ref names a commit, but that exact commit may never have been recorded (CI skipped, a docs-only
merge). Then the nearest recorded commit on its first-parent history is the honest base: it is what
the branch's history actually contained, and the report says how far back it had to look.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlci.compare.result import BaseInfo
from mlci.errors import GitError, StoreError
from mlci.git import Git
from mlci.store.records import Record, load_record
from mlci.store.storage import StorageView

MAX_ANCESTORS = 200
DEFAULT_BRANCHES = ("main", "master")


class NoBaselineError(StoreError):
    """Nothing is recorded for the ref or any ancestor searched: a first run, or a forgotten `record`."""


@dataclass(frozen=True)
class Baseline:
    info: BaseInfo
    record: Record


def default_base_ref(git: Git) -> str:
    """The repository's main line: `origin/HEAD`'s branch, else a local `main` or `master`."""
    remote_head = git.run("symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD", check=False)
    if remote_head:
        return remote_head
    for name in DEFAULT_BRANCHES:
        if git.succeeds("rev-parse", "--verify", "-q", f"refs/heads/{name}"):
            return name
    raise GitError("cannot tell which branch to compare with (no origin/HEAD, main or master)", hint="Pass --base REF.")


def resolve_baseline(git: Git, storage: StorageView, ref: str, *, max_ancestors: int = MAX_ANCESTORS) -> Baseline:
    """The record for `ref`, or for its nearest recorded first-parent ancestor.

    Raises `StoreError` when none of the `max_ancestors` newest commits of that history has a record,
    saying how to create one.
    """
    requested = git.resolve(ref)
    history = git.first_parent_history(requested, limit=max_ancestors)
    for distance, commit in enumerate(history):
        record = load_record(storage, commit)
        if record is None:
            continue
        if distance == 0:
            note = f"recorded runs of {ref} ({commit[:7]})"
        else:
            plural = "s" if distance != 1 else ""
            note = (
                f"{ref} ({requested[:7]}) has no recorded runs; using its nearest recorded ancestor "
                f"{commit[:7]}, {distance} commit{plural} back"
            )
        info = BaseInfo(ref=ref, requested_commit=requested, commit=commit, distance=distance, note=note)
        return Baseline(info=info, record=record)
    searched = f"{len(history)} commit{'s' if len(history) != 1 else ''}"
    raise NoBaselineError(
        f"no recorded runs for {ref} ({requested[:7]}) or any of its first-parent ancestors ({searched} searched)",
        hint=f"Record a baseline first: check out {ref}, then run `mlci train` and `mlci record`.",
    )
