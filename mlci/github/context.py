"""What a GitHub Actions run is about, read once from its environment and event file.

This is the one place in mlci that reads the runner's variables (`GITHUB_*`, `RUNNER_*`, `CI`, and
`MLCI_JOB_TOKEN`, which the actions set to the job's own token):
everything else is handed a `GitHubContext`. It says whether this is a CI run at all, the
repository, the event, the pull request (if any) with its base and head, the token, and where the
step's outputs, summary and temporary files go. Values are checked here, so a wrong variable is
reported by name instead of failing later in an API call. Outside a runner every field is empty,
and the same code paths simply find nothing to post.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from mlci.config.files import TooDeeplyNested, load_json, read_bounded
from mlci.config.records import record
from mlci.errors import ConfigError
from mlci.git import COMMIT_ID

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"
# GitHub caps webhook payloads at 25 MB; anything larger is not an event file.
MAX_EVENT_BYTES = 25 * 1024 * 1024
PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})
ZERO_SHA = re.compile(r"^0+$")
REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
PULL_REF = re.compile(r"^refs/pull/(\d+)/(merge|head)$")
# The `workflow_dispatch` input naming the pull request a dispatched run reports on (`mlci retrain`
# sets it). A pull request's number, wherever it comes from, is a positive whole number in ASCII
# digits, as GitHub numbers them (no sign, no leading zero, no other script's digits).
DISPATCH_PULL_REQUEST_INPUT = "pull-request"
PULL_NUMBER = re.compile(r"[1-9][0-9]{0,9}")


def check_repository(value: str, *, where: str = "repository") -> str:
    """Return `value` when it is `owner/name`, else raise a `ConfigError` naming `where`."""
    # `.` and `..` would turn API paths into other paths.
    if not isinstance(value, str) or not REPOSITORY.match(value) or value.split("/", 1)[1] in (".", ".."):
        raise ConfigError(
            f"{where}: {value!r} is not a repository in the form owner/name",
            hint="Set it to the repository's full name, e.g. octo-org/churn-model.",
        )
    return value


@record
class GitHubContext:
    """The run's GitHub environment; build it with `GitHubContext.from_env`."""

    repository: str | None = None
    api_url: str = DEFAULT_API_URL
    server_url: str = DEFAULT_SERVER_URL
    event_name: str | None = None
    event: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False, compare=False)
    sha: str | None = None
    ref: str | None = None
    token: str | None = field(default=None, repr=False)
    job_token: str | None = field(default=None, repr=False)
    """The job's own token (`${{ github.token }}`), as the actions pass it beside `token`."""
    step_summary: Path | None = None
    output: Path | None = None
    run_id: str | None = None
    actor: str | None = None
    workflow: str | None = None
    in_actions: bool = False
    """GitHub Actions is running this (its workflow commands are understood in the log)."""
    ci: bool = False
    """Some CI runner is: no terminal to draw on, whatever stderr claims."""
    runner_temp: Path | None = None
    workspace: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GitHubContext:
        """Read the `GITHUB_*` variables (default: this process's environment) and the event file.

        Raises `ConfigError` naming the variable or file when a value is unusable.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name)
            return value if value else None

        repository = get("GITHUB_REPOSITORY")
        sha = get("GITHUB_SHA")
        if sha is not None and not COMMIT_ID.match(sha):
            raise ConfigError(f"GITHUB_SHA: {sha!r} is not a full commit SHA (40 hexadecimal characters)")
        run_id = get("GITHUB_RUN_ID")
        if run_id is not None and not run_id.isdigit():
            raise ConfigError(f"GITHUB_RUN_ID: {run_id!r} is not a number")
        event_path = get("GITHUB_EVENT_PATH")
        in_actions = get("GITHUB_ACTIONS") == "true"
        return cls(
            repository=check_repository(repository, where="GITHUB_REPOSITORY") if repository else None,
            api_url=_http_url(get("GITHUB_API_URL") or DEFAULT_API_URL, name="GITHUB_API_URL"),
            server_url=_http_url(get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL, name="GITHUB_SERVER_URL"),
            event_name=get("GITHUB_EVENT_NAME"),
            event=MappingProxyType(read_event(Path(event_path))) if event_path else MappingProxyType({}),
            sha=sha,
            ref=get("GITHUB_REF"),
            token=get("GITHUB_TOKEN"),
            job_token=get("MLCI_JOB_TOKEN"),
            step_summary=_optional_path(get("GITHUB_STEP_SUMMARY")),
            output=_optional_path(get("GITHUB_OUTPUT")),
            run_id=run_id,
            actor=get("GITHUB_ACTOR"),
            workflow=get("GITHUB_WORKFLOW"),
            in_actions=in_actions,
            ci=in_actions or bool(get("CI")),
            runner_temp=_optional_path(get("RUNNER_TEMP")),
            workspace=_optional_path(get("GITHUB_WORKSPACE")),
        )

    def require_repository(self) -> str:
        """The repository, for calls to GitHub's API; `ConfigError` when GITHUB_REPOSITORY is not set."""
        if self.repository is None:
            raise ConfigError(
                "GITHUB_REPOSITORY is not set, so mlci does not know which repository to talk to",
                hint="GitHub Actions sets it; elsewhere set it to owner/name.",
            )
        return self.repository

    def require_token(self) -> str:
        """The token, for calls that write to GitHub; `ConfigError` when GITHUB_TOKEN is not set."""
        if not self.token:
            raise ConfigError(
                "posting to GitHub needs a token in GITHUB_TOKEN",
                hint="In a workflow, the action passes its `github-token` input (default: the job's token).",
            )
        return self.token

    @property
    def uses_job_token(self) -> bool:
        """The token in use is the job's own, so GitHub shows what it writes as `github-actions[bot]`;
        known without asking GitHub, which does not tell that token who it is."""
        import hmac  # OpenSSL's hashes come with it: a few ms that most commands never need

        return bool(self.token and self.job_token) and hmac.compare_digest(self.token or "", self.job_token or "")

    @property
    def owner(self) -> str:
        return self.require_repository().split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.require_repository().split("/", 1)[1]

    @property
    def is_pull_request(self) -> bool:
        """True for pull_request(_target) events, and for workflow_run events that followed a PR run."""
        if self.event_name in PULL_REQUEST_EVENTS:
            return True
        return self.event_name == "workflow_run" and self._workflow_run.get("event") in PULL_REQUEST_EVENTS

    @property
    def pr_number(self) -> int | None:
        """The pull request's number, or None when the run is not about one (or GitHub did not say)."""
        if self.event_name in PULL_REQUEST_EVENTS:
            number = self._pull_request.get("number", self.event.get("number"))
            return _positive_int(number)
        if self.event_name == "workflow_run":
            # GitHub leaves `pull_requests` empty for runs from forks; the caller must then get the
            # number another way (an artifact written by the first workflow).
            pulls = self._workflow_run.get("pull_requests")
            if isinstance(pulls, list) and pulls and isinstance(pulls[0], Mapping):
                return _positive_int(pulls[0].get("number"))
            return None
        if self.event_name == "issue_comment":
            issue = _mapping(self.event.get("issue"))
            return _positive_int(issue.get("number")) if issue.get("pull_request") else None
        match = PULL_REF.match(self.ref or "")
        return int(match.group(1)) if match else None

    @property
    def dispatched_pull_request(self) -> int | None:
        """The pull request a `workflow_dispatch` run reports on (its `pull-request` input), or None.

        Raises `ConfigError` when the input is anything but a pull request's number. That the pull
        request's head is the dispatched branch is for the caller to check with GitHub.
        """
        if self.event_name != "workflow_dispatch":
            return None
        value = _mapping(self.event.get("inputs")).get(DISPATCH_PULL_REQUEST_INPUT)
        if value is None or value == "":
            return None
        text = value if isinstance(value, str) else json.dumps(value)
        if not PULL_NUMBER.fullmatch(text):
            raise ConfigError(
                f"the workflow_dispatch input {DISPATCH_PULL_REQUEST_INPUT}: {text[:40]!r} is not a pull "
                "request number (a positive whole number)",
                hint="Leave it empty, or give the number of the pull request whose branch the run is on.",
            )
        return int(text)

    @property
    def head_sha(self) -> str | None:
        """The commit under test: the PR's head, the pushed commit, or the run's commit."""
        if self.event_name in PULL_REQUEST_EVENTS:
            return _sha(_mapping(self._pull_request.get("head")).get("sha")) or self.sha
        if self.event_name == "push":
            return _sha(self.event.get("after")) or self.sha
        if self.event_name == "workflow_run":
            return _sha(self._workflow_run.get("head_sha")) or self.sha
        return self.sha

    @property
    def base_sha(self) -> str | None:
        """What the head is compared with: the PR's base commit, or the branch tip before a push."""
        if self.event_name in PULL_REQUEST_EVENTS:
            return _sha(_mapping(self._pull_request.get("base")).get("sha"))
        if self.event_name == "push":
            return _sha(self.event.get("before"))
        return None

    @property
    def created_branch(self) -> bool:
        """A push that created its branch (`before` all zeros): the branch held nothing before it,
        as on a new repository's first push."""
        if self.event_name != "push":
            return False
        before = self.event.get("before")
        return self.event.get("created") is True or (isinstance(before, str) and bool(ZERO_SHA.match(before)))

    @property
    def head_ref(self) -> str | None:
        """The branch under test: the PR's head branch, or the branch the run is on."""
        if self.event_name in PULL_REQUEST_EVENTS:
            return _text(_mapping(self._pull_request.get("head")).get("ref"))
        if self.event_name == "workflow_run":
            return _text(self._workflow_run.get("head_branch"))
        return self.branch

    @property
    def base_ref(self) -> str | None:
        """The branch a PR merges into; None when the run is not about a PR."""
        if self.event_name in PULL_REQUEST_EVENTS:
            return _text(_mapping(self._pull_request.get("base")).get("ref"))
        return None

    @property
    def branch(self) -> str | None:
        """The branch named by GITHUB_REF, or None for tags and PR merge refs."""
        if self.ref and self.ref.startswith("refs/heads/"):
            return self.ref.removeprefix("refs/heads/")
        return None

    @property
    def default_branch(self) -> str | None:
        """The repository's default branch as the event says (`repository.default_branch`)."""
        return _text(_mapping(self.event.get("repository")).get("default_branch"))

    def pushes_to(self, branch: str | None) -> bool:
        """Whether this run is about a push to `branch`."""
        return self.event_name == "push" and branch is not None and self.ref == f"refs/heads/{branch}"

    @property
    def is_fork(self) -> bool:
        """True when the PR's head lives in another repository (so the token is read-only)."""
        if self.event_name in PULL_REQUEST_EVENTS:
            head_repo = _mapping(_mapping(self._pull_request.get("head")).get("repo"))
            base_repo = _mapping(_mapping(self._pull_request.get("base")).get("repo"))
            head_name = head_repo.get("full_name")
            base_name = base_repo.get("full_name") or self.repository
            # A deleted fork shows up as `repo: null`; it is still not this repository.
            return head_name != base_name
        if self.event_name == "workflow_run":
            head_name = _mapping(self._workflow_run.get("head_repository")).get("full_name")
            base_name = _mapping(self._workflow_run.get("repository")).get("full_name") or self.repository
            return head_name is not None and head_name != base_name
        return False

    @property
    def run_url(self) -> str | None:
        """The web page of this workflow run, for links in comments and statuses."""
        if not self.run_id or not self.repository:
            return None
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    def temporary_folder(self) -> Path | None:
        """`$RUNNER_TEMP/mlci`: outside the checkout and removed after the job; None off a runner."""
        return self.runner_temp / "mlci" if self.runner_temp else None

    @property
    def _pull_request(self) -> Mapping[str, Any]:
        return _mapping(self.event.get("pull_request"))

    @property
    def _workflow_run(self) -> Mapping[str, Any]:
        return _mapping(self.event.get("workflow_run"))


