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
    post_report_comment,
    report_marker,
    sanitize_identity,
    upsert_report_comment,
)
from mlci.github.context import GitHubContext
from mlci.github.errors import (
    GitHubNotFound,
    GitHubPermissionError,
    GitHubTokenRejected,
    GitHubUnavailable,
    GitHubValidationError,
)
from testing.fake_github import (
    ACTIONS_LOGIN,
    ACTIONS_TOKEN,
    APP_LOGIN,
    APP_TOKEN,
    DEFAULT_REPOSITORY,
    READ_ONLY_TOKEN,
    USER_LOGIN,
    USER_TOKEN,
    FakeGitHub,
)
from testing.projects import quiet_console, recording_console

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


def test_a_comment_of_ours_that_only_quotes_the_marker_further_down_is_left_alone(
    make_client: MakeClient, fake_github: FakeGitHub
) -> None:
    # Another workflow posting with the same job token (so the same author) quotes mlci's marker.
    text = f"Lint results\n\nThe report is below:\n{report_marker('default')}\n"
    other = fake_github.add_comment(DEFAULT_REPOSITORY, 1, text, user=ACTIONS_LOGIN)

    result = upsert(make_client(ACTIONS_TOKEN), "report")

    assert result.action == "created" and result.id != other["id"]
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1)[0]["body"] == text
    assert len(fake_github.issue_comments(DEFAULT_REPOSITORY, 1)) == 2


def test_a_comment_by_another_user_starting_with_the_marker_is_left_alone(
    client: GitHubClient, fake_github: FakeGitHub
) -> None:
    forged = fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"{report_marker('default')}\nall green!", user="mallory")

    result = upsert(client, "report")

    assert result.action == "created" and result.id != forged["id"]
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1)[0]["body"].endswith("all green!")
    assert upsert(client, "report v2").id == result.id


def test_another_identitys_marker_further_down_our_own_comment_does_not_make_it_that_identitys(
    client: GitHubClient, fake_github: FakeGitHub
) -> None:
    iris = upsert(client, f"iris report quoting\n{report_marker('churn')}\n", identity="iris")

    churn = upsert(client, "churn report", identity="churn")

    assert churn.action == "created" and churn.id != iris.id
    assert len(fake_github.issue_comments(DEFAULT_REPOSITORY, 1)) == 2


def test_a_comment_edited_on_the_web_with_crlf_line_ends_is_still_found(
    client: GitHubClient, fake_github: FakeGitHub
) -> None:
    earlier = fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"{report_marker('default')}\r\nold\r\n", user=USER_LOGIN)

    assert upsert(client, "new").id == earlier["id"]


def test_an_app_token_finds_and_updates_its_own_comment_across_runs(
    make_client: MakeClient, fake_github: FakeGitHub
) -> None:
    first = upsert(make_client(APP_TOKEN), "report")
    second = upsert(make_client(APP_TOKEN), "report v2")

    [comment] = fake_github.issue_comments(DEFAULT_REPOSITORY, 1)
    assert comment["user"]["login"] == APP_LOGIN and comment["body"].endswith("report v2")
    assert (first.action, second.action, second.id) == ("created", "updated", first.id)
    # GitHub refuses an App's token GET /user; GraphQL's viewer names the App's bot. Asked only when a
    # marked comment was there to decide about: not on the first run.
    assert [e["status"] for e in fake_github.requests_matching("GET", "/user")] == [403]
    assert len(fake_github.requests_matching("POST", "/graphql")) == 1


def test_the_actions_token_asked_who_it_is_answers_github_actions_bot(
    make_client: MakeClient, fake_github: FakeGitHub
) -> None:
    earlier = fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"{report_marker('default')}\nold", user=ACTIONS_LOGIN)

    result = upsert(make_client(ACTIONS_TOKEN), "new")

    assert (result.action, result.id) == ("updated", earlier["id"])
    assert [e["status"] for e in fake_github.requests_matching("GET", "/user")] == [403]


def test_an_installation_token_graphql_will_not_name_is_taken_for_the_actions_bot(
    make_client: MakeClient, fake_github: FakeGitHub
) -> None:
    fake_github.fail_next("POST", "/graphql", 403, body={"message": "Resource not accessible by integration"})
    earlier = fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"{report_marker('default')}\nold", user=ACTIONS_LOGIN)

    assert upsert(make_client(ACTIONS_TOKEN), "new").id == earlier["id"]


def job_context(fake_github: FakeGitHub, token: str, *, job_token: str | None) -> GitHubContext:
    return GitHubContext(repository=DEFAULT_REPOSITORY, api_url=fake_github.url, token=token, job_token=job_token)


