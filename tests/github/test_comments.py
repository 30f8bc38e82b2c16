"""The report comment: one per PR and identity, found on any page, updated in place, never duplicated."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from mlci.github.client import GitHubClient
from mlci.github.comments import (
    MAX_COMMENT_CHARS,
    CommentResult,
    comment_body,
    report_marker,
    sanitize_identity,
    upsert_report_comment,
)
from mlci.github.errors import GitHubNotFound, GitHubPermissionError, GitHubUnavailable, GitHubValidationError
from testing.fake_github import (
    ACTIONS_LOGIN,
    ACTIONS_TOKEN,
    DEFAULT_REPOSITORY,
    READ_ONLY_TOKEN,
    USER_LOGIN,
    FakeGitHub,
)

pytestmark = pytest.mark.integration

MakeClient = Callable[..., GitHubClient]
LIST_PATTERN = r"/repos/octo-org/demo/issues/1/comments"


def upsert(client: GitHubClient, body: str, identity: str = "default") -> CommentResult:
    return upsert_report_comment(client, repository=DEFAULT_REPOSITORY, pr_number=1, body=body, identity=identity)


def ours(fake_github: FakeGitHub, identity: str = "default") -> list[dict]:
    marker = report_marker(identity)
    return [c for c in fake_github.issue_comments(DEFAULT_REPOSITORY, 1) if marker in c["body"]]


def test_first_upsert_creates_a_marked_comment(client: GitHubClient, fake_github: FakeGitHub) -> None:
    result = upsert(client, "## mlci report\n\n| metric | base | PR |\n")

    [comment] = fake_github.issue_comments(DEFAULT_REPOSITORY, 1)
    assert result == CommentResult(url=comment["html_url"], id=comment["id"], action="created")
    assert comment["body"] == "<!-- mlci-report:default -->\n## mlci report\n\n| metric | base | PR |\n"
    assert comment["user"]["login"] == USER_LOGIN


def test_our_comment_on_page_two_is_found_and_updated(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.seed_comments(DEFAULT_REPOSITORY, 1, 150)
    earlier = fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"{report_marker('default')}\nold report", user=USER_LOGIN)
    fake_github.seed_comments(DEFAULT_REPOSITORY, 1, 60)

    result = upsert(client, "new report")

    assert result.action == "updated"
    assert result.id == earlier["id"]
    assert len(fake_github.issue_comments(DEFAULT_REPOSITORY, 1)) == 211
    [comment] = ours(fake_github)
    assert comment["body"].endswith("new report")
    assert {e["query"].get("page", "1") for e in fake_github.requests_matching("GET", LIST_PATTERN)} == {"1", "2", "3"}


def test_rerunning_with_the_same_body_changes_nothing(client: GitHubClient, fake_github: FakeGitHub) -> None:
    first = upsert(client, "report")
    again = upsert(client, "report")
    changed = upsert(client, "report v2")

    assert (first.action, again.action, changed.action) == ("created", "unchanged", "updated")
    assert first.id == again.id == changed.id
    assert len(fake_github.requests_matching("PATCH")) == 1
    assert len(fake_github.issue_comments(DEFAULT_REPOSITORY, 1)) == 1


def test_the_marker_in_someone_elses_comment_is_not_ours(client: GitHubClient, fake_github: FakeGitHub) -> None:
    quoted = fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"> {report_marker('default')}\n> quoted", user="alice")

    result = upsert(client, "report")

    assert result.action == "created"
    assert result.id != quoted["id"]
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1)[0]["body"].endswith("> quoted")


def test_the_actions_token_finds_comments_by_github_actions_bot(
    make_client: MakeClient, fake_github: FakeGitHub
) -> None:
    earlier = fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"{report_marker('default')}\nold", user=ACTIONS_LOGIN)

    result = upsert(make_client(ACTIONS_TOKEN), "new")

    assert (result.action, result.id) == ("updated", earlier["id"])
    assert [e["status"] for e in fake_github.requests_matching("GET", "/user")] == [403]


def test_two_identities_keep_two_comments(client: GitHubClient, fake_github: FakeGitHub) -> None:
    iris = upsert(client, "iris report", identity="iris")
    churn = upsert(client, "churn report", identity="churn")
    iris_again = upsert(client, "iris report v2", identity="iris")

    assert iris.id != churn.id
    assert iris_again.id == iris.id and iris_again.action == "updated"
    assert ours(fake_github, "churn")[0]["body"].endswith("churn report")
    assert ours(fake_github, "iris")[0]["body"].endswith("iris report v2")


def test_identities_cannot_break_out_of_the_marker() -> None:
    assert report_marker("models/iris --> <b>x</b>") == "<!-- mlci-report:models-iris-b-x-b -->"
    assert sanitize_identity("") == "default"
    assert sanitize_identity("a" * 500) == "a" * 100
    # A prefix of another identity is still a different marker.
    assert report_marker("iris") not in report_marker("iris-v2")


@pytest.mark.parametrize("jobs", [2, 4])
def test_concurrent_upserts_end_with_exactly_one_comment(
    make_client: MakeClient, fake_github: FakeGitHub, jobs: int
) -> None:
    # All jobs list the (empty) comments before any creates one: the worst interleaving.
    fake_github.hold_together("GET", LIST_PATTERN, parties=jobs)
    results: dict[str, CommentResult] = {}
    errors: list[BaseException] = []

    def job(name: str) -> None:
        try:
            results[name] = upsert(make_client(), f"report from {name}")
        except BaseException as exc:
            errors.append(exc)

    names = [f"job{index}" for index in range(jobs)]
    threads = [threading.Thread(target=job, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert errors == []
    assert len(fake_github.requests_matching("POST", LIST_PATTERN)) == jobs
    [comment] = fake_github.issue_comments(DEFAULT_REPOSITORY, 1)
    assert {result.id for result in results.values()} == {comment["id"]}
    assert len(results) == jobs
    assert comment["body"].endswith(tuple(f"report from {name}" for name in names))


def test_duplicates_left_by_an_earlier_race_are_cleaned_up(client: GitHubClient, fake_github: FakeGitHub) -> None:
    oldest = fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"{report_marker('default')}\nA", user=USER_LOGIN)
    fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"{report_marker('default')}\nB", user=USER_LOGIN)

    result = upsert(client, "C")

    assert (result.action, result.id) == ("updated", oldest["id"])
    [comment] = fake_github.issue_comments(DEFAULT_REPOSITORY, 1)
    assert comment["body"].endswith("C")


def test_a_lost_answer_to_the_create_never_leads_to_a_second_comment(
    client: GitHubClient, fake_github: FakeGitHub
) -> None:
    fake_github.fail_after_acting("POST", LIST_PATTERN, 502)

    # GitHub made the comment but the answer was lost: mlci looks before posting again, and finds it.
    result = upsert(client, "report")
    assert result.action == "created"
    assert len(fake_github.issue_comments(DEFAULT_REPOSITORY, 1)) == 1
    assert len(fake_github.requests_matching("POST", LIST_PATTERN)) == 1


def test_a_create_that_failed_before_github_acted_is_tried_again(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.fail_next("POST", LIST_PATTERN, 502)

    assert upsert(client, "report").action == "created"
    assert len(fake_github.issue_comments(DEFAULT_REPOSITORY, 1)) == 1
    assert len(fake_github.requests_matching("POST", LIST_PATTERN)) == 2


def test_a_create_that_keeps_failing_gives_up_with_the_reason(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.fail_next("POST", LIST_PATTERN, 502, times=5)

    with pytest.raises(GitHubUnavailable, match="not retried"):
        upsert(client, "report")
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1) == []


def test_a_comment_deleted_before_the_update_is_created_again(client: GitHubClient, fake_github: FakeGitHub) -> None:
    old = fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"{report_marker('default')}\nold", user=USER_LOGIN)
    fake_github.run_before(
        "PATCH", r"/repos/octo-org/demo/issues/comments/\d+", lambda: fake_github.delete_comment(old["id"])
    )

    result = upsert(client, "new")

    assert result.action == "created"
    assert [c["body"].split("\n", 1)[1] for c in fake_github.issue_comments(DEFAULT_REPOSITORY, 1)] == ["new"]


def test_a_fork_token_cannot_comment_and_is_told_why(make_client: MakeClient, fake_github: FakeGitHub) -> None:
    with pytest.raises(GitHubPermissionError) as caught:
        upsert(make_client(READ_ONLY_TOKEN), "report")

    assert "fork" in str(caught.value)
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1) == []


def test_an_overlong_report_is_cut_at_a_line_with_a_visible_note(client: GitHubClient, fake_github: FakeGitHub) -> None:
    rows = [f"| metric_{index:05d} | 0.91 | 0.92 |" for index in range(3000)]
    body = "| metric | base | PR |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n"
    assert len(body) > MAX_COMMENT_CHARS

    result = upsert(client, body)

    assert result.action == "created"
    [comment] = fake_github.issue_comments(DEFAULT_REPOSITORY, 1)
    text = comment["body"]
    assert len(text) <= MAX_COMMENT_CHARS
    assert text.startswith(report_marker("default"))
    over = len(report_marker("default")) + 1 + len(body) - MAX_COMMENT_CHARS
    assert f"report truncated: {over} characters over GitHub's limit" in text
    kept_rows = [line for line in text.splitlines() if line.startswith("| metric_")]
    assert kept_rows == rows[: len(kept_rows)]
    # Re-running with the same long report recognises the same shortened body.
    assert upsert(client, body).action == "unchanged"


def test_githubs_validation_message_reaches_the_user(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.fail_next(
        "POST", LIST_PATTERN, 422, body={"message": "Validation Failed", "errors": [{"message": "body contains spam"}]}
    )

    with pytest.raises(GitHubValidationError, match="Validation Failed: body contains spam"):
        upsert(client, "report")


def test_a_missing_pull_request_is_reported(client: GitHubClient) -> None:
    with pytest.raises(GitHubNotFound, match="issues/99/comments"):
        upsert_report_comment(client, repository=DEFAULT_REPOSITORY, pr_number=99, body="x")


def test_a_rendered_report_keeps_exactly_one_marker_for_the_comments_identity() -> None:
    rendered = f"{report_marker('default')}\n## mlci report\n"
    body = comment_body(rendered, identity="nightly")
    assert body.count("<!-- mlci-report:") == 1
    assert body.startswith(report_marker("nightly") + "\n## mlci report")
