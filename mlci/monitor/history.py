"""Each monitor run's findings, kept on the results branch beside the registry.

    monitor/<model>/<alias>/<when>-<id>.json    one run: the model's part of `mlci monitor --format json`

One file per run, named by its time and a random id, so two monitors at once never write the same
file and the names sort by time. Entries are read back strictly; a damaged one is skipped and named.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mlci.monitor.result import ModelMonitor
from mlci.store.storage import Changes, StorageView

ROOT = "monitor"
TREND_POINTS = 10


@dataclass(frozen=True)
class HistoryEntry:
    """One past run, as `mlci models show` lists it."""

    checked_at: str
    version: int
    verdict: str
    status: str
    rows: int
    metrics: dict[str, float]
    drifted_share: float | None


def entry_path(model: ModelMonitor) -> str:
    when = datetime.fromisoformat(model.checked_at).strftime("%Y%m%dT%H%M%SZ")
    return f"{ROOT}/{model.model}/{model.alias}/{when}-{secrets.token_hex(4)}.json"


def record_changes(models: list[ModelMonitor]) -> Changes:
    """The files that append each model's findings to its history."""
    return {entry_path(model): json.dumps(model.to_json(), indent=2, sort_keys=True).encode() for model in models}


def read_history(view: StorageView, model: str, *, skipped: list[str] | None = None) -> dict[str, list[HistoryEntry]]:
    """Every alias's runs for `model`, oldest first; the paths of damaged entries go to `skipped`."""
    found: dict[str, list[HistoryEntry]] = {}
    for alias in view.list(f"{ROOT}/{model}"):
        entries = []
        for name in view.list(f"{ROOT}/{model}/{alias}"):
            path = f"{ROOT}/{model}/{alias}/{name}"
            entry = _decode(view.read(path))
            if entry is None:
                if skipped is not None:
                    skipped.append(path)
                continue
            entries.append(entry)
        if entries:
            found[alias] = entries
    return found


def _decode(raw: bytes | None) -> HistoryEntry | None:
    try:
        data = json.loads(raw or b"")
        metrics = {str(m["metric"]): _number(m["value"]) for m in data["metrics"]}
        share = data["drifted_share"]
        entry = HistoryEntry(
            checked_at=str(data["checked_at"]),
            version=int(data["version"]),
            verdict=str(data["verdict"]),
            status=str(data["status"]),
            rows=int(data["rows"]),
            metrics=metrics,
            drifted_share=None if share is None else _number(share),
        )
    except (ValueError, TypeError, KeyError):
        return None
    return entry


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("not a number")
    return float(value)
