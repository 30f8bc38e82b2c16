"""Commit statuses: set, shortened, retried safely, refused clearly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mlci.github.client import GitHubClient
from mlci.github.errors import GitHubPermissionError
from mlci.github.status import CommitStatus, set_commit_status
from testing.fake_github import DEFAULT_REPOSITORY, HEAD_SHA, READ_ONLY_TOKEN, FakeGitHub

pytestmark = pytest.mark.integration

STATUS_PATH = rf"/repos/octo-org/demo/statuses/{HEAD_SHA}"


def set_status(client: GitHubClient, **overrides: object) -> CommitStatus:
    options: dict[str, object] = {
        "repository": DEFAULT_REPOSITORY,
        "sha": HEAD_SHA,
        "state": "success",
        "description": "2 models pass their gates",
        "context": "mlci/gates",
        "target_url": "https://github.com/octo-org/demo/actions/runs/7",
    }
    options.update(overrides)
    return set_commit_status(client, **options)  # type: ignore[arg-type]


def test_status_is_recorded(client: GitHubClient, fake_github: FakeGitHub) -> None:
    result = set_status(client)

    [status] = fake_github.statuses_for(DEFAULT_REPOSITORY, HEAD_SHA)
    assert result == CommitStatus(
        id=status["id"],
        state="success",
        context="mlci/gates",
        description="2 models pass their gates",
        target_url="https://github.com/octo-org/demo/actions/runs/7",
    )


def test_a_long_description_is_cut_to_140_characters(client: GitHubClient, fake_github: FakeGitHub) -> None:
    set_status(client, state="failure", description="accuracy dropped " * 20)

    [status] = fake_github.statuses_for(DEFAULT_REPOSITORY, HEAD_SHA)
    assert len(status["description"]) == 140
    assert status["description"].endswith("…")
    assert status["description"].startswith("accuracy dropped accuracy dropped")


def test_a_status_post_is_retried_after_a_server_error(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.fail_after_acting("POST", STATUS_PATH, 502)

    set_status(client, state="pending", description="training")

    assert len(fake_github.requests_matching("POST", STATUS_PATH)) == 2
    # GitHub shows the latest status per context; a repeat only adds an identical entry.
    statuses = fake_github.statuses_for(DEFAULT_REPOSITORY, HEAD_SHA)
    assert {(s["context"], s["state"]) for s in statuses} == {("mlci/gates", "pending")}


def test_a_read_only_token_is_told_which_permission_is_missing(make_client: Callable[..., GitHubClient]) -> None:
    with pytest.raises(GitHubPermissionError, match="`statuses: write`"):
        set_status(make_client(READ_ONLY_TOKEN))


def test_arguments_are_checked_before_calling_github(client: GitHubClient, fake_github: FakeGitHub) -> None:
    with pytest.raises(ValueError, match="state"):
        set_status(client, state="passed")
    with pytest.raises(ValueError, match="SHA"):
        set_status(client, sha="main")
    with pytest.raises(ValueError, match="target_url"):
        set_status(client, target_url="javascript:alert(1)")
    assert fake_github.requests_matching("POST") == []
