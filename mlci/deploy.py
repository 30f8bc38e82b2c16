"""What fires when an alias moves: a GitHub Deployment, a `repository_dispatch`, a webhook, a command.

Each is configured under `promote.triggers` in mlci.yaml. They run after the move is recorded on
the results branch, so a trigger that fails never undoes or loses the move; mlci says that the
alias did move and which trigger failed, and exits with 3 so the job shows the failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlci.config import Config
from mlci.console import Console
from mlci.errors import ConfigError, MlciError, OutsideError
from mlci.registry.entries import AliasMove

WEBHOOK_ATTEMPTS = 3
WEBHOOK_TIMEOUT = 30
SIGNATURE_HEADER = "X-Mlci-Signature-256"


@dataclass(frozen=True)
class AliasMoved:
    """The facts every trigger is given."""

    move: AliasMove
    commit: str
    model_uri: str
    repository: str | None

    def payload(self) -> dict[str, Any]:
        move = self.move
        return {
            "event": "alias-moved",
            "kind": move.kind,
            "model": move.model,
            "alias": move.alias,
            "version": move.to_version,
            "previous_version": move.from_version,
            "commit": self.commit,
            "model_uri": self.model_uri,
            "reason": move.reason,
            "by": move.by,
            "at": move.at,
            "run_url": move.run_url,
            "repository": self.repository,
        }


def model_uri(branch: str, model: str, version: int, file_name: str | None) -> str:
    """Where the model file is: `<results branch>:<path>`, which `git show` reads after a fetch."""
    name = file_name or "version.json"
    return f"{branch}:registry/{model}/versions/{version}/{name}"


def fire_triggers(
    config: Config, moved: AliasMoved, *, console: Console, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Fire every configured trigger for `moved`; returns what fired. Failures raise after all have run."""
    env = os.environ if environ is None else environ
    triggers = config.promote.triggers
    payload = moved.payload()
    fired: list[str] = []
    failures: list[str] = []
    outside = False

    def attempt(name: str, action: Any) -> None:
        try:
            detail = action()
        except MlciError as exc:
            nonlocal outside
            outside = outside or isinstance(exc, OutsideError)
            failures.append(f"{name}: {exc}")
            console.warn(f"{name} failed: {exc}")
        else:
            if detail:
                fired.append(detail)
                console.info(detail)

    if triggers.deployment or triggers.dispatch:
        attempt("GitHub", lambda: _github_triggers(config, moved, payload, env, console=console))
    if triggers.webhook is not None:
        attempt("webhook", lambda: _webhook(triggers.webhook.url_env, triggers.webhook.secret_env, payload, env))
    if triggers.command:
        attempt("command", lambda: _command(triggers.command, payload, config, env))
    if failures:
        move = moved.move
        # A trigger that could not be sent as configured is bad input (exit 2); one that was refused
        # or unreachable is an outside failure (exit 3).
        error = OutsideError if outside else ConfigError
        raise error(
            f"{move.model}@{move.alias} moved to version {move.to_version} and that is recorded, "
            f"but {len(failures)} deploy trigger{'s' if len(failures) != 1 else ''} failed: " + "; ".join(failures),
            hint="The move stands. Fix the trigger, then deploy that version by hand or roll back.",
        )
    return fired


def _github_triggers(
    config: Config, moved: AliasMoved, payload: dict[str, Any], env: Mapping[str, str], *, console: Console
) -> str | None:
    if not env.get("GITHUB_REPOSITORY") or not env.get("GITHUB_TOKEN"):
        console.detail("not in GitHub Actions (no GITHUB_REPOSITORY or GITHUB_TOKEN): no deployment or dispatch")
        return None
    from mlci.github.client import GitHubClient
    from mlci.github.context import GitHubContext
    from mlci.github.deployments import DISPATCH_EVENT, create_deployment, dispatch_event

    context = GitHubContext.from_env(env)
    move = moved.move
    done = []
    with GitHubClient(context.api_url, context.token) as client:
        if config.promote.triggers.deployment:
            deployment_id = create_deployment(
                client,
                repository=context.repository,
                ref=moved.commit,
                environment=move.alias,
                description=f"{move.model} version {move.to_version} ({move.kind})",
                payload=payload,
                log_url=context.run_url,
            )
            payload["deployment_id"] = deployment_id
            done.append(f"deployment {deployment_id} to {move.alias}")
        if config.promote.triggers.dispatch:
            # GitHub accepts at most 10 top-level keys in a dispatch payload; these are what a deploy needs.
            keys = ("model", "alias", "version", "previous_version", "commit", "model_uri", "kind", "run_url")
            dispatched = {key: payload[key] for key in keys} | {"deployment_id": payload.get("deployment_id")}
            dispatch_event(client, repository=context.repository, payload=dispatched)
            done.append(f"repository_dispatch {DISPATCH_EVENT}")
    return "triggered " + " and ".join(done)


def _webhook(url_env: str, secret_env: str | None, payload: dict[str, Any], env: Mapping[str, str]) -> str:
    import requests

    url = env.get(url_env)
    if not url:
        raise ConfigError(
            f"the webhook's URL variable {url_env} is not set",
            hint=f"Pass the secret to the step: `env: {url_env}: ${{{{ secrets.{url_env} }}}}`.",
        )
    body = json.dumps(payload, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "X-Mlci-Event": "alias-moved", "X-Mlci-Delivery": str(uuid.uuid4())}
    if secret_env:
        secret = env.get(secret_env)
        if not secret:
            raise ConfigError(f"the webhook's secret variable {secret_env} is not set; unsigned calls are not sent")
        headers[SIGNATURE_HEADER] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    problem = ""
    for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
        try:
            response = requests.post(url, data=body, headers=headers, timeout=WEBHOOK_TIMEOUT)
        except requests.RequestException as exc:
            problem = type(exc).__name__
        else:
            if response.status_code < 300:
                return f"webhook answered {response.status_code}"
            problem = f"HTTP {response.status_code}"
            if response.status_code < 500 and response.status_code != 429:
                break  # the receiver refused this call; sending it again would not change its mind
        if attempt < WEBHOOK_ATTEMPTS:
            time.sleep(2 ** (attempt - 1))
    # The URL is a secret (it often carries a key), so only its variable's name is shown.
    raise OutsideError(f"the webhook in {url_env} failed after {attempt} attempt(s): {problem}")


def _command(command: str, payload: dict[str, Any], config: Config, env: Mapping[str, str]) -> str:
    variables = {
        **env,
        "MLCI_MODEL": str(payload["model"]),
        "MLCI_ALIAS": str(payload["alias"]),
        "MLCI_VERSION": str(payload["version"]),
        "MLCI_PREVIOUS_VERSION": "" if payload["previous_version"] is None else str(payload["previous_version"]),
        "MLCI_COMMIT": str(payload["commit"]),
        "MLCI_MODEL_URI": str(payload["model_uri"]),
    }
    done = subprocess.run(
        command,
        shell=True,
        cwd=config.root,
        env=variables,
        input=json.dumps(payload).encode(),
        capture_output=True,
    )
    if done.returncode != 0:
        tail = "\n".join(
            done.stdout.decode(errors="replace").splitlines()[-10:]
            + done.stderr.decode(errors="replace").splitlines()[-10:]
        )
        raise OutsideError(f"the deploy command `{command}` exited with {done.returncode}:\n{tail}")
    return f"deploy command `{command}` succeeded"
