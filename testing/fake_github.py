"""A stand-in for GitHub's REST API on 127.0.0.1, for tests and for end-to-end runs under `act`.

It keeps just enough state to answer the endpoints mlci calls, behaves like GitHub where mlci
depends on it (pagination `Link` headers, 401/403/404/422 answers, read-only fork tokens), models
the three kinds of tokens mlci meets (the job's own token and a GitHub App's installation token,
which may not read `/user` but get their bot's login from GraphQL's `viewer`, and a person's token),
and lets a test inject faults: any status with any
headers for the next N matching requests, or a request that is carried out and *then* answered
with an error, the case that must not be retried blindly.

Every comment body it accepts is also read the way GitHub would render it (`testing.github_markdown`);
what would show broken is kept in `markdown_problems`, which the test fixture checks is empty.

In a test:

    with FakeGitHub() as github:
        client = GitHubClient(github.url, USER_TOKEN)
        ...
        assert len(github.issue_comments(DEFAULT_REPOSITORY, 1)) == 1

As a process (mlci running in another process, e.g. under `act`):

    python -m testing.fake_github --port-file PORT --state-file STATE.json [--scenario S.json]

writes its port to PORT once it listens, and its whole state as JSON to STATE.json after every
request. A scenario file adds repositories, pull requests, tokens, comments and faults; see
`FakeGitHub.apply_scenario`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from testing.github_markdown import markdown_problems

ACTIONS_TOKEN = "ghs_fakeActionsTokenA1b2C3d4E5f6G7h8I9j0"
READ_ONLY_TOKEN = "ghs_fakeReadOnlyTokenZ9y8X7w6V5u4T3s2R1"
USER_TOKEN = "ghp_fakeUserTokenQ1w2E3r4T5y6U7i8O9p0Aa"
APP_TOKEN = "ghs_fakeAppInstallTokenM1n2B3v4C5x6Z7l8K9"
ACTIONS_LOGIN = "github-actions[bot]"
USER_LOGIN = "mlci-bot"
APP_LOGIN = "mlci-app[bot]"
DEFAULT_REPOSITORY = "octo-org/demo"
DEFAULT_PR = 1
HEAD_SHA = "1" * 40
BASE_SHA = "2" * 40
API_VERSIONS = frozenset({"2022-11-28"})
MAX_COMMENT_CHARS = 65536
MAX_STATUS_DESCRIPTION_CHARS = 140
MAX_REQUEST_BYTES = 8 * 1024 * 1024
STATUS_STATES = frozenset({"error", "failure", "pending", "success"})
DEPLOYMENT_STATES = frozenset({"error", "failure", "inactive", "in_progress", "queued", "pending", "success"})
NOT_ACCESSIBLE = "Resource not accessible by integration"
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID."
)
DOCS = "https://docs.github.com/rest"
REPORT_MARKER_START = "<!-- mlci-report:"

Answer = tuple[int, Any, dict[str, str]]
"""HTTP status, JSON body (None for no body), extra headers."""


@dataclass
class Token:
    """Who a token belongs to and what it may do. `app` marks an installation token (the job's own
    token is one, of the `github-actions` App): GitHub refuses it `GET /user`."""

    login: str
    read_only: bool = False
    app: bool = False


@dataclass
class Fault:
    """An injected answer for the next `times` requests matching `method` and `pattern`."""

    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    headers: dict[str, str]
    body: Any
    after_acting: bool


@dataclass
class _Hold:
    """The next `parties` matching requests wait for each other before they are handled."""

    method: str
    pattern: re.Pattern[str]
    barrier: threading.Barrier
    remaining: int
    timeout: float


@dataclass
class _Hook:
    """Something to do before the next `times` matching requests are handled."""

    method: str
    pattern: re.Pattern[str]
    action: Callable[[], object]
    times: int


@dataclass
class _Repository:
    name: str
    default_branch: str = "main"
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Issues proper (pull requests are issues too on GitHub, and share their numbers)."""

    def next_number(self) -> int:
        return max([0, *self.pulls, *self.issues]) + 1