def read_event(path: Path) -> dict[str, Any]:
    """Parse the event payload at `path` (GITHUB_EVENT_PATH), refusing anything but a regular file of
    at most `MAX_EVENT_BYTES` holding a JSON object."""

    def fail(message: str, *, hint: str | None = None) -> ConfigError:
        return ConfigError(f"GITHUB_EVENT_PATH: {message}", hint=hint)

    raw = read_bounded(
        path,
        limit=MAX_EVENT_BYTES,
        what="an event file (no GitHub event is larger)",
        error=fail,
        missing_hint="GitHub Actions writes this file; elsewhere unset GITHUB_EVENT_PATH.",
    )
    try:
        data = load_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the event file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: the event file is not valid JSON: {exc.msg}") from None
    except TooDeeplyNested:
        raise ConfigError(f"{path}: the event file is nested too deeply to read") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the event file holds a JSON {type(data).__name__}, not an object")
    return data


def _http_url(value: str, *, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name}: {value!r} is not an http(s) URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigError(f"{name}: {value!r} must be a plain URL (no credentials, query or fragment)")
    return value.rstrip("/")


def _optional_path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _positive_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _sha(value: Any) -> str | None:
    if isinstance(value, str) and COMMIT_ID.match(value) and not ZERO_SHA.match(value):
        return value
    return None
