"""What the registry keeps: model versions, alias moves and what their deploy triggers did, as strict
JSON documents.

They are read back from a shared branch that anyone with write access could edit, so decoding
checks every field and names the file when something is off, instead of trusting it.
"""

from __future__ import annotations

import json
from dataclasses import field
from typing import Any

from mlci.config.files import load_json
from mlci.config.records import record
from mlci.errors import StoreError
from mlci.runs import Run
from mlci.runs.modelformat import MODEL_FORMATS

SCHEMA_VERSION = 1


@record
class ModelVersion:
    """One registered version of a model: the run it came from and its model file."""

    model: str
    number: int
    commit: str
    run: Run
    registered_at: str
    model_file: dict[str, Any] | None = None
    """{"name", "sha256", "size", "format"} of the model file kept next to it, or None (command mode
    without one). `format` is one of `MODEL_FORMATS`; versions registered before it was kept lack it."""
    provenance: dict[str, Any] = field(default_factory=dict)
    """recorded_by, run_url, pull_request: where the version came from."""

    @property
    def model_format(self) -> str | None:
        """The model file's format, None when there is no file or it was registered without one."""
        return self.model_file.get("format") if self.model_file else None

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "version": self.number,
            "commit": self.commit,
            "registered_at": self.registered_at,
            "model_file": self.model_file,
            "provenance": self.provenance,
            "run": self.run.to_json(),
        }


@record
class AliasMove:
    """One entry of an alias's append-only history."""

    sequence: int
    model: str
    alias: str
    from_version: int | None
    to_version: int
    kind: str
    """promote, force (a promotion that overrode the gates) or rollback."""
    reason: str
    at: str
    by: str
    commit: str | None = None
    pull_request: int | None = None
    run_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "sequence": self.sequence,
            "model": self.model,
            "alias": self.alias,
            "from": self.from_version,
            "to": self.to_version,
            "kind": self.kind,
            "reason": self.reason,
            "at": self.at,
            "by": self.by,
            "commit": self.commit,
            "pull_request": self.pull_request,
            "run_url": self.run_url,
        }


MOVE_KINDS = ("promote", "force", "rollback")
TRIGGER_OUTCOMES = ("fired", "failed", "skipped")
OCCASIONS = ("move", "deploy")
# What the results branch keeps of a trigger's answer: its first line, this long at most. Anyone who
# can read the repository can read the branch, and GitHub does not mask secrets there as it does in
# logs, so the rest (a deploy command's output) stays in the job's log only.
MAX_DETAIL_CHARS = 300


@record
class TriggerOutcome:
    """What one deploy trigger did for one alias move."""

    trigger: str
    """deployment, dispatch, webhook or command."""
    outcome: str
    """fired, failed, or skipped (it cannot fire here, e.g. GitHub's triggers outside a GitHub run)."""
    detail: str
    exit_code: int | None = field(default=None, compare=False)
    """For a failure in this run: 2 when it was the trigger's configuration, 3 an outside failure,
    4 a bug. Not kept on the results branch."""

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    def to_json(self) -> dict[str, Any]:
        first_line = self.detail.strip().split("\n", 1)[0]
        return {"trigger": self.trigger, "outcome": self.outcome, "detail": first_line[:MAX_DETAIL_CHARS]}


@record
class Delivery:
    """One firing of the deploy triggers for one alias move: right after the move (`move`), or again
    by `mlci deploy` (`deploy`)."""

    model: str
    sequence: int
    """The alias move's sequence in the model's history."""
    alias: str
    version: int
    occasion: str
    at: str
    by: str
    triggers: tuple[TriggerOutcome, ...]
    run_url: str | None = None

    @property
    def failures(self) -> list[TriggerOutcome]:
        return [outcome for outcome in self.triggers if outcome.failed]

    def to_json(self) -> dict[str, Any]:
        """One entry of the move's deliveries document (which names the model and the move)."""
        return {
            "occasion": self.occasion,
            "alias": self.alias,
            "version": self.version,
            "at": self.at,
            "by": self.by,
            "run_url": self.run_url,
            "triggers": [outcome.to_json() for outcome in self.triggers],
        }


