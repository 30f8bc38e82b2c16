"""Deploy triggers: a GitHub Deployment and dispatch on the stand-in server, a signed webhook, a command."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from mlci.commands.alias_moves import deploy_triggers
from mlci.commands.project import Project
from mlci.config import Config
from mlci.config.parse import parse_config
from mlci.config.yamlsource import parse_yaml
from mlci.errors import ConfigError, OutsideError
from mlci.github.context import GitHubContext
from mlci.registry.entries import AliasMove
from mlci.registry.triggers import SIGNATURE_HEADER, AliasMoved, fire_triggers, model_uri
from testing.fake_github import ACTIONS_TOKEN, FakeGitHub
from testing.processes import read_pids, running
from testing.projects import quiet_console

pytestmark = pytest.mark.integration

MOVE = AliasMove(
    sequence=2,
    model="iris",
    alias="production",
    from_version=1,
    to_version=2,
    kind="promote",
    reason="better than version 1 on accuracy (0.93 vs 0.9)",
    at="2026-11-22T10:00:00+00:00",
    by="octocat",
    run_url="https://github.com/o/r/actions/runs/5",
)
COMMIT = "c" * 40
WEBHOOK_ONLY = "    deployment: false\n    dispatch: false\n    webhook: {url_env: HOOK, secret_env: KEY}"
MOVED = AliasMoved(
    move=MOVE, commit=COMMIT, model_uri=model_uri("mlci-data", "iris", 2, "model.skops"), repository="o/r"
)


def fire(settings: Config, environ: dict[str, str]) -> list[str]:
    """Fire the triggers `settings` configures for MOVED, in the environment `environ`."""
    project = Project(config=settings, console=quiet_console(), github=GitHubContext.from_env(environ))
    return fire_triggers(MOVED, deploy_triggers(project, environ), console=project.console)


def config(tmp_path: Path, triggers: str) -> Config:
    text = f"""\
version: 1
models:
  iris:
    data: {{train: iris.csv, target: species}}
    estimator: {{class: sklearn.linear_model.LogisticRegression}}
    metrics: [accuracy]
promote:
  triggers:
{triggers}
"""
    path = tmp_path / "mlci.yaml"
    path.write_text(text)
    return parse_config(parse_yaml(text, path))


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.add_repository("o/r")
        yield server


def github_env(server: FakeGitHub, token: str) -> dict[str, str]:
    return {"GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": token, "GITHUB_API_URL": server.url}


def test_a_move_creates_a_deployment_with_a_status_and_a_dispatch(tmp_path: Path, fake_github: FakeGitHub) -> None:
    settings = config(tmp_path, "    deployment: true\n    dispatch: true")
    fired = fire(settings, github_env(fake_github, ACTIONS_TOKEN))
    [deployment] = fake_github.deployments
    assert fired == [f"triggered deployment {deployment['id']} to production and repository_dispatch mlci-promoted"]
    assert deployment["environment"] == "production" and deployment["ref"] == COMMIT
    assert deployment["payload"]["model_uri"] == "mlci-data:registry/iris/versions/2/model.skops"
    assert [s["state"] for s in fake_github.deployment_statuses] == ["success"]
    [dispatch] = fake_github.dispatches
    assert dispatch["event_type"] == "mlci-promoted"
    assert dispatch["client_payload"]["version"] == 2 and dispatch["client_payload"]["previous_version"] == 1
    assert dispatch["client_payload"]["deployment_id"] == deployment["id"]


def test_outside_github_the_github_triggers_are_skipped(tmp_path: Path) -> None:
    assert fire(config(tmp_path, "    deployment: true"), {}) == []


class _Receiver(BaseHTTPRequestHandler):
    answers: ClassVar[list[int]] = []
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).answers.pop(0) if type(self).answers else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"answers": [], "received": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    server.shutdown()


def test_the_webhook_body_is_signed_with_the_secret(tmp_path: Path, receiver) -> None:
    url, handler = receiver
    settings = config(tmp_path, WEBHOOK_ONLY)
    fired = fire(settings, {"HOOK": url, "KEY": "s3cret"})
    assert fired == ["webhook answered 200"]
    [(headers, body)] = handler.received
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == expected
    assert json.loads(body)["model"] == "iris"


def test_a_failing_webhook_is_retried_then_reported_without_its_url(tmp_path: Path, receiver) -> None:
    url, handler = receiver
    handler.answers.extend([502, 200])
    settings = config(tmp_path, WEBHOOK_ONLY)
    assert fire(settings, {"HOOK": url, "KEY": "k"})
    assert len(handler.received) == 2
    # Both attempts are one delivery, so a receiver can drop the duplicate.
    assert len({headers["X-Mlci-Delivery"] for headers, _ in handler.received}) == 1

    handler.answers.extend([403])
    with pytest.raises(OutsideError) as caught:
        fire(settings, {"HOOK": url, "KEY": "k"})
    message = str(caught.value)
    assert "moved to version 2 and that is recorded" in message and "HTTP 403" in message
    assert url not in message


def test_a_webhook_without_its_secret_is_not_sent(tmp_path: Path, receiver) -> None:
    url, handler = receiver
    settings = config(tmp_path, WEBHOOK_ONLY)
    with pytest.raises(ConfigError, match="KEY is not set"):
        fire(settings, {"HOOK": url})
    assert handler.received == []


def test_the_command_gets_the_payload_and_variables(tmp_path: Path) -> None:
    settings = config(
        tmp_path,
        "    deployment: false\n    dispatch: false\n"
        '    command: cat > got.json && echo "$MLCI_MODEL@$MLCI_VERSION" > got.txt',
    )
    assert fire(settings, {"PATH": "/usr/bin:/bin"})
    assert json.loads((tmp_path / "got.json").read_text())["alias"] == "production"
    assert (tmp_path / "got.txt").read_text() == "iris@2\n"


def test_a_failing_command_shows_its_output(tmp_path: Path) -> None:
    settings = config(tmp_path, "    deployment: false\n    dispatch: false\n    command: echo deploying; exit 4")
    with pytest.raises(OutsideError, match=r"exited with code 4:\ndeploying"):
        fire(settings, {"PATH": "/usr/bin:/bin"})


def test_a_deploy_command_past_its_time_limit_is_ended_with_all_it_started(tmp_path: Path) -> None:
    settings = config(
        tmp_path,
        "    deployment: false\n    dispatch: false\n"
        "    command: echo deploying; sleep 60 & echo $! > child.pid; wait\n    command_timeout: 1s",
    )
    started = time.monotonic()
    with pytest.raises(OutsideError) as caught:
        fire(settings, {"PATH": "/usr/bin:/bin"})
    assert time.monotonic() - started < 10
    assert (
        "moved to version 2 and that is recorded, but 1 deploy trigger failed: command: the deploy command `echo"
        in str(caught.value)
    )
    assert "timed out after 1s and was ended with everything it started:\ndeploying" in str(caught.value)
    assert not any(running(pid) for pid in read_pids(tmp_path / "child.pid"))


def test_a_secret_in_the_config_instead_of_a_variable_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not an environment variable name"):
        config(tmp_path, "    webhook: {url_env: 'https://hooks.example.com/abc'}")
