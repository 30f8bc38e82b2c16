"""Why a model has to be trained again: what differs between its inputs now and a recorded run's.

The model fingerprint says only whether anything changed; a reviewer of a matrix of jobs wants to
know what did: `config changed`, `data changed: data/iris.csv`, `deps changed: features/`,
`libraries changed: scikit-learn 1.8 -> 1.9`. Each file of a run's lineage is traced back to the
config entry that named it (a data file, a `deps` entry, a parameter file), so a change deep inside a
`deps` folder is told by the folder the user wrote.
"""

from __future__ import annotations

from pathlib import Path

from mlci.config import Config, ModelSpec
from mlci.runs.fingerprint import fingerprint_key
from mlci.runs.lineage import FINGERPRINT_KEY, ModelInputs
from mlci.runs.run import Run

ALWAYS_TRAINED = "always trained: mlci cannot see its code (list it under deps)"
NEW_MODEL = "new model"
NOT_RECORDED = "not recorded on the base"
NO_FINGERPRINT = "the base's run kept no fingerprint"


def why_changed(config: Config, model: ModelSpec, now: ModelInputs, recorded: Run | None) -> str | None:
    """Why `model`, whose inputs are `now`, differs from its `recorded` run (None: the base recorded
    none of it); None when it does not, so that run can be taken over."""
    if now.model_fingerprint is None:
        return ALWAYS_TRAINED
    if recorded is None:
        return NEW_MODEL
    before = recorded.lineage.get(FINGERPRINT_KEY)
    if before == now.model_fingerprint:
        return None
    if not before:
        return NO_FINGERPRINT
    reasons = []
    if recorded.lineage.get("config_hash") != model.config_hash:
        reasons.append("config changed")
    reasons += _inputs_changed(config, model, now.fingerprints, text_mapping(recorded.lineage.get("fingerprints")))
    libraries = libraries_changed(now.libraries, text_mapping(recorded.lineage.get("libraries")))
    if libraries:
        reasons.append(f"libraries changed: {libraries}")
    return "; ".join(reasons) or "fingerprint changed"


def _inputs_changed(config: Config, model: ModelSpec, now: dict[str, str], before: dict[str, str]) -> list[str]:
    changed = sorted(key for key in now.keys() | before.keys() if now.get(key) != before.get(key))
    by_kind: dict[str, list[str]] = {}
    for key in changed:
        kind, shown = _entry_of(config, model, key)
        if shown not in by_kind.setdefault(kind, []):
            by_kind[kind].append(shown)
    return [f"{kind} changed: {', '.join(shown)}" for kind, shown in by_kind.items()]


def _entry_of(config: Config, model: ModelSpec, key: str) -> tuple[str, str]:
    """Which kind of input (data, deps, params) the lineage key `key` belongs to, and the entry to show."""
    entries: list[tuple[str, Path]] = []
    if model.data is not None:
        entries += [("data", path) for path in (model.data.train, model.data.test) if path is not None]
    entries += [("params", spec.path) for spec in model.params]
    entries += [("deps", dep) for dep in model.deps]
    for kind, path in entries:
        entry = fingerprint_key(path, config.root)
        if key == entry:
            return kind, entry
        if key.startswith(f"{entry}/"):
            return kind, f"{entry}/"
    return "inputs", key


def libraries_changed(now: dict[str, str], before: dict[str, str]) -> str:
    """`scikit-learn 1.8 -> 1.9, ...`: the libraries whose versions differ; empty when none do."""
    return ", ".join(
        f"{name} {before.get(name, 'none')} -> {now.get(name, 'none')}"
        for name in sorted(now.keys() | before.keys())
        if now.get(name) != before.get(name)
    )


def text_mapping(value: object) -> dict[str, str]:
    """A lineage field read as a mapping of text (a hand-edited record may hold anything there)."""
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
