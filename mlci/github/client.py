"""A small client for GitHub's REST API: headers, pagination, retries, and errors people can act on.

Retries follow one rule: repeat a request only when repeating cannot do the work twice. Reads and
PUT/PATCH/DELETE are repeated after 5xx answers, timeouts and dropped connections. A POST is
repeated only when GitHub certainly did not act on it (a rate-limit answer, or a connection that was
never made), unless the caller declares it safe (`retry_safe=True`, e.g. a commit status, which
replaces the previous one with the same context). Rate limits are waited out when GitHub says how
long and that is no longer than `max_wait`.

The token goes into the Authorization header and nowhere else: not into URLs, logs, reprs or
error messages (messages are scrubbed in case a server echoes it back).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from mlci import __version__
from mlci.config.records import record
from mlci.errors import INVALID_TOKEN_HINT
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
    needed_permission,
)
from mlci.http import never_reached_server, urllib3_reason

API_VERSION = "2022-11-28"
# Methods whose repetition leaves the same result as doing them once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 32.0
# GitHub's advice for a secondary rate limit without Retry-After: wait at least a minute.
SECONDARY_LIMIT_WAIT_SECONDS = 60.0
MAX_PAGES = 1000
MAX_MESSAGE_CHARS = 500
UNAVAILABLE_HINT = "GitHub may be having trouble (see https://www.githubstatus.com); re-run the job later."
FORK_NOTE = (
    "For a pull request from a fork this is expected: GitHub gives such runs a read-only token, "
    "and the report stays in the job summary and the report file."
)

log = logging.getLogger("mlci.github")


@record
class _RateLimit:
    """A rate-limit answer: how long GitHub asks us to wait, and which limit it is."""

    wait: float
    primary: bool
    reset_at: float | None = None


class GitHubClient:
    """Calls GitHub's REST API at `api_url` with `token`; paths are relative, e.g. `/repos/o/r/pulls/1`."""

    def __init__(
        self,
        api_url: str,
        token: str | None,
        *,
        timeout: float = 30,
        max_attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 120,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.api_url = api_url.rstrip("/")
        self.graphql_url = graphql_url_for(self.api_url)
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self._token = token or None
        self._origin = _origin(self.api_url)
        self._session = requests.Session()
        # Proxy settings from the environment stay honoured: self-hosted runners often need them.
        self._session.headers.update(
            {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": f"mlci/{__version__}",
            }
        )
        if self._token:
            self._session.headers["Authorization"] = f"Bearer {self._token}"

    def __repr__(self) -> str:
        return f"GitHubClient(api_url={self.api_url!r})"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """GET `path` and return its JSON."""
        return self._json(self.request("GET", path, params=params), "GET", path)

    def paginate(
        self, path: str, *, params: Mapping[str, Any] | None = None, per_page: int = 100, key: str | None = None
    ) -> Iterator[Any]:
        """Yield the items of every page of a list endpoint, following `Link: <...>; rel="next"`.

        `key` names the list inside an object answer (e.g. `workflow_runs`); without it the answer
        must be a JSON array.
        """
        target: str | None = path
        query: dict[str, Any] | None = {**(params or {}), "per_page": per_page}
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            if target is None:
                return
            response = self.request("GET", target, params=query)
            seen.add(response.url)
            page = self._json(response, "GET", path)
            items = page.get(key) if key is not None and isinstance(page, dict) else page
            if not isinstance(items, list):
                raise self._error(
                    GitHubBadResponse, f"GET {path}: expected a list of items from GitHub, got {type(items).__name__}"
                )
            yield from items
            target = response.links.get("next", {}).get("url")
            # The next link already carries the query, including per_page.
            query = None
            if target is not None and target in seen:
                raise self._error(
                    GitHubBadResponse,
                    f"GET {path}: GitHub's next-page link points back to a "
                    "page already read; stopped to avoid reading forever",
                )
        raise self._error(GitHubBadResponse, f"GET {path}: more than {MAX_PAGES} pages; stopped")

    def post(self, path: str, *, json: Any = None, retry_safe: bool = False) -> Any:
        """POST `json` to `path`; `retry_safe=True` when repeating it cannot duplicate anything."""
        return self._json(self.request("POST", path, json=json, retry_safe=retry_safe), "POST", path)

    def patch(self, path: str, *, json: Any = None) -> Any:
        """PATCH `path` with `json` and return GitHub's JSON answer."""
        return self._json(self.request("PATCH", path, json=json), "PATCH", path)

    def put(self, path: str, *, json: Any = None) -> Any:
        """PUT `json` at `path` and return GitHub's JSON answer (None for 204)."""
        return self._json(self.request("PUT", path, json=json), "PUT", path)

    def delete(self, path: str) -> None:
        """DELETE `path`."""
        self.request("DELETE", path)

    def graphql(self, query: str) -> dict[str, Any]:
        """Run the read-only GraphQL `query` (so it is safe to repeat) and return its `data`.

        GraphQL reports refusals inside a 200 answer; they raise `GitHubRequestRejected` with
        GitHub's messages.
        """
        label = "POST /graphql"
        answer = self._json(
            self.request("POST", self.graphql_url, json={"query": query}, retry_safe=True), "POST", "/graphql"
        )
        if not isinstance(answer, dict):
            raise self._error(GitHubBadResponse, f"{label}: GitHub's answer is not a JSON object")
        errors = answer.get("errors")
        if errors:
            listed = errors if isinstance(errors, list) else [errors]
            messages = [str(item.get("message")) for item in listed if isinstance(item, dict) and item.get("message")]
            text = self._scrub("; ".join(messages) or "no explanation")[:MAX_MESSAGE_CHARS]
            raise self._error(GitHubRequestRejected, f"GitHub refused {label}: {text}")
        data = answer.get("data")
        if not isinstance(data, dict):
            raise self._error(GitHubBadResponse, f"{label}: GitHub's answer has no data")
        return data

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        retry_safe: bool | None = None,
    ) -> requests.Response:
        """Send one API request with retries; return the successful response or raise a `GitHubError`.

        `path` is relative to the API URL, or an absolute URL on the same host (a pagination link).
        """
        method = method.upper()
        url = self._url(path)
        api_path = urlsplit(url).path.removeprefix(urlsplit(self.api_url).path) or "/"
        label = f"{method} {api_path}"
        repeatable = method in IDEMPOTENT_METHODS if retry_safe is None else retry_safe
        # Set once an attempt may have been carried out although its answer was lost or an error.
        may_have_acted = False
        for attempt in range(1, self.max_attempts + 1):
            last_attempt = attempt == self.max_attempts
            try:
                response = self._session.request(method, url, params=params, json=json, timeout=self.timeout)
            except requests.RequestException as exc:
                problem = self._transport_problem(exc)
                if not repeatable and not never_reached_server(exc):
                    raise self._error(
                        GitHubUnavailable,
                        f"{label}: {problem}; not retried, because GitHub may have acted on it "
                        "and a second try could do it twice",
                        hint=UNAVAILABLE_HINT,
                    ) from None
                if last_attempt:
                    raise self._error(
                        GitHubUnavailable,
                        f"{label}: {problem} (gave up after {attempt} attempts)",
                        hint=UNAVAILABLE_HINT,
                    ) from None
                may_have_acted = may_have_acted or not never_reached_server(exc)
                self._pause(self._backoff(attempt), label, problem, attempt)
                continue
            log.debug("%s -> %s", label, response.status_code)
            if response.status_code < 400:
                return response
            limit = self._rate_limit(response, attempt)
            if limit is not None:
                # A rate-limited request was not carried out, so any method may be repeated.
                self._check_wait(limit, label, attempt, last_attempt)
                self._pause(limit.wait, label, f"rate limited ({response.status_code})", attempt)
                continue
            if response.status_code >= 500:
                problem = f"GitHub answered {response.status_code} ({self._message(response)})"
                if not repeatable:
                    raise self._error(
                        GitHubUnavailable,
                        f"{label}: {problem}; not retried, because GitHub may have acted on it "
                        "and a second try could do it twice",
                        hint=UNAVAILABLE_HINT,
                        status=response.status_code,
                    )
                if last_attempt:
                    raise self._error(
                        GitHubUnavailable,
                        f"{label}: {problem} (gave up after {attempt} attempts)",
                        hint=UNAVAILABLE_HINT,
                        status=response.status_code,
                    )
                may_have_acted = True
                wait = _retry_after(response.headers.get("Retry-After"), self._clock())
                wait = self._backoff(attempt) if wait is None else min(wait, self.max_wait)
                self._pause(wait, label, problem, attempt)
                continue
            if method == "DELETE" and response.status_code == 404 and may_have_acted:
                # An earlier attempt deleted it and only its answer was lost: the goal is reached.
                return response
            raise self._refusal(response, method, label, api_path)
        raise AssertionError("unreachable: the last attempt always returns or raises")

    # -- answers -----------------------------------------------------------------------------------

    def _json(self, response: requests.Response, method: str, path: str) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise self._error(
                GitHubBadResponse,
                f"{method} {path}: GitHub answered {response.status_code} with a body that is not JSON",
                status=response.status_code,
            ) from None

    def _refusal(self, response: requests.Response, method: str, label: str, api_path: str) -> GitHubError:
        """The exception for a 4xx answer that is not a rate limit."""
        status = response.status_code
        message = self._message(response)
        if status == 401 and not self._token:
            return self._error(
                GitHubError,
                f"GitHub needs a token for {label}, and none was given (401: {message})",
                hint="In a workflow, the action passes its `github-token` input; elsewhere set GITHUB_TOKEN.",
                status=status,
            )
        if status == 401:
            return self._error(
                GitHubTokenRejected,
                f"the token is invalid or expired: GitHub rejected it for {label} (401: {message})",
                hint=INVALID_TOKEN_HINT,
                status=status,
            )
        if status == 403:
            write = method not in READ_METHODS
            permission = needed_permission(api_path, response.headers.get("X-Accepted-GitHub-Permissions"), write=write)
            grant = (
                f"Give the workflow {permission} under `permissions:`."
                if permission
                else f"Give the token {'write' if write else 'read'} access to the repository."
            )
            return self._error(
                GitHubWriteForbidden if write else GitHubPermissionError,
                f"the token cannot {label}: GitHub answered 403 ({message})",
                # Only a refused write can be a fork's read-only token: those may still read.
                hint=f"{grant} {FORK_NOTE}" if write else grant,
                status=status,
            )
        if status == 404:
            return self._error(
                GitHubNotFound,
                f"GitHub found nothing at {label} (404: {message})",
                hint="Check the repository name and the number or id in the path; a token without access to a "
                "private repository also gets 404.",
                status=status,
            )
        if status == 422:
            return self._error(GitHubValidationError, f"GitHub refused {label} (422): {message}", status=status)
        return self._error(GitHubRequestRejected, f"GitHub refused {label} ({status}): {message}", status=status)

    def _message(self, response: requests.Response) -> str:
        """GitHub's explanation: `message` plus the `errors` details, or the start of a non-JSON body."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            details = []
            errors = data.get("errors")
            for item in errors if isinstance(errors, list) else []:
                if isinstance(item, str):
                    details.append(item)
                elif isinstance(item, dict):
                    detail = item.get("message") or " ".join(
                        str(item[k]) for k in ("resource", "field", "code") if item.get(k)
                    )
                    if detail:
                        details.append(str(detail))
            text = data["message"] + (f": {'; '.join(details)}" if details else "")
        else:
            text = " ".join(response.text.split()) or response.reason or "no explanation"
        text = self._scrub(text)
        return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"

    # -- waiting -----------------------------------------------------------------------------------

    def _rate_limit(self, response: requests.Response, attempt: int) -> _RateLimit | None:
        """How long to wait when the answer is a rate limit; None when it is not one."""
        if response.status_code not in (403, 429):
            return None
        headers = response.headers
        now = self._clock()
        if headers.get("x-ratelimit-remaining") == "0":
            reset = _number(headers.get("x-ratelimit-reset"))
            if reset is not None:
                # One extra second: GitHub's reset is rounded down to the second.
                return _RateLimit(wait=max(0.0, reset - now) + 1, primary=True, reset_at=reset)
            retry = _retry_after(headers.get("Retry-After"), now)
            return _RateLimit(wait=retry if retry is not None else SECONDARY_LIMIT_WAIT_SECONDS, primary=True)
        retry = _retry_after(headers.get("Retry-After"), now)
        if retry is not None:
            return _RateLimit(wait=retry, primary=False)
        message = self._message(response).lower()
        # Older GitHub Enterprise servers still call the secondary limit "abuse detection".
        if "secondary rate limit" in message or "abuse detection" in message:
            return _RateLimit(wait=max(SECONDARY_LIMIT_WAIT_SECONDS, self._backoff(attempt)), primary=False)
        if response.status_code == 429:
            return _RateLimit(wait=self._backoff(attempt), primary=False)
        return None

    def _check_wait(self, limit: _RateLimit, label: str, attempt: int, last_attempt: bool) -> None:
        if limit.wait > self.max_wait:
            if limit.primary and limit.reset_at is not None:
                reset = datetime.fromtimestamp(limit.reset_at, UTC).strftime("%H:%M:%S UTC")
                what = (
                    f"GitHub's API rate limit for this token is used up until {reset} "
                    f"({_duration(limit.wait)} from now)"
                )
            elif limit.primary:
                what = f"GitHub's API rate limit for this token is used up for {_duration(limit.wait)}"
            else:
                what = f"GitHub's secondary rate limit asks to wait {_duration(limit.wait)}"
            raise self._error(
                GitHubRateLimited,
                f"{label}: {what}, longer than the {_duration(self.max_wait)} mlci waits at most",
                hint="Re-run the job after that. Every workflow run in the repository shares the token's hourly "
                "budget, so fewer parallel jobs also help.",
            )
        if last_attempt:
            raise self._error(
                GitHubRateLimited,
                f"{label}: still rate limited after {attempt} attempts",
                hint="Re-run the job later; fewer parallel jobs using the same token also help.",
            )

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter, so parallel jobs do not retry in lockstep."""
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _pause(self, wait: float, label: str, problem: str, attempt: int) -> None:
        log.warning(
            "%s: %s; retrying in %.1f s (attempt %d of %d)", label, problem, wait, attempt + 1, self.max_attempts
        )
        self._sleep(wait)

    # -- helpers -----------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        if path.startswith("/"):
            return self.api_url + path
        if path == self.graphql_url:
            return path
        if _origin(path) != self._origin or not urlsplit(path).path.startswith(urlsplit(self.api_url).path):
            # The token must only ever travel to the API it was given for.
            raise self._error(
                GitHubBadResponse,
                f"refusing to send the token to {_origin(path) or path!r}, "
                f"which is not the GitHub API at {self.api_url}",
            )
        return path

    def _transport_problem(self, exc: requests.RequestException) -> str:
        if isinstance(exc, requests.ConnectTimeout):
            return f"could not connect within {self.timeout:g} s"
        if isinstance(exc, requests.Timeout):
            return f"no answer within {self.timeout:g} s"
        reason = urllib3_reason(exc)
        if isinstance(reason, NameResolutionError):
            return f"cannot resolve the host of {self.api_url}"
        if isinstance(reason, NewConnectionError):
            cause = "connection refused" if "refused" in str(reason).lower() else "connection failed"
            return f"cannot connect to {self.api_url} ({cause})"
        return f"the connection failed ({type(exc).__name__})"

    def _error(
        self, kind: type[GitHubError], message: str, *, hint: str | None = None, status: int | None = None
    ) -> GitHubError:
        return kind(self._scrub(message), hint=self._scrub(hint) if hint else None, status=status)

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text


def graphql_url_for(api_url: str) -> str:
    """GitHub's GraphQL endpoint beside the REST API at `api_url`: `/graphql` on api.github.com (and
    any host serving the API at its root), `/api/graphql` beside an Enterprise Server's `/api/v3`."""
    base = api_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base.removesuffix("/v3") + "/graphql"
    return base + "/graphql"


def _retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from now: either a number of seconds or an HTTP date."""
    if not value:
        return None
    seconds = _number(value)
    if seconds is not None:
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _duration(seconds: float) -> str:
    if seconds < 180:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
