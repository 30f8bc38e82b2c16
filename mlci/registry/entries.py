"""What the registry keeps: model versions and alias moves, as strict JSON documents.

They are read back from a shared branch that anyone with write access could edit, so decoding
checks every field and names the file when something is off, instead of trusting it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mlci.errors import StoreError
from mlci.runs import Run

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ModelVersion:
    """One registered version of a model: the run it came from and its model file."""

    model: str
    number: int
    commit: str
    run: Run
    registered_at: str
    model_file: dict[str, Any] | None = None
    """{"name", "sha256", "size"} of the model file kept next to it, or None (command mode without one)."""
    provenance: dict[str, Any] = field(default_factory=dict)
    """recorded_by, run_url, pull_request: where the version came from."""

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


@dataclass(frozen=True)
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


def encode(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def parse_document(raw: bytes, *, where: str) -> dict[str, Any]:
    """A JSON object of this schema version, or `StoreError` naming `where`."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
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
    kind = _text(data, "kind", where)
    if kind not in MOVE_KINDS:
        raise StoreError(f"{where}: unknown kind {kind!r}", hint=_HANDS_OFF)
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


def _positive(data: dict[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise StoreError(f"{where}: `{key}` must be a positive whole number", hint=_HANDS_OFF)
    return value
