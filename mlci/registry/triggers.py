"""What fires when an alias moves: deploy triggers, each behind one small interface.

`promote.triggers` in mlci.yaml configures them: a GitHub Deployment and a `repository_dispatch`
(both in `mlci.github.deployments`, handed in by the commands), a webhook and a command (here).
They run after the move is recorded on the results branch, so a trigger that fails never undoes or
loses the move. Firing never raises: every trigger runs even when an earlier one failed, and what
each did comes back as a `Delivery` for the caller to report and keep.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import traceback
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from mlci.config import Config
from mlci.config.durations import format_duration
from mlci.config.records import record
from mlci.config.schema import TriggersSpec
from mlci.console import Console
from mlci.errors import ConfigError, ExitCode, MlciError, OutsideError, TimedOutError
from mlci.process import describe_exit, run_in_group
from mlci.registry.entries import AliasMove, Delivery, TriggerOutcome

WEBHOOK_ATTEMPTS = 3
WEBHOOK_TIMEOUT = 30
SIGNATURE_HEADER = "X-Mlci-Signature-256"
DELIVERY_HEADER = "X-Mlci-Delivery"
# Delivery ids are UUIDs derived from the move, so every firing of one move's trigger carries the same one.
DELIVERY_NAMESPACE = uuid.UUID("6d6c6369-6465-4c69-9665-727920696473")
COMMAND_TAIL_LINES = 20


@record
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
            "sequence": move.sequence,
            "commit": self.commit,
            "model_uri": self.model_uri,
            "reason": move.reason,
            "by": move.by,
            "at": move.at,
            "run_url": move.run_url,
            "repository": self.repository,
        }


class Trigger(Protocol):
    """One way of telling the world that an alias moved."""

    @property
    def name(self) -> str:
        """How messages and the history name it: `deployment`, `dispatch`, `webhook`, `command`."""
        ...

    def unavailable(self) -> str | None:
        """Why this trigger cannot fire here (GitHub's outside a GitHub run), or None when it can."""
        ...

    def fire(self, payload: dict[str, Any]) -> str:
        """Send `payload` (it may add keys for later triggers, such as a deployment id); return what
        was done. Failures raise `MlciError`. Firing again for the same move must be harmless."""
        ...


def model_uri(branch: str, model: str, version: int, file_name: str | None) -> str:
    """Where the model file is: `<results branch>:<path>`, which `git show` reads after a fetch."""
    name = file_name or "version.json"
    return f"{branch}:registry/{model}/versions/{version}/{name}"


def delivery_id(payload: Mapping[str, Any], trigger: str) -> str:
    """The same id for every firing of `trigger` for one move, so a receiver can drop a repeat."""
    keys = ("repository", "model", "alias", "sequence", "version", "at")
    return str(uuid.uuid5(DELIVERY_NAMESPACE, json.dumps([*(payload.get(k) for k in keys), trigger])))


def deliver(
    moved: AliasMoved,
    triggers: Sequence[Trigger],
    *,
    occasion: str,
    by: str,
    at: str,
    run_url: str | None,
    console: Console,
) -> Delivery:
    """Fire every trigger for `moved`, each whatever became of the others; never raises for a trigger."""
    move = moved.move
    payload = moved.payload()
    outcomes = []
    for trigger in triggers:
        outcome = _fire_one(trigger, payload, console=console)
        label = f"{move.model}@{move.alias}: {trigger.name}"
        if outcome.failed:
            console.warn(f"{label} failed: {outcome.detail}")
        elif outcome.outcome == "skipped":
            console.detail(f"{label} skipped: {outcome.detail}")
        else:
            console.info(f"{label}: {outcome.detail}")
        outcomes.append(outcome)
    return Delivery(
        model=move.model,
        sequence=move.sequence,
        alias=move.alias,
        version=move.to_version,
        occasion=occasion,
        at=at,
        by=by,
        run_url=run_url,
        triggers=tuple(outcomes),
    )


def _fire_one(trigger: Trigger, payload: dict[str, Any], *, console: Console) -> TriggerOutcome:
    name = trigger.name
    try:
        why_not = trigger.unavailable()
        if why_not is not None:
            return TriggerOutcome(trigger=name, outcome="skipped", detail=why_not)
        detail = trigger.fire(payload)
    except MlciError as exc:
        return TriggerOutcome(trigger=name, outcome="failed", detail=str(exc), exit_code=exc.exit_code)
    except Exception as exc:
        # A bug must not cost the other triggers and models their turn; it is reported with the rest.
        console.detail(traceback.format_exc())
        return TriggerOutcome(
            trigger=name,
            outcome="failed",
            detail=f"unexpected {type(exc).__name__}: {exc} (a bug in mlci; please report it)",
            exit_code=ExitCode.BUG,
        )
    return TriggerOutcome(trigger=name, outcome="fired", detail=detail)


def configured_triggers(config: Config, environ: Mapping[str, str]) -> list[Trigger]:
    """The webhook and command triggers mlci.yaml configures (the GitHub ones come from the caller)."""
    spec = config.promote.triggers
    triggers: list[Trigger] = []
    if spec.webhook is not None:
        triggers.append(
            WebhookTrigger(url_env=spec.webhook.url_env, secret_env=spec.webhook.secret_env, environ=environ)
        )
    if spec.command:
        triggers.append(
            CommandTrigger(command=spec.command, cwd=config.root, environ=environ, timeout=spec.command_timeout)
        )
    return triggers


@record
class WebhookTrigger:
    """A POST of the payload as JSON to the URL in `url_env`, signed with HMAC-SHA256 of `secret_env`."""

    url_env: str
    secret_env: str | None
    environ: Mapping[str, str]
    name: str = "webhook"

    def unavailable(self) -> str | None:
        return None

    def fire(self, payload: dict[str, Any]) -> str:
        import requests

        url = self.environ.get(self.url_env)
        if not url:
            raise ConfigError(
                f"the webhook's URL variable {self.url_env} is not set",
                hint=f"Pass the secret to the step: `env: {self.url_env}: ${{{{ secrets.{self.url_env} }}}}`.",
            )
        body = json.dumps(payload, sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Mlci-Event": "alias-moved",
            DELIVERY_HEADER: delivery_id(payload, self.name),
        }
        if self.secret_env:
            secret = self.environ.get(self.secret_env)
            if not secret:
                raise ConfigError(
                    f"the webhook's secret variable {self.secret_env} is not set; unsigned calls are not sent"
                )
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
        raise OutsideError(f"the webhook in {self.url_env} failed after {attempt} attempt(s): {problem}")


@record
class CommandTrigger:
    """A shell command in the project's folder, given the payload on stdin and `MLCI_*` variables.

    It runs in its own process group (see `mlci.process`): past `timeout` seconds it is ended with
    everything it started, and the trigger fails."""

    command: str
    cwd: Path
    environ: Mapping[str, str]
    timeout: float = TriggersSpec.command_timeout
    name: str = "command"

    def unavailable(self) -> str | None:
        return None

    def fire(self, payload: dict[str, Any]) -> str:
        variables = {
            **self.environ,
            "MLCI_MODEL": str(payload["model"]),
            "MLCI_ALIAS": str(payload["alias"]),
            "MLCI_VERSION": str(payload["version"]),
            "MLCI_PREVIOUS_VERSION": "" if payload["previous_version"] is None else str(payload["previous_version"]),
            "MLCI_COMMIT": str(payload["commit"]),
            "MLCI_MODEL_URI": str(payload["model_uri"]),
            "MLCI_DELIVERY_ID": delivery_id(payload, self.name),
        }
        try:
            done = run_in_group(
                self.command, cwd=self.cwd, env=variables, input=json.dumps(payload).encode(), timeout=self.timeout
            )
        except OSError as exc:
            raise ConfigError(f"the deploy command `{self.command}` cannot start: {exc.strerror or exc}") from None
        output = done.said(COMMAND_TAIL_LINES)
        if done.timed_out:
            raise TimedOutError(
                f"the deploy command `{self.command}` timed out after {format_duration(self.timeout)} and was "
                f"ended with everything it started{output}",
                hint="Raise promote.triggers.command_timeout in mlci.yaml if it needs longer.",
            )
        if done.exit_code != 0:
            raise OutsideError(f"the deploy command `{self.command}` {describe_exit(done.exit_code)}{output}")
        return f"deploy command `{self.command}` succeeded"
