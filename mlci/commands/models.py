"""`mlci models list / show / history / pull`: the registry for people and programs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlci.commands.project import Project
from mlci.monitor.history import history_document, history_text
from mlci.registry.entries import ModelVersion
from mlci.registry.registry import RegistryView
from mlci.registry.show import (
    list_models,
    model_history,
    pull_model,
    registry_text,
    show_model,
    to_json,
)


def registry_document(project: Project, what: str, model: str | None = None) -> dict[str, Any]:
    """The `list`, `show` or `history` document of the registry."""
    registry = RegistryView(project.storage)
    if what == "list":
        return list_models(registry)
    assert model is not None, "show and history name a model"
    if what == "history":
        return model_history(registry, model)
    return show_model(registry, model) | {"monitor": history_document(project.storage, model)}


def render_document(document: dict[str, Any], output_format: str) -> str:
    if output_format == "json":
        return to_json(document)
    return registry_text(document) + history_text(document.get("monitor", {}))


def pull(project: Project, reference: str, output: Path, *, check: bool) -> tuple[ModelVersion, Path]:
    """Write the model file `reference` names to `output`; the version and where it was written."""
    return pull_model(project.config, RegistryView(project.storage), reference, output, check=check)
