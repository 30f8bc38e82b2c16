"""One alert issue per model and alias: opened when a monitor finds a problem, kept current while it
lasts, closed when the model is healthy again, never duplicated.

An alert issue carries the label `mlci-monitor` and starts with `<!-- mlci-monitor:MODEL@ALIAS -->`.
It is mlci's only when its body's first line is exactly that marker and its author is the identity
posting now (the same rule, and the same way of learning who is posting, as the report comment in
`comments.py`): an issue someone opened by hand with the marker copied in is never touched. Issues
are found through the issues list (`labels=mlci-monitor&state=open`, every page), not the search
API, which lags behind writes by minutes and so would let the next run open a second issue.

The body's second line is a hidden fingerprint of the verdict (which features drifted, which metrics
decayed). A run that changes it adds a comment, so the issue's timeline tells the story; a run with
the same verdict only refreshes the figures in the body, which notifies nobody.

Two monitors at once can both find nothing and both open an issue: after opening, the list is read
again and every copy but the oldest is closed as a duplicate of it, as the comment upsert does.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Literal

from mlci.config.records import record
from mlci.github.answers import author, identified, text
from mlci.github.client import GitHubClient
from mlci.github.comments import Poster, create_once, first_line
from mlci.github.context import check_repository
from mlci.github.errors import GitHubNotFound
from mlci.github.shorten import shorten_markdown, utf16_size
from mlci.report.marker import sanitize_identity

ALERT_LABEL = "mlci-monitor"
MAX_BODY_CHARS = 65536
MAX_TITLE_CHARS = 256

AlertState = Literal["alert", "healthy", "unknown"]
IssueAction = Literal["created", "updated", "unchanged", "closed", "none"]

log = logging.getLogger("mlci.github")


@record
class Alert:
    """What one monitor run says about one model and alias, ready to be put on an issue.

    `state` is `alert` (a problem: open or update the issue), `healthy` (close it) or `unknown` (too
    little data to tell: leave it as it is). `verdict` is one line naming the problem (which
    features drifted, which metrics decayed); a change of it is worth a comment. `details` is the
    Markdown of the figures.
    """

    model: str
    alias: str
    state: AlertState
    title: str
    verdict: str
    details: str


@record
class IssueResult:
    """The alert issue after a sync, and what the sync did to it (`none`: there is no issue)."""

    action: IssueAction
    url: str | None = None
    number: int | None = None


@record
class _Issue:
    number: int
    url: str
    title: str
    body: str
    author: str


def alert_marker(model: str, alias: str) -> str:
    """`<!-- mlci-monitor:MODEL@ALIAS -->`, the first line of the alert issue for that model and alias."""
    return f"<!-- mlci-monitor:{sanitize_identity(model)}@{sanitize_identity(alias)} -->"


def issue_body(alert: Alert) -> str:
    """The issue's full text: the marker, the verdict's fingerprint, then the details, shortened to fit
    GitHub's limit by leaving out folded details first."""
    head = f"{alert_marker(alert.model, alert.alias)}\n{_verdict_line(alert.verdict)}\n"
    return head + shorten_markdown(
        alert.details,
        limit=MAX_BODY_CHARS - utf16_size(head),
        size=utf16_size,
        note=lambda over: f"> **… shortened: {over:,} characters over GitHub's limit for an issue.**",
    )


def sync_alert_issue(client: GitHubClient, *, repository: str, alert: Alert, login: str | None = None) -> IssueResult:
    """Bring the alert issue for `alert.model` and `alert.alias` in line with `alert`: open or update it
    for a problem, close it when healthy, leave it when there is too little data to tell.

    `login` is who the token writes as; by default it is asked from GitHub, and only when an issue
    with the marker makes the answer matter. Raises `GitHubWriteForbidden` when the token may not
    write issues.
    """
    check_repository(repository)
    marker = alert_marker(alert.model, alert.alias)
    me = Poster(client, login)
    ours = _our_issues(client, repository, marker=marker, me=me)
    if alert.state == "unknown":
        return IssueResult("unchanged", ours[0].url, ours[0].number) if ours else IssueResult("none")
    if alert.state == "healthy":
        for issue in ours:
            _close(client, repository, issue, comment=f"Healthy again: {alert.verdict}", reason="completed")
        return IssueResult("closed", ours[0].url, ours[0].number) if ours else IssueResult("none")

    body = issue_body(alert)
    title = alert.title[:MAX_TITLE_CHARS]
    if ours:
        keep, extras = ours[0], ours[1:]
        _close_duplicates(client, repository, extras, of=keep)
        return _update(client, repository, keep, title=title, body=body, verdict=alert.verdict)
    created = _create(client, repository, title=title, body=body, marker=marker, me=me)
    return _settle_race(client, repository, created=created, marker=marker, me=me)


