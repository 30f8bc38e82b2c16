"""Fixtures for the GitHub layer: the stand-in API server and clients that never really sleep."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from mlci.github.client import GitHubClient
from testing.fake_github import USER_TOKEN, FakeGitHub


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A started `FakeGitHub` with `octo-org/demo`, PR #1 and the three standard tokens."""
    with FakeGitHub() as server:
        yield server


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
