"""The stand-in server itself: GitHub's behaviours other tests rely on, and the standalone process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from mlci.github.client import GitHubClient
from mlci.github.comments import upsert_report_comment
from mlci.github.errors import GitHubNotFound, GitHubPermissionError, GitHubValidationError
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

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_requests_without_a_token_are_refused(fake_github: FakeGitHub) -> None:
    answer = requests.get(f"{fake_github.url}/user", timeout=5)

    assert answer.status_code == 401
    assert answer.json()["message"] == "Requires authentication"


def test_the_actions_token_cannot_read_user(fake_github: FakeGitHub) -> None:
    answer = requests.get(f"{fake_github.url}/user", headers={"Authorization": f"Bearer {ACTIONS_TOKEN}"}, timeout=5)

    assert answer.status_code == 403
    assert answer.json()["message"] == "Resource not accessible by integration"


@pytest.mark.parametrize(
    ("token", "user_status", "login"),
    [
        (ACTIONS_TOKEN, 403, ACTIONS_LOGIN),
        (READ_ONLY_TOKEN, 403, ACTIONS_LOGIN),
        (APP_TOKEN, 403, APP_LOGIN),
        (USER_TOKEN, 200, USER_LOGIN),
    ],
)
def test_each_kind_of_token_learns_who_it_is_from_graphql(
    fake_github: FakeGitHub, token: str, user_status: int, login: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    user = requests.get(f"{fake_github.url}/user", headers=headers, timeout=5)
    viewer = requests.post(
        f"{fake_github.url}/graphql", json={"query": "query { viewer { login } }"}, headers=headers, timeout=5
    )

    assert user.status_code == user_status
    assert viewer.status_code == 200 and viewer.json() == {"data": {"viewer": {"login": login}}}


def test_pages_carry_githubs_link_header(fake_github: FakeGitHub) -> None:
    fake_github.seed_comments(DEFAULT_REPOSITORY, 1, 95)

    answer = requests.get(
        f"{fake_github.url}/repos/{DEFAULT_REPOSITORY}/issues/1/comments",
        params={"per_page": 30, "page": 2},
        headers={"Authorization": f"token {USER_TOKEN}"},
        timeout=5,
    )

    assert len(answer.json()) == 30
    assert {rel: link["url"].split("?")[1] for rel, link in answer.links.items()} == {
        "prev": "per_page=30&page=1",
        "next": "per_page=30&page=3",
        "last": "per_page=30&page=4",
        "first": "per_page=30&page=1",
    }


def test_pull_request_and_unknown_resources(client: GitHubClient, fake_github: FakeGitHub) -> None:
    fake_github.add_pull(DEFAULT_REPOSITORY, 5, head_repository="someone/demo", head_ref="patch-1")

    pull = client.get(f"/repos/{DEFAULT_REPOSITORY}/pulls/5")

    assert pull["head"]["repo"]["full_name"] == "someone/demo" and pull["base"]["ref"] == "main"
    for path in (f"/repos/{DEFAULT_REPOSITORY}/pulls/6", "/repos/octo-org/other/pulls/1", "/no/such/route"):
        with pytest.raises(GitHubNotFound):
            client.get(path)


def test_deployments_statuses_and_dispatches(
    client: GitHubClient, fake_github: FakeGitHub, make_client: Callable[..., GitHubClient]
) -> None:
    repo = f"/repos/{DEFAULT_REPOSITORY}"
    first = client.post(
        f"{repo}/deployments",
        json={"ref": "main", "environment": "production", "payload": {"model": "iris", "version": 1}},
    )
    client.post(f"{repo}/deployments/{first['id']}/statuses", json={"state": "success"})
    second = client.post(
        f"{repo}/deployments",
        json={"ref": "main", "environment": "production", "payload": {"model": "iris", "version": 2}},
    )
    client.post(f"{repo}/deployments/{second['id']}/statuses", json={"state": "success"})
    client.post(f"{repo}/dispatches", json={"event_type": "mlci-deploy", "client_payload": {"model": "iris"}})

    assert [d["payload"]["version"] for d in client.paginate(f"{repo}/deployments")] == [2, 1]
    assert [s["state"] for s in client.paginate(f"{repo}/deployments/{first['id']}/statuses")] == [
        "inactive",
        "success",
    ]
    state = fake_github.snapshot()
    assert state["dispatches"][0]["event_type"] == "mlci-deploy"
    assert state["dispatches"][0]["client_payload"] == {"model": "iris"}
    with pytest.raises(GitHubValidationError, match="event_type is required"):
        client.post(f"{repo}/dispatches", json={})
    with pytest.raises(GitHubNotFound):
        client.post(f"{repo}/deployments/1/statuses", json={"state": "success"})
    with pytest.raises(GitHubPermissionError, match="`deployments: write`"):
        make_client(READ_ONLY_TOKEN).post(f"{repo}/deployments", json={"ref": "main"})


@pytest.fixture
def standalone(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    """The stand-in started as its own process with a scenario; yields (process, url, state file)."""
    scenario = {
        "repositories": [{"name": "octo-org/forked", "pulls": [{"number": 3, "head_repository": "fork/forked"}]}],
        "tokens": [{"token": "ghs_scenarioToken", "login": "scenario-bot"}],
        "comments": [{"repository": "octo-org/forked", "pr": 3, "count": 120, "user": "reviewer"}],
        "faults": [{"method": "GET", "path": "/repos/octo-org/forked/issues/3/comments", "status": 503}],
    }
    (tmp_path / "scenario.json").write_text(json.dumps(scenario))
    port_file, state_file = tmp_path / "port", tmp_path / "state.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "testing.fake_github",
            "--port-file",
            str(port_file),
            "--state-file",
            str(state_file),
            "--scenario",
            str(tmp_path / "scenario.json"),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 10
    while not port_file.exists():
        assert process.poll() is None, process.stderr.read() if process.stderr else "exited"
        assert time.monotonic() < deadline, "the stand-in did not start"
        time.sleep(0.02)
    try:
        yield process, f"http://127.0.0.1:{int(port_file.read_text())}", state_file
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)


def test_standalone_process_serves_the_scenario_and_dumps_its_state(
    standalone: tuple[subprocess.Popen[str], str, Path],
) -> None:
    process, url, state_file = standalone
    waits: list[float] = []
    with GitHubClient(url, "ghs_scenarioToken", sleep=waits.append) as client:
        result = upsert_report_comment(client, repository="octo-org/forked", pr_number=3, body="report")

    assert result.action == "created" and len(waits) == 1  # the scenario's 503 was retried
    state = json.loads(state_file.read_text())
    [ours] = [c for c in state["comments"] if c["user"]["login"] == "scenario-bot"]
    assert ours["body"].endswith("report") and ours["issue"] == 3
    assert len(state["comments"]) == 121
    assert state["repositories"]["octo-org/forked"]["pulls"][0]["head"]["repo"]["full_name"] == "fork/forked"
    assert {"method": "POST", "path": "/repos/octo-org/forked/issues/3/comments", "status": 201} in [
        {k: r[k] for k in ("method", "path", "status")} for r in state["requests"]
    ]
    assert "ghs_scenarioToken" not in state_file.read_text()

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_standalone_process_refuses_a_bad_scenario(tmp_path: Path) -> None:
    (tmp_path / "scenario.json").write_text(json.dumps({"repos": []}))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "testing.fake_github",
            "--port-file",
            str(tmp_path / "port"),
            "--state-file",
            str(tmp_path / "state.json"),
            "--scenario",
            str(tmp_path / "scenario.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

    assert done.returncode == 2
    assert "unknown scenario keys: repos" in done.stderr
    assert not (tmp_path / "port").exists()


def test_a_comment_that_would_not_render_as_written_is_kept_for_the_test_to_fail() -> None:
    with FakeGitHub() as server:
        path = f"/repos/{DEFAULT_REPOSITORY}/issues/1/comments"
        with GitHubClient(server.url, USER_TOKEN) as posting:
            posting.post(path, json={"body": "<!-- mlci-report:default -->\n- shares: a 1%\n| x |\n| --- |\n"})
            posting.post(path, json={"body": "Looks good, with a table:\n\n| x |\n| --- |\n"})

        assert server.markdown_problems == [
            "comment '<!-- mlci-report:default -->\\n- shares: a 1%\\n| x |\\n| --- |\\n': "
            "1 table line(s) in the Markdown, 0 table(s) on GitHub"
        ]
        with pytest.raises(AssertionError, match="would not render as written on GitHub"):
            server.assert_comments_render()
