"""Fixtures every test tier shares: an isolated environment, real git repositories and remotes, and
the stand-in GitHub API server with clients that never really sleep."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mlci.github.client import GitHubClient
from mlci.report import markdown
from testing.fake_github import USER_TOKEN, FakeGitHub
from testing.github_markdown import assert_renders_on_github
from testing.outputs import read_outputs
from testing.registry import CONFIG
from testing.repos import git

__all__ = ["git", "read_outputs"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test belongs to one tier: e2e under tests/e2e, integration where its module says so,
    unit otherwise."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.e2e)
        elif item.get_closest_marker("integration") is None:
            item.add_marker(pytest.mark.unit)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's git identity, GitHub variables or mlci settings."""
    for name in (
        "MLCI_CONFIG",
        "MLCI_JOB_TOKEN",
        "GITHUB_ACTIONS",
        "GITHUB_EVENT_NAME",
        "GITHUB_EVENT_PATH",
        "GITHUB_TOKEN",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
        "GITHUB_REF",
        "MLFLOW_TRACKING_URI",
        "MLFLOW_TRACKING_TOKEN",
        "MLFLOW_TRACKING_USERNAME",
        "MLFLOW_TRACKING_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "author@example.com")


@pytest.fixture(autouse=True)
def reports_render_on_github(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every Markdown report rendered in any test is read back with GitHub's own engine right where
    it is rendered (see `testing.github_markdown`): a report that would show broken on GitHub fails
    the test that rendered it, even when the code around it catches the error."""
    finish = markdown.ensure_marker
    failures: list[str] = []

    def checked(text: str, marker: str) -> str:
        report = finish(text, marker)
        try:
            assert_renders_on_github(report)
        except AssertionError as exc:
            failures.append(str(exc))
            raise
        return report

    monkeypatch.setattr(markdown, "ensure_marker", checked)
    yield
    assert not failures, "\n".join(failures)


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """A real git repository with `main` checked out; `files` (name -> text) become its first commit."""

    def make(name: str = "project", files: dict[str, str] | None = None) -> Path:
        root = tmp_path / name
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        (root / ".gitignore").write_text(".mlci/\n")
        for rel, text in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
        return root

    return make


@pytest.fixture
def clone(make_repo: Callable[..., Path], tmp_path: Path) -> Path:
    """A clone of a bare remote holding the project; records go to the remote's results branch."""
    seed = make_repo("seed", {"mlci.yaml": CONFIG})
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(bare), str(work))
    return work


@pytest.fixture
def master_remote(tmp_path: Path) -> Callable[..., Path]:
    """A bare remote whose default branch (its HEAD) is `master`, holding `files` in one commit; the
    repository of many an older project."""

    def make(files: dict[str, str] | None = None) -> Path:
        seed = tmp_path / "master-seed"
        seed.mkdir()
        git(seed, "init", "-q", "-b", "master")
        for rel, text in {".gitignore": ".mlci/\n", **(files or {})}.items():
            path = seed / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        git(seed, "add", "-A")
        git(seed, "commit", "-q", "-m", "initial")
        bare = tmp_path / "master-remote.git"
        git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
        return bare

    return make


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A started `FakeGitHub` with `octo-org/demo`, PR #1 and the three standard tokens."""
    with FakeGitHub() as server:
        yield server
    server.assert_comments_render()


@pytest.fixture
def waits() -> list[float]:
    """The waits a client asked for, in order (the client's injected `sleep` records here)."""
    return []


@pytest.fixture
def make_client(fake_github: FakeGitHub, waits: list[float]) -> Iterator[Callable[..., GitHubClient]]:
    """Build a client for the fake server whose sleeps are recorded, not slept."""
    clients: list[GitHubClient] = []

    def make(token: str | None = USER_TOKEN, **options: object) -> GitHubClient:
        options.setdefault("sleep", waits.append)
        options.setdefault("timeout", 5)
        client = GitHubClient(fake_github.url, token, **options)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., GitHubClient]) -> GitHubClient:
    """A client with a personal-style token (`mlci-bot`, may read /user and write)."""
    return make_client()
