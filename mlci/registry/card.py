"""The model card of a registered version: what it is, how it scored, what it was trained on, where
it came from, and why it was (or was not) promoted. Written with skops' card, as Markdown.

The card never loads the model: everything in it comes from the recorded run, so writing it is safe
for any model file and costs nothing. It says which format the file is in and how (and whether) it
can be loaded safely.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from mlci.registry.entries import ModelVersion
from mlci.runs.modelformat import JOBLIB, ONNX, PICKLE, PICKLE_BASED, SKOPS, describe_format

FILE_NAME = "model-card.md"


def model_card(version: ModelVersion, *, description: str | None, decision: str, model_file: bytes | None) -> bytes:
    import skops.card

    run = version.run
    with tempfile.TemporaryDirectory(prefix="mlci-card-") as folder:
        path = Path(folder) / (version.model_file["name"] if version.model_file else "model.skops")
        path.write_bytes(model_file or b"")
        model_format = version.model_format
        card_format = "pickle" if model_format in PICKLE_BASED else "skops" if model_format == SKOPS else None
        card = skops.card.Card(path, model_format=card_format, template=None, model_diagram=False)
        card.add(**{"Model description": description or f"{version.model}, trained by mlci ({run.mode} mode)."})
        card.add(**{"Version": f"{version.model} version {version.number}, registered {version.registered_at}"})
        card.add_metrics(**{name: round(value, 6) for name, value in run.metrics.items()})
        card.add(**{"Hyperparameters": _table(("parameter", "value"), _params(run.params))})
        fingerprints = run.lineage.get("fingerprints") or {}
        card.add(**{"Training data": _table(("file", "content fingerprint"), sorted(fingerprints.items()))})
        git = run.lineage.get("git") or {}
        provenance = version.provenance
        lineage = [
            ("commit", version.commit),
            ("branch", str(git.get("branch") or "-")),
            ("pull request", f"#{provenance['pull_request']}" if provenance.get("pull_request") else "-"),
            ("workflow run", str(provenance.get("run_url") or "-")),
            ("recorded by", str(provenance.get("recorded_by") or "-")),
            ("libraries", ", ".join(f"{k} {v}" for k, v in sorted((run.lineage.get("libraries") or {}).items()))),
        ]
        card.add(**{"Lineage": _table(("", ""), lineage)})
        card.add(**{"Promotion": decision})
        card.add(**{"Loading it": _loading(version)})
        return card.render().encode()


def _loading(version: ModelVersion) -> str:
    """The model file's format, and how it can be loaded safely, if at all."""
    model_format = version.model_format
    if version.model_file is None:
        return "The run kept no model file."
    if model_format is None:
        return "The file was registered before mlci recorded model formats; `mlci models pull` writes it as it is."
    fmt = f"Format: {describe_format(model_format)}. "
    if model_format == SKOPS:
        untrusted = ", ".join(version.run.untrusted_types) or "none"
        return (
            f"{fmt}Load it with skops only (`skops.io.load(path, trusted=[...])`); types outside skops' "
            f"defaults in this file: {untrusted}. `mlci models pull --check` checks them against the "
            "repository's reviewed list before writing it."
        )
    if model_format in (PICKLE, JOBLIB):
        return (
            f"{fmt}Loading it runs whatever code the file holds, so load it only where you trust everyone "
            "who can write to this repository's results branch. mlci never loads it: `mlci models pull` "
            "writes its bytes after checking their sha256. Saving with skops (`skops.io.dump`) makes a "
            "file that can be checked before it is loaded."
        )
    if model_format == ONNX:
        return f"{fmt}Load it with an ONNX runtime; mlci keeps and serves its bytes and never loads it."
    return f"{fmt}mlci keeps and serves its bytes, checked against their sha256, and never loads it."


def _params(params: dict) -> list[tuple[str, str]]:
    return [(name, value if isinstance(value, str) else json.dumps(value)) for name, value in sorted(params.items())]


def _table(header: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    if not rows:
        return "_none recorded_"
    lines = [f"| {header[0]} | {header[1]} |", "| :--- | :--- |"]
    lines += [f"| {_cell(a)} | {_cell(b)} |" for a, b in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
