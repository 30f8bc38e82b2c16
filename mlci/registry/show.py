"""`mlci models list / show / history / pull`: the registry for people (text) and programs (JSON)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mlci.config import Config
from mlci.config.files import write_output
from mlci.errors import ConfigError, StoreError
from mlci.registry.entries import AliasMove, Delivery, ModelVersion
from mlci.registry.holds import Holds
from mlci.registry.registry import RegistryView
from mlci.runs.modelformat import model_format
from mlci.training.modelfile import load_skops_only

JSON_SCHEMA_VERSION = 1
MODEL_REF = re.compile(r"^(?P<model>[a-z0-9][a-z0-9_.-]*)@(?P<target>[A-Za-z0-9][A-Za-z0-9_.-]*)$")


def parse_reference(reference: str, *, default_target: str | None = None) -> tuple[str, str]:
    """`MODEL@ALIAS` or `MODEL@VERSION` as (model, alias or version); a bare `MODEL` gets `default_target`."""
    full = f"{reference}@{default_target}" if default_target is not None and "@" not in reference else reference
    matched = MODEL_REF.match(full)
    if not matched:
        shapes = "MODEL, MODEL@ALIAS" if default_target is not None else "MODEL@ALIAS or MODEL@VERSION"
        raise ConfigError(f"{reference!r} is not {shapes} (for example iris@production)")
    return matched["model"], matched["target"]


def list_models(registry: RegistryView) -> dict[str, Any]:
    models = []
    for name in registry.models():
        numbers = registry.version_numbers(name)
        models.append(
            {"model": name, "versions": len(numbers), "latest": numbers[-1], "aliases": registry.aliases(name)}
        )
    return {"schema_version": JSON_SCHEMA_VERSION, "models": models}


def show_model(registry: RegistryView, model: str) -> dict[str, Any]:
    versions = registry.versions(model)
    if not versions:
        raise StoreError(f"{model} has no versions in the registry", hint="`mlci promote` registers them.")
    aliases = registry.aliases(model)
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "model": model,
        "aliases": aliases,
        "versions": [_version_json(v, aliases) for v in versions],
        "deliveries": {alias: _alias_delivery(registry, model, alias) for alias in sorted(aliases)},
        "holds": _holds_json(registry, model, sorted(aliases)),
    }


def model_history(registry: RegistryView, model: str) -> dict[str, Any]:
    moves = registry.history(model)
    history = [_move_json(m) | {"deliveries": _deliveries_json(registry.deliveries(model, m.sequence))} for m in moves]
    return {"schema_version": JSON_SCHEMA_VERSION, "model": model, "history": history}


def delivery_summary(deliveries: list[dict[str, Any]]) -> str:
    """What the last firing of a move's triggers did, in a few words; `-` when none was recorded."""
    if not deliveries:
        return "-"
    triggers = deliveries[-1]["triggers"]
    parts = []
    for outcome in ("failed", "fired", "skipped"):
        names = [t["trigger"] for t in triggers if t["outcome"] == outcome]
        if names:
            parts.append(f"{', '.join(names)} {outcome}")
    text = "; ".join(parts) or "no triggers"
    return text if len(deliveries) == 1 else f"{text} ({len(deliveries)} deliveries)"


def registry_text(document: dict[str, Any]) -> str:
    """The text form of any of the documents above."""
    if "models" in document:
        if not document["models"]:
            return "no models registered yet"
        rows = [["model", "versions", "latest", "aliases"]]
        for entry in document["models"]:
            rows.append([entry["model"], str(entry["versions"]), str(entry["latest"]), _aliases(entry["aliases"])])
        return _table(rows)
    if "versions" in document:
        rows = [["version", "commit", "registered", "model file", "metrics", "aliases"]]
        for v in document["versions"]:
            metrics = ", ".join(f"{k}={value:.4g}" for k, value in v["metrics"].items())
            file = v["model_file"]
            shown = "-" if file is None else file.get("format") or "format not recorded"
            aliases = ", ".join(v["aliases"])
            rows.append([str(v["version"]), v["commit"][:12], v["registered_at"], shown, metrics, aliases])
        shown = _table(rows) + _deliveries_text(document) + _holds_text(document) + _mlflow_text(document)
        return f"{document['model']}\n" + shown
    rows = [["#", "when", "alias", "move", "kind", "by", "triggers", "why"]]
    for m in document["history"]:
        move = f"{m['from'] if m['from'] is not None else '-'} -> {m['to']}"
        triggers = delivery_summary(m["deliveries"])
        rows.append([str(m["sequence"]), m["at"], m["alias"], move, m["kind"], m["by"], triggers, m["reason"]])
    if len(rows) == 1:
        return f"{document['model']}: no alias has moved yet"
    return f"{document['model']}\n" + _table(rows)


def _mlflow_text(document: dict[str, Any]) -> str:
    """What `mlci models show` says of the MLflow mirror's aliases, when one is configured."""
    mirror = document.get("mlflow")
    if not mirror:
        return ""
    if mirror.get("error"):
        return f"\nMLflow's aliases could not be checked: {mirror['error']}"
    lines = [
        f"\n{moved['alias']} in MLflow points at {moved['mlflow']}, not version {moved['holder']}: moved outside "
        "mlci; `mlci registry sync` sets it back"
        for moved in mirror["moved"]
    ]
    return "".join(lines)


