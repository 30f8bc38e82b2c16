"""Deploy triggers on GitHub: a Deployment per alias move, and a `repository_dispatch` event.

A tag or a push made with the workflow's GITHUB_TOKEN starts no other workflow (GitHub's rule
against loops), but a `repository_dispatch` does, so that is what a deploy workflow listens to.

Firing again for the same move (`mlci deploy`, or a re-run job) must not pile up deployments: the
Deployment is looked up first, by the move's commit, the environment, and the model, version and
move named in its payload, and only what is missing is created. A dispatch is sent every time: it is
what starts the deploy workflow again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from mlci.config.records import record
from mlci.github.client import GitHubClient
from mlci.github.context import GitHubContext, check_repository
from mlci.github.errors import GitHubBadResponse, GitHubUnavailable
from mlci.github.status import shorten_line

DISPATCH_EVENT = "mlci-promoted"
CREATE_ATTEMPTS = 3
# The payload keys that say which move a Deployment delivered.
MOVE_KEYS = ("model", "alias", "version", "sequence")

log = logging.getLogger("mlci.github")


def ensure_deployment(
    client: GitHubClient,
    *,
    repository: str,
    ref: str,
    environment: str,
    description: str,
    payload: Mapping[str, Any],
    log_url: str | None = None,
) -> tuple[int, str]:
    """The Deployment of the move in `payload` to `environment`, with a successful status; return its
    id and what was done.

    One an earlier firing made is reused: its latest status is left alone when it is `success`, and
    gets a new `success` status otherwise (it failed, or its status never arrived).
    """
    check_repository(repository)
    found = find_deployment(client, repository=repository, ref=ref, environment=environment, payload=payload)
    if found is None:
        deployment_id = _create(
            client, repository=repository, ref=ref, environment=environment, description=description, payload=payload
        )
        _mark_successful(client, repository, deployment_id, description=description, log_url=log_url)
        return deployment_id, f"created deployment {deployment_id} to {environment}"
    state = latest_state(client, repository, found)
    if state == "success":
        return found, f"deployment {found} to {environment} already succeeded; left as it is"
    _mark_successful(client, repository, found, description=description, log_url=log_url)
    return found, f"deployment {found} to {environment} marked successful (it was {state or 'without a status'})"


def find_deployment(
    client: GitHubClient, *, repository: str, ref: str, environment: str, payload: Mapping[str, Any]
) -> int | None:
    """The newest Deployment of `ref` to `environment` made for the same move as `payload`, or None."""
    wanted = {key: payload.get(key) for key in MOVE_KEYS}
    listing = f"/repos/{repository}/deployments"
    for deployment in client.paginate(listing, params={"ref": ref, "environment": environment}):
        if not isinstance(deployment, dict):
            raise GitHubBadResponse(f"GET {listing}: GitHub listed something that is not a deployment")
        theirs = _payload(deployment.get("payload"))
        if all(theirs.get(key) == value for key, value in wanted.items()):
            return _deployment_id(deployment, f"GET {listing}")
    return None


def latest_state(client: GitHubClient, repository: str, deployment_id: int) -> str | None:
    """The state of the Deployment's newest status (GitHub lists them newest first), or None."""
    path = f"/repos/{repository}/deployments/{deployment_id}/statuses"
    statuses = client.get(path, params={"per_page": 1})
    if not isinstance(statuses, list):
        raise GitHubBadResponse(f"GET {path}: expected a list of statuses from GitHub")
    if not statuses:
        return None
    state = statuses[0].get("state") if isinstance(statuses[0], dict) else None
    return state if isinstance(state, str) else None


def dispatch_event(client: GitHubClient, *, repository: str, payload: Mapping[str, Any]) -> None:
    """Send `repository_dispatch` with type `mlci-promoted`, which starts workflows listening for it."""
    check_repository(repository)
    client.post(
        f"/repos/{repository}/dispatches",
        json={"event_type": DISPATCH_EVENT, "client_payload": dict(payload)},
    )


