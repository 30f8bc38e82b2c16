"""The alert issue: one open per model and alias, found on any page, updated, closed, never duplicated."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from mlci.github.client import GitHubClient
from mlci.github.errors import GitHubWriteForbidden
from mlci.github.issues import ALERT_LABEL, Alert, IssueResult, alert_marker, sync_alert_issue
from testing.fake_github import DEFAULT_REPOSITORY, READ_ONLY_TOKEN, USER_LOGIN, FakeGitHub

pytestmark = pytest.mark.integration

MakeClient = Callable[..., GitHubClient]
LIST_PATTERN = r"/repos/octo-org/demo/issues"


def alert(state: str = "alert", verdict: str = "drift in petal_length", details: str = "| feature | PSI |") -> Alert:
    return Alert(
        model="iris",
        alias="production",
        state=state,  # type: ignore[arg-type]
        title=f"mlci monitor: iris@production: {verdict}",
        verdict=verdict,
        details=details,
    )


def sync(client: GitHubClient, what: Alert) -> IssueResult:
    return sync_alert_issue(client, repository=DEFAULT_REPOSITORY, alert=what)


def open_issues(fake_github: FakeGitHub) -> list[dict]:
    return fake_github.issues(DEFAULT_REPOSITORY, state="open")


def comments_on(fake_github: FakeGitHub, number: int) -> list[str]:
    return [comment["body"] for comment in fake_github.issue_comments(DEFAULT_REPOSITORY, number)]


def test_a_problem_opens_one_labelled_issue_that_starts_with_the_marker(
    client: GitHubClient, fake_github: FakeGitHub
) -> None:
    result = sync(client, alert())

    [issue] = open_issues(fake_github)
    assert result == IssueResult("created", issue["html_url"], issue["number"])
    assert issue["body"].startswith(alert_marker("iris", "production") + "\n")
    assert issue["body"].endswith("| feature | PSI |")
    assert [label["name"] for label in issue["labels"]] == [ALERT_LABEL]
    assert issue["user"]["login"] == USER_LOGIN
    # The issues list, filtered by label and state, never the search API.
    [listing, *_] = fake_github.requests_matching("GET", LIST_PATTERN)
    assert listing["query"]["labels"] == ALERT_LABEL and listing["query"]["state"] == "open"


def test_the_next_runs_update_the_issue_and_comment_only_when_the_verdict_changes(
    client: GitHubClient, fake_github: FakeGitHub
) -> None:
    first = sync(client, alert(details="PSI 0.40"))
    same_verdict = sync(client, alert(details="PSI 0.45"))
    again = sync(client, alert(details="PSI 0.45"))
    changed = sync(client, alert(verdict="drift in petal_length; decay of accuracy", details="PSI 0.5"))

    [issue] = open_issues(fake_github)
    assert {first.number, same_verdict.number, again.number, changed.number} == {issue["number"]}
    assert (same_verdict.action, again.action, changed.action) == ("updated", "unchanged", "updated")
    assert issue["body"].endswith("PSI 0.5")
    assert issue["title"].endswith("decay of accuracy")
    assert comments_on(fake_github, issue["number"]) == [
        "The verdict changed: drift in petal_length; decay of accuracy"
    ]


def test_healthy_again_closes_the_issue_with_a_comment(client: GitHubClient, fake_github: FakeGitHub) -> None:
    opened = sync(client, alert())

    closed = sync(client, alert(state="healthy", verdict="no drift, no decay"))
    after = sync(client, alert(state="healthy", verdict="no drift, no decay"))

    assert closed == IssueResult("closed", opened.url, opened.number)
    assert after == IssueResult("none")
    assert open_issues(fake_github) == []
    [issue] = fake_github.issues(DEFAULT_REPOSITORY)
    assert issue["state_reason"] == "completed"
    assert comments_on(fake_github, issue["number"]) == ["Healthy again: no drift, no decay"]
    # A new problem later opens a new issue: the closed one stays closed as the record of the last one.
    assert sync(client, alert()).action == "created"


def test_not_enough_data_leaves_the_issue_as_it_is(client: GitHubClient, fake_github: FakeGitHub) -> None:
    assert sync(client, alert(state="unknown", verdict="not enough data")) == IssueResult("none")
    opened = sync(client, alert())

    kept = sync(client, alert(state="unknown", verdict="not enough data"))

    assert kept == IssueResult("unchanged", opened.url, opened.number)
    assert len(open_issues(fake_github)) == 1


def test_issues_that_are_not_ours_are_never_touched(client: GitHubClient, fake_github: FakeGitHub) -> None:
    marker = alert_marker("iris", "production")
    # Someone copied the marker into an issue by hand; another alias has its own issue; a pull request.
    by_hand = fake_github.add_issue(
        DEFAULT_REPOSITORY, body=f"{marker}\nby hand", user="octocat", labels=(ALERT_LABEL,)
    )
    other_alias = fake_github.add_issue(
        DEFAULT_REPOSITORY, body=f"{alert_marker('iris', 'staging')}\nx", user=USER_LOGIN, labels=(ALERT_LABEL,)
    )

    result = sync(client, alert())

    assert result.action == "created"
    assert result.number not in (by_hand["number"], other_alias["number"])
    bodies = {issue["number"]: issue["body"] for issue in open_issues(fake_github)}
    assert bodies[by_hand["number"]].endswith("by hand") and bodies[other_alias["number"]].endswith("x")


def test_our_issue_is_found_on_a_later_page(client: GitHubClient, fake_github: FakeGitHub) -> None:
    ours = fake_github.add_issue(
        DEFAULT_REPOSITORY, body=f"{alert_marker('iris', 'production')}\nold", user=USER_LOGIN, labels=(ALERT_LABEL,)
    )
    for index in range(130):
        fake_github.add_issue(DEFAULT_REPOSITORY, title=f"other {index}", user="octocat", labels=(ALERT_LABEL,))

    result = sync(client, alert())

    assert (result.action, result.number) == ("updated", ours["number"])
    assert len(fake_github.requests_matching("GET", LIST_PATTERN)) == 2


@pytest.mark.parametrize("monitors", [2, 3])
def test_monitors_at_once_leave_one_open_issue(make_client: MakeClient, fake_github: FakeGitHub, monitors: int) -> None:
    # Every monitor lists the (empty) issues before any opens one: the worst interleaving.
    fake_github.hold_together("GET", LIST_PATTERN, parties=monitors)
    results: list[IssueResult] = []
    errors: list[BaseException] = []

    def monitor() -> None:
        try:
            results.append(sync(make_client(), alert()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=monitor) for _ in range(monitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert errors == []
    assert len(fake_github.requests_matching("POST", LIST_PATTERN)) == monitors
    [issue] = open_issues(fake_github)
    assert {result.number for result in results} == {issue["number"]}
    closed = fake_github.issues(DEFAULT_REPOSITORY, state="closed")
    assert len(closed) == monitors - 1
    # Monitors closing the same copy at once may each say so; each says which issue is kept.
    assert all(set(comments_on(fake_github, dup["number"])) == {f"Duplicate of #{issue['number']}."} for dup in closed)


def test_a_lost_answer_to_the_create_never_opens_a_second_issue(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.fail_after_acting("POST", LIST_PATTERN, status=502)

    result = sync(client, alert())

    [issue] = open_issues(fake_github)
    assert (result.action, result.number) == ("created", issue["number"])


def test_a_read_only_token_is_refused_by_name(make_client: MakeClient, fake_github: FakeGitHub) -> None:
    with pytest.raises(GitHubWriteForbidden) as refused:
        sync(make_client(READ_ONLY_TOKEN), alert())

    assert "issues: write" in str(refused.value.hint)
    assert open_issues(fake_github) == []