def encode(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def parse_document(raw: bytes, *, where: str) -> dict[str, Any]:
    """A JSON object of this schema version, or `StoreError` naming `where`."""
    try:
        data = load_json(raw)
    except ValueError as exc:  # not UTF-8, not JSON, or nested too deeply
        raise StoreError(f"{where}: damaged ({exc})", hint=_HANDS_OFF) from None
    if not isinstance(data, dict):
        raise StoreError(f"{where}: expected a JSON object", hint=_HANDS_OFF)
    if data.get("schema_version") != SCHEMA_VERSION:
        raise StoreError(
            f"{where}: schema_version {data.get('schema_version')!r} is not one this mlci reads ({SCHEMA_VERSION})",
            hint="Upgrade mlci, or fix the file by hand.",
        )
    return data


def decode_version(raw: bytes, *, where: str) -> ModelVersion:
    data = parse_document(raw, where=where)
    model_file = data.get("model_file")
    if model_file is not None and not (
        isinstance(model_file, dict)
        and isinstance(model_file.get("name"), str)
        and isinstance(model_file.get("sha256"), str)
        and isinstance(model_file.get("size"), int)
    ):
        raise StoreError(f"{where}: `model_file` must have name, sha256 and size", hint=_HANDS_OFF)
    if model_file is not None and model_file.get("format", MODEL_FORMATS[0]) not in MODEL_FORMATS:
        raise StoreError(
            f"{where}: unknown model_file format {model_file['format']!r} (one of {', '.join(MODEL_FORMATS)})",
            hint=_HANDS_OFF,
        )
    provenance = data.get("provenance") or {}
    if not isinstance(provenance, dict):
        raise StoreError(f"{where}: `provenance` must be an object", hint=_HANDS_OFF)
    return ModelVersion(
        model=_text(data, "model", where),
        number=_positive(data, "version", where),
        commit=_text(data, "commit", where),
        registered_at=_text(data, "registered_at", where),
        run=Run.from_json(data.get("run"), where=f"{where} (run)"),
        model_file=model_file,
        provenance=provenance,
    )


def decode_move(raw: bytes, *, where: str) -> AliasMove:
    data = parse_document(raw, where=where)
    kind = _one_of(data, "kind", MOVE_KINDS, where)
    from_version = data.get("from")
    if from_version is not None:
        from_version = _positive(data, "from", where)
    pull_request = data.get("pull_request")
    if pull_request is not None and not (isinstance(pull_request, int) and not isinstance(pull_request, bool)):
        raise StoreError(f"{where}: `pull_request` must be a number", hint=_HANDS_OFF)
    return AliasMove(
        sequence=_positive(data, "sequence", where),
        model=_text(data, "model", where),
        alias=_text(data, "alias", where),
        from_version=from_version,
        to_version=_positive(data, "to", where),
        kind=kind,
        reason=_text(data, "reason", where, empty_ok=True),
        at=_text(data, "at", where),
        by=_text(data, "by", where),
        commit=data.get("commit") if isinstance(data.get("commit"), str) else None,
        pull_request=pull_request,
        run_url=data.get("run_url") if isinstance(data.get("run_url"), str) else None,
    )


def encode_deliveries(model: str, sequence: int, deliveries: list[Delivery]) -> bytes:
    """The deliveries document of one alias move: every firing of its triggers, oldest first."""
    return encode(
        {
            "schema_version": SCHEMA_VERSION,
            "model": model,
            "sequence": sequence,
            "deliveries": [delivery.to_json() for delivery in deliveries],
        }
    )


def decode_deliveries(raw: bytes, *, where: str) -> list[Delivery]:
    data = parse_document(raw, where=where)
    model, sequence = _text(data, "model", where), _positive(data, "sequence", where)
    deliveries = []
    for index, entry in enumerate(_objects(data, "deliveries", where)):
        entry_at = f"{where} (deliveries[{index}])"
        outcomes = []
        for number, trigger in enumerate(_objects(entry, "triggers", entry_at)):
            place = f"{entry_at} (triggers[{number}])"
            outcomes.append(
                TriggerOutcome(
                    trigger=_text(trigger, "trigger", place),
                    outcome=_one_of(trigger, "outcome", TRIGGER_OUTCOMES, place),
                    detail=_text(trigger, "detail", place, empty_ok=True),
                )
            )
        run_url = entry.get("run_url")
        deliveries.append(
            Delivery(
                model=model,
                sequence=sequence,
                alias=_text(entry, "alias", entry_at),
                version=_positive(entry, "version", entry_at),
                occasion=_one_of(entry, "occasion", OCCASIONS, entry_at),
                at=_text(entry, "at", entry_at),
                by=_text(entry, "by", entry_at),
                triggers=tuple(outcomes),
                run_url=run_url if isinstance(run_url, str) else None,
            )
        )
    return deliveries


def decode_aliases(raw: bytes, *, where: str) -> dict[str, int]:
    data = parse_document(raw, where=where)
    aliases = data.get("aliases")
    if not isinstance(aliases, dict) or not all(
        isinstance(name, str) and isinstance(number, int) and not isinstance(number, bool) and number > 0
        for name, number in aliases.items()
    ):
        raise StoreError(f"{where}: `aliases` must map alias names to version numbers", hint=_HANDS_OFF)
    return dict(aliases)


def encode_aliases(aliases: dict[str, int]) -> bytes:
    return encode({"schema_version": SCHEMA_VERSION, "aliases": dict(sorted(aliases.items()))})


_HANDS_OFF = "mlci will not overwrite it; restore it from the branch's history (git log mlci-data) or fix it by hand."


def _text(data: dict[str, Any], key: str, where: str, *, empty_ok: bool = False) -> str:
    value = data.get(key)
    if not isinstance(value, str) or (not value and not empty_ok):
        raise StoreError(f"{where}: `{key}` must be a non-empty string", hint=_HANDS_OFF)
    return value


def _one_of(data: dict[str, Any], key: str, choices: tuple[str, ...], where: str) -> str:
    value = _text(data, key, where)
    if value not in choices:
        raise StoreError(f"{where}: unknown {key} {value!r}", hint=_HANDS_OFF)
    return value


def _objects(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise StoreError(f"{where}: `{key}` must be a list of objects", hint=_HANDS_OFF)
    return value


def _positive(data: dict[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise StoreError(f"{where}: `{key}` must be a positive whole number", hint=_HANDS_OFF)
    return value
