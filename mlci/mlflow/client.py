"""A small client for an MLflow tracking server's REST API, with MLflow's own credentials.

Retries follow the GitHub client's rule: repeat a request only when repeating cannot do the work
twice. GET and the calls MLflow applies as overwrites (log-batch of the same values, set-tag, run
update, alias set, an artifact PUT) are repeated after 5xx answers, 429, timeouts and dropped
connections; a create (experiment, run, registered model, model version) is repeated only when the
connection was never made, since a lost answer may hide a run or version already created (the
mirror then finds it by its tags next time).

Credentials, read by `MlflowSettings.from_environ` as MLflow itself reads them:
`MLFLOW_TRACKING_TOKEN` (a bearer token), else `MLFLOW_TRACKING_USERNAME` and
`MLFLOW_TRACKING_PASSWORD` (basic auth); `MLFLOW_TRACKING_INSECURE_TLS=true` skips certificate
checks. They go into the Authorization header only: never into URLs, reprs, logs or messages.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mlci import __version__
from mlci.config.records import record
from mlci.errors import ConfigError, MlciError, OutsideError

if TYPE_CHECKING:
    import requests

API = "/api/2.0/mlflow"
ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts"
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
MAX_MESSAGE_CHARS = 300
DOWN_HINT = (
    "What mlci recorded is kept (the results branch decides); only MLflow's copy is behind. Once the "
    "server is back, `mlci registry sync` brings it up to date."
)

log = logging.getLogger("mlci.mlflow")


class MlflowError(OutsideError):
    """The MLflow server failed, refused a request, or could not be reached (exit code 3)."""

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        """MLflow's `error_code` (`RESOURCE_DOES_NOT_EXIST`, ...), when it gave one."""


@record
class MlflowSettings:
    """Where the server is and how to sign in; the secrets are left out of the repr."""

    tracking_uri: str
    experiment: str = "mlci/{model}"
    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    verify_tls: bool = True

    @classmethod
    def from_environ(
        cls, tracking_uri: str | None, experiment: str, environ: Mapping[str, str]
    ) -> MlflowSettings | None:
        """The settings for `tracking_uri` (mlci.yaml's), else MLFLOW_TRACKING_URI when it names a
        server; None when MLflow is not in use. A non-HTTP MLFLOW_TRACKING_URI (a local folder or
        database a script logs to) is not a server to mirror into, and is left alone."""
        uri = tracking_uri or environ.get("MLFLOW_TRACKING_URI", "").strip().rstrip("/") or None
        if uri is None or not uri.startswith(("http://", "https://")):
            return None
        return cls(
            tracking_uri=uri,
            experiment=experiment,
            token=environ.get("MLFLOW_TRACKING_TOKEN") or None,
            username=environ.get("MLFLOW_TRACKING_USERNAME") or None,
            password=environ.get("MLFLOW_TRACKING_PASSWORD") or None,
            verify_tls=environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() != "true",
        )