def test_with_the_jobs_own_token_an_upsert_takes_at_most_three_requests(fake_github: FakeGitHub) -> None:
    context = job_context(fake_github, ACTIONS_TOKEN, job_token=ACTIONS_TOKEN)

    def requests_for(markdown: str) -> list[str]:
        fake_github.requests.clear()
        assert post_report_comment(context, 1, markdown, "default", console=quiet_console())
        return [f"{entry['method']} {entry['path']}" for entry in fake_github.requests]

    listing, create = f"GET {LIST_PATTERN}", f"POST {LIST_PATTERN}"
    update = "PATCH /repos/octo-org/demo/issues/comments/"
    # A fresh PR: list, create, and list again to fold in a copy a racing job may have made.
    assert requests_for("report") == [listing, create, listing]
    # Later runs: list, update (or nothing at all when the report did not change).
    assert [request.rstrip("0123456789") for request in requests_for("report v2")] == [listing, update]
    assert requests_for("report v2") == [listing]
    assert fake_github.requests_matching(path_pattern="/user|/graphql") == []


@pytest.mark.parametrize("job_token", [ACTIONS_TOKEN, None], ids=["another-token-in-a-job", "laptop"])
def test_a_personal_token_asks_who_it_is_only_when_a_marked_comment_is_there(
    fake_github: FakeGitHub, job_token: str | None
) -> None:
    context = job_context(fake_github, USER_TOKEN, job_token=job_token)

    def requests_for(markdown: str) -> list[str]:
        fake_github.requests.clear()
        assert post_report_comment(context, 1, markdown, "default", console=quiet_console())
        return [f"{entry['method']} {entry['path']}".rstrip("0123456789") for entry in fake_github.requests]

    listing, create = f"GET {LIST_PATTERN}", f"POST {LIST_PATTERN}"
    update = "PATCH /repos/octo-org/demo/issues/comments/"
    # A fresh PR: nothing marked to decide about, so no asking; the create's answer names the author,
    # which settles a race in the second listing.
    assert requests_for("report") == [listing, create, listing]
    # Later runs: our marked comment is there, and whether it is ours takes knowing who we are.
    assert requests_for("report v2") == [listing, "GET /user", update]
    assert requests_for("report v2") == [listing, "GET /user"]
    [comment] = fake_github.issue_comments(DEFAULT_REPOSITORY, 1)
    assert comment["user"]["login"] == USER_LOGIN and comment["body"].endswith("report v2")


def test_a_forged_marked_comment_on_a_fresh_pr_is_decided_by_asking(fake_github: FakeGitHub) -> None:
    forged = fake_github.add_comment(DEFAULT_REPOSITORY, 1, f"{report_marker('default')}\nall green!", user="mallory")
    context = job_context(fake_github, USER_TOKEN, job_token=None)

    assert post_report_comment(context, 1, "report", "default", console=quiet_console())

    assert [e["status"] for e in fake_github.requests_matching("GET", "/user")] == [200]
    forged_now, ours_now = fake_github.issue_comments(DEFAULT_REPOSITORY, 1)
    assert forged_now["id"] == forged["id"] and forged_now["body"].endswith("all green!")
    assert ours_now["user"]["login"] == USER_LOGIN and ours_now["body"].endswith("report")


@pytest.mark.parametrize(
    ("token", "refused_read", "error", "message", "code"),
    [
        # A revoked or expired token (401): GitHub does not take it at all; an outside failure.
        ("ghs_revokedTokenOfAnEarlierJob00000000", False, GitHubTokenRejected, "the token is invalid or expired", 3),
        # A read refused (403 on GET): a permission the workflow lacks, which a fork's token has.
        (ACTIONS_TOKEN, True, GitHubPermissionError, "`pull-requests: read`", 2),
    ],
)
def test_failures_that_are_not_a_forks_read_only_token_are_never_taken_for_one(
    fake_github: FakeGitHub, token: str, refused_read: bool, error: type[Exception], message: str, code: int
) -> None:
    console, said = recording_console()
    if refused_read:
        fake_github.fail_next("GET", LIST_PATTERN, 403, body={"message": "Resource not accessible by integration"})
    context = job_context(fake_github, token, job_token=ACTIONS_TOKEN)

    with pytest.raises(error, match=message) as caught:
        post_report_comment(context, 1, "report", "default", console=console)
    assert getattr(caught.value, "exit_code", None) == code
    assert "could not comment" not in said.getvalue()


def test_a_read_only_token_warns_once_and_posts_nothing(fake_github: FakeGitHub) -> None:
    console, said = recording_console()
    context = job_context(fake_github, READ_ONLY_TOKEN, job_token=READ_ONLY_TOKEN)

    assert post_report_comment(context, 1, "report", "default", console=console) is None
    assert said.getvalue().count("could not comment on pull request #1") == 1
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1) == []


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
    assert f"report shortened: {over:,} characters over GitHub's limit" in text
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
