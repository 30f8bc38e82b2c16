"""One PR comment per report: found by a hidden marker, updated in place, never duplicated.

Each report comment starts with `<!-- mlci-report:IDENTITY -->`. A comment is mlci's only when its
first line is exactly that marker and its author is the identity posting now: a marker quoted by
another workflow's comment, or a comment someone else started with it, is never touched. An upsert
reads every page of the PR's comments (long PRs have more than one) and updates the oldest of its
own; without one it creates the comment. Two jobs of the same PR can both find nothing and both
create one, so after creating, the comments are listed again and any extra copies are folded into
the oldest.

Who is posting is known without a request for the job's own token (`github-actions[bot]`). Other
tokens are asked only when the answer decides something: when the listing holds a comment that starts
with the marker, whose author may or may not be us. A fresh pull request has none, so it is listed and
the comment created (the answer to the create names its author, which then settles a race); asking
first would only add a request. Asking is `GET /user` for a person's token, and for a GitHub App's
installation token (which may not read `/user`) GraphQL's `viewer`, which answers with the App's bot
(`name[bot]`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

from mlci.config.records import record
from mlci.console import Console
from mlci.github.answers import author, identified, text
from mlci.github.client import GitHubClient
from mlci.github.context import GitHubContext, check_repository
from mlci.github.errors import (
    GitHubBadResponse,
    GitHubNotFound,
    GitHubPermissionError,
    GitHubRequestRejected,
    GitHubUnavailable,
    GitHubWriteForbidden,
)
from mlci.github.shorten import shorten_markdown, utf16_size
from mlci.report.marker import DEFAULT_IDENTITY, report_marker, sanitize_identity, without_marker

__all__ = [
    "CommentResult",
    "Poster",
    "comment_body",
    "create_once",
    "post_report_comment",
    "report_marker",
    "sanitize_identity",
    "upsert_report_comment",
]

MAX_COMMENT_CHARS = 65536
FORK_PATTERN_HINT = (
    "To comment on pull requests from forks, use the two-workflow pattern with mlci-dev/mlci/actions/comment "
    "(see the README, 'Pull requests from forks')."
)
CREATE_ATTEMPTS = 3
GITHUB_ACTIONS_LOGIN = "github-actions[bot]"

T = TypeVar("T")

log = logging.getLogger("mlci.github")


@record
class CommentResult:
    """The report comment after an upsert, and what the upsert did to it."""

    url: str
    id: int
    action: Literal["created", "updated", "unchanged"]


@record
class _Comment:
    id: int
    body: str
    author: str
    url: str
    created_at: str


def comment_body(body: str, *, identity: str) -> str:
    """The full comment text: the marker line, then the report, shortened to fit GitHub's limit by
    leaving out folded details first (see `shorten_markdown`).

    A report rendered by mlci already starts with a marker; it is replaced, so the comment carries
    exactly one, for `identity`.
    """
    marker = report_marker(identity)
    return f"{marker}\n" + shorten_markdown(
        without_marker(body),
        limit=MAX_COMMENT_CHARS - utf16_size(marker) - 1,
        size=utf16_size,
        # The body's limit leaves room for the marker, so `over` is already the whole comment's excess.
        note=lambda over: (
            f"> **… report shortened: {over:,} characters over GitHub's limit for a comment, so details "
            "were left out, the last first; the full report is in the job summary / report file.**"
        ),
    )


def upsert_report_comment(
    client: GitHubClient,
    *,
    repository: str,
    pr_number: int,
    body: str,
    identity: str = DEFAULT_IDENTITY,
    login: str | None = None,
) -> CommentResult:
    """Create or update the report comment for `identity` on pull request `pr_number`.

    `login` is who the token posts as; by default it is asked from GitHub (see `token_login`), and only
    when a comment that starts with the marker makes the answer matter.
    Raises `GitHubWriteForbidden` when the token may not comment (expected for fork PRs).
    """
    check_repository(repository)
    if isinstance(pr_number, bool) or not isinstance(pr_number, int) or pr_number < 1:
        raise ValueError(f"pr_number must be a positive integer, not {pr_number!r}")
    marker = report_marker(identity)
    full_body = comment_body(body, identity=identity)
    me = Poster(client, login)
    list_path = f"/repos/{repository}/issues/{pr_number}/comments"

    ours = _our_comments(client, list_path, marker=marker, me=me)
    if ours:
        keep, extras = ours[0], ours[1:]
        _delete_all(client, repository, extras)
        if keep.body == full_body:
            return CommentResult(url=keep.url, id=keep.id, action="unchanged")
        try:
            updated = _parse(client.patch(f"/repos/{repository}/issues/comments/{keep.id}", json={"body": full_body}))
        except GitHubNotFound:
            # Deleted between listing and updating (by a person, or a racing job): start afresh.
            log.info("report comment %s disappeared before it could be updated; creating a new one", keep.id)
        else:
            return CommentResult(url=updated.url, id=updated.id, action="updated")

    created = _create(client, list_path, full_body, marker=marker, me=me)
    return _settle_race(client, repository, list_path, created=created, marker=marker, me=me)


def _create(client: GitHubClient, list_path: str, body: str, *, marker: str, me: Poster) -> _Comment:
    def post() -> _Comment:
        created = _parse(client.post(list_path, json={"body": body}))
        me.learn(created.author)
        return created

    return create_once(post, lambda: _our_comments(client, list_path, marker=marker, me=me), what="report comment")


def create_once(create: Callable[[], T], look: Callable[[], Sequence[T]], *, what: str) -> T:
    """`create()` the thing named `what`. A create is not safe to repeat blindly: when its answer is lost
    (a 5xx, a dropped connection) GitHub may have made it anyway. So `look()` first, and create again
    only when nothing is there; what `look` found last is taken as the one made."""
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            return create()
        except GitHubUnavailable:
            if attempt == CREATE_ATTEMPTS:
                raise
            found = look()
            if found:
                log.info("the %s was created although GitHub's answer was lost", what)
                return found[-1]
            log.info("creating the %s failed before GitHub acted; trying again", what)
    raise AssertionError("unreachable")


def token_login(client: GitHubClient) -> str:
    """Who comments made with the client's token are written by: a person's login (`GET /user`), else
    the GitHub App's bot that GraphQL's `viewer` names, else `github-actions[bot]` (the job's own token,
    which may ask neither)."""
    try:
        user = client.get("/user")
    except GitHubPermissionError as exc:
        if exc.status != 403:
            raise
        return _viewer_login(client)
    login = user.get("login") if isinstance(user, dict) else None
    if not isinstance(login, str) or not login:
        raise GitHubBadResponse("GET /user: GitHub's answer has no login")
    return login


class Poster:
    """Who the token posts as: given, learnt from the author of a comment it created, or else asked
    from GitHub, once, the first time it matters."""

    def __init__(self, client: GitHubClient, login: str | None) -> None:
        self._client = client
        self._login = login

    def login(self) -> str:
        if self._login is None:
            self._login = token_login(self._client)
        return self._login

    def learn(self, author: str) -> None:
        if self._login is None and author:
            self._login = author


def _viewer_login(client: GitHubClient) -> str:
    try:
        data = client.graphql("query { viewer { login } }")
    except (GitHubPermissionError, GitHubRequestRejected):
        return GITHUB_ACTIONS_LOGIN
    viewer = data.get("viewer")
    login = viewer.get("login") if isinstance(viewer, dict) else None
    if not isinstance(login, str) or not login:
        raise GitHubBadResponse("POST /graphql: GitHub's answer names no viewer login")
    return login


def _settle_race(
    client: GitHubClient, repository: str, list_path: str, *, created: _Comment, marker: str, me: Poster
) -> CommentResult:
    """After creating: if racing jobs created copies, keep the oldest with the newest body, delete the rest."""
    ours = _our_comments(client, list_path, marker=marker, me=me)
    if len(ours) <= 1 and (not ours or ours[0].id == created.id):
        return CommentResult(url=created.url, id=created.id, action="created")
    keep, extras = ours[0], ours[1:]
    newest_body = max(ours, key=lambda comment: (comment.created_at, comment.id)).body
    _delete_all(client, repository, extras)
    if keep.body != newest_body:
        try:
            keep = _parse(client.patch(f"/repos/{repository}/issues/comments/{keep.id}", json={"body": newest_body}))
        except GitHubNotFound:
            # The other job kept a different copy; ours is gone or about to be, and theirs is current.
            log.info("the report comment %s was removed by a concurrent job", keep.id)
    if keep.id == created.id:
        return CommentResult(url=keep.url, id=keep.id, action="created")
    log.info("another job created the report comment at the same time; kept the older one (%s)", keep.id)
    return CommentResult(url=keep.url, id=keep.id, action="updated")


def _our_comments(client: GitHubClient, list_path: str, *, marker: str, me: Poster) -> list[_Comment]:
    """The comments `me` wrote that start with `marker`, oldest first, from every page. Who `me` is is
    asked only when there is such a comment to decide about."""
    marked = []
    for item in client.paginate(list_path):
        if not isinstance(item, dict):
            continue
        body = item.get("body")
        if isinstance(body, str) and first_line(body) == marker:
            marked.append(_parse(item))
    if not marked:
        return []
    login = me.login()
    return sorted(
        (comment for comment in marked if comment.author == login), key=lambda comment: (comment.created_at, comment.id)
    )


def first_line(body: str) -> str:
    """The body's first line; GitHub may hand back a body edited on the web with CRLF line ends."""
    return body.split("\n", 1)[0].removesuffix("\r")


