"""Finding, reading and validating `mlci.yaml`."""

from __future__ import annotations

import os
from pathlib import Path

from mlci.config.files import WORK_DIR_NAME
from mlci.config.parse import parse_config
from mlci.config.schema import (
    CommandSpec,
    Config,
    DataSpec,
    EstimatorSpec,
    GateSpec,
    MetricSpec,
    ModelSpec,
    ReportSpec,
    SplitSpec,
    StoreSpec,
)
from mlci.config.yamlsource import load_yaml
from mlci.errors import ConfigError

CONFIG_NAME = "mlci.yaml"

__all__ = [
    "CONFIG_NAME",
    "CommandSpec",
    "Config",
    "DataSpec",
    "EstimatorSpec",
    "GateSpec",
    "MetricSpec",
    "ModelSpec",
    "ReportSpec",
    "SplitSpec",
    "StoreSpec",
    "find_config",
    "load_config",
]


def find_config(explicit: str | os.PathLike[str] | None = None, *, start: Path | None = None) -> Path:
    """The config to use: `--config`, else `MLCI_CONFIG`, else `mlci.yaml` here or in a parent
    folder up to the repository root."""
    chosen = explicit or os.environ.get("MLCI_CONFIG")
    if chosen:
        return Path(chosen)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            break
    raise ConfigError(
        f"no {CONFIG_NAME} found in {here} or its parent folders up to the repository root",
        hint="Run `mlci init` to write one, or pass --config PATH (or set MLCI_CONFIG).",
    )


def load_config(path: str | os.PathLike[str], *, keep: bool = True) -> Config:
    """Read and validate the config at `path`; any problem raises `ConfigError` naming file and line.
    An unchanged config is read from what an earlier command parsed (`.mlci/cache/config/` beside
    it); unless `keep` is false, a changed one is kept there for the next."""
    path = Path(path)
    return parse_config(load_yaml(path, cache=path.parent / WORK_DIR_NAME / "cache" / "config", keep=keep))
