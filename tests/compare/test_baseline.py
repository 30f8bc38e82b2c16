"""The base of a comparison: the ref's own record, else its nearest recorded first-parent ancestor."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.compare.baseline import RecordReader, default_base_ref, resolve_baseline
from mlci.errors import GitError, StoreError
from mlci.git import Git
from mlci.runs import Run, write_run
from mlci.store.records import record_runs
from mlci.store.storage import LocalStorage
from testing.projects import recording_console
from tests.conftest import git

pytestmark = pytest.mark.integration


def commit_file(repo: Path, name: str) -> str:
    (repo / name).write_text(name)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", name)
    return git(repo, "rev-parse", "HEAD")


def record(storage: LocalStorage, tmp_path: Path, commit: str, accuracy: float) -> None:
    run = Run(model="m", mode="declarative", metrics={"accuracy": accuracy}, goals={"accuracy": "maximize"})
    folder = tmp_path / "runs" / commit / "m"
    write_run(folder, run, {})
    record_runs(storage, commit=commit, runs={"m": (run, folder)}, info={})


def test_the_refs_own_record_is_used_when_there_is_one(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    storage = LocalStorage(tmp_path / "store")
    head = git(repo, "rev-parse", "HEAD")
    record(storage, tmp_path, head, 0.9)
    baseline = resolve_baseline(Git(repo), storage, "main")
    assert baseline.info.commit == head and baseline.info.distance == 0
    assert baseline.record.runs["m"].metrics["accuracy"] == 0.9


def test_the_nearest_recorded_first_parent_ancestor_is_used_and_explained(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    storage = LocalStorage(tmp_path / "store")
    old = git(repo, "rev-parse", "HEAD")
    record(storage, tmp_path, old, 0.8)
    middle = commit_file(repo, "a")
    record(storage, tmp_path, middle, 0.85)
    # A side branch merged into main: its commits are not on main's first-parent line.
    git(repo, "checkout", "-q", "-b", "side")
    side = commit_file(repo, "side")
    record(storage, tmp_path, side, 0.99)
    git(repo, "checkout", "-q", "main")
    commit_file(repo, "b")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    tip = commit_file(repo, "c")
    baseline = resolve_baseline(Git(repo), storage, "main")
    assert baseline.info.commit == middle
    assert baseline.info.requested_commit == tip
    assert baseline.info.distance == 3
    assert "nearest recorded ancestor" in baseline.info.note and "3 commits back" in baseline.info.note


def test_a_ref_that_does_not_exist_is_named(make_repo, tmp_path: Path) -> None:
    with pytest.raises(GitError, match="ref 'no-such-branch' does not exist"):
        resolve_baseline(Git(make_repo()), LocalStorage(tmp_path / "s"), "no-such-branch")


def test_a_base_without_any_record_says_how_to_make_one(make_repo, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no recorded runs for main \(\w{7}\)") as caught:
        resolve_baseline(Git(make_repo()), LocalStorage(tmp_path / "s"), "main")
    assert "mlci record" in str(caught.value)


def test_the_search_is_bounded(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    storage = LocalStorage(tmp_path / "store")
    record(storage, tmp_path, git(repo, "rev-parse", "HEAD"), 0.9)
    for name in "abc":
        commit_file(repo, name)
    with pytest.raises(StoreError, match="3 commits searched"):
        resolve_baseline(Git(repo), storage, "main", max_ancestors=3)


def test_the_default_base_is_the_default_branch_whatever_its_name(make_repo) -> None:
    repo = make_repo()
    assert default_base_ref(Git(repo)) == "main"
    git(repo, "branch", "-m", "main", "master")
    assert default_base_ref(Git(repo)) == "master"
    git(repo, "branch", "-m", "master", "trunk")
    assert default_base_ref(Git(repo)) == "trunk"
    git(repo, "branch", "feature")
    with pytest.raises(GitError, match="cannot tell which branch is this repository's default") as caught:
        default_base_ref(Git(repo))
    assert "--base" in str(caught.value)


def test_a_ci_checkout_fetches_the_default_branch_it_lacks(master_remote, tmp_path: Path) -> None:
    bare = master_remote()
    tip = git(bare, "rev-parse", "master")
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{bare}", str(checkout))
    git(checkout, "checkout", "-q", "--detach")
    git(checkout, "branch", "-D", "master")
    git(checkout, "update-ref", "-d", "refs/remotes/origin/master")

    ref = default_base_ref(Git(checkout), "master")

    assert ref == "origin/master" and git(checkout, "rev-parse", ref) == tip
    with pytest.raises(GitError, match="the default branch gone is neither in this clone nor on origin"):
        default_base_ref(Git(checkout), "gone")


def test_the_commit_the_branch_started_from_comes_before_older_ancestors(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    storage = LocalStorage(tmp_path / "store")
    oldest = git(repo, "rev-parse", "HEAD")
    record(storage, tmp_path, oldest, 0.80)
    fork_point = commit_file(repo, "b")
    record(storage, tmp_path, fork_point, 0.85)
    git(repo, "checkout", "-q", "-b", "feature")
    head = commit_file(repo, "feature-change")
    git(repo, "checkout", "-q", "main")
    commit_file(repo, "main-moved-on")  # main is ahead, and its newest commit is not recorded
    base = resolve_baseline(Git(repo), storage, "main", head=head)
    assert base.record.commit == fork_point
    assert "using the commit this branch started from" in base.info.note and base.info.distance == 1


def test_a_shallow_clone_is_deepened_to_find_the_nearest_record(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    storage = LocalStorage(tmp_path / "store")
    recorded = git(repo, "rev-parse", "HEAD")
    record(storage, tmp_path, recorded, 0.9)
    for n in range(5):
        commit_file(repo, f"docs-{n}")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{repo}", str(shallow))
    assert git(shallow, "rev-list", "--count", "HEAD") == "1"
    base = resolve_baseline(Git(shallow), storage, "HEAD")
    assert base.record.commit == recorded and base.info.distance == 5


def test_a_damaged_record_is_skipped_with_one_warning_and_the_search_goes_on(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    storage = LocalStorage(tmp_path / "store")
    older = git(repo, "rev-parse", "HEAD")
    record(storage, tmp_path, older, 0.8)
    tip = commit_file(repo, "a")
    record(storage, tmp_path, tip, 0.9)
    damaged = tmp_path / "store" / "runs" / tip / "m" / "run.json"
    damaged.write_text("{cut short")
    console, said = recording_console()
    records = RecordReader(storage, console)

    baseline = resolve_baseline(Git(repo), storage, "main", records=records)
    again = resolve_baseline(Git(repo), storage, "main", records=records)

    assert baseline.record.commit == older == again.record.commit
    assert baseline.info.note.startswith(f"the record of main ({tip[:7]}) is damaged; using its nearest recorded")
    warnings = [line for line in said.getvalue().splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"warning: skipping a damaged record: runs/{tip}/m/run.json in the store: damaged")
    assert damaged.read_text() == "{cut short"