def _create(
    client: GitHubClient,
    *,
    repository: str,
    ref: str,
    environment: str,
    description: str,
    payload: Mapping[str, Any],
) -> int:
    """Create the Deployment. When GitHub's answer is lost it may exist anyway, so look before asking again."""
    path = f"/repos/{repository}/deployments"
    request = {
        "ref": ref,
        "environment": environment,
        "description": shorten_line(description),
        "payload": dict(payload),
        "auto_merge": False,
        "required_contexts": [],
        "production_environment": environment == "production",
    }
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            return _deployment_id(client.post(path, json=request), f"POST {path}")
        except GitHubUnavailable:
            if attempt == CREATE_ATTEMPTS:
                raise
            found = find_deployment(client, repository=repository, ref=ref, environment=environment, payload=payload)
            if found is not None:
                log.info("the deployment was created although GitHub's answer was lost")
                return found
            log.info("creating the deployment failed before GitHub acted; trying again")
    raise AssertionError("unreachable")


def _mark_successful(
    client: GitHubClient, repository: str, deployment_id: int, *, description: str, log_url: str | None
) -> None:
    """Add a `success` status, once: a status whose answer was lost is looked for before another is sent."""
    status: dict[str, Any] = {"state": "success", "description": shorten_line(description)}
    if log_url:
        status["log_url"] = log_url
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            client.post(f"/repos/{repository}/deployments/{deployment_id}/statuses", json=status)
            return
        except GitHubUnavailable:
            if attempt == CREATE_ATTEMPTS:
                raise
            if latest_state(client, repository, deployment_id) == "success":
                return


def _payload(value: Any) -> dict[str, Any]:
    """A Deployment's payload as an object: GitHub hands back a string when one was sent."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _deployment_id(answer: Any, label: str) -> int:
    deployment_id = answer.get("id") if isinstance(answer, dict) else None
    if not isinstance(deployment_id, int) or isinstance(deployment_id, bool):
        raise GitHubBadResponse(f"{label}: GitHub's answer has no deployment id")
    return deployment_id


@record
class _OnGitHub:
    """What GitHub's triggers share: the run's repository and token, without which they cannot fire."""

    context: GitHubContext

    def unavailable(self) -> str | None:
        named = (("GITHUB_REPOSITORY", self.context.repository), ("GITHUB_TOKEN", self.context.token))
        missing = [name for name, value in named if not value]
        if not missing:
            return None
        return f"no repository to deploy in ({' and '.join(missing)} not set: not a GitHub Actions run)"

    def client(self) -> GitHubClient:
        return GitHubClient(self.context.api_url, self.context.token)


@record
class DeploymentTrigger(_OnGitHub):
    """A GitHub Deployment of the moved version to the environment named after the alias, marked
    successful; it adds `deployment_id` to the payload for the triggers after it."""

    name: str = "deployment"

    def fire(self, payload: dict[str, Any]) -> str:
        with self.client() as client:
            deployment_id, done = ensure_deployment(
                client,
                repository=self.context.require_repository(),
                ref=str(payload["commit"]),
                environment=str(payload["alias"]),
                description=f"{payload['model']} version {payload['version']} ({payload['kind']})",
                payload=payload,
                log_url=self.context.run_url,
            )
        payload["deployment_id"] = deployment_id
        return done


@record
class DispatchTrigger(_OnGitHub):
    """A `repository_dispatch` event `mlci-promoted`, which starts a deploy workflow listening for it."""

    name: str = "dispatch"

    def fire(self, payload: dict[str, Any]) -> str:
        # GitHub accepts at most 10 top-level keys in a dispatch payload; these are what a deploy needs.
        keys = ("model", "alias", "version", "previous_version", "commit", "model_uri", "kind", "run_url")
        dispatched = {key: payload.get(key) for key in keys} | {"deployment_id": payload.get("deployment_id")}
        with self.client() as client:
            dispatch_event(client, repository=self.context.require_repository(), payload=dispatched)
        return f"sent repository_dispatch {DISPATCH_EVENT}"
