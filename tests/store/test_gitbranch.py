"""The results branch against real bare remotes, clones made as runners make them, and real races."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mlci.errors import OutsideError, StoreError
from mlci.git import Git
from mlci.store.gitbranch import GitBranchStorage
from mlci.store.storage import StorageView
from tests.conftest import git

pytestmark = pytest.mark.integration

BRANCH = "mlci-data"


@pytest.fixture
def remote(tmp_path: Path, make_repo: Callable[..., Path]) -> Path:
    """A bare remote holding a project with two commits on main."""
    seed = make_repo("seed", {"train.py": "print('v1')\n"})
    (seed / "train.py").write_text("print('v2')\n")
    git(seed, "commit", "-qam", "second")
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


def clone(remote: Path, target: Path, *, shallow: bool = False) -> Path:
    if shallow:
        git(remote.parent, "clone", "-q", "--depth=1", f"file://{remote}", str(target))
    else:
        git(remote.parent, "clone", "-q", str(remote), str(target))
    return target


def put(files: dict[str, bytes | None]) -> Callable[[StorageView], dict[str, bytes | None]]:
    return lambda _view: files


def test_an_absent_branch_reads_as_an_empty_store(remote: Path, tmp_path: Path) -> None:
    storage = GitBranchStorage(Git(clone(remote, tmp_path / "a")))
    assert storage.read("runs/x/record.json") is None
    assert storage.list("runs") == []


def test_a_write_is_pushed_and_seen_by_a_fresh_shallow_clone(remote: Path, tmp_path: Path) -> None:
    writer = clone(remote, tmp_path / "writer")
    head_before = git(writer, "rev-parse", "HEAD")
    assert GitBranchStorage(Git(writer)).update(
        put({"runs/a/record.json": b"{}\n", "runs/a/m/run.json": b"1"}), message="m"
    )

    runner = clone(remote, tmp_path / "runner", shallow=True)
    reader = GitBranchStorage(Git(runner))
    assert reader.read("runs/a/m/run.json") == b"1"
    assert reader.list("runs") == ["a"] and reader.list("runs/a") == ["m", "record.json"]
    # The user's checkout is untouched: same HEAD, same branch, clean tree, and no local branch made.
    assert git(writer, "rev-parse", "HEAD") == head_before
    assert git(writer, "status", "--porcelain") == ""
    assert git(writer, "branch", "--list", BRANCH) == ""
    # The branch is an orphan: one commit, no history shared with main.
    assert git(remote, "rev-list", "--count", BRANCH) == "1"


def test_a_full_clone_stays_a_full_clone(remote: Path, tmp_path: Path) -> None:
    GitBranchStorage(Git(clone(remote, tmp_path / "w"))).update(put({"f": b"1"}), message="m")
    laptop = clone(remote, tmp_path / "laptop")
    GitBranchStorage(Git(laptop)).read("f")
    assert git(laptop, "rev-parse", "--is-shallow-repository") == "false"


def test_writes_from_a_shallow_runner_clone_push_on_top(remote: Path, tmp_path: Path) -> None:
    GitBranchStorage(Git(clone(remote, tmp_path / "first"))).update(put({"one": b"1"}), message="one")
    runner = clone(remote, tmp_path / "runner", shallow=True)
    assert GitBranchStorage(Git(runner)).update(put({"two": b"2"}), message="two")
    assert git(remote, "rev-list", "--count", BRANCH) == "2"
    assert git(remote, "show", f"{BRANCH}:one") == "1" and git(remote, "show", f"{BRANCH}:two") == "2"


def test_nothing_changed_makes_no_commit(remote: Path, tmp_path: Path) -> None:
    storage = GitBranchStorage(Git(clone(remote, tmp_path / "a")))
    storage.update(put({"f": b"1"}), message="m")
    assert storage.update(put({"f": b"1", "gone": None}), message="again") is False
    assert git(remote, "rev-list", "--count", BRANCH) == "1"


def test_deleting_a_file(remote: Path, tmp_path: Path) -> None:
    storage = GitBranchStorage(Git(clone(remote, tmp_path / "a")))
    storage.update(put({"keep": b"k", "drop": b"d"}), message="m")
    assert storage.update(put({"drop": None}), message="drop")
    assert git(remote, "ls-tree", "--name-only", BRANCH) == "keep"


def test_a_lost_race_is_reapplied_on_the_newer_state_never_forced(remote: Path, tmp_path: Path) -> None:
    mine = GitBranchStorage(Git(clone(remote, tmp_path / "mine")), warn=lambda message: retries.append(message))
    theirs = GitBranchStorage(Git(clone(remote, tmp_path / "theirs")))
    retries: list[str] = []
    calls: list[list[str]] = []

    def change(view: StorageView) -> dict[str, bytes | None]:
        calls.append(view.list(""))
        if len(calls) == 1:
            # Another job pushes between our read and our push.
            theirs.update(put({"theirs": b"t"}), message="theirs")
        return {"mine": b"m"}

    assert mine.update(change, message="mine")
    assert calls == [[], ["theirs"]]
    assert len(retries) == 1 and "moved while writing" in retries[0]
    assert git(remote, "ls-tree", "--name-only", BRANCH).split() == ["mine", "theirs"]
    assert git(remote, "rev-list", "--count", BRANCH) == "2"


def _append_entries(clone_path: str, writer: str, rounds: int) -> None:
    storage = GitBranchStorage(Git(Path(clone_path)))
    for n in range(rounds):

        def change(view: StorageView, n: int = n) -> dict[str, bytes | None]:
            log = (view.read("log.txt") or b"") + f"{writer}-{n}\n".encode()
            return {f"entries/{writer}-{n}": b"x", "log.txt": log}

        storage.update(change, message=f"{writer} {n}")


def test_concurrent_writers_in_separate_processes_lose_nothing(remote: Path, tmp_path: Path) -> None:
    rounds = 6
    clones = [clone(remote, tmp_path / f"w{i}", shallow=i % 2 == 1) for i in range(3)]
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_append_entries, args=(str(path), f"w{i}", rounds)) for i, path in enumerate(clones)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    expected = sorted(f"w{i}-{n}" for i in range(3) for n in range(rounds))
    assert sorted(git(remote, "ls-tree", "--name-only", f"{BRANCH}:entries").split()) == expected
    # Every write read the state before it: the shared file has every line exactly once.
    assert sorted(git(remote, "show", f"{BRANCH}:log.txt").split()) == expected
    assert git(remote, "rev-list", "--count", BRANCH) == str(len(expected))


def _offline(remote: Path) -> None:
    """The remote can no longer be reached, as on a laptop without the network."""
    remote.rename(remote.with_name("elsewhere.git"))


def _last_fetch_was(clone_path: Path, *, seconds_ago: float) -> None:
    stamp = Path(git(clone_path, "rev-parse", "--path-format=absolute", "--git-common-dir")) / "mlci/fetched" / BRANCH
    stamp.write_text(f"{time.time() - seconds_ago:.0f}\n")


def test_offline_a_read_uses_the_copy_fetched_before_and_says_how_old_it_is(remote: Path, tmp_path: Path) -> None:
    GitBranchStorage(Git(clone(remote, tmp_path / "writer"))).update(put({"runs/a/x": b"1"}), message="m")
    laptop = clone(remote, tmp_path / "laptop")
    assert GitBranchStorage(Git(laptop)).read("runs/a/x") == b"1"
    tip = git(remote, "rev-parse", BRANCH)
    _last_fetch_was(laptop, seconds_ago=3 * 86400 + 60)
    _offline(remote)

    warnings: list[str] = []
    storage = GitBranchStorage(Git(laptop), warn=warnings.append)
    assert storage.read("runs/a/x") == b"1" and storage.list("runs") == ["a"]
    assert warnings == [
        f"could not reach origin ('{remote}' does not appear to be a git repository); using the copy of "
        f"{BRANCH} fetched 3 days ago (commit {tip[:7]}); results recorded since are not seen"
    ]


def test_offline_a_write_needs_the_remote_and_says_how_to_work_locally(remote: Path, tmp_path: Path) -> None:
    laptop = clone(remote, tmp_path / "laptop")
    GitBranchStorage(Git(laptop)).update(put({"f": b"1"}), message="m")
    before = git(laptop, "rev-parse", f"refs/mlci/{BRANCH}")
    _offline(remote)

    with pytest.raises(OutsideError) as caught:
        GitBranchStorage(Git(laptop)).update(put({"f": b"2"}), message="again")

    assert caught.value.exit_code == 3
    assert "written on origin/mlci-data, so they need origin: retry when origin can be reached" in str(
        caught.value.hint
    )
    assert "`store: {backend: local}`" in str(caught.value.hint)
    assert git(laptop, "rev-parse", f"refs/mlci/{BRANCH}") == before


def test_offline_without_a_copy_or_in_ci_a_read_is_an_outside_failure(remote: Path, tmp_path: Path) -> None:
    never_fetched = clone(remote, tmp_path / "fresh")
    fetched = clone(remote, tmp_path / "fetched")
    GitBranchStorage(Git(fetched)).update(put({"f": b"1"}), message="m")
    _offline(remote)

    with pytest.raises(OutsideError) as caught:
        GitBranchStorage(Git(never_fetched)).read("f")
    assert "has no copy of mlci-data to read instead" in str(caught.value.hint)
    assert "`store: {backend: local}`" in str(caught.value.hint)

    with pytest.raises(OutsideError) as caught:
        GitBranchStorage(Git(fetched), offline_copy=False).read("f")
    assert "In CI, mlci does not compare with an old copy" in str(caught.value.hint)


def test_a_repository_without_the_remote_says_how_to_keep_results_locally(make_repo: Callable[..., Path]) -> None:
    with pytest.raises(StoreError, match="no remote 'origin'") as caught:
        GitBranchStorage(Git(make_repo()))
    assert "backend: local" in str(caught.value.hint)


def test_an_unreachable_remote_is_an_outside_failure_that_never_shows_the_token(
    make_repo: Callable[..., Path],
) -> None:
    repo = make_repo()
    git(repo, "remote", "add", "origin", "http://127.0.0.1:9/owner/repo.git")
    storage = GitBranchStorage(Git(repo, token="ghs_secret_token_value"))
    with pytest.raises(OutsideError) as caught:
        storage.read("anything")
    assert "ghs_secret_token_value" not in str(caught.value) + str(caught.value.hint)


class _RejectsEveryToken(BaseHTTPRequestHandler):
    """A git host that accepts no credentials, as GitHub answers a revoked or expired token."""

    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def rejecting_host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RejectsEveryToken)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_token_the_remote_rejects_is_said_to_be_invalid_not_short_of_a_permission(
    make_repo: Callable[..., Path], rejecting_host: str
) -> None:
    repo = make_repo()
    git(repo, "remote", "add", "origin", f"{rejecting_host}/owner/repo.git")
    # A copy of the branch is no reason to go on: the remote answered, and refused.
    git(repo, "update-ref", f"refs/mlci/{BRANCH}", "HEAD")
    storage = GitBranchStorage(Git(repo, token="ghs_revoked_token_value"))

    with pytest.raises(OutsideError) as caught:
        storage.read("anything")

    assert "the token is missing, invalid or expired" in str(caught.value)
    assert "`github-token` input" in str(caught.value.hint) and "contents: write" not in str(caught.value.hint)
    assert caught.value.exit_code == 3
    assert "ghs_revoked_token_value" not in str(caught.value) + str(caught.value.hint)


class CountingGit(Git):
    """git that counts its fetches and can hold them until told to go on."""

    def __init__(self, cwd: Path) -> None:
        super().__init__(cwd)
        self.fetches = 0
        self.go_on = threading.Event()
        self.go_on.set()

    def attempt(self, *args: str, **kwargs):  # type: ignore[no-untyped-def]
        if args[:1] == ("fetch",):
            self.go_on.wait(10)
            self.fetches += 1
        return super().attempt(*args, **kwargs)


def test_a_prefetched_branch_is_what_the_reads_see_fetched_once(remote: Path, tmp_path: Path) -> None:
    GitBranchStorage(Git(clone(remote, tmp_path / "writer"))).update(put({"runs/a/x": b"1"}), message="m")
    laptop = CountingGit(clone(remote, tmp_path / "laptop"))
    laptop.go_on.clear()
    storage = GitBranchStorage(laptop)
    storage.prefetch()
    storage.prefetch()  # a second call starts nothing more
    assert laptop.fetches == 0, "the fetch waits in the background; prefetch returned at once"
    laptop.go_on.set()
    assert storage.read("runs/a/x") == b"1" and storage.list("runs") == ["a"]
    assert laptop.fetches == 1


def test_a_write_after_a_prefetch_fetches_the_newest_tip_itself(remote: Path, tmp_path: Path) -> None:
    laptop = CountingGit(clone(remote, tmp_path / "laptop"))
    storage = GitBranchStorage(laptop)
    storage.prefetch()
    GitBranchStorage(Git(clone(remote, tmp_path / "other"))).update(put({"runs/b/x": b"2"}), message="other")
    assert storage.update(put({"runs/a/x": b"1"}), message="mine")
    assert laptop.fetches == 2, "the prefetch, then the write's own fetch"
    fresh = GitBranchStorage(Git(clone(remote, tmp_path / "fresh")))
    assert fresh.read("runs/a/x") == b"1" and fresh.read("runs/b/x") == b"2"


def test_offline_a_prefetched_read_uses_the_copy_with_the_same_warning(remote: Path, tmp_path: Path) -> None:
    GitBranchStorage(Git(clone(remote, tmp_path / "writer"))).update(put({"runs/a/x": b"1"}), message="m")
    laptop = clone(remote, tmp_path / "laptop")
    assert GitBranchStorage(Git(laptop)).read("runs/a/x") == b"1"
    _offline(remote)
    warnings: list[str] = []
    storage = GitBranchStorage(Git(laptop), warn=warnings.append)
    storage.prefetch()
    assert storage.read("runs/a/x") == b"1"
    assert len(warnings) == 1 and warnings[0].startswith("could not reach origin")
