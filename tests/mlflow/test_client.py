"""The MLflow REST client against a small local server: what is retried, what is not, and that
credentials never reach a message."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mlci.mlflow.client import MlflowClient, MlflowError, MlflowSettings

pytestmark = pytest.mark.integration


class Script:
    """The answers the server gives, in order, and what it was asked."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict]] = []
        self.seen: list[tuple[str, str, str | None]] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            script.seen.append((self.command, self.path, self.headers.get("Authorization")))
            status, body = script.answers.pop(0) if script.answers else (200, {})
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()
    httpd.server_close()


def client(url: str, **secrets: str) -> MlflowClient:
    settings = MlflowSettings.from_environ(url, "mlci/{model}", {key.upper(): value for key, value in secrets.items()})
    assert settings is not None
    return MlflowClient(settings, sleep=lambda _seconds: None)


def test_a_read_is_retried_after_a_server_error(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(503, {"message": "busy"}), (200, {"experiment": {"experiment_id": "1"}})]
    answer = client(url).get("experiments/get-by-name", {"experiment_name": "mlci/iris"})
    assert answer["experiment"]["experiment_id"] == "1"
    assert len(script.seen) == 2


def test_a_create_is_not_repeated_when_the_server_may_have_acted(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(500, {"error_code": "INTERNAL_ERROR", "message": "oops"})]
    with pytest.raises(MlflowError) as caught:
        client(url).post("model-versions/create", {"name": "iris"}, repeatable=False)
    assert len(script.seen) == 1
    assert caught.value.exit_code == 3 and "answered 500 (oops)" in caught.value.message


def test_the_token_is_sent_and_never_shown(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(403, {"error_code": "PERMISSION_DENIED", "message": "token s3cret-token is not allowed"})]
    with pytest.raises(MlflowError) as caught:
        client(url, mlflow_tracking_token="s3cret-token").get("registered-models/get", {"name": "iris"})
    assert script.seen[0][2] == "Bearer s3cret-token"
    assert "s3cret-token" not in str(caught.value) and "MLFLOW_TRACKING_TOKEN" in str(caught.value)
    assert "s3cret" not in repr(MlflowSettings.from_environ(url, "x", {"MLFLOW_TRACKING_TOKEN": "s3cret-token"}))


def test_a_local_tracking_uri_is_no_server_to_mirror_into() -> None:
    assert MlflowSettings.from_environ(None, "x", {"MLFLOW_TRACKING_URI": "sqlite:///mlflow.db"}) is None
    assert MlflowSettings.from_environ(None, "x", {}) is None
