"""Deploy triggers: a GitHub Deployment and dispatch on the stand-in server, a signed webhook, a command."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from mlci.commands.alias_moves import deploy_triggers
from mlci.commands.project import Project
from mlci.config import Config
from mlci.config.parse import parse_config
from mlci.config.yamlsource import parse_yaml
from mlci.errors import ConfigError
from mlci.github.context import GitHubContext
from mlci.registry.entries import AliasMove, Delivery
from mlci.registry.triggers import DELIVERY_HEADER, SIGNATURE_HEADER, AliasMoved, deliver, model_uri
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


def deliver_moved(settings: Config, environ: dict[str, str], moved: AliasMoved = MOVED) -> Delivery:
    """Fire the triggers `settings` configures for `moved`, in the environment `environ`."""
    project = Project(config=settings, console=quiet_console(), github=GitHubContext.from_env(environ))
    triggers = deploy_triggers(project, environ)
    return deliver(moved, triggers, occasion="move", by="octocat", at=MOVE.at, run_url=None, console=project.console)


def outcomes(delivery: Delivery) -> list[tuple[str, str]]:
    return [(outcome.trigger, outcome.outcome) for outcome in delivery.triggers]


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
    delivery = deliver_moved(settings, github_env(fake_github, ACTIONS_TOKEN))
    [deployment] = fake_github.deployments
    assert [t.detail for t in delivery.triggers] == [
        f"created deployment {deployment['id']} to production",
        "sent repository_dispatch mlci-promoted",
    ]
    assert deployment["environment"] == "production" and deployment["ref"] == COMMIT
    assert deployment["payload"]["model_uri"] == "mlci-data:registry/iris/versions/2/model.skops"
    assert [s["state"] for s in fake_github.deployment_statuses] == ["success"]
    [dispatch] = fake_github.dispatches
    assert dispatch["event_type"] == "mlci-promoted"
    assert dispatch["client_payload"]["version"] == 2 and dispatch["client_payload"]["previous_version"] == 1
    assert dispatch["client_payload"]["deployment_id"] == deployment["id"]


def test_outside_github_the_github_triggers_are_skipped_and_say_why(tmp_path: Path) -> None:
    delivery = deliver_moved(config(tmp_path, "    deployment: true"), {})
    assert outcomes(delivery) == [("deployment", "skipped"), ("dispatch", "skipped")]
    assert "GITHUB_REPOSITORY and GITHUB_TOKEN not set" in delivery.triggers[0].detail


def test_a_failed_deployment_does_not_stop_the_dispatch_or_the_command(tmp_path: Path, fake_github) -> None:
    fake_github.fail_next("POST", r"/repos/o/r/deployments", 422)
    settings = config(tmp_path, "    deployment: true\n    dispatch: true\n    command: echo ran > ran.txt")
    delivery = deliver_moved(settings, github_env(fake_github, ACTIONS_TOKEN) | {"PATH": "/usr/bin:/bin"})
    assert outcomes(delivery) == [("deployment", "failed"), ("dispatch", "fired"), ("command", "fired")]
    assert delivery.triggers[0].exit_code == 3
    [dispatch] = fake_github.dispatches
    assert dispatch["client_payload"]["deployment_id"] is None
    assert (tmp_path / "ran.txt").exists()


class _Exploding:
    name = "command"

    def unavailable(self) -> None:
        return None

    def fire(self, payload: dict) -> str:
        raise KeyError("model_uri")


def test_a_trigger_that_crashes_is_reported_as_a_bug_and_the_next_one_still_fires(tmp_path: Path, receiver) -> None:
    url, handler = receiver
    settings = config(tmp_path, WEBHOOK_ONLY)
    project = Project(config=settings, console=quiet_console(), github=GitHubContext.from_env({}))
    triggers = [_Exploding(), *deploy_triggers(project, {"HOOK": url, "KEY": "k"})]
    delivery = deliver(MOVED, triggers, occasion="move", by="me", at=MOVE.at, run_url=None, console=project.console)
    assert outcomes(delivery) == [("command", "failed"), ("webhook", "fired")]
    assert delivery.triggers[0].exit_code == 4 and "unexpected KeyError" in delivery.triggers[0].detail
    assert len(handler.received) == 1


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
    delivery = deliver_moved(settings, {"HOOK": url, "KEY": "s3cret"})
    assert [(t.outcome, t.detail) for t in delivery.triggers] == [("fired", "webhook answered 200")]
    [(headers, body)] = handler.received
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == expected
    assert json.loads(body)["model"] == "iris"


def test_a_failing_webhook_is_retried_then_reported_without_its_url(tmp_path: Path, receiver) -> None:
    url, handler = receiver
    handler.answers.extend([502, 200])
    settings = config(tmp_path, WEBHOOK_ONLY)
    assert outcomes(deliver_moved(settings, {"HOOK": url, "KEY": "k"})) == [("webhook", "fired")]
    assert len(handler.received) == 2

    handler.answers.extend([403])
    [failed] = deliver_moved(settings, {"HOOK": url, "KEY": "k"}).triggers
    assert failed.outcome == "failed" and failed.exit_code == 3 and "HTTP 403" in failed.detail
    assert url not in failed.detail


def test_every_firing_for_one_move_carries_the_same_delivery_id_and_another_move_another(
    tmp_path: Path, receiver
) -> None:
    url, handler = receiver
    settings = config(tmp_path, WEBHOOK_ONLY)
    handler.answers.extend([502, 200])
    deliver_moved(settings, {"HOOK": url, "KEY": "k"})  # a retried POST
    deliver_moved(settings, {"HOOK": url, "KEY": "k"})  # fired again later (`mlci deploy`)
    later = replace(MOVE, sequence=3, from_version=2, to_version=1, kind="rollback", at="2026-11-23T09:00:00+00:00")
    deliver_moved(settings, {"HOOK": url, "KEY": "k"}, replace(MOVED, move=later))
    ids = [headers[DELIVERY_HEADER] for headers, _ in handler.received]
    assert ids[0] == ids[1] == ids[2] != ids[3]


def test_a_webhook_without_its_secret_is_not_sent_and_is_a_configuration_failure(tmp_path: Path, receiver) -> None:
    url, handler = receiver
    settings = config(tmp_path, WEBHOOK_ONLY)
    [failed] = deliver_moved(settings, {"HOOK": url}).triggers
    assert failed.outcome == "failed" and failed.exit_code == 2 and "KEY is not set" in failed.detail
    assert handler.received == []


def test_the_command_gets_the_payload_and_variables(tmp_path: Path) -> None:
    settings = config(
        tmp_path,
        "    deployment: false\n    dispatch: false\n"
        '    command: cat > got.json && echo "$MLCI_MODEL@$MLCI_VERSION $MLCI_DELIVERY_ID" > got.txt',
    )
    assert outcomes(deliver_moved(settings, {"PATH": "/usr/bin:/bin"})) == [("command", "fired")]
    assert json.loads((tmp_path / "got.json").read_text())["alias"] == "production"
    model_version, delivery = (tmp_path / "got.txt").read_text().split()
    assert model_version == "iris@2" and len(delivery) == 36


def test_a_failing_command_shows_its_output(tmp_path: Path) -> None:
    settings = config(tmp_path, "    deployment: false\n    dispatch: false\n    command: echo deploying; exit 4")
    [failed] = deliver_moved(settings, {"PATH": "/usr/bin:/bin"}).triggers
    assert failed.outcome == "failed" and failed.exit_code == 3
    assert failed.detail.endswith("exited with code 4:\ndeploying")
    # The results branch keeps the first line only: the output may hold what the log would have masked.
    assert failed.to_json()["detail"] == "the deploy command `echo deploying; exit 4` exited with code 4:"


def test_a_deploy_command_past_its_time_limit_is_ended_with_all_it_started(tmp_path: Path) -> None:
    settings = config(
        tmp_path,
        "    deployment: false\n    dispatch: false\n"
        "    command: echo deploying; sleep 60 & echo $! > child.pid; wait\n    command_timeout: 1s",
    )
    started = time.monotonic()
    [failed] = deliver_moved(settings, {"PATH": "/usr/bin:/bin"}).triggers
    assert time.monotonic() - started < 10
    assert failed.outcome == "failed" and failed.exit_code == 3
    assert failed.detail.startswith("the deploy command `echo")
    assert "timed out after 1s and was ended with everything it started:\ndeploying" in failed.detail
    assert not any(running(pid) for pid in read_pids(tmp_path / "child.pid"))


def test_a_secret_in_the_config_instead_of_a_variable_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not an environment variable name"):
        config(tmp_path, "    webhook: {url_env: 'https://hooks.example.com/abc'}")