class FakeGitHub:
    """GitHub's REST API, as far as mlci uses it, served on 127.0.0.1 from memory."""

    def __init__(self, *, port: int = 0, state_file: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._requested_port = port
        self.state_file = state_file
        self.tokens: dict[str, Token] = {}
        self.repositories: dict[str, _Repository] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.deployments: list[dict[str, Any]] = []
        self.deployment_statuses: list[dict[str, Any]] = []
        self.dispatches: list[dict[str, Any]] = []
        self.workflow_dispatches: list[dict[str, Any]] = []
        self.workflows: dict[str, dict[str, frozenset[str]]] = {}
        """Per repository, the workflow files that declare `workflow_dispatch` (others are refused), with
        the inputs each declares (others are refused, as GitHub does)."""
        self.requests: list[dict[str, Any]] = []
        self.markdown_problems: list[str] = []
        self._faults: list[Fault] = []
        self._holds: list[_Hold] = []
        self._hooks: list[_Hook] = []
        self._next_id = 1000
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.add_token(ACTIONS_TOKEN, login=ACTIONS_LOGIN, app=True)
        self.add_token(READ_ONLY_TOKEN, login=ACTIONS_LOGIN, app=True, read_only=True)
        self.add_token(USER_TOKEN, login=USER_LOGIN)
        self.add_token(APP_TOKEN, login=APP_LOGIN, app=True)
        self.add_repository(DEFAULT_REPOSITORY)
        self.add_pull(DEFAULT_REPOSITORY, DEFAULT_PR)

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        """Listen on 127.0.0.1 and serve from a background thread."""
        server = ThreadingHTTPServer(("127.0.0.1", self._requested_port), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        # A short poll interval keeps `stop` (and so every test's teardown) quick.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-github", daemon=True
        )
        self._thread.start()
        self._dump()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake GitHub is not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The API URL to give mlci (GITHUB_API_URL); also used as the web URL in links."""
        return f"http://127.0.0.1:{self.port}"

    # -- setup -------------------------------------------------------------------------------------

    def add_token(self, token: str, *, login: str, read_only: bool = False, app: bool = False) -> None:
        """Accept `token` as `login`; `app=True` is an installation token (403 on GET /user)."""
        with self._lock:
            self.tokens[token] = Token(login=login, read_only=read_only, app=app)

    def add_repository(self, name: str, *, default_branch: str = "main") -> None:
        with self._lock:
            self.repositories.setdefault(name, _Repository(name=name, default_branch=default_branch))
            self._dump()

    def add_pull(
        self,
        repository: str,
        number: int,
        *,
        head_sha: str = HEAD_SHA,
        base_sha: str = BASE_SHA,
        head_ref: str = "feature",
        base_ref: str = "main",
        head_repository: str | None = None,
        author: str = "contributor",
        state: str = "open",
    ) -> dict[str, Any]:
        """Add pull request `number`; `head_repository` other than `repository` makes it a fork PR."""
        with self._lock:
            repo = self.repositories[repository]
            head_repo = head_repository or repository
            pull = {
                "number": number,
                "state": state,
                "title": f"Pull request {number}",
                "html_url": f"{self._web()}/{repository}/pull/{number}",
                "user": _user(author),
                "head": {
                    "sha": head_sha,
                    "ref": head_ref,
                    "label": f"{head_repo.split('/')[0]}:{head_ref}",
                    "repo": {"full_name": head_repo, "fork": head_repo != repository},
                },
                "base": {
                    "sha": base_sha,
                    "ref": base_ref,
                    "label": f"{repository.split('/')[0]}:{base_ref}",
                    "repo": {"full_name": repository, "fork": False},
                },
            }
            repo.pulls[number] = pull
            self._dump()
            return pull

    def add_comment(self, repository: str, pr: int, body: str, *, user: str = "octocat") -> dict[str, Any]:
        """Add a comment by `user` to PR `pr`, as if posted earlier; returns it as the API shows it."""
        with self._lock:
            comment = self._new_comment(repository, pr, body, user)
            self._dump()
            return self._comment_json(comment)

    def add_issue(
        self,
        repository: str,
        *,
        title: str = "An issue",
        body: str = "",
        user: str = "octocat",
        labels: tuple[str, ...] = (),
        state: str = "open",
    ) -> dict[str, Any]:
        """Add an issue, as if opened earlier by `user`; returns it as the API shows it."""
        with self._lock:
            issue = self._new_issue(repository, title=title, body=body, login=user, labels=list(labels))
            issue["state"] = state
            self._dump()
            return self._issue_json(issue)

    def add_workflow(self, repository: str, workflow: str, *, inputs: Iterable[str] = ()) -> None:
        """Let `workflow` (a file name such as `mlci.yml`) of `repository` be dispatched with `inputs`,
        the inputs its `workflow_dispatch:` declares."""
        with self._lock:
            self.workflows.setdefault(repository, {})[workflow] = frozenset(inputs)
            self._dump()

    def seed_comments(
        self, repository: str, pr: int, count: int, *, user: str = "someone-else", body: str = "Looks good to me."
    ) -> None:
        """Add `count` comments by another user (pagination fodder)."""
        with self._lock:
            for index in range(count):
                self._new_comment(repository, pr, f"{body} ({index + 1})", user)
            self._dump()

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        status: int,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next `times` requests matching `method` and the regex `path_pattern` (matched against the
        whole path) with `status`, without acting on them. `body` defaults to a GitHub-like message; bytes
        are sent as they are (a proxy's HTML page, say)."""
        self._add_fault(method, path_pattern, status, times, headers, body, after_acting=False)

    def fail_after_acting(
        self,
        method: str,
        path_pattern: str,
        status: int = 502,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> None:
        """Carry out the next `times` matching requests, then answer `status` as if the reply got lost."""
        self._add_fault(method, path_pattern, status, times, headers, body, after_acting=True)

    def run_before(self, method: str, path_pattern: str, action: Callable[[], object], times: int = 1) -> None:
        """Call `action` just before the next `times` matching requests are handled: another actor (a person,
        a racing job) changing the state under the request."""
        with self._lock:
            self._hooks.append(
                _Hook(method=method.upper(), pattern=re.compile(path_pattern), action=action, times=times)
            )

    def delete_comment(self, comment_id: int) -> None:
        """Delete a comment as a person on the web would."""
        with self._lock:
            del self.comments[comment_id]
            self._dump()

    def hold_together(self, method: str, path_pattern: str, parties: int = 2, timeout: float = 10) -> None:
        """Make the next `parties` matching requests wait for each other, so they all see the same state
        (e.g. two jobs both listing comments before either creates one): each is answered from the
        state it arrived to, and no answer is sent until all have arrived."""
        with self._lock:
            self._holds.append(
                _Hold(
                    method=method.upper(),
                    pattern=re.compile(path_pattern),
                    barrier=threading.Barrier(parties),
                    remaining=parties,
                    timeout=timeout,
                )
            )

    def apply_scenario(self, scenario: Mapping[str, Any]) -> None:
        """Set up from a JSON-like mapping (the standalone `--scenario` file):

        {"repositories": [{"name": "o/r", "default_branch": "main",
                           "pulls": [{"number": 2, "head_sha": "...", "head_repository": "fork/r"}]}],
         "tokens": [{"token": "...", "login": "...", "read_only": false, "app": false}],
         "comments": [{"repository": "o/r", "pr": 1, "count": 150, "user": "someone", "body": "..."}],
         "issues": [{"repository": "o/r", "title": "...", "body": "...", "user": "...", "labels": ["..."]}],
         "workflows": [{"repository": "o/r", "workflow": "mlci.yml", "inputs": ["pull-request"]}],
         "faults": [{"method": "POST", "path": "/repos/.*/comments", "status": 502, "times": 1,
                     "headers": {}, "body": null, "after_acting": true}]}
        """
        unknown = set(scenario) - {"repositories", "tokens", "comments", "faults", "issues", "workflows"}
        if unknown:
            raise ValueError(f"unknown scenario keys: {', '.join(sorted(unknown))}")
        for repo in scenario.get("repositories", []):
            self.add_repository(repo["name"], default_branch=repo.get("default_branch", "main"))
            for pull in repo.get("pulls", []):
                self.add_pull(repo["name"], **pull)
        for token in scenario.get("tokens", []):
            self.add_token(
                token["token"],
                login=token["login"],
                read_only=token.get("read_only", False),
                app=token.get("app", False),
            )
        for seed in scenario.get("comments", []):
            if "count" in seed:
                self.seed_comments(
                    seed["repository"],
                    seed["pr"],
                    seed["count"],
                    user=seed.get("user", "someone"),
                    body=seed.get("body", "Looks good to me."),
                )
            else:
                self.add_comment(seed["repository"], seed["pr"], seed["body"], user=seed.get("user", "someone"))
        for issue in scenario.get("issues", []):
            self.add_issue(
                issue["repository"],
                title=issue.get("title", "An issue"),
                body=issue.get("body", ""),
                user=issue.get("user", "octocat"),
                labels=tuple(issue.get("labels", ())),
                state=issue.get("state", "open"),
            )
        for workflow in scenario.get("workflows", []):
            self.add_workflow(workflow["repository"], workflow["workflow"], inputs=workflow.get("inputs", ()))
        for fault in scenario.get("faults", []):
            self._add_fault(
                fault["method"],
                fault["path"],
                fault["status"],
                fault.get("times", 1),
                fault.get("headers"),
                fault.get("body"),
                after_acting=fault.get("after_acting", False),
            )

    # -- reading state -----------------------------------------------------------------------------

    def issue_comments(self, repository: str, pr: int) -> list[dict[str, Any]]:
        """The PR's comments as the API shows them, oldest first."""
        with self._lock:
            return [
                self._comment_json(c)
                for c in self.comments.values()
                if c["repository"] == repository and c["issue"] == pr
            ]

    def issues(self, repository: str, *, state: str | None = None) -> list[dict[str, Any]]:
        """The repository's issues (not pull requests) as the API shows them, oldest first."""
        with self._lock:
            return [
                self._issue_json(issue)
                for issue in self.repositories[repository].issues.values()
                if state is None or issue["state"] == state
            ]

    def pulls(self, repository: str, *, state: str | None = None) -> list[dict[str, Any]]:
        """The repository's pull requests as the API shows them, oldest first."""
        with self._lock:
            return [
                dict(pull)
                for pull in self.repositories[repository].pulls.values()
                if state is None or pull["state"] == state
            ]

    def statuses_for(self, repository: str, sha: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(s) for s in self.statuses if s["repository"] == repository and s["sha"] == sha]

    def requests_matching(self, method: str | None = None, path_pattern: str | None = None) -> list[dict[str, Any]]:
        """Entries of the request log (method, path, query, status, login, headers of note)."""
        with self._lock:
            return [
                dict(entry)
                for entry in self.requests
                if (method is None or entry["method"] == method.upper())
                and (path_pattern is None or re.fullmatch(path_pattern, entry["path"]))
            ]

    def assert_comments_render(self) -> None:
        """Raise AssertionError when a comment it received would not render on GitHub as written."""
        if self.markdown_problems:
            raise AssertionError(
                "a comment would not render as written on GitHub:\n- " + "\n- ".join(self.markdown_problems)
            )

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain JSON data (what the state file holds)."""
        with self._lock:
            return {
                "url": self.url if self._server is not None else None,
                "repositories": {
                    name: {"default_branch": repo.default_branch, "pulls": list(repo.pulls.values())}
                    for name, repo in self.repositories.items()
                },
                "tokens": [{"login": t.login, "read_only": t.read_only, "app": t.app} for t in self.tokens.values()],
                "comments": [
                    {**self._comment_json(c), "repository": c["repository"], "issue": c["issue"]}
                    for c in self.comments.values()
                ],
                "statuses": [dict(s) for s in self.statuses],
                "deployments": [dict(d) for d in self.deployments],
                "deployment_statuses": [dict(s) for s in self.deployment_statuses],
                "dispatches": [dict(d) for d in self.dispatches],
                "workflow_dispatches": [dict(d) for d in self.workflow_dispatches],
                "issues": [
                    {**self._issue_json(issue), "repository": name}
                    for name, repo in self.repositories.items()
                    for issue in repo.issues.values()
                ],
                "requests": [dict(r) for r in self.requests],
                "markdown_problems": list(self.markdown_problems),
            }

    # -- serving -----------------------------------------------------------------------------------

    def handle(self, request: _Handler) -> None:
        """Answer one HTTP request (called on the server's thread for that connection)."""
        method = request.command.upper()
        parts = urlsplit(request.path)
        path = parts.path
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        raw = request.read_body()
        if raw is None:
            request.send_json(413, {"message": "Request body too large"}, {})
            return
        hold = self._claim_hold(method, path)
        self._run_hooks(method, path)
        fault = self._take_fault(method, path)
        if fault is not None and not fault.after_acting:
            status, body, headers = fault.status, _fault_body(fault), dict(fault.headers)
        else:
            with self._lock:
                status, body, headers = self._answer(method, path, query, raw, request.headers)
            if fault is not None:
                status, body, headers = fault.status, _fault_body(fault), dict(fault.headers)
        with self._lock:
            token = self.tokens.get(_bearer(request.headers.get("Authorization")) or "")
            self.requests.append(
                {
                    "method": method,
                    "path": path,
                    "query": query,
                    "status": status,
                    "login": token.login if token else None,
                    "user_agent": request.headers.get("User-Agent"),
                    "api_version": request.headers.get("X-GitHub-Api-Version"),
                    "accept": request.headers.get("Accept"),
                    "faulted": fault is not None,
                }
            )
            self._dump()
        # Held requests are answered from the state before any of them is sent: released earlier,
        # one party's answer could reach its client, and its next request change the state, before
        # another party's answer was computed.
        self._await_hold(hold)
        request.send_json(status, body, headers)

    def _answer(self, method: str, path: str, query: dict[str, str], raw: bytes, headers: Any) -> Answer:
        version = headers.get("X-GitHub-Api-Version")
        if version is not None and version not in API_VERSIONS:
            return _message(400, f"The provided API version '{version}' is not supported.")
        token = self.tokens.get(_bearer(headers.get("Authorization")) or "")
        if token is None:
            return _message(401, "Bad credentials" if headers.get("Authorization") else "Requires authentication")
        if raw:
            try:
                payload = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                return _message(400, "Problems parsing JSON")
        else:
            payload = None
        for route_method, pattern, handler in self._routes():
            match = pattern.fullmatch(path)
            if match is None or route_method != method:
                continue
            params = match.groupdict()
            repository = None
            if "owner" in params:
                repository = f"{params.pop('owner')}/{params.pop('repo')}"
                if repository not in self.repositories:
                    return _message(404, "Not Found")
            # GraphQL takes queries by POST; a read-only token may still ask them.
            if method != "GET" and token.read_only and path != "/graphql":
                return (
                    403,
                    {"message": NOT_ACCESSIBLE, "documentation_url": DOCS},
                    {"X-Accepted-GitHub-Permissions": _permission_for(path)},
                )
            return handler(token=token, repository=repository, query=query, payload=payload, **params)
        return _message(404, "Not Found")

    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Answer]]]:
        repo = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        table = [
            ("GET", "/user", self._get_user),
            ("POST", "/graphql", self._graphql),
            ("GET", repo, self._get_repository),
            ("GET", repo + r"/pulls", self._list_pulls),
            ("POST", repo + r"/pulls", self._create_pull),
            ("GET", repo + r"/pulls/(?P<number>\d+)", self._get_pull),
            ("PATCH", repo + r"/pulls/(?P<number>\d+)", self._update_pull),
            ("GET", repo + r"/issues", self._list_issues),
            ("POST", repo + r"/issues", self._create_issue),
            ("GET", repo + r"/issues/(?P<number>\d+)", self._get_issue),
            ("PATCH", repo + r"/issues/(?P<number>\d+)", self._update_issue),
            ("POST", repo + r"/actions/workflows/(?P<workflow>[^/]+)/dispatches", self._dispatch_workflow),
            ("GET", repo + r"/issues/(?P<number>\d+)/comments", self._list_comments),
            ("POST", repo + r"/issues/(?P<number>\d+)/comments", self._create_comment),
            ("GET", repo + r"/issues/comments/(?P<comment_id>\d+)", self._get_comment),
            ("PATCH", repo + r"/issues/comments/(?P<comment_id>\d+)", self._update_comment),
            ("DELETE", repo + r"/issues/comments/(?P<comment_id>\d+)", self._delete_comment),
            ("POST", repo + r"/statuses/(?P<sha>[^/]+)", self._create_status),
            ("GET", repo + r"/commits/(?P<sha>[^/]+)/statuses", self._list_statuses),
            ("GET", repo + r"/deployments", self._list_deployments),
            ("POST", repo + r"/deployments", self._create_deployment),
            ("GET", repo + r"/deployments/(?P<deployment_id>\d+)/statuses", self._list_deployment_statuses),
            ("POST", repo + r"/deployments/(?P<deployment_id>\d+)/statuses", self._create_deployment_status),
            ("POST", repo + r"/dispatches", self._create_dispatch),
        ]
        return [(method, re.compile(pattern), handler) for method, pattern, handler in table]

    # -- endpoints ---------------------------------------------------------------------------------

    def _get_user(self, *, token: Token, **_: Any) -> Answer:
        if token.app:
            return (403, {"message": NOT_ACCESSIBLE, "documentation_url": DOCS}, {})
        return 200, {**_user(token.login), "name": token.login}, {}

    def _graphql(self, *, token: Token, payload: Any, **_: Any) -> Answer:
        """Only `query { viewer { login } }`: every kind of token may ask who it is here."""
        query = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(query, str):
            return _message(400, "A query attribute must be specified and must be a string.")
        if re.fullmatch(r"\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*", query):
            return 200, {"data": {"viewer": {"login": token.login}}}, {}
        return 200, {"errors": [{"message": "the stand-in GitHub answers only the viewer's login"}]}, {}

    def _get_repository(self, *, repository: str, **_: Any) -> Answer:
        repo = self.repositories[repository]
        return (
            200,
            {
                "full_name": repository,
                "name": repository.split("/")[1],
                "default_branch": repo.default_branch,
                "visibility": "public",
                "html_url": f"{self._web()}/{repository}",
            },
            {},
        )

    def _get_pull(self, *, repository: str, number: str, **_: Any) -> Answer:
        pull = self.repositories[repository].pulls.get(int(number))
        return (200, pull, {}) if pull else _message(404, "Not Found")

    def _list_comments(self, *, repository: str, number: str, query: dict[str, str], **_: Any) -> Answer:
        if not self._has_issue(repository, int(number)):
            return _message(404, "Not Found")
        items = [
            self._comment_json(c)
            for c in self.comments.values()
            if c["repository"] == repository and c["issue"] == int(number)
        ]
        return self._page(items, query, f"/repos/{repository}/issues/{number}/comments")

    def _create_comment(self, *, token: Token, repository: str, number: str, payload: Any, **_: Any) -> Answer:
        if not self._has_issue(repository, int(number)):
            return _message(404, "Not Found")
        body, problem = _comment_text(payload)
        if problem:
            return problem
        self._check_markdown(body)
        comment = self._new_comment(repository, int(number), body, token.login)
        return 201, self._comment_json(comment), {"Location": self._comment_json(comment)["url"]}

    def _get_comment(self, *, repository: str, comment_id: str, **_: Any) -> Answer:
        comment = self._find_comment(repository, comment_id)
        return (200, self._comment_json(comment), {}) if comment else _message(404, "Not Found")

    def _update_comment(self, *, repository: str, comment_id: str, payload: Any, **_: Any) -> Answer:
        comment = self._find_comment(repository, comment_id)
        if comment is None:
            return _message(404, "Not Found")
        body, problem = _comment_text(payload)
        if problem:
            return problem
        self._check_markdown(body)
        comment["body"] = body
        comment["updated_at"] = _now()
        return 200, self._comment_json(comment), {}

    def _delete_comment(self, *, repository: str, comment_id: str, **_: Any) -> Answer:
        comment = self._find_comment(repository, comment_id)
        if comment is None:
            return _message(404, "Not Found")
        del self.comments[comment["id"]]
        return 204, None, {}

    def _create_status(self, *, token: Token, repository: str, sha: str, payload: Any, **_: Any) -> Answer:
        if not re.fullmatch(r"[0-9a-f]{40}", sha):
            return _message(422, f"No commit found for SHA: {sha}")
        if not isinstance(payload, dict) or payload.get("state") not in STATUS_STATES:
            return _validation("Status", "state", "invalid", "state is not included in the list")
        description = payload.get("description")
        if description is not None and (
            not isinstance(description, str) or len(description) > MAX_STATUS_DESCRIPTION_CHARS
        ):
            return _validation(
                "Status",
                "description",
                "custom",
                f"description is too long (maximum is {MAX_STATUS_DESCRIPTION_CHARS} characters)",
            )
        status_id = self._new_id()
        now = _now()
        status = {
            "id": status_id,
            "url": f"{self.url}/repos/{repository}/statuses/{sha}",
            "state": payload["state"],
            "description": description,
            "target_url": payload.get("target_url"),
            "context": payload.get("context") or "default",
            "creator": _user(token.login),
            "created_at": now,
            "updated_at": now,
            "repository": repository,
            "sha": sha,
        }
        self.statuses.append(status)
        return 201, status, {}

    def _list_statuses(self, *, repository: str, sha: str, query: dict[str, str], **_: Any) -> Answer:
        items = [s for s in reversed(self.statuses) if s["repository"] == repository and s["sha"] == sha]
        return self._page(items, query, f"/repos/{repository}/commits/{sha}/statuses")

    def _create_deployment(self, *, token: Token, repository: str, payload: Any, **_: Any) -> Answer:
        if not isinstance(payload, dict) or not isinstance(payload.get("ref"), str) or not payload["ref"]:
            return _validation("Deployment", "ref", "missing_field", "ref is required")
        # Kept as sent: GitHub hands a payload sent as a JSON string back as that string.
        deployment_payload = payload.get("payload", {})
        if isinstance(deployment_payload, str):
            try:
                json.loads(deployment_payload)
            except ValueError:
                return _validation("Deployment", "payload", "invalid", "payload is not valid JSON")
        ref = payload["ref"]
        sha = ref if re.fullmatch(r"[0-9a-f]{40}", ref) else hashlib.sha1(ref.encode()).hexdigest()
        deployment_id = self._new_id()
        now = _now()
        deployment = {
            "id": deployment_id,
            "url": f"{self.url}/repos/{repository}/deployments/{deployment_id}",
            "sha": sha,
            "ref": ref,
            "task": payload.get("task", "deploy"),
            "payload": deployment_payload,
            "environment": payload.get("environment", "production"),
            "description": payload.get("description"),
            "creator": _user(token.login),
            "created_at": now,
            "updated_at": now,
            "statuses_url": f"{self.url}/repos/{repository}/deployments/{deployment_id}/statuses",
            "transient_environment": bool(payload.get("transient_environment", False)),
            "production_environment": bool(
                payload.get("production_environment", payload.get("environment", "production") == "production")
            ),
            "repository": repository,
        }
        self.deployments.append(deployment)
        return 201, deployment, {}

    def _list_deployments(self, *, repository: str, query: dict[str, str], **_: Any) -> Answer:
        items = [
            d
            for d in reversed(self.deployments)
            if d["repository"] == repository
            and all(d.get(key) == query[key] for key in ("sha", "ref", "task", "environment") if key in query)
        ]
        return self._page(items, query, f"/repos/{repository}/deployments")

    def _create_deployment_status(
        self, *, token: Token, repository: str, deployment_id: str, payload: Any, **_: Any
    ) -> Answer:
        deployment = self._find_deployment(repository, deployment_id)
        if deployment is None:
            return _message(404, "Not Found")
        if not isinstance(payload, dict) or payload.get("state") not in DEPLOYMENT_STATES:
            return _validation("DeploymentStatus", "state", "invalid", "state is not included in the list")
        status = self._add_deployment_status(deployment, payload, token.login)
        if payload["state"] == "success" and payload.get("auto_inactive", True):
            # Like GitHub: a new successful deployment retires the earlier ones to the same environment.
            for other in self.deployments:
                if (
                    other is not deployment
                    and other["repository"] == repository
                    and other["environment"] == deployment["environment"]
                    and self._latest_deployment_state(other) == "success"
                ):
                    self._add_deployment_status(other, {"state": "inactive"}, token.login)
        return 201, status, {}

    def _list_deployment_statuses(
        self, *, repository: str, deployment_id: str, query: dict[str, str], **_: Any
    ) -> Answer:
        deployment = self._find_deployment(repository, deployment_id)
        if deployment is None:
            return _message(404, "Not Found")
        items = [s for s in reversed(self.deployment_statuses) if s["deployment_id"] == deployment["id"]]
        return self._page(items, query, f"/repos/{repository}/deployments/{deployment_id}/statuses")

    def _create_dispatch(self, *, token: Token, repository: str, payload: Any, **_: Any) -> Answer:
        event_type = payload.get("event_type") if isinstance(payload, dict) else None
        if not isinstance(event_type, str) or not 1 <= len(event_type) <= 100:
            return _validation("Dispatch", "event_type", "missing_field", "event_type is required")
        client_payload = payload.get("client_payload", {})
        if not isinstance(client_payload, dict) or len(client_payload) > 10:
            return _validation(
                "Dispatch",
                "client_payload",
                "invalid",
                "client_payload must be an object with at most 10 top-level properties",
            )
        self.dispatches.append(
            {
                "repository": repository,
                "event_type": event_type,
                "client_payload": client_payload,
                "sender": token.login,
                "created_at": _now(),
            }
        )
        return 204, None, {}

    def _list_pulls(self, *, repository: str, query: dict[str, str], **_: Any) -> Answer:
        state = query.get("state", "open")
        head = query.get("head")
        items = [
            pull
            for pull in self.repositories[repository].pulls.values()
            if (state == "all" or pull["state"] == state) and (head is None or pull["head"]["label"] == head)
        ]
        return self._page(items, query, f"/repos/{repository}/pulls")

    def _create_pull(self, *, token: Token, repository: str, payload: Any, **_: Any) -> Answer:
        if not isinstance(payload, dict):
            return _validation("PullRequest", "head", "missing_field", "head is required")
        for key in ("title", "head", "base"):
            if not isinstance(payload.get(key), str) or not payload[key]:
                return _validation("PullRequest", key, "missing_field", f"{key} is required")
        head = payload["head"].split(":")[-1]
        label = f"{repository.split('/')[0]}:{head}"
        repo = self.repositories[repository]
        if any(p["head"]["label"] == label and p["state"] == "open" for p in repo.pulls.values()):
            return _validation("PullRequest", "head", "custom", f"A pull request already exists for {label}.")
        body = payload.get("body") or ""
        if body:
            self._check_markdown(body)
        pull = self.add_pull(
            repository,
            repo.next_number(),
            head_ref=head,
            base_ref=payload["base"],
            head_sha=hashlib.sha1(head.encode()).hexdigest(),
            author=token.login,
        )
        pull.update(title=payload["title"], body=body, draft=bool(payload.get("draft", False)))
        return 201, pull, {}

    def _update_pull(self, *, repository: str, number: str, payload: Any, **_: Any) -> Answer:
        pull = self.repositories[repository].pulls.get(int(number))
        if pull is None:
            return _message(404, "Not Found")
        if not isinstance(payload, dict):
            return _message(400, "Problems parsing JSON")
        for key in ("title", "body", "state"):
            if key in payload:
                if key == "body" and payload[key]:
                    self._check_markdown(payload[key])
                pull[key] = payload[key]
        return 200, pull, {}

    def _list_issues(self, *, repository: str, query: dict[str, str], **_: Any) -> Answer:
        state = query.get("state", "open")
        wanted = {label for label in query.get("labels", "").split(",") if label}
        repo = self.repositories[repository]
        # Like GitHub, the list holds pull requests too (with a `pull_request` key), by number.
        entries = [self._issue_json(issue) for issue in repo.issues.values()]
        entries += [self._pull_as_issue(pull) for pull in repo.pulls.values()]
        items = [
            entry
            for entry in sorted(entries, key=lambda entry: -entry["number"])
            if (state == "all" or entry["state"] == state) and wanted <= {label["name"] for label in entry["labels"]}
        ]
        return self._page(items, query, f"/repos/{repository}/issues")

    def _create_issue(self, *, token: Token, repository: str, payload: Any, **_: Any) -> Answer:
        title = payload.get("title") if isinstance(payload, dict) else None
        if not isinstance(title, str) or not title.strip():
            return _validation("Issue", "title", "missing_field", "title cannot be blank")
        body = payload.get("body") or ""
        if not isinstance(body, str) or len(body) > MAX_COMMENT_CHARS:
            return _validation(
                "Issue", "body", "custom", f"body is too long (maximum is {MAX_COMMENT_CHARS} characters)"
            )
        labels = payload.get("labels") or []
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            return _validation("Issue", "labels", "invalid", "labels must be a list of names")
        if body:
            self._check_markdown(body)
        issue = self._new_issue(repository, title=title, body=body, login=token.login, labels=labels)
        return 201, self._issue_json(issue), {}

    def _get_issue(self, *, repository: str, number: str, **_: Any) -> Answer:
        repo = self.repositories[repository]
        if int(number) in repo.issues:
            return 200, self._issue_json(repo.issues[int(number)]), {}
        if int(number) in repo.pulls:
            return 200, self._pull_as_issue(repo.pulls[int(number)]), {}
        return _message(404, "Not Found")

    def _update_issue(self, *, repository: str, number: str, payload: Any, **_: Any) -> Answer:
        issue = self.repositories[repository].issues.get(int(number))
        if issue is None:
            return _message(404, "Not Found")
        if not isinstance(payload, dict):
            return _message(400, "Problems parsing JSON")
        if "state" in payload and payload["state"] not in ("open", "closed"):
            return _validation("Issue", "state", "invalid", "state must be open or closed")
        if isinstance(payload.get("body"), str) and payload["body"]:
            self._check_markdown(payload["body"])
        for key in ("title", "body", "state", "state_reason"):
            if key in payload:
                issue[key] = payload[key]
        if "labels" in payload:
            issue["labels"] = list(payload["labels"])
        issue["updated_at"] = _now()
        return 200, self._issue_json(issue), {}

    def _dispatch_workflow(self, *, token: Token, repository: str, workflow: str, payload: Any, **_: Any) -> Answer:
        declared = self.workflows.get(repository, {}).get(workflow)
        if declared is None:
            return _message(404, "Not Found")
        ref = payload.get("ref") if isinstance(payload, dict) else None
        if not isinstance(ref, str) or not ref:
            return _validation("WorkflowDispatch", "ref", "missing_field", "ref is required")
        inputs = payload.get("inputs", {})
        if not isinstance(inputs, dict) or len(inputs) > 10:
            return _message(422, "inputs must be an object with at most 10 properties")
        unexpected = sorted(set(inputs) - declared)
        if unexpected:
            return _message(422, f"Unexpected inputs provided: {json.dumps(unexpected)}")
        self.workflow_dispatches.append(
            {
                "repository": repository,
                "workflow": workflow,
                "ref": ref,
                "inputs": inputs,
                "sender": token.login,
                "created_at": _now(),
            }
        )
        return 204, None, {}

    # -- helpers -----------------------------------------------------------------------------------

    def _page(self, items: list[Any], query: dict[str, str], path: str) -> Answer:
        """One page of `items`, with GitHub's `Link` header (rel prev/next/first/last)."""
        per_page = min(max(_int(query.get("per_page"), 30), 1), 100)
        page = max(_int(query.get("page"), 1), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []

        def link(number: int, rel: str) -> str:
            return f'<{self.url}{path}?{urlencode({**query, "per_page": per_page, "page": number})}>; rel="{rel}"'

        if page > 1:
            links.append(link(min(page - 1, last), "prev"))
        if page < last:
            links.extend([link(page + 1, "next"), link(last, "last")])
        if page > 1:
            links.append(link(1, "first"))
        return 200, chunk, ({"Link": ", ".join(links)} if links else {})

    def _has_issue(self, repository: str, number: int) -> bool:
        repo = self.repositories[repository]
        return number in repo.pulls or number in repo.issues

    def _new_issue(self, repository: str, *, title: str, body: str, login: str, labels: list[str]) -> dict[str, Any]:
        repo = self.repositories[repository]
        now = _now()
        issue = {
            "number": repo.next_number(),
            "id": self._new_id(),
            "title": title,
            "body": body,
            "login": login,
            "labels": list(labels),
            "state": "open",
            "state_reason": None,
            "created_at": now,
            "updated_at": now,
            "repository": repository,
        }
        repo.issues[issue["number"]] = issue
        return issue

    def _issue_json(self, issue: dict[str, Any]) -> dict[str, Any]:
        repository, number = issue["repository"], issue["number"]
        return {
            "id": issue["id"],
            "number": number,
            "url": f"{self._api()}/repos/{repository}/issues/{number}",
            "html_url": f"{self._web()}/{repository}/issues/{number}",
            "title": issue["title"],
            "body": issue["body"],
            "user": _user(issue["login"]),
            "labels": [{"name": name} for name in issue["labels"]],
            "state": issue["state"],
            "state_reason": issue["state_reason"],
            "created_at": issue["created_at"],
            "updated_at": issue["updated_at"],
        }

    def _pull_as_issue(self, pull: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": pull["number"],
            "number": pull["number"],
            "html_url": pull["html_url"],
            "title": pull["title"],
            "body": pull.get("body") or "",
            "user": pull["user"],
            "labels": [],
            "state": pull["state"],
            "pull_request": {"html_url": pull["html_url"]},
        }

    def _check_markdown(self, body: str) -> None:
        # Only mlci's reports must start with the marker; any comment must render as written.
        report = body.startswith(REPORT_MARKER_START)
        self.markdown_problems += [f"comment {body[:60]!r}: {p}" for p in markdown_problems(body, marker=report)]

    def _new_comment(self, repository: str, pr: int, body: str, login: str) -> dict[str, Any]:
        if repository not in self.repositories or not self._has_issue(repository, pr):
            raise KeyError(f"no pull request or issue {repository}#{pr} in the fake GitHub; add_pull it first")
        now = _now()
        comment = {
            "id": self._new_id(),
            "repository": repository,
            "issue": pr,
            "body": body,
            "login": login,
            "created_at": now,
            "updated_at": now,
        }
        self.comments[comment["id"]] = comment
        return comment

    def _comment_json(self, comment: dict[str, Any]) -> dict[str, Any]:
        repository, number, comment_id = comment["repository"], comment["issue"], comment["id"]
        return {
            "id": comment_id,
            "node_id": f"IC_{comment_id}",
            "url": f"{self._api()}/repos/{repository}/issues/comments/{comment_id}",
            "html_url": f"{self._web()}/{repository}/pull/{number}#issuecomment-{comment_id}",
            "issue_url": f"{self._api()}/repos/{repository}/issues/{number}",
            "body": comment["body"],
            "user": _user(comment["login"]),
            "created_at": comment["created_at"],
            "updated_at": comment["updated_at"],
            "author_association": "NONE",
        }

    def _find_comment(self, repository: str, comment_id: str) -> dict[str, Any] | None:
        comment = self.comments.get(int(comment_id))
        return comment if comment is not None and comment["repository"] == repository else None

    def _find_deployment(self, repository: str, deployment_id: str) -> dict[str, Any] | None:
        return next(
            (d for d in self.deployments if d["id"] == int(deployment_id) and d["repository"] == repository), None
        )

    def _add_deployment_status(self, deployment: dict[str, Any], payload: dict[str, Any], login: str) -> dict[str, Any]:
        status_id = self._new_id()
        now = _now()
        status = {
            "id": status_id,
            "deployment_id": deployment["id"],
            "state": payload["state"],
            "url": f"{deployment['url']}/statuses/{status_id}",
            "creator": _user(login),
            "description": payload.get("description", ""),
            "environment": payload.get("environment", deployment["environment"]),
            "environment_url": payload.get("environment_url", ""),
            "log_url": payload.get("log_url", ""),
            "created_at": now,
            "updated_at": now,
            "repository": deployment["repository"],
        }
        self.deployment_statuses.append(status)
        return status

    def _latest_deployment_state(self, deployment: dict[str, Any]) -> str | None:
        states = [s["state"] for s in self.deployment_statuses if s["deployment_id"] == deployment["id"]]
        return states[-1] if states else None

    def _new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id

    def _api(self) -> str:
        return self.url if self._server is not None else "http://127.0.0.1"

    def _web(self) -> str:
        return self._api()

    def _add_fault(
        self,
        method: str,
        path_pattern: str,
        status: int,
        times: int,
        headers: Mapping[str, str] | None,
        body: Any,
        *,
        after_acting: bool,
    ) -> None:
        with self._lock:
            self._faults.append(
                Fault(
                    method=method.upper(),
                    pattern=re.compile(path_pattern),
                    status=status,
                    times=times,
                    headers=dict(headers or {}),
                    body=body,
                    after_acting=after_acting,
                )
            )

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and fault.method == method and fault.pattern.fullmatch(path):
                    fault.times -= 1
                    return fault
        return None

    def _run_hooks(self, method: str, path: str) -> None:
        with self._lock:
            due = [
                hook
                for hook in self._hooks
                if hook.times > 0 and hook.method == method and hook.pattern.fullmatch(path)
            ]
            for hook in due:
                hook.times -= 1
        for hook in due:
            hook.action()

    def _claim_hold(self, method: str, path: str) -> _Hold | None:
        with self._lock:
            hold = next(
                (h for h in self._holds if h.remaining > 0 and h.method == method and h.pattern.fullmatch(path)), None
            )
            if hold is not None:
                hold.remaining -= 1
        return hold

    def _await_hold(self, hold: _Hold | None) -> None:
        if hold is not None:
            # If the other party never comes, answer anyway rather than hang the test.
            with contextlib.suppress(threading.BrokenBarrierError):
                hold.barrier.wait(hold.timeout)

    def _dump(self) -> None:
        """Write the state file (atomically, so a reader never sees half of it)."""
        if self.state_file is None:
            return
        with self._lock:
            text = json.dumps(self.snapshot(), indent=1)
            handle, temp = tempfile.mkstemp(dir=self.state_file.parent, prefix=".fake-github-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, self.state_file)


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the `FakeGitHub` that owns the server."""

    server_version = "FakeGitHub/1.0"

    def do_GET(self) -> None:
        self.server.fake.handle(self)  # type: ignore[attr-defined]

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def read_body(self) -> bytes | None:
        """The request body, or None when it is too large to read."""
        length = _int(self.headers.get("Content-Length"), 0)
        if length > MAX_REQUEST_BYTES:
            # Read nothing: the answer says the body is too big, and the connection closes after it.
            return None
        return self.rfile.read(length) if length > 0 else b""

    def send_json(self, status: int, body: Any, headers: Mapping[str, str]) -> None:
        if isinstance(body, bytes):
            data = body  # an injected non-JSON answer
        else:
            data = b"" if body is None or status == 204 else json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
        names = {name.lower() for name in headers}
        if "x-ratelimit-remaining" not in names:
            self.send_header("X-RateLimit-Limit", "5000")
            self.send_header("X-RateLimit-Remaining", "4999")
            self.send_header("X-RateLimit-Reset", str(int(datetime.now(UTC).timestamp()) + 3600))
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log in the state replaces the server's stderr chatter


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() in ("bearer", "token") else None


def _comment_text(payload: Any) -> tuple[str, Answer | None]:
    body = payload.get("body") if isinstance(payload, dict) else None
    if not isinstance(body, str) or not body.strip():
        return "", _validation("IssueComment", "body", "missing_field", "body cannot be blank")
    if len(body) > MAX_COMMENT_CHARS:
        return "", _validation(
            "IssueComment", "body", "custom", f"body is too long (maximum is {MAX_COMMENT_CHARS} characters)"
        )
    return body, None


def _permission_for(path: str) -> str:
    if "/statuses/" in path:
        return "statuses=write"
    if "/deployments" in path:
        return "deployments=write"
    if "/actions/workflows/" in path:
        return "actions=write"
    if path.endswith("/dispatches"):
        return "contents=write"
    if re.search(r"/issues(/\d+)?$", path):
        return "issues=write"
    if re.search(r"/pulls(/\d+)?$", path):
        return "pull_requests=write"
    return "issues=write; pull_requests=write"


def _fault_body(fault: Fault) -> Any:
    if fault.body is not None:
        return fault.body
    headers = {name.lower(): value for name, value in fault.headers.items()}
    if fault.status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        return {"message": "API rate limit exceeded for installation ID 1.", "documentation_url": DOCS}
    if fault.status in (403, 429):
        return {"message": SECONDARY_LIMIT_MESSAGE, "documentation_url": DOCS}
    try:
        return {"message": HTTPStatus(fault.status).phrase}
    except ValueError:
        return {"message": "Error"}


def _message(status: int, message: str) -> Answer:
    return status, {"message": message, "documentation_url": DOCS}, {}


def _validation(resource: str, field_name: str, code: str, message: str) -> Answer:
    return (
        422,
        {
            "message": "Validation Failed",
            "documentation_url": DOCS,
            "errors": [{"resource": resource, "field": field_name, "code": code, "message": message}],
        },
        {},
    )


def _user(login: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": int(hashlib.sha1(login.encode()).hexdigest()[:8], 16),
        "type": "Bot" if login.endswith("[bot]") else "User",
    }


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def main(argv: list[str] | None = None) -> int:
    """Run the stand-in as a process until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m testing.fake_github", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--port-file", type=Path, required=True, help="where to write the port once listening")
    parser.add_argument("--state-file", type=Path, required=True, help="where to keep the state as JSON")
    parser.add_argument("--scenario", type=Path, help="a JSON file of repositories, tokens, comments and faults")
    args = parser.parse_args(argv)
    fake = FakeGitHub(port=args.port, state_file=args.state_file.resolve())
    if args.scenario is not None:
        try:
            fake.apply_scenario(json.loads(args.scenario.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"fake_github: cannot use scenario {args.scenario}: {exc}", file=sys.stderr)
            return 2
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    fake.start()
    temp = args.port_file.with_name(args.port_file.name + ".tmp")
    temp.write_text(str(fake.port), encoding="utf-8")
    os.replace(temp, args.port_file)
    print(f"fake GitHub API at {fake.url}", file=sys.stderr, flush=True)
    stopped.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
