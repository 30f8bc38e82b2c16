"""`mlci registry sync`: bring the MLflow mirror in line with the results branch."""

from __future__ import annotations

from collections.abc import Callable

from mlci.commands.project import Project
from mlci.errors import ConfigError
from mlci.mlflow.sync import sync_mirror


def sync(project: Project, *, say: Callable[[str], None]) -> list[str]:
    """Log the recorded runs and create the model versions MLflow lacks, and set its aliases to the
    results branch's holders; each change is `say`-d as it is made, and all are returned."""
    mirror = project.mlflow
    if mirror is None:
        raise ConfigError(
            "there is no MLflow server to sync with",
            hint="Set `mlflow: {tracking_uri: https://...}` in mlci.yaml, or MLFLOW_TRACKING_URI.",
        )
    return sync_mirror(mirror, project.storage, say=say)
