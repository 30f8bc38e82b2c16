"""One exception class per way a GitHub API call can fail, and the permission hints they carry.

Failures caused outside mlci (GitHub down, rate limits, a refused request, a token GitHub no longer
accepts) are `OutsideError`s and exit with code 3. A token that lacks a permission is the workflow's
configuration, so `GitHubPermissionError` exits with code 2 and says which `permissions:` entry to
add. Only a write refused with 403 (`GitHubWriteForbidden`) can be a fork's read-only token, so that
is the one class callers that can live without the write (a fork PR's comment) catch by name; a 401
is never mistaken for it.
"""

from __future__ import annotations

import re

from mlci.errors import MlciError, OutsideError


class GitHubError(MlciError):
    """Base of every GitHub API failure; `status` is the HTTP status when GitHub answered."""

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class GitHubPermissionError(GitHubError):
    """403 (not a rate limit): the token is valid but lacks a permission for this request."""


class GitHubWriteForbidden(GitHubPermissionError):
    """403 on a write: a read-only token (a pull request from a fork) or a missing `permissions:` entry."""


class GitHubTokenRejected(GitHubError, OutsideError):
    """401: GitHub does not accept the token at all (revoked, expired, mistyped, or missing)."""


class GitHubNotFound(GitHubError, OutsideError):
    """404: the repository, pull request or comment does not exist, or the token cannot see it."""


class GitHubRateLimited(GitHubError, OutsideError):
    """A primary or secondary rate limit that mlci could not wait out."""


class GitHubValidationError(GitHubError, OutsideError):
    """422: GitHub refused the content of the request (its message says why)."""


class GitHubRequestRejected(GitHubError, OutsideError):
    """Another 4xx answer (400, 409, 410, ...): GitHub refused the request as sent."""


class GitHubUnavailable(GitHubError, OutsideError):
    """5xx answers, timeouts or connection failures that outlasted the retries."""


class GitHubBadResponse(GitHubError, OutsideError):
    """GitHub (or something posing as it) answered with something mlci cannot use."""


# Which `permissions:` entry of a workflow grants a write, when GitHub does not say so itself.
_PERMISSION_BY_PATH: tuple[tuple[re.Pattern[str], str], ...] = (
    # An issue itself (an alert); comments under /issues/N/comments are usually a pull request's.
    (re.compile(r"^/repos/[^/]+/[^/]+/issues(/\d+)?$"), "issues: write"),
    (re.compile(r"^/repos/[^/]+/[^/]+/issues(/|$)"), "pull-requests: write"),
    (re.compile(r"^/repos/[^/]+/[^/]+/actions/workflows/"), "actions: write"),
    (re.compile(r"^/repos/[^/]+/[^/]+/pulls(/|$)"), "pull-requests: write"),
    (re.compile(r"^/repos/[^/]+/[^/]+/statuses/"), "statuses: write"),
    (re.compile(r"^/repos/[^/]+/[^/]+/deployments(/|$)"), "deployments: write"),
    (re.compile(r"^/repos/[^/]+/[^/]+/(dispatches|contents|git)(/|$)"), "contents: write"),
    (re.compile(r"^/repos/[^/]+/[^/]+/check-runs(/|$)"), "checks: write"),
)


def needed_permission(path: str, accepted_header: str | None = None, *, write: bool = True) -> str | None:
    """The workflow permission(s) a request to `path` needs, in `permissions:` syntax.

    GitHub names them in the `X-Accepted-GitHub-Permissions` header (sets separated by `;`,
    permissions within a set by `,`, e.g. `issues=write; pull_requests=write`); without it, a
    table of the endpoints mlci calls answers (with `read` instead of `write` for a read).
    """
    if accepted_header and accepted_header.strip():
        alternatives = []
        for permission_set in accepted_header.split(";"):
            entries = [_workflow_permission(entry) for entry in permission_set.split(",") if "=" in entry]
            if entries:
                alternatives.append(" and ".join(f"`{entry}`" for entry in entries))
        if alternatives:
            return " or ".join(alternatives)
    for pattern, permission in _PERMISSION_BY_PATH:
        if pattern.search(path):
            return f"`{permission if write else permission.replace(': write', ': read')}`"
    return None


def _workflow_permission(entry: str) -> str:
    """`pull_requests=write` -> `pull-requests: write`, the spelling of a workflow file."""
    name, _, level = entry.strip().partition("=")
    return f"{name.strip().replace('_', '-')}: {level.strip()}"