def pull_model(
    config: Config, registry: RegistryView, reference: str, output: Path, *, check: bool
) -> tuple[ModelVersion, Path]:
    """Write the model file of `MODEL@ALIAS` or `MODEL@VERSION` to `output` (into it, under its
    registered name, when `output` is a folder) after checking its bytes against the sha256 recorded
    at registration; return where it was written. Nothing is loaded, in any format; with `check`, a
    skops file is first loaded with the repository's reviewed types trusted and nothing else, and
    any other format is refused. Returns the version and the file written."""
    version = resolve_reference(registry, reference)
    content = registry.model_file(version)
    if content is None or version.model_file is None:
        raise StoreError(f"{version.model} version {version.number} has no model file (its run declared none)")
    what = f"{version.model} version {version.number}"
    if check:
        load_skops_only(
            content,
            file_format=version.model_format or model_format(content, version.model_file["name"]),
            config=config,
            what=what,
            by="--check",
            hint="Pull it without --check: its bytes are still checked against the registered sha256.",
        )
    target = output / version.model_file["name"] if output.is_dir() else output
    return version, write_output(target, content, option="--output")


def resolve_reference(registry: RegistryView, reference: str) -> ModelVersion:
    """The version `MODEL@ALIAS` or `MODEL@VERSION` names."""
    model, target = parse_reference(reference)
    if target.isdigit():
        return registry.version(model, int(target))
    number = registry.aliases(model).get(target)
    if number is None:
        known = ", ".join(sorted(registry.aliases(model))) or "none"
        raise StoreError(f"{model} has no alias {target!r} (aliases: {known})")
    return registry.version(model, number)


def _holds_json(registry: RegistryView, model: str, aliases: list[str]) -> dict[str, Any]:
    """Per alias whose automatic promotion leaves versions out: whether it is held, and which versions."""
    holds = Holds(registry, model)
    out: dict[str, Any] = {}
    for alias in aliases:
        held = holds.held(alias)
        excluded = held.excluded if held is not None else holds.excluded(alias)
        if not excluded and held is None:
            continue
        out[alias] = {
            "held": held is not None,
            "message": held.sentence() if held is not None else None,
            "excluded": [
                {"version": number, "rollback": why.rollback.sequence, "same_as": why.same_as, "same_by": why.by}
                for number, why in sorted(excluded.items())
            ],
        }
    return out


def _holds_text(document: dict[str, Any]) -> str:
    lines = []
    for alias, hold in document["holds"].items():
        if hold["message"]:
            lines.append(hold["message"])
        else:
            numbers = ", ".join(str(entry["version"]) for entry in hold["excluded"])
            lines.append(
                f"{alias}: version{'s' if len(hold['excluded']) > 1 else ''} {numbers} will not be promoted "
                "automatically (rolled back from it, or the same model as one that was)"
            )
    return "".join(f"\n{line}" for line in lines)


def _version_json(version: ModelVersion, aliases: dict[str, int]) -> dict[str, Any]:
    return {
        "version": version.number,
        "commit": version.commit,
        "registered_at": version.registered_at,
        "metrics": version.run.metrics,
        "params": version.run.params,
        "untrusted_types": version.run.untrusted_types,
        "model_file": version.model_file,
        "provenance": version.provenance,
        "aliases": sorted(name for name, number in aliases.items() if number == version.number),
    }


def _alias_delivery(registry: RegistryView, model: str, alias: str) -> dict[str, Any] | None:
    """The move that put `alias` where it is, with every firing of its triggers; None when it never moved."""
    move = registry.last_move(model, alias)
    if move is None:
        return None
    deliveries = _deliveries_json(registry.deliveries(move.model, move.sequence))
    return {"sequence": move.sequence, "version": move.to_version, "deliveries": deliveries}


def _deliveries_json(deliveries: list[Delivery]) -> list[dict[str, Any]]:
    return [delivery.to_json() for delivery in deliveries]


def _deliveries_text(document: dict[str, Any]) -> str:
    """A line per alias: what the deploy triggers of its current version did, and how to fire them again."""
    lines = []
    for alias, state in document["deliveries"].items():
        if state is None:
            continue
        deliveries = state["deliveries"]
        line = f"{alias} -> version {state['version']}: triggers {delivery_summary(deliveries)}"
        if deliveries and any(t["outcome"] == "failed" for t in deliveries[-1]["triggers"]):
            line += f"; `mlci deploy {document['model']}@{alias}` fires them again"
        lines.append(line)
    return "".join(f"\n{line}" for line in lines)


def _move_json(move: AliasMove) -> dict[str, Any]:
    return {key: value for key, value in move.to_json().items() if key != "schema_version"}


def _aliases(aliases: dict[str, int]) -> str:
    return ", ".join(f"{name}=v{number}" for name, number in sorted(aliases.items())) or "-"


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True)
