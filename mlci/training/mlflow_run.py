"""A command that logs to MLflow (`outputs: {mlflow: true}`): where it logs, and what mlci reads back.

The command runs with `MLFLOW_TRACKING_URI` pointing at a SQLite store of mlci's under
`.mlci/mlflow/<model>/`, emptied before each training, so the only runs in it are this training's.
mlci reads that database with Python's own `sqlite3`, so the `mlflow` package is needed only by the
script that logs, never by mlci: the run's latest metric values, its params, and the file of the
model it logged (the file its `MLmodel` names, kept as bytes and never loaded).

MLflow 3 refuses a plain folder as a tracking store unless told otherwise, and SQLite is the
backend it recommends; its `runs`, `latest_metrics`, `params`, `tags` and `logged_models` tables
are what its own SQL store has kept for years.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from mlci.config.fields import ConfigField
from mlci.config.records import record
from mlci.errors import MetricsFileError

DATABASE = "mlflow.db"
# MLflow's own server sets this for its artifact root; the client's SQL store honours it too, which
# keeps the script's artifacts in mlci's folder instead of `./mlruns` (a version that ignores it
# writes them there, and they are found through the run's artifact URI all the same).
ARTIFACT_ROOT_VARIABLE = "_MLFLOW_SERVER_ARTIFACT_ROOT"
# Keys of an `MLmodel` flavour that name the model's own file, most specific first.
MODEL_FILE_KEYS = ("pickled_model", "model_path", "data", "model_file")


@record
class LoggedRun:
    """What a command logged to MLflow in one training."""

    run_id: str
    metrics: dict[str, float]
    params: dict[str, str]
    model_file: Path | None
    runs: int
    """How many top-level runs the store held; the last started is the one read."""


def prepare_store(folder: Path) -> dict[str, str]:
    """Empty `folder` for a new training and return the variables that point MLflow at it."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return {
        "MLFLOW_TRACKING_URI": f"sqlite:///{(folder / DATABASE).resolve()}",
        ARTIFACT_ROOT_VARIABLE: str((folder / "artifacts").resolve()),
    }


def read_logged_run(folder: Path, *, field: ConfigField) -> LoggedRun:
    """The run the command logged to the store in `folder`; `MetricsFileError` located at `field`
    (`outputs.mlflow`) when it logged none."""
    database = folder / DATABASE
    if not database.is_file():
        raise field.error(
            f"the command logged nothing to MLflow (no store was created at {database})",
            kind=MetricsFileError,
            hint="The script must log with `mlflow` to the tracking URI it is given (MLFLOW_TRACKING_URI); "
            "a script that sets its own tracking URI logs elsewhere.",
        )
    with sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True) as connection:
        try:
            return _read(connection, field=field)
        except sqlite3.Error as exc:
            raise field.error(f"the MLflow store at {database} cannot be read ({exc})", kind=MetricsFileError) from None


def _read(connection: sqlite3.Connection, *, field: ConfigField) -> LoggedRun:
    children = {row[0] for row in connection.execute("SELECT run_uuid FROM tags WHERE key = 'mlflow.parentRunId'")}
    runs = [
        (run_id, artifact_uri)
        for run_id, artifact_uri in connection.execute(
            "SELECT run_uuid, artifact_uri FROM runs WHERE lifecycle_stage = 'active' ORDER BY start_time, run_uuid"
        )
        if run_id not in children
    ]
    if not runs:
        raise field.error(
            "the command logged no MLflow run",
            kind=MetricsFileError,
            hint="Log metrics inside `with mlflow.start_run():` (or with mlflow's autologging).",
        )
    run_id, artifact_uri = runs[-1]
    metrics = {
        key: float(value)
        for key, value in connection.execute(
            "SELECT key, value FROM latest_metrics WHERE run_uuid = ? AND is_nan = 0", (run_id,)
        )
    }
    params = dict(connection.execute("SELECT key, value FROM params WHERE run_uuid = ?", (run_id,)))
    return LoggedRun(
        run_id=run_id,
        metrics=metrics,
        params=params,
        model_file=_model_file(connection, run_id, artifact_uri),
        runs=len(runs),
    )


def _model_file(connection: sqlite3.Connection, run_id: str, artifact_uri: str) -> Path | None:
    """The file of the last model the run logged: MLflow 3 keeps logged models apart from the run's
    artifacts (`logged_models`), MLflow 2 inside them; either way, the folder with an `MLmodel`."""
    folders: list[Path] = []
    has_table = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'logged_models'").fetchone()
    if has_table:
        rows = connection.execute(
            "SELECT artifact_location FROM logged_models WHERE source_run_id = ? ORDER BY creation_timestamp_ms",
            (run_id,),
        )
        folders += [path for (location,) in rows if (path := _local_path(location)) is not None]
    run_artifacts = _local_path(artifact_uri)
    if run_artifacts is not None and run_artifacts.is_dir():
        folders += sorted(path.parent for path in run_artifacts.rglob("MLmodel"))
    for folder in reversed(folders):
        found = _file_named_by_mlmodel(folder)
        if found is not None:
            return found
    return None


def _file_named_by_mlmodel(folder: Path) -> Path | None:
    try:
        description = yaml.safe_load((folder / "MLmodel").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    flavors = description.get("flavors") if isinstance(description, dict) else None
    if not isinstance(flavors, dict):
        return None
    for key in MODEL_FILE_KEYS:
        for flavor in flavors.values():
            name = flavor.get(key) if isinstance(flavor, dict) else None
            if isinstance(name, str) and "/" not in name and ".." not in name and (folder / name).is_file():
                return folder / name
    return None


def _local_path(uri: str | None) -> Path | None:
    """A local artifact location (`/abs/path` or `file:///abs/path`) as a path; None for anything else."""
    if not uri:
        return None
    if uri.startswith("/"):
        return Path(uri)
    parts = urlsplit(uri)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None