def _delete_all(client: GitHubClient, repository: str, comments: list[_Comment]) -> None:
    for comment in comments:
        try:
            client.delete(f"/repos/{repository}/issues/comments/{comment.id}")
        except GitHubNotFound:
            pass  # a racing job deleted it first: the outcome is the same
        else:
            log.info("deleted duplicate report comment %s", comment.id)


def _parse(data: Any) -> _Comment:
    comment, comment_id, url = identified(data, key="id", what="an issue comment")
    return _Comment(
        id=comment_id,
        body=text(comment, "body"),
        author=author(comment),
        url=url,
        created_at=text(comment, "created_at"),
    )


def post_report_comment(
    context: GitHubContext, number: int, markdown: str, identity: str, *, console: Console
) -> str | None:
    """Upsert the report comment on pull request `number`; its URL, or None (after one warning) when
    the token may not comment, as on a pull request from a fork."""
    token = context.require_token()
    # The job's own token posts as the Actions bot, and GitHub would not tell it so: no need to ask.
    login = GITHUB_ACTIONS_LOGIN if context.uses_job_token else None
    with GitHubClient(context.api_url, token) as client:
        try:
            result = upsert_report_comment(
                client,
                repository=context.require_repository(),
                pr_number=number,
                body=markdown,
                identity=identity,
                login=login,
            )
        except GitHubWriteForbidden:
            fork = " (a pull request from a fork gets a read-only token)" if context.is_fork else ""
            console.warn(
                f"could not comment on pull request #{number}: the token may not write to pull requests{fork}. "
                f"The report is in the job summary and the report file. {FORK_PATTERN_HINT}"
            )
            return None
    console.info(f"report comment {result.action}: {result.url}")
    return result.url
