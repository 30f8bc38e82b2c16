"""The REST client against the stand-in server: headers, pages, retries, rate limits and errors."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from mlci import __version__
from mlci.errors import OutsideError
from mlci.github.client import GitHubClient, graphql_url_for
from mlci.github.errors import (
    GitHubBadResponse,
    GitHubError,
    GitHubNotFound,
    GitHubPermissionError,
    GitHubRateLimited,
    GitHubRequestRejected,
    GitHubTokenRejected,
    GitHubUnavailable,
    GitHubValidationError,
    GitHubWriteForbidden,
)
from testing.fake_github import (
    APP_LOGIN,
    APP_TOKEN,
    DEFAULT_REPOSITORY,
    READ_ONLY_TOKEN,
    USER_TOKEN,
    FakeGitHub,
)

pytestmark = pytest.mark.integration

COMMENTS = f"/repos/{DEFAULT_REPOSITORY}/issues/1/comments"
COMMENTS_PATTERN = r"/repos/octo-org/demo/issues/1/comments"

MakeClient = Callable[..., GitHubClient]


def test_every_request_carries_the_api_headers(client: GitHubClient, fake_github: FakeGitHub) -> None:
    assert client.get("/user")["login"] == "mlci-bot"

    [entry] = fake_github.requests_matching("GET", "/user")
    assert entry["user_agent"] == f"mlci/{__version__}"
    assert entry["api_version"] == "2022-11-28"
    assert entry["accept"] == "application/vnd.github+json"
    assert entry["login"] == "mlci-bot"


def test_paginate_follows_next_links_across_pages(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.seed_comments(DEFAULT_REPOSITORY, 1, 250)

    bodies = [item["body"] for item in client.paginate(COMMENTS)]

    assert len(bodies) == 250
    assert bodies[0].endswith("(1)") and bodies[-1].endswith("(250)")
    pages = fake_github.requests_matching("GET", COMMENTS_PATTERN)
    assert [entry["query"].get("page", "1") for entry in pages] == ["1", "2", "3"]


def test_paginate_with_small_pages_reads_them_all(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.seed_comments(DEFAULT_REPOSITORY, 1, 61)

    assert len(list(client.paginate(COMMENTS, per_page=30))) == 61
    assert len(fake_github.requests_matching("GET", COMMENTS_PATTERN)) == 3


def test_paginate_stops_when_the_next_link_points_back(client: GitHubClient, fake_github: FakeGitHub) -> None:
    looping = f'<{fake_github.url}{COMMENTS}?per_page=100>; rel="next"'
    fake_github.fail_next("GET", COMMENTS_PATTERN, 200, times=5, headers={"Link": looping}, body=[{"id": 1}])

    with pytest.raises(GitHubBadResponse, match="already read"):
        list(client.paginate(COMMENTS))
    assert len(fake_github.requests_matching("GET", COMMENTS_PATTERN)) == 1


def test_the_token_is_never_sent_to_another_host(client: GitHubClient, fake_github: FakeGitHub) -> None:
    elsewhere = '<http://127.0.0.2:9/steal?page=2>; rel="next"'
    fake_github.fail_next("GET", COMMENTS_PATTERN, 200, headers={"Link": elsewhere}, body=[{"id": 1}])

    with pytest.raises(GitHubBadResponse, match="refusing to send the token"):
        list(client.paginate(COMMENTS))


def test_a_server_error_on_a_read_is_retried(client: GitHubClient, fake_github: FakeGitHub, waits: list[float]) -> None:
    fake_github.fail_next("GET", "/user", 503, times=2)

    assert client.get("/user")["login"] == "mlci-bot"
    assert len(waits) == 2
    assert [entry["status"] for entry in fake_github.requests_matching("GET", "/user")] == [503, 503, 200]


def test_server_errors_that_persist_end_in_unavailable(
    make_client: MakeClient, fake_github: FakeGitHub, waits: list[float]
) -> None:
    client = make_client(max_attempts=3)
    fake_github.fail_next("GET", "/user", 500, times=10)

    with pytest.raises(GitHubUnavailable) as caught:
        client.get("/user")
    assert "gave up after 3 attempts" in str(caught.value)
    assert caught.value.exit_code == 3
    assert len(fake_github.requests_matching("GET", "/user")) == 3
    assert len(waits) == 2
    # Exponential backoff: the second wait's ceiling is twice the first's.
    assert 0.5 <= waits[0] <= 1 and 1 <= waits[1] <= 2


def test_429_with_retry_after_waits_that_long(
    client: GitHubClient, fake_github: FakeGitHub, waits: list[float]
) -> None:
    fake_github.fail_next("GET", "/user", 429, headers={"Retry-After": "7"})

    assert client.get("/user")["login"] == "mlci-bot"
    assert waits == [7.0]


def test_secondary_rate_limit_403_with_retry_after_waits(
    client: GitHubClient, fake_github: FakeGitHub, waits: list[float]
) -> None:
    fake_github.fail_next("GET", "/user", 403, headers={"Retry-After": "12"})

    assert client.get("/user")["login"] == "mlci-bot"
    assert waits == [12.0]


def test_secondary_rate_limit_without_retry_after_waits_a_minute(
    client: GitHubClient, fake_github: FakeGitHub, waits: list[float]
) -> None:
    fake_github.fail_next("GET", "/user", 403)  # the default body says "secondary rate limit"

    assert client.get("/user")["login"] == "mlci-bot"
    assert waits and waits[0] >= 60


def test_primary_rate_limit_waits_until_the_reset(
    client: GitHubClient, fake_github: FakeGitHub, waits: list[float]
) -> None:
    reset = int(time.time()) + 5
    fake_github.fail_next("GET", "/user", 403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})

    assert client.get("/user")["login"] == "mlci-bot"
    [wait] = waits
    assert 4 <= wait <= 7


def test_primary_rate_limit_with_a_distant_reset_is_refused_clearly(
    client: GitHubClient, fake_github: FakeGitHub, waits: list[float]
) -> None:
    reset = int(time.time()) + 3600
    fake_github.fail_next("GET", "/user", 403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})

    with pytest.raises(GitHubRateLimited) as caught:
        client.get("/user")
    message = str(caught.value)
    assert "rate limit for this token is used up until" in message
    assert "60 min from now" in message or "59 min from now" in message
    assert "120 s mlci waits at most" in message
    assert "Re-run the job" in message
    assert caught.value.exit_code == 3
    assert waits == []


def test_retry_after_beyond_max_wait_is_refused(
    make_client: MakeClient, fake_github: FakeGitHub, waits: list[float]
) -> None:
    client = make_client(max_wait=30)
    fake_github.fail_next("GET", "/user", 429, headers={"Retry-After": "90"})

    with pytest.raises(GitHubRateLimited, match="secondary rate limit asks to wait 90 s, longer than the 30 s"):
        client.get("/user")
    assert waits == []


def test_a_post_answered_502_after_acting_is_not_repeated(
    client: GitHubClient, fake_github: FakeGitHub, waits: list[float]
) -> None:
    fake_github.fail_after_acting("POST", COMMENTS_PATTERN, 502)

    with pytest.raises(GitHubUnavailable) as caught:
        client.post(COMMENTS, json={"body": "hello"})
    assert "not retried" in str(caught.value) and "twice" in str(caught.value)
    assert len(fake_github.issue_comments(DEFAULT_REPOSITORY, 1)) == 1
    assert len(fake_github.requests_matching("POST", COMMENTS_PATTERN)) == 1
    assert waits == []


def test_a_rate_limited_post_is_repeated_because_github_did_not_act(
    client: GitHubClient, fake_github: FakeGitHub, waits: list[float]
) -> None:
    fake_github.fail_next("POST", COMMENTS_PATTERN, 429, headers={"Retry-After": "2"})

    client.post(COMMENTS, json={"body": "hello"})

    assert waits == [2.0]
    assert len(fake_github.issue_comments(DEFAULT_REPOSITORY, 1)) == 1


def test_a_post_declared_retry_safe_is_repeated_after_a_server_error(
    client: GitHubClient, fake_github: FakeGitHub
) -> None:
    fake_github.fail_next("POST", COMMENTS_PATTERN, 502)

    client.post(COMMENTS, json={"body": "hello"}, retry_safe=True)

    assert len(fake_github.requests_matching("POST", COMMENTS_PATTERN)) == 2


def test_a_retried_delete_that_already_happened_counts_as_done(client: GitHubClient, fake_github: FakeGitHub) -> None:
    comment = fake_github.add_comment(DEFAULT_REPOSITORY, 1, "old", user="mlci-bot")
    path = f"/repos/{DEFAULT_REPOSITORY}/issues/comments/{comment['id']}"
    fake_github.fail_after_acting("DELETE", path, 502)

    client.delete(path)

    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1) == []
    assert [e["status"] for e in fake_github.requests_matching("DELETE", path)] == [502, 404]


def test_a_plain_missing_delete_is_still_not_found(client: GitHubClient) -> None:
    with pytest.raises(GitHubNotFound):
        client.delete(f"/repos/{DEFAULT_REPOSITORY}/issues/comments/999999")


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_refused_is_retried_even_for_a_post(closed_port: int, waits: list[float]) -> None:
    client = GitHubClient(f"http://127.0.0.1:{closed_port}", USER_TOKEN, sleep=waits.append, max_attempts=3)

    with pytest.raises(GitHubUnavailable) as caught:
        client.post("/repos/o/r/issues/1/comments", json={"body": "x"})
    assert "connection refused" in str(caught.value)
    assert "gave up after 3 attempts" in str(caught.value)
    assert len(waits) == 2


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


def test_a_read_timeout_is_retried_for_a_get_but_not_for_a_post(silent_port: int, waits: list[float]) -> None:
    client = GitHubClient(
        f"http://127.0.0.1:{silent_port}", USER_TOKEN, sleep=waits.append, max_attempts=2, timeout=0.2
    )

    with pytest.raises(GitHubUnavailable, match=r"no answer within 0\.2 s"):
        client.get("/user")
    assert len(waits) == 1

    with pytest.raises(GitHubUnavailable, match="not retried"):
        client.post("/repos/o/r/issues/1/comments", json={"body": "x"})
    assert len(waits) == 1


def test_a_read_only_token_gets_a_permission_error_that_mentions_forks(
    make_client: MakeClient, fake_github: FakeGitHub
) -> None:
    client = make_client(READ_ONLY_TOKEN)

    with pytest.raises(GitHubWriteForbidden) as caught:
        client.post(COMMENTS, json={"body": "hello"})
    message = str(caught.value)
    assert "Resource not accessible by integration" in message
    assert "`pull-requests: write`" in message
    assert "fork" in message
    assert caught.value.exit_code == 2
    assert not isinstance(caught.value, OutsideError)
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1) == []


def test_a_refused_read_is_a_missing_permission_not_a_fork(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.fail_next("GET", COMMENTS_PATTERN, 403, body={"message": "Resource not accessible by integration"})

    with pytest.raises(GitHubPermissionError) as caught:
        client.get(COMMENTS)
    assert not isinstance(caught.value, GitHubWriteForbidden)
    assert "`pull-requests: read`" in str(caught.value) and "fork" not in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_token_github_rejects_is_invalid_or_expired_never_read_only(make_client: MakeClient) -> None:
    client = make_client("ghp_notAKnownToken")

    for call in (lambda: client.get("/user"), lambda: client.post(COMMENTS, json={"body": "x"})):
        with pytest.raises(GitHubTokenRejected) as caught:
            call()
        message = str(caught.value)
        assert message.startswith("the token is invalid or expired: GitHub rejected it for ")
        assert "(401: Bad credentials)" in message and "`github-token` input" in message
        assert caught.value.exit_code == 3
        assert not isinstance(caught.value, GitHubPermissionError)


def test_no_token_at_all_is_bad_usage_not_an_expired_token(make_client: MakeClient) -> None:
    with pytest.raises(GitHubError) as caught:
        make_client(None).get("/user")

    assert "GitHub needs a token for GET /user, and none was given" in str(caught.value)
    assert caught.value.exit_code == 2 and not isinstance(caught.value, GitHubTokenRejected)


def test_graphql_lives_beside_the_rest_api_on_every_kind_of_host() -> None:
    assert graphql_url_for("https://api.github.com") == "https://api.github.com/graphql"
    assert graphql_url_for("https://ghe.example.com/api/v3/") == "https://ghe.example.com/api/graphql"
    assert graphql_url_for("https://api.octo.ghe.com") == "https://api.octo.ghe.com/graphql"


def test_a_graphql_query_returns_its_data_and_a_refusal_says_why(make_client: MakeClient) -> None:
    client = make_client(APP_TOKEN)

    assert client.graphql("query { viewer { login } }") == {"viewer": {"login": APP_LOGIN}}
    with pytest.raises(GitHubRequestRejected, match="answers only the viewer's login"):
        client.graphql('query { repository(owner: "o", name: "r") { id } }')


def test_not_found_names_the_request(client: GitHubClient) -> None:
    with pytest.raises(GitHubNotFound, match=r"GET /repos/octo-org/nope/pulls/1 \(404"):
        client.get("/repos/octo-org/nope/pulls/1")


def test_a_422_carries_githubs_message(client: GitHubClient) -> None:
    with pytest.raises(GitHubValidationError) as caught:
        client.post(COMMENTS, json={"body": "x" * 70000})
    assert "Validation Failed: body is too long (maximum is 65536 characters)" in str(caught.value)
    assert caught.value.exit_code == 3


def test_a_non_json_answer_is_a_bad_response(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.fail_next("GET", "/user", 200, body=b"<html>proxy login</html>")

    with pytest.raises(GitHubBadResponse, match="GET /user: GitHub answered 200 with a body that is not JSON"):
        client.get("/user")


def test_the_token_never_appears_in_errors_logs_or_reprs(
    make_client: MakeClient,
    fake_github: FakeGitHub,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "ghp_sEcReTtOkEn1234567890abcdefABCDEF"
    read_only_secret = "ghs_rEaDoNlYsEcReT0987654321zyxwvuZYXW"
    fake_github.add_token(secret, login="secret-user")
    fake_github.add_token(read_only_secret, login="github-actions[bot]", app=True, read_only=True)
    client = make_client(secret, max_attempts=2)
    texts = [repr(client)]

    # A server that echoes the token back, plus each kind of failure.
    fake_github.fail_next("GET", "/user", 500, times=2, body={"message": f"internal error for {secret}"})
    fake_github.fail_next("POST", COMMENTS_PATTERN, 422, body={"message": f"Validation Failed {secret}"})
    fake_github.fail_next(
        "GET", "/rate", 403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 9999)}
    )
    attempts: list[Callable[[], object]] = [
        lambda: client.get("/user"),
        lambda: client.post(COMMENTS, json={"body": "x"}),
        lambda: client.get("/rate"),
        lambda: client.get("/repos/octo-org/missing"),
        lambda: make_client(secret[:-1]).get("/user"),
        lambda: make_client(read_only_secret).post(COMMENTS, json={"body": "x"}),
        lambda: make_client(read_only_secret).get("/user"),
    ]
    for attempt in attempts:
        with pytest.raises(GitHubError) as caught:
            attempt()
        texts += [str(caught.value), repr(caught.value), str(caught.value.args)]

    captured = capsys.readouterr()
    everything = "\n".join([*texts, caplog.text, captured.out, captured.err])
    assert len(texts) == 1 + 3 * len(attempts)
    for token in (secret, read_only_secret, secret[:-1]):
        assert token not in everything
    assert "internal error for ***" in everything
