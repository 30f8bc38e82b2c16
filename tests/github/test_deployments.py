"""GitHub Deployments for alias moves: one per move however often it is fired, whatever answers get lost."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mlci.github.client import GitHubClient
from mlci.github.deployments import ensure_deployment
from testing.fake_github import DEFAULT_REPOSITORY, HEAD_SHA, FakeGitHub

pytestmark = pytest.mark.integration

PAYLOAD = {"model": "iris", "alias": "production", "version": 2, "sequence": 2, "kind": "promote"}


def deploy(client: GitHubClient, payload: dict[str, Any] = PAYLOAD) -> tuple[int, str]:
    return ensure_deployment(
        client,
        repository=DEFAULT_REPOSITORY,
        ref=HEAD_SHA,
        environment="production",
        description="iris version 2 (promote)",
        payload=payload,
        log_url="https://github.com/octo-org/demo/actions/runs/7",
    )


def states(fake_github: FakeGitHub, deployment_id: int) -> list[str]:
    return [s["state"] for s in fake_github.deployment_statuses if s["deployment_id"] == deployment_id]


def test_firing_twice_leaves_one_deployment_with_one_success(client: GitHubClient, fake_github: FakeGitHub) -> None:
    first, done = deploy(client)
    assert done == f"created deployment {first} to production"
    again, done = deploy(client)
    assert again == first and done == f"deployment {first} to production already succeeded; left as it is"
    assert len(fake_github.deployments) == 1
    assert states(fake_github, first) == ["success"]


def test_a_failed_deployment_gets_a_new_success_status(client: GitHubClient, fake_github: FakeGitHub) -> None:
    first, _ = deploy(client)
    client.post(f"/repos/{DEFAULT_REPOSITORY}/deployments/{first}/statuses", json={"state": "failure"})
    again, done = deploy(client)
    assert again == first and done.endswith("marked successful (it was failure)")
    assert states(fake_github, first) == ["success", "failure", "success"]
    assert len(fake_github.deployments) == 1


def test_a_deployment_whose_status_never_arrived_gets_one(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.fail_next("POST", r"/repos/octo-org/demo/deployments/\d+/statuses", 422)
    with pytest.raises(Exception, match="422"):
        deploy(client)
    [deployment] = fake_github.deployments
    assert states(fake_github, deployment["id"]) == []
    again, done = deploy(client)
    assert again == deployment["id"] and done.endswith("marked successful (it was without a status)")
    assert states(fake_github, again) == ["success"]


def test_a_create_whose_answer_was_lost_is_found_instead_of_made_twice(
    client: GitHubClient, fake_github: FakeGitHub
) -> None:
    fake_github.fail_after_acting("POST", r"/repos/octo-org/demo/deployments", 502)
    deployment_id, _ = deploy(client)
    [deployment] = fake_github.deployments
    assert deployment_id == deployment["id"]
    assert states(fake_github, deployment_id) == ["success"]


def test_a_status_whose_answer_was_lost_is_not_sent_twice(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.fail_after_acting("POST", r"/repos/octo-org/demo/deployments/\d+/statuses", 502)
    deployment_id, _ = deploy(client)
    assert states(fake_github, deployment_id) == ["success"]


def test_another_move_to_the_same_version_is_another_deployment(client: GitHubClient, fake_github: FakeGitHub) -> None:
    first, _ = deploy(client)
    # A rollback back to version 2 later is a deployment of its own: the environment's history shows it.
    second, done = deploy(client, PAYLOAD | {"sequence": 4, "kind": "rollback"})
    assert second != first and done.startswith("created")
    assert len(fake_github.deployments) == 2


def test_deployments_of_other_models_or_with_odd_payloads_are_not_taken_for_ours(
    client: GitHubClient, fake_github: FakeGitHub
) -> None:
    listing = f"/repos/{DEFAULT_REPOSITORY}/deployments"
    others = ({"model": "churn", "alias": "production", "version": 2, "sequence": 2}, '{"model": "iris"}', {})
    for payload in others:
        client.post(listing, json={"ref": HEAD_SHA, "environment": "production", "payload": payload})
    ours, done = deploy(client)
    assert done.startswith("created") and len(fake_github.deployments) == 4
    assert deploy(client)[0] == ours


def test_a_payload_github_hands_back_as_a_string_is_read(client: GitHubClient, fake_github: FakeGitHub) -> None:
    listing = f"/repos/{DEFAULT_REPOSITORY}/deployments"
    made = client.post(listing, json={"ref": HEAD_SHA, "environment": "production", "payload": json.dumps(PAYLOAD)})
    deployment_id, done = deploy(client)
    assert deployment_id == made["id"] and done.endswith("marked successful (it was without a status)")
