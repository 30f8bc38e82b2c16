"""Commit statuses: the check line a pull request shows for mlci's verdict."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from mlci.config.records import record
from mlci.git import COMMIT_ID
from mlci.github.client import GitHubClient
from mlci.github.context import check_repository
from mlci.github.errors import GitHubBadResponse

StatusState = Literal["error", "failure", "pending", "success"]
STATES = ("error", "failure", "pending", "success")
MAX_DESCRIPTION_CHARS = 140


@record
class CommitStatus:
    """A status as GitHub recorded it."""

    id: int
    state: str
    context: str
    description: str | None
    target_url: str | None


def set_commit_status(
    client: GitHubClient,
    *,
    repository: str,
    sha: str,
    state: StatusState,
    description: str,
    context: str,
    target_url: str | None = None,
) -> CommitStatus:
    """Set the status named `context` on commit `sha`; the description is cut to GitHub's 140 characters.

    A status replaces the previous one with the same context, so the request is safely retried.
    """
    check_repository(repository)
    if state not in STATES:
        raise ValueError(f"status state must be one of {', '.join(STATES)}, not {state!r}")
    if not COMMIT_ID.match(sha):
        raise ValueError(f"{sha!r} is not a full commit SHA")
    if not context.strip():
        raise ValueError("a commit status needs a context (the name it is shown under)")
    if target_url is not None and urlsplit(target_url).scheme not in ("http", "https"):
        raise ValueError(f"target_url must be an http(s) URL, not {target_url!r}")
    payload: dict[str, Any] = {"state": state, "context": context, "description": shorten_line(description)}
    if target_url is not None:
        payload["target_url"] = target_url
    answer = client.post(f"/repos/{repository}/statuses/{sha}", json=payload, retry_safe=True)
    if not isinstance(answer, dict) or isinstance(answer.get("id"), bool) or not isinstance(answer.get("id"), int):
        raise GitHubBadResponse(f"POST /repos/{repository}/statuses/{sha}: GitHub's answer has no status id")
    return CommitStatus(
        id=answer["id"],
        state=str(answer.get("state", state)),
        context=str(answer.get("context", context)),
        description=answer.get("description"),
        target_url=answer.get("target_url"),
    )


def shorten_line(text: str, limit: int = MAX_DESCRIPTION_CHARS) -> str:
    """One line of at most `limit` characters, ending in `…` when cut."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
