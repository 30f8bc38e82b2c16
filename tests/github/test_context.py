"""The run's context from the Actions environment, for each kind of event."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from mlci.errors import ConfigError
from mlci.github.context import GitHubContext

HEAD = "a" * 40
BASE = "b" * 40
SECRET = "ghs_contextSecretToken1234567890"


def environ(tmp_path: Path, event_name: str, event: Any, **extra: str) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event) if not isinstance(event, str) else event)
    return {
        "GITHUB_REPOSITORY": "octo-org/demo",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_SHA": HEAD,
        "GITHUB_TOKEN": SECRET,
        "GITHUB_RUN_ID": "1234",
        **extra,
    }


def pull_request_event(*, head_repo: str | None = "octo-org/demo") -> dict[str, Any]:
    return {
        "number": 42,
        "pull_request": {
            "number": 42,
            "head": {"sha": HEAD, "ref": "feature/better-c", "repo": {"full_name": head_repo} if head_repo else None},
            "base": {"sha": BASE, "ref": "main", "repo": {"full_name": "octo-org/demo"}},
        },
        "repository": {"full_name": "octo-org/demo", "default_branch": "main"},
    }


def test_pull_request_event(tmp_path: Path) -> None:
    ctx = GitHubContext.from_env(
        environ(
            tmp_path,
            "pull_request",
            pull_request_event(),
            GITHUB_REF="refs/pull/42/merge",
            GITHUB_SERVER_URL="https://ghe.example",
        )
    )

    assert ctx.is_pull_request and not ctx.is_fork and not ctx.pushes_to(ctx.default_branch)
    assert (ctx.pr_number, ctx.head_sha, ctx.base_sha) == (42, HEAD, BASE)
    assert (ctx.head_ref, ctx.base_ref, ctx.default_branch) == ("feature/better-c", "main", "main")
    assert ctx.api_url == "https://api.github.com"
    assert ctx.run_url == "https://ghe.example/octo-org/demo/actions/runs/1234"
    assert (ctx.owner, ctx.name) == ("octo-org", "demo")


@pytest.mark.parametrize("head_repo", ["someone/demo", None])
def test_a_pull_request_from_a_fork(tmp_path: Path, head_repo: str | None) -> None:
    ctx = GitHubContext.from_env(environ(tmp_path, "pull_request_target", pull_request_event(head_repo=head_repo)))

    assert ctx.is_pull_request and ctx.is_fork and ctx.pr_number == 42


def test_push_to_the_default_branch(tmp_path: Path) -> None:
    event = {"before": BASE, "after": HEAD, "repository": {"default_branch": "main"}}
    ctx = GitHubContext.from_env(environ(tmp_path, "push", event, GITHUB_REF="refs/heads/main"))

    assert ctx.pushes_to(ctx.default_branch) and not ctx.is_pull_request
    assert (ctx.pr_number, ctx.head_sha, ctx.base_sha, ctx.head_ref) == (None, HEAD, BASE, "main")


def test_push_of_a_new_branch_has_no_base(tmp_path: Path) -> None:
    event = {"before": "0" * 40, "after": HEAD, "repository": {"default_branch": "main"}}
    ctx = GitHubContext.from_env(environ(tmp_path, "push", event, GITHUB_REF="refs/heads/topic"))

    assert not ctx.pushes_to(ctx.default_branch)
    assert (ctx.base_sha, ctx.branch, ctx.created_branch) == (None, "topic", True)


@pytest.mark.parametrize(
    ("event", "created"),
    [
        ({"before": "0" * 40}, True),
        ({"before": BASE, "created": True}, True),
        ({"before": BASE, "created": False}, False),
        ({}, False),
    ],
)
def test_a_push_that_created_its_branch_is_told_apart(tmp_path: Path, event: dict, created: bool) -> None:
    payload = {**event, "after": HEAD, "repository": {"default_branch": "main"}}
    ctx = GitHubContext.from_env(environ(tmp_path, "push", payload, GITHUB_REF="refs/heads/main"))
    assert ctx.created_branch is created


def test_workflow_dispatch(tmp_path: Path) -> None:
    event = {"inputs": {"model": "iris"}, "repository": {"default_branch": "main"}}
    ctx = GitHubContext.from_env(environ(tmp_path, "workflow_dispatch", event, GITHUB_REF="refs/heads/main"))

    assert not ctx.is_pull_request and not ctx.pushes_to(ctx.default_branch)
    assert (ctx.pr_number, ctx.head_sha, ctx.head_ref) == (None, HEAD, "main")


@pytest.mark.parametrize(("value", "number"), [("12", 12), ("", None), (None, None), (7, 7)])
def test_a_dispatch_names_the_pull_request_it_reports_on(tmp_path: Path, value: Any, number: int | None) -> None:
    inputs = {} if value is None else {"pull-request": value}
    event = {"inputs": inputs, "repository": {"default_branch": "main"}}
    ctx = GitHubContext.from_env(environ(tmp_path, "workflow_dispatch", event, GITHUB_REF="refs/heads/mlci/retrain/x"))
    assert ctx.dispatched_pull_request == number
    assert not ctx.is_pull_request and ctx.pr_number is None  # a dispatch is still no pull request's event


@pytest.mark.parametrize(
    "value", ["0", "012", "-1", "1e3", "12\n", " 12", "\uff11\uff12", "12345678901", True, [1], "12abc"]
)
def test_a_dispatched_pull_request_that_is_no_number_is_refused(tmp_path: Path, value: Any) -> None:
    event = {"inputs": {"pull-request": value}}
    ctx = GitHubContext.from_env(environ(tmp_path, "workflow_dispatch", event))
    with pytest.raises(ConfigError, match=r"input pull-request: .* is not a pull request number"):
        _ = ctx.dispatched_pull_request


def test_only_a_dispatch_names_a_pull_request_by_input(tmp_path: Path) -> None:
    event = {**pull_request_event(), "inputs": {"pull-request": "nonsense"}}
    assert GitHubContext.from_env(environ(tmp_path, "pull_request", event)).dispatched_pull_request is None


def test_workflow_run_after_a_pull_request(tmp_path: Path) -> None:
    event = {
        "workflow_run": {
            "event": "pull_request",
            "head_sha": BASE,
            "head_branch": "feature",
            "pull_requests": [{"number": 7}],
            "head_repository": {"full_name": "someone/demo"},
            "repository": {"full_name": "octo-org/demo"},
        }
    }
    ctx = GitHubContext.from_env(environ(tmp_path, "workflow_run", event))

    assert ctx.is_pull_request and ctx.is_fork
    assert (ctx.pr_number, ctx.head_sha, ctx.head_ref) == (7, BASE, "feature")


def test_the_token_is_never_in_the_repr(tmp_path: Path) -> None:
    ctx = GitHubContext.from_env(environ(tmp_path, "push", {}))

    assert ctx.token == SECRET
    assert SECRET not in repr(ctx) and SECRET not in str(ctx)


@pytest.mark.parametrize(
    ("job_token", "expected"), [(SECRET, True), ("ghs_theJobsOwnTokenButNotInUse000", False), ("", False)]
)
def test_the_token_in_use_is_known_to_be_the_jobs_own_only_when_the_actions_say_so(
    tmp_path: Path, job_token: str, expected: bool
) -> None:
    ctx = GitHubContext.from_env(environ(tmp_path, "push", {}, MLCI_JOB_TOKEN=job_token))

    assert ctx.uses_job_token is expected
    assert not job_token or job_token not in repr(ctx)


def test_defaults_without_an_event_file() -> None:
    ctx = GitHubContext.from_env({"GITHUB_REPOSITORY": "octo-org/demo", "GITHUB_API_URL": "http://127.0.0.1:8080/"})

    assert ctx.api_url == "http://127.0.0.1:8080"
    assert ctx.event == {} and ctx.pr_number is None and ctx.run_url is None


def test_bad_json_in_the_event_file_names_the_file_and_place(tmp_path: Path) -> None:
    env = environ(tmp_path, "push", '{"after": "abc",\n  oops}')

    with pytest.raises(ConfigError) as caught:
        GitHubContext.from_env(env)
    assert f"{tmp_path / 'event.json'}:2:3: the event file is not valid JSON" in str(caught.value)


def test_an_oversized_event_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mlci.github.context.MAX_EVENT_BYTES", 100)
    env = environ(tmp_path, "push", {"padding": "x" * 200})

    with pytest.raises(ConfigError, match="the limit for an event file"):
        GitHubContext.from_env(env)


def test_an_event_file_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    env = environ(tmp_path, "push", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ConfigError, match=r"event\.json: the event file is nested too deeply to read"):
        GitHubContext.from_env(env)


@pytest.mark.parametrize(("kind", "message"), [("fifo", "is not a regular file"), ("folder", "is a directory")])
def test_an_event_path_that_is_no_regular_file_is_refused_without_reading(
    tmp_path: Path, kind: str, message: str
) -> None:
    env = environ(tmp_path, "push", {})
    target = tmp_path / "special"
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    env["GITHUB_EVENT_PATH"] = str(target)
    with pytest.raises(ConfigError, match=f"^GITHUB_EVENT_PATH: {target}: {message}"):
        GitHubContext.from_env(env)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GITHUB_REPOSITORY", "just-a-name", "not a repository in the form owner/name"),
        ("GITHUB_REPOSITORY", "octo/..", "not a repository in the form owner/name"),
        ("GITHUB_API_URL", "ftp://example.com", "not an http(s) URL"),
        ("GITHUB_SHA", "main", "not a full commit SHA"),
        ("GITHUB_RUN_ID", "12a", "not a number"),
        ("GITHUB_EVENT_PATH", "/nonexistent/event.json", "no such file"),
    ],
)
def test_bad_variables_are_named(tmp_path: Path, name: str, value: str, message: str) -> None:
    env = environ(tmp_path, "push", {})
    env[name] = value

    with pytest.raises(ConfigError) as caught:
        GitHubContext.from_env(env)
    assert str(caught.value).startswith(name) and message in str(caught.value)


def test_outside_actions_the_context_is_empty_and_a_missing_repository_is_explained() -> None:
    context = GitHubContext.from_env({})
    assert not context.in_actions and not context.ci and context.repository is None and context.run_url is None
    with pytest.raises(ConfigError, match="GITHUB_REPOSITORY is not set"):
        context.require_repository()


def test_a_ci_runner_is_told_apart_from_github_actions() -> None:
    assert GitHubContext.from_env({"CI": "true"}).ci
    assert not GitHubContext.from_env({"CI": "true"}).in_actions
    actions = GitHubContext.from_env({"GITHUB_ACTIONS": "true", "RUNNER_TEMP": "/tmp/r"})
    assert actions.in_actions and actions.ci and actions.temporary_folder() == Path("/tmp/r/mlci")
