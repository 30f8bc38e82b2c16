"""The retrain pull request: one open per head branch, opened or updated; and starting a workflow on
a branch, since a pull request opened with the job's token starts none by itself."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, Literal

from mlci.config.records import record
from mlci.errors import ConfigError
from mlci.github.answers import identified
from mlci.github.client import GitHubClient
from mlci.github.context import check_repository
from mlci.github.errors import GitHubNotFound, GitHubValidationError

WORKFLOW_NAME = re.compile(r"^(\d+|[A-Za-z0-9_][A-Za-z0-9_.-]*\.ya?ml)$")

log = logging.getLogger("mlci.github")


@record
class PullResult:
    """The pull request after an upsert, and what the upsert did to it."""

    url: str
    number: int
    action: Literal["created", "updated", "unchanged"]


def upsert_pull_request(
    client: GitHubClient, *, repository: str, head: str, base: str, title: str, body: str
) -> PullResult:
    """Open a pull request from branch `head` into `base`, or update the open one from `head` (there
    is at most one: GitHub refuses a second)."""
    check_repository(repository)
    owner = repository.split("/", 1)[0]
    existing = _open_pull(client, repository, owner=owner, head=head)
    if existing is None:
        try:
            created = client.post(
                f"/repos/{repository}/pulls",
                json={"title": title, "head": head, "base": base, "body": body, "maintainer_can_modify": True},
            )
        except GitHubValidationError:
            # Opened by a racing run between the look and the create: update that one.
            existing = _open_pull(client, repository, owner=owner, head=head)
            if existing is None:
                raise
        else:
            number, url = _number_and_url(created)
            return PullResult(url=url, number=number, action="created")
    number, url = _number_and_url(existing)
    if existing.get("title") == title and (existing.get("body") or "") == body:
        return PullResult(url=url, number=number, action="unchanged")
    client.patch(f"/repos/{repository}/pulls/{number}", json={"title": title, "body": body})
    return PullResult(url=url, number=number, action="updated")


@record
class PullHead:
    """Where a pull request's changes come from: the branch, its repository, and its tip."""

    ref: str | None
    repository: str | None
    sha: str | None


def pull_request_head(client: GitHubClient, *, repository: str, number: int) -> PullHead:
    """The head of pull request `number` as GitHub says now (not as an event or a file claims)."""
    check_repository(repository)
    pull = client.get(f"/repos/{repository}/pulls/{number}")
    head = _object(_object(pull).get("head"))
    repo = _object(head.get("repo"))
    return PullHead(ref=_text(head.get("ref")), repository=_text(repo.get("full_name")), sha=_text(head.get("sha")))


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def dispatch_workflow(
    client: GitHubClient,
    *,
    repository: str,
    workflow: str,
    ref: str,
    inputs: Mapping[str, str] | None = None,
    optional_inputs: Mapping[str, str] | None = None,
) -> bool:
    """Start `workflow` (a file name such as `mlci.yml`, or its id) on branch `ref` with `inputs`, and
    `optional_inputs` when the workflow declares them; whether it took `optional_inputs`.

    GitHub refuses (422) inputs a workflow does not declare, and starts nothing then; so a refusal
    with `optional_inputs` is tried once more without them. Raises `GitHubNotFound` with a hint when
    GitHub knows no such workflow, `GitHubValidationError` when it refuses it (no `workflow_dispatch`
    trigger).
    """
    check_repository(repository)
    if not WORKFLOW_NAME.match(workflow):
        raise ConfigError(
            f"workflow: {workflow!r} is not a workflow file name or id",
            hint="Name the file under .github/workflows, such as mlci.yml.",
        )
    if optional_inputs:
        try:
            _dispatch(
                client, repository=repository, workflow=workflow, ref=ref, inputs={**optional_inputs, **(inputs or {})}
            )
        except GitHubValidationError as exc:
            log.debug("%s refused the inputs %s: %s", workflow, ", ".join(optional_inputs), exc)
        else:
            return True
    _dispatch(client, repository=repository, workflow=workflow, ref=ref, inputs=inputs or {})
    return not optional_inputs


def _dispatch(client: GitHubClient, *, repository: str, workflow: str, ref: str, inputs: Mapping[str, str]) -> None:
    path = f"/repos/{repository}/actions/workflows/{workflow}/dispatches"
    try:
        # Starting a run twice would train twice: not retried when the answer is lost.
        client.post(path, json={"ref": ref, "inputs": dict(inputs)})
    except GitHubValidationError as exc:
        raise GitHubValidationError(
            f"GitHub refused to start {workflow} on {ref}: {exc}",
            hint=f"Add `workflow_dispatch:` to the `on:` of .github/workflows/{workflow}.",
            status=exc.status,
        ) from None
    except GitHubNotFound as exc:
        raise GitHubNotFound(
            f"there is no workflow {workflow!r} in {repository} to start on {ref}",
            hint="Name the workflow file under .github/workflows (option --workflow, default mlci.yml); "
            "it must have a `workflow_dispatch:` trigger.",
            status=exc.status,
        ) from None


def _open_pull(client: GitHubClient, repository: str, *, owner: str, head: str) -> dict[str, Any] | None:
    for item in client.paginate(f"/repos/{repository}/pulls", params={"state": "open", "head": f"{owner}:{head}"}):
        if isinstance(item, dict) and isinstance(item.get("head"), dict) and item["head"].get("ref") == head:
            return item
    return None


def _number_and_url(data: Any) -> tuple[int, str]:
    _, number, url = identified(data, key="number", what="a pull request")
    return number, url