def _update(
    client: GitHubClient, repository: str, issue: _Issue, *, title: str, body: str, verdict: str
) -> IssueResult:
    if issue.body == body and issue.title == title:
        return IssueResult("unchanged", issue.url, issue.number)
    changed = _second_line(issue.body) != _verdict_line(verdict)
    updated = _parse(client.patch(f"/repos/{repository}/issues/{issue.number}", json={"title": title, "body": body}))
    if changed:
        client.post(
            f"/repos/{repository}/issues/{issue.number}/comments", json={"body": f"The verdict changed: {verdict}"}
        )
    return IssueResult("updated", updated.url, updated.number)


def _create(client: GitHubClient, repository: str, *, title: str, body: str, marker: str, me: Poster) -> _Issue:
    def post() -> _Issue:
        created = _parse(client.post(f"/repos/{repository}/issues", json=payload))
        me.learn(created.author)
        return created

    payload = {"title": title, "body": body, "labels": [ALERT_LABEL]}
    return create_once(post, lambda: _our_issues(client, repository, marker=marker, me=me), what="alert issue")


def _settle_race(client: GitHubClient, repository: str, *, created: _Issue, marker: str, me: Poster) -> IssueResult:
    """After opening: when a racing monitor opened one too, keep the oldest and close the others."""
    ours = _our_issues(client, repository, marker=marker, me=me)
    if not ours or (len(ours) == 1 and ours[0].number == created.number):
        return IssueResult("created", created.url, created.number)
    keep, extras = ours[0], ours[1:]
    _close_duplicates(client, repository, extras, of=keep)
    if keep.number == created.number:
        return IssueResult("created", keep.url, keep.number)
    log.info("another monitor opened the alert issue at the same time; kept the older one (#%s)", keep.number)
    if keep.body != created.body or keep.title != created.title:
        verdict_changed = _second_line(keep.body) != _second_line(created.body)
        client.patch(f"/repos/{repository}/issues/{keep.number}", json={"title": created.title, "body": created.body})
        if verdict_changed:
            log.info("the racing monitor saw another verdict; the kept issue now shows this run's")
    return IssueResult("updated", keep.url, keep.number)


def _close_duplicates(client: GitHubClient, repository: str, extras: list[_Issue], *, of: _Issue) -> None:
    for issue in extras:
        _close(client, repository, issue, comment=f"Duplicate of #{of.number}.", reason="not_planned")
        log.info("closed duplicate alert issue #%s (kept #%s)", issue.number, of.number)


def _close(client: GitHubClient, repository: str, issue: _Issue, *, comment: str, reason: str) -> None:
    try:
        client.post(f"/repos/{repository}/issues/{issue.number}/comments", json={"body": comment})
        client.patch(f"/repos/{repository}/issues/{issue.number}", json={"state": "closed", "state_reason": reason})
    except GitHubNotFound:
        log.info("alert issue #%s disappeared before it could be closed", issue.number)


def _our_issues(client: GitHubClient, repository: str, *, marker: str, me: Poster) -> list[_Issue]:
    """The open issues `me` opened that start with `marker`, oldest first, from every page."""
    marked = []
    params = {"labels": ALERT_LABEL, "state": "open"}
    for item in client.paginate(f"/repos/{repository}/issues", params=params):
        # The issues list holds pull requests too.
        if not isinstance(item, dict) or "pull_request" in item:
            continue
        body = item.get("body")
        if isinstance(body, str) and first_line(body) == marker:
            marked.append(_parse(item))
    if not marked:
        return []
    login = me.login()
    return sorted((issue for issue in marked if issue.author == login), key=lambda issue: issue.number)


def _verdict_line(verdict: str) -> str:
    # A hash, not the text: feature names come from the data and could close the HTML comment.
    digest = hashlib.sha256(verdict.encode("utf-8")).hexdigest()[:16]
    return f"<!-- mlci-monitor-verdict:{digest} -->"


def _second_line(body: str) -> str:
    lines = body.split("\n", 2)
    return lines[1].removesuffix("\r") if len(lines) > 1 else ""


def _parse(data: Any) -> _Issue:
    issue, number, url = identified(data, key="number", what="an issue")
    return _Issue(number=number, url=url, title=text(issue, "title"), body=text(issue, "body"), author=author(issue))
