"""Each monitor run's findings, kept on the results branch beside the registry.

    monitor/<model>/<alias>/<when>-<id>.json    one run: the model's part of `mlci monitor --format json`

One file per run, named by its time and a random id, so two monitors at once never write the same
file and the names sort by time. Entries are read back strictly; a damaged one is skipped and named.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from mlci.config.records import record
from mlci.monitor.result import ModelMonitor
from mlci.store.storage import Changes, StorageView

ROOT = "monitor"
TREND_POINTS = 10


@record
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
    """Where a run's entry goes: named by the time it is written, to the microsecond, so the names sort
    as the runs happened even when several check within a second."""
    when = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
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


def history_document(view: StorageView, model: str) -> dict[str, Any]:
    """Per alias: how many runs, the last one, and the trend of the last `TREND_POINTS` (each metric's
    value on the batch, the share of drifted features, the status), oldest first."""
    skipped: list[str] = []
    document: dict[str, Any] = {}
    for alias, entries in read_history(view, model, skipped=skipped).items():
        recent = entries[-TREND_POINTS:]
        last = entries[-1]
        names = list(dict.fromkeys(name for entry in recent for name in entry.metrics))
        document[alias] = {
            "runs": len(entries),
            "last": {
                "checked_at": last.checked_at,
                "version": last.version,
                "verdict": last.verdict,
                "status": last.status,
                "rows": last.rows,
            },
            "trend": {
                "checked_at": [entry.checked_at for entry in recent],
                "status": [entry.status for entry in recent],
                "drifted_share": [entry.drifted_share for entry in recent],
                "metrics": {name: [entry.metrics.get(name) for entry in recent] for name in names},
            },
        }
    if skipped:
        document["skipped"] = skipped
    return document


def history_text(document: dict[str, Any]) -> str:
    """Lines for `mlci models show`: per alias, the last run and the trend of its figures."""
    lines = []
    for alias, state in document.items():
        if alias == "skipped":
            lines.append(f"monitor: skipped {len(state)} damaged entr{'y' if len(state) == 1 else 'ies'}: {state[0]}")
            continue
        last, trend = state["last"], state["trend"]
        lines.append(
            f"monitor {alias}: {state['runs']} run{'s' if state['runs'] != 1 else ''}; last {last['checked_at']}: "
            f"{last['status']} (version {last['version']}, {last['rows']} rows)"
        )
        shown = len(trend["status"])
        for name, values in trend["metrics"].items():
            lines.append(f"  {name} over the last {shown}: {_series(values)}")
        lines.append(f"  drifted share over the last {shown}: {_series(trend['drifted_share'])}")
    return "".join(f"\n{line}" for line in lines)


def _series(values: list[float | None]) -> str:
    """`0.89 -> 0.88 -> 0.74`, `-` for a run without the value."""
    return " -> ".join("-" if value is None else f"{value:.4g}" for value in values)
