"""Deploy triggers on GitHub: a Deployment per alias move, and a `repository_dispatch` event.

A tag or a push made with the workflow's GITHUB_TOKEN starts no other workflow (GitHub's rule
against loops), but a `repository_dispatch` does, so that is what a deploy workflow listens to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlci.github.client import GitHubClient
from mlci.github.context import GitHubContext, check_repository
from mlci.github.errors import GitHubBadResponse
from mlci.github.status import shorten_line

DISPATCH_EVENT = "mlci-promoted"


def create_deployment(
    client: GitHubClient,
    *,
    repository: str,
    ref: str,
    environment: str,
    description: str,
    payload: Mapping[str, Any],
    log_url: str | None = None,
) -> int:
    """Create a Deployment of `ref` to `environment` and mark it successful; return its id.

    Creating one is not retried after GitHub may have acted (a retry could create two); the status
    that follows replaces itself and is.
    """
    check_repository(repository)
    answer = client.post(
        f"/repos/{repository}/deployments",
        json={
            "ref": ref,
            "environment": environment,
            "description": shorten_line(description),
            "payload": dict(payload),
            "auto_merge": False,
            "required_contexts": [],
            "production_environment": environment == "production",
        },
    )
    deployment_id = answer.get("id") if isinstance(answer, dict) else None
    if not isinstance(deployment_id, int) or isinstance(deployment_id, bool):
        raise GitHubBadResponse(f"POST /repos/{repository}/deployments: GitHub's answer has no deployment id")
    status: dict[str, Any] = {"state": "success", "description": shorten_line(description)}
    if log_url:
        status["log_url"] = log_url
    client.post(f"/repos/{repository}/deployments/{deployment_id}/statuses", json=status, retry_safe=True)
    return deployment_id


def dispatch_event(client: GitHubClient, *, repository: str, payload: Mapping[str, Any]) -> None:
    """Send `repository_dispatch` with type `mlci-promoted`, which starts workflows listening for it."""
    check_repository(repository)
    client.post(
        f"/repos/{repository}/dispatches",
        json={"event_type": DISPATCH_EVENT, "client_payload": dict(payload)},
    )


@dataclass(frozen=True)
class GitHubTrigger:
    """The deploy trigger on GitHub: a Deployment of the moved version to the environment named after
    the alias, and a `repository_dispatch` that starts a deploy workflow, as `promote.triggers` asks."""

    context: GitHubContext
    deployment: bool = True
    dispatch: bool = True
    name: str = "GitHub"

    def fire(self, payload: dict[str, Any]) -> str | None:
        context = self.context
        if not context.repository or not context.token:
            return None  # not in GitHub Actions: there is no repository to deploy in
        done = []
        with GitHubClient(context.api_url, context.token) as client:
            if self.deployment:
                deployment_id = create_deployment(
                    client,
                    repository=context.repository,
                    ref=str(payload["commit"]),
                    environment=str(payload["alias"]),
                    description=f"{payload['model']} version {payload['version']} ({payload['kind']})",
                    payload=payload,
                    log_url=context.run_url,
                )
                payload["deployment_id"] = deployment_id
                done.append(f"deployment {deployment_id} to {payload['alias']}")
            if self.dispatch:
                # GitHub accepts at most 10 top-level keys in a dispatch payload; these are what a deploy needs.
                keys = ("model", "alias", "version", "previous_version", "commit", "model_uri", "kind", "run_url")
                dispatched = {key: payload.get(key) for key in keys} | {"deployment_id": payload.get("deployment_id")}
                dispatch_event(client, repository=context.repository, payload=dispatched)
                done.append(f"repository_dispatch {DISPATCH_EVENT}")
        return "triggered " + " and ".join(done) if done else None
