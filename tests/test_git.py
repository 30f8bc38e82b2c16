"""The one git runner: credentials only through environment config, never in argv or messages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mlci.errors import GitError
from mlci.git import Git, git_environment, in_background, short_sha
from testing.repos import actions_checkout, git


def test_the_token_travels_only_in_environment_config_for_the_remote_host() -> None:
    env = git_environment({"PATH": "/bin"}, token="tok", remote_url="https://github.com/o/r.git")
    assert env["GIT_CONFIG_COUNT"] == "2"
    assert env["GIT_CONFIG_KEY_0"] == env["GIT_CONFIG_KEY_1"] == "http.https://github.com/.extraheader"
    # The empty value first clears a header actions/checkout may have stored, so only one is sent.
    assert env["GIT_CONFIG_VALUE_0"] == ""
    assert env["GIT_CONFIG_VALUE_1"] == "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46dG9r"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    # Not for an ssh or local remote: git would never send it there.
    assert "GIT_CONFIG_COUNT" not in git_environment({}, token="tok", remote_url="git@github.com:o/r.git")


def test_configuration_already_in_the_environment_is_kept_and_the_header_added_after_it() -> None:
    env = git_environment(
        {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "core.pager",
            "GIT_CONFIG_VALUE_0": "cat",
            "GIT_CONFIG_NOSYSTEM": "1",
        },
        token="tok",
        remote_url="https://ghe.example.com/o/r.git",
    )
    assert env["GIT_CONFIG_COUNT"] == "3"
    assert (env["GIT_CONFIG_KEY_0"], env["GIT_CONFIG_VALUE_0"]) == ("core.pager", "cat")
    assert env["GIT_CONFIG_KEY_2"] == "http.https://ghe.example.com/.extraheader"
    assert env["GIT_CONFIG_NOSYSTEM"] == "1"


def test_a_commit_is_shown_by_its_first_seven_characters() -> None:
    assert short_sha("0123456789abcdef" * 2 + "01234567") == "0123456"
    assert short_sha(None) == "no commit"


@pytest.mark.integration
def test_the_default_branch_of_a_clone_is_its_remotes_head(master_remote, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(master_remote()), str(clone))
    git(clone, "checkout", "-q", "-b", "main")  # a local `main` must not win over what the remote says

    assert Git(clone).default_branch() == "master"


@pytest.mark.integration
def test_a_ci_checkout_asks_the_remote_which_branch_is_its_default(master_remote, tmp_path: Path) -> None:
    checkout = actions_checkout(master_remote(), tmp_path / "checkout")
    assert not (checkout / ".git" / "refs" / "remotes" / "origin" / "HEAD").exists()

    assert Git(checkout).default_branch() == "master"


@pytest.mark.integration
def test_without_a_remote_the_configured_default_then_main_or_master_then_the_only_branch(make_repo) -> None:
    repo = make_repo()
    git(repo, "branch", "trunk")
    git(repo, "config", "init.defaultBranch", "trunk")
    assert Git(repo).default_branch() == "trunk"
    git(repo, "config", "init.defaultBranch", "gone")  # set, but no such branch: not taken
    assert Git(repo).default_branch() == "main"
    git(repo, "branch", "-D", "trunk")
    git(repo, "branch", "-m", "main", "develop")
    assert Git(repo).default_branch() == "develop"  # the only branch there is
    git(repo, "branch", "topic")
    assert Git(repo).default_branch() is None  # two branches, neither of the usual names


@pytest.mark.integration
def test_a_repository_without_commits_is_on_its_default_branch(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "trunk")
    assert Git(tmp_path).default_branch() == "trunk"


@pytest.mark.integration
def test_an_unreachable_remote_leaves_the_local_answer(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    git(repo, "branch", "-m", "main", "master")
    git(repo, "remote", "add", "origin", str(tmp_path / "nowhere.git"))
    assert Git(repo).default_branch() == "master"


@pytest.mark.integration
def test_a_pattern_without_a_slash_matches_in_every_folder_and_a_folder_takes_its_files(make_repo) -> None:
    files = {"mlci.yaml": "", "a/dvc.lock": "", "plots/p.png": "", "sub/plots/q.png": "", "keep.txt": ""}
    root = make_repo(files=files)
    for name in files:
        (root / name).write_text("changed\n")

    assert Git(root).changed_files(ignore=["dvc.lock", "plots/", "/mlci.yaml"]) == ["keep.txt"]
    assert Git(root).changed_files(ignore=["/plots", "keep.txt", "mlci.yaml", "**/*.lock"]) == ["sub/plots/q.png"]


def test_the_batched_reader_reads_what_reading_each_file_alone_reads(make_repo) -> None:
    contents = {
        "empty.txt": b"",
        "lines.json": b'{"a": 1}\n\n',
        "binary.bin": bytes(range(256)) * 3 + b"\n",
        "no-newline.txt": b"missing 0 blob",  # looks like a header git could write
    }
    root = make_repo("blobs")
    for name, content in contents.items():
        (root / name).write_bytes(content)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "files")
    repo = Git(root)
    ids = {name: git(root, "rev-parse", f"HEAD:{name}") for name in contents}
    missing = "0" * 40

    read = repo.read_blobs([*ids.values(), missing, ids["empty.txt"]])

    assert read == {ids[name]: repo.output("cat-file", "blob", ids[name]) for name in contents}
    assert {name: read[ids[name]] for name in contents} == contents
    assert repo.read_blobs([]) == {}


def test_the_position_is_the_commit_and_branch_as_asked_one_by_one(make_repo, tmp_path: Path) -> None:
    root = make_repo()
    (root / "HEAD").write_text("a file named like the ref\n")
    repo = Git(root)
    assert repo.position() == (repo.head(), "main") and repo.head() is not None
    git(root, "checkout", "-q", "-b", "feature/a")
    assert repo.position() == (repo.head(), "feature/a")
    git(root, "checkout", "-q", "--detach")
    assert repo.position() == (repo.head(), None)
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "trunk")
    unborn = Git(empty)
    assert unborn.position() == (None, unborn.branch())


def test_one_process_tells_the_git_folder_and_whether_the_clone_is_shallow(make_repo, tmp_path: Path) -> None:
    root = make_repo()
    (root / "more.txt").write_text("x\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "more")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{root}", str(shallow))
    for path, expected in ((root, False), (shallow, True)):
        repo = Git(path)
        assert repo.common_dir() == path / ".git"
        assert repo.is_shallow() is expected


def test_work_in_the_background_answers_as_it_would_have(tmp_path: Path) -> None:
    repository = tmp_path / "r"
    repository.mkdir()
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    runner = Git(repository)
    done = in_background(lambda: runner.attempt("rev-parse", "--is-inside-work-tree"))()
    assert done.returncode == 0 and done.stdout.strip() == b"true"
    assert in_background(lambda: runner.attempt("rev-parse", "--verify", "-q", "nothing^{commit}"))().returncode != 0


def test_work_in_the_background_raises_in_the_callers_thread(tmp_path: Path) -> None:
    answer = in_background(lambda: Git(tmp_path / "missing").attempt("status"))
    with pytest.raises(GitError, match="missing: no such folder"):
        answer()
