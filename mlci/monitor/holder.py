"""The version an alias points at, and its model loaded the one safe way.

Only a skops file is loaded, with only the repository's reviewed types trusted (the same check as
`mlci models pull --check` and re-scoring); any other format, or a file with an unreviewed type, is
refused before anything in it runs.
"""

from __future__ import annotations

from typing import Any

from mlci.config import Config
from mlci.config.records import record
from mlci.errors import StoreError
from mlci.registry.entries import ModelVersion
from mlci.registry.registry import RegistryView
from mlci.runs.modelformat import model_format
from mlci.training.modelfile import ModelLoadError, load_skops_only


@record
class Holder:
    """The version `alias` points at and its fitted model."""

    alias: str
    version: ModelVersion
    estimator: Any


def load_holder(config: Config, registry: RegistryView, model: str, alias: str) -> Holder:
    """`alias`'s version of `model` with its model loaded; `StoreError` when no version holds the
    alias, `ModelLoadError` when its file is not one mlci loads."""
    number = registry.aliases(model).get(alias)
    if number is None:
        held = ", ".join(sorted(registry.aliases(model))) or "none"
        versions = registry.version_numbers(model)
        where = f"aliases: {held}" if versions else "it has no versions in the registry"
        raise StoreError(
            f"no version of {model} holds the alias {alias!r} ({where}), so there is nothing to monitor",
            hint="`mlci promote` moves an alias; `--alias` (or `monitor.alias`) names another one.",
        )
    version = registry.version(model, number)
    what = f"{model} version {number} ({alias})"
    content = registry.model_file(version)
    if content is None or version.model_file is None:
        raise ModelLoadError(f"{what} has no model file to monitor (its run declared none)")
    estimator = load_skops_only(
        content,
        file_format=version.model_format or model_format(content, version.model_file["name"]),
        config=config,
        what=what,
        by="mlci monitor",
        hint="Save the model with skops.io.dump to have it monitored.",
    )
    return Holder(alias=alias, version=version, estimator=estimator)