class MlflowClient:
    """Calls the REST API of the tracking server `settings` names."""

    def __init__(
        self,
        settings: MlflowSettings,
        *,
        timeout: float = 30,
        max_attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # Imported here: most commands never talk to MLflow, and `mlci --help` should start fast.
        import requests

        self.url = settings.tracking_uri
        self.timeout = timeout
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._secrets = [s for s in (settings.token, settings.password) if s]
        self._session = requests.Session()
        self._session.verify = settings.verify_tls
        self._session.headers["User-Agent"] = f"mlci/{__version__}"
        if settings.token:
            self._session.headers["Authorization"] = f"Bearer {settings.token}"
        elif settings.username and settings.password:
            self._session.auth = (settings.username, settings.password)
        elif settings.username or settings.password:
            raise ConfigError("MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD go together; only one is set")

    def __repr__(self) -> str:
        return f"MlflowClient(url={self.url!r})"

    def get(self, endpoint: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """GET `API/endpoint` with the query `params`."""
        return self._json(self._request("GET", f"{API}/{endpoint}", params=params, repeatable=True))

    def post(self, endpoint: str, body: Mapping[str, Any], *, repeatable: bool) -> dict[str, Any]:
        """POST `body` to `API/endpoint`; `repeatable` when doing it twice leaves what doing it once does."""
        return self._json(self._request("POST", f"{API}/{endpoint}", json=body, repeatable=repeatable))

    def delete(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """DELETE at `API/endpoint` with `body`; deleting twice leaves what deleting once does."""
        return self._json(self._request("DELETE", f"{API}/{endpoint}", json=body, repeatable=True))

    def upload(self, artifact_path: str, content: bytes) -> None:
        """PUT `content` at `artifact_path` (`<experiment>/<run>/artifacts/<name>`) through the
        server's `mlflow-artifacts` proxy; a repeat overwrites the same bytes."""
        self._request("PUT", f"{ARTIFACTS_API}/{quote(artifact_path)}", data=content, repeatable=True)

    def download(self, artifact_path: str) -> bytes:
        """The artifact at `artifact_path`, through the same proxy."""
        return self._request("GET", f"{ARTIFACTS_API}/{quote(artifact_path)}", repeatable=True).content

    def _request(
        self,
        method: str,
        path: str,
        *,
        repeatable: bool,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: bytes | None = None,
    ) -> requests.Response:
        import requests

        from mlci.http import never_reached_server

        label = f"MLflow {method} {path.split('?')[0]}"
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            try:
                response = self._session.request(
                    method, self.url + path, params=params, json=json, data=data, timeout=self.timeout
                )
            except requests.RequestException as exc:
                never_sent = never_reached_server(exc)
                problem = f"{label}: cannot reach {self.url} ({type(exc).__name__})"
                if last or not (repeatable or never_sent):
                    raise MlflowError(f"{problem} (gave up after {attempt} attempts)", hint=DOWN_HINT) from None
                self._pause(attempt, label, problem)
                continue
            log.debug("%s -> %s", label, response.status_code)
            if response.status_code < 400:
                return response
            busy = response.status_code == 429 or response.status_code >= 500
            if busy and not last and (repeatable or response.status_code == 429):
                self._pause(attempt, label, f"answered {response.status_code}")
                continue
            raise self._refusal(response, label)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _pause(self, attempt: int, label: str, problem: str) -> None:
        wait = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
        log.debug("%s: %s; retrying in %.1fs", label, problem, wait)
        self._sleep(wait)

    def _refusal(self, response: requests.Response, label: str) -> MlflowError:
        status = response.status_code
        code, message = None, response.text
        try:
            body = response.json()
            if isinstance(body, dict):
                code, message = body.get("error_code"), str(body.get("message", message))
        except ValueError:
            pass
        message = self._scrub(" ".join(message.split()))[:MAX_MESSAGE_CHARS]
        hint = None
        if status in (401, 403):
            hint = (
                "Give mlci MLflow's credentials: MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and "
                "MLFLOW_TRACKING_PASSWORD, with permission to write the experiment and the model."
            )
        elif status >= 500 or status == 429:
            hint = DOWN_HINT
        return MlflowError(
            f"{label}: the server answered {status} ({message or 'no explanation'})", hint=hint, code=code
        )

    def _json(self, response: requests.Response) -> dict[str, Any]:
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise MlflowError(f"MLflow at {self.url} answered with something other than a JSON object")
        return body

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def is_missing(error: MlciError) -> bool:
    """Whether `error` is MLflow saying that what was asked for does not exist."""
    return isinstance(error, MlflowError) and (
        error.code == "RESOURCE_DOES_NOT_EXIST"
        or (error.code == "INVALID_PARAMETER_VALUE" and "not found" in error.message)
    )


def already_exists(error: MlciError) -> bool:
    return isinstance(error, MlflowError) and error.code == "RESOURCE_ALREADY_EXISTS"
