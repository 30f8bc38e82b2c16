"""The results branch mirrored into MLflow: recorded runs as MLflow runs, registered versions as
MLflow model versions, aliases as MLflow aliases.

Every write is found by its tags before it is made, so mirroring again (a re-run of the job, `mlci
registry sync`) creates nothing twice:

- a recorded run is the MLflow run of experiment `mlci/<model>` tagged `mlci.model`, `mlci.commit`
  and `mlci.run` (when it was trained), found with `runs/search`; one left unfinished by an earlier
  attempt is completed rather than duplicated;
- a registered version is the MLflow model version tagged `mlci.commit` (`model-versions/search`):
  mlci registers one version per commit, and so does the mirror. MLflow numbers its versions itself;
  `mlci.version` tags each with mlci's number;
- an alias is set with `registered-models/alias`, an overwrite.

Endpoints: experiments get-by-name/create, runs search/create/log-batch/update,
registered-models get/create, model-versions search/create, registered-models alias (GET, POST), and
the server's `mlflow-artifacts` proxy for the files.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from mlci.config.records import record
from mlci.errors import StoreError
from mlci.git import short_sha
from mlci.mlflow.client import MlflowClient, MlflowError, already_exists, is_missing
from mlci.registry.entries import ModelVersion
from mlci.runs import RUN_FILE, Run, encode_run
from mlci.runs.lineage import FINGERPRINT_KEY
from mlci.store.records import Record

ARTIFACTS_SCHEME = "mlflow-artifacts:/"
# MLflow's limits on one log-batch call and on a param's value.
BATCH_PARAMS, BATCH_METRICS, PARAM_CHARS = 100, 1000, 6000
MODEL_FOLDER = "model"


@record
class MirroredRun:
    run_id: str
    artifact_root: str
    """Where its artifacts are, below the proxy (`<experiment>/<run>/artifacts`)."""
    created: bool


@record
class MirroredVersion:
    number: str
    """MLflow's version number, which need not be mlci's."""
    created: bool


@record
class AliasTarget:
    """What an MLflow alias points at."""

    mlflow_version: str
    mlci_version: int | None
    """The `mlci.version` tag of that MLflow version; None for one mlci did not create."""


class Mirror:
    """Writes to and reads from one MLflow server's copy of the results branch."""

    def __init__(self, client: MlflowClient, *, experiment: str = "mlci/{model}") -> None:
        self.client = client
        self.experiment = experiment
        self._experiments: dict[str, str] = {}

    @property
    def where(self) -> str:
        return f"MLflow at {self.client.url}"

    # -- runs ------------------------------------------------------------------------------------

    def log_run(
        self,
        run: Run,
        *,
        commit: str,
        files: Mapping[str, bytes],
        info: Mapping[str, Any],
    ) -> MirroredRun:
        """The MLflow run of `run` recorded at `commit`, logged with its params, metrics, tags and
        `files` (name -> bytes) unless it already is."""
        experiment_id = self._experiment(run.model)
        tags = _run_tags(run, commit=commit, info=info)
        found = self._find_run(experiment_id, tags)
        if found is not None and found["info"].get("status") == "FINISHED":
            return MirroredRun(found["info"]["run_id"], _artifact_root(found["info"]), created=False)
        if found is None:
            found = self.client.post(
                "runs/create",
                {
                    "experiment_id": experiment_id,
                    "run_name": f"{run.model}@{short_sha(commit)}",
                    "start_time": _now_ms(),
                    "tags": [{"key": k, "value": v} for k, v in tags.items()],
                },
                repeatable=False,
            )["run"]
        info_json = found["info"]
        run_id, root = info_json["run_id"], _artifact_root(info_json)
        self._log_values(run_id, run, tags)
        digests = {}
        for name, content in sorted(files.items()):
            folder = f"{MODEL_FOLDER}/" if name == run.files.get("model") else ""
            self.client.upload(f"{root}/{folder}{name}", content)
            digests[f"mlci.sha256.{name}"] = hashlib.sha256(content).hexdigest()
        self.client.post(
            "runs/log-batch",
            {"run_id": run_id, "tags": [{"key": k, "value": v} for k, v in digests.items()]},
            repeatable=True,
        )
        # Finished last: a run left RUNNING by an interruption is completed by the next attempt.
        self.client.post(
            "runs/update", {"run_id": run_id, "status": "FINISHED", "end_time": _now_ms()}, repeatable=True
        )
        return MirroredRun(run_id, root, created=True)

    def log_record(self, storage_read: Callable[[str], bytes | None], record: Record, model: str) -> MirroredRun:
        """Mirror the run of `model` in `record`, reading its files from the results branch."""
        run = record.runs[model]
        files = {RUN_FILE: encode_run(run)}
        for name in run.files.values():
            content = storage_read(f"runs/{record.commit}/{model}/{name}")
            if content is None:
                raise StoreError(f"runs/{record.commit}/{model}/{name} is missing from the store")
            files[name] = content
        return self.log_run(run, commit=record.commit, files=files, info=record.info)

    def find_run(self, run: Run, *, commit: str, info: Mapping[str, Any]) -> MirroredRun | None:
        """The finished MLflow run of `run` at `commit`, or None."""
        experiment_id = self._experiment_id(run.model, create=False)
        if experiment_id is None:
            return None
        found = self._find_run(experiment_id, _run_tags(run, commit=commit, info=info))
        if found is None or found["info"].get("status") != "FINISHED":
            return None
        return MirroredRun(found["info"]["run_id"], _artifact_root(found["info"]), created=False)

    # -- the registry ----------------------------------------------------------------------------

    def ensure_version(self, version: ModelVersion, run: MirroredRun) -> MirroredVersion:
        """The MLflow model version of mlci's `version` (one per commit), created from `run`'s model
        folder unless it exists."""
        found = self.find_version(version.model, version.commit)
        if found is not None:
            return MirroredVersion(found["version"], created=False)
        self._ensure_registered_model(version.model)
        created = self.client.post(
            "model-versions/create",
            {
                "name": version.model,
                "source": f"{ARTIFACTS_SCHEME}{run.artifact_root}/{MODEL_FOLDER}",
                "run_id": run.run_id,
                "description": f"mlci version {version.number} ({short_sha(version.commit)})",
                "tags": [
                    {"key": "mlci.commit", "value": version.commit},
                    {"key": "mlci.version", "value": str(version.number)},
                ],
            },
            repeatable=False,
        )["model_version"]
        # Another job may have mirrored the same commit between the search and the create (the
        # alias trigger of a concurrent promotion mirrors the holder it reads): the lowest version
        # of the commit stands, the others are deleted, so every racer ends on the same one.
        first = self.find_version(version.model, version.commit)
        if first is not None and first["version"] != created["version"]:
            self.client.delete("model-versions/delete", {"name": version.model, "version": created["version"]})
            return MirroredVersion(first["version"], created=False)
        return MirroredVersion(created["version"], created=True)

    def find_version(self, model: str, commit: str) -> dict[str, Any] | None:
        """The MLflow model version mirrored from `model`'s version at `commit`, or None."""
        answer = self.client.get(
            "model-versions/search",
            {"filter": f"name = '{_quoted(model)}' and tags.`mlci.commit` = '{_quoted(commit)}'", "max_results": 10},
        )
        versions = answer.get("model_versions") or []
        return min(versions, key=lambda v: int(v["version"])) if versions else None

    def set_alias(self, model: str, alias: str, mlflow_version: str) -> None:
        self.client.post(
            "registered-models/alias", {"name": model, "alias": alias, "version": mlflow_version}, repeatable=True
        )

    def alias_target(self, model: str, alias: str) -> AliasTarget | None:
        """Where MLflow's `model@alias` points, or None when it is not set."""
        try:
            answer = self.client.get("registered-models/alias", {"name": model, "alias": alias})
        except MlflowError as exc:
            if is_missing(exc):
                return None
            raise
        found = answer.get("model_version") or {}
        tags = {tag.get("key"): tag.get("value") for tag in found.get("tags") or []}
        number = tags.get("mlci.version")
        return AliasTarget(
            mlflow_version=str(found.get("version")),
            mlci_version=int(number) if isinstance(number, str) and number.isdigit() else None,
        )

    # -- helpers ---------------------------------------------------------------------------------

    def _experiment(self, model: str) -> str:
        found = self._experiment_id(model, create=True)
        assert found is not None, "created when missing"
        return found

    def _experiment_id(self, model: str, *, create: bool) -> str | None:
        """The id of `model`'s experiment; created when missing and `create`, else None."""
        name = self.experiment.format(model=model)
        if name in self._experiments:
            return self._experiments[name]
        try:
            self._experiments[name] = self.client.get("experiments/get-by-name", {"experiment_name": name})[
                "experiment"
            ]["experiment_id"]
        except MlflowError as exc:
            if not is_missing(exc):
                raise
            if not create:
                return None
            try:
                self._experiments[name] = self.client.post("experiments/create", {"name": name}, repeatable=False)[
                    "experiment_id"
                ]
            except MlflowError as again:
                if not already_exists(again):  # else another job created it meanwhile
                    raise
                return self._experiment_id(model, create=False)
        return self._experiments[name]

    def _find_run(self, experiment_id: str, tags: Mapping[str, str]) -> dict[str, Any] | None:
        keys = ("mlci.model", "mlci.commit", "mlci.run")
        conditions = [f"tags.`{key}` = '{_quoted(tags[key])}'" for key in keys if key in tags]
        answer = self.client.post(
            "runs/search",
            {
                "experiment_ids": [experiment_id],
                "filter": " and ".join(conditions),
                "max_results": 10,
                "order_by": ["attributes.start_time ASC"],
            },
            repeatable=True,
        )
        runs = answer.get("runs") or []
        finished = [r for r in runs if r["info"].get("status") == "FINISHED"]
        return (finished or runs or [None])[0]

    def _log_values(self, run_id: str, run: Run, tags: Mapping[str, str]) -> None:
        params = [{"key": str(k)[:250], "value": _param_value(v)} for k, v in sorted(run.params.items())]
        stamp = _now_ms()
        metrics = [
            {"key": name, "value": value, "timestamp": stamp, "step": 0} for name, value in sorted(run.metrics.items())
        ]
        for start in range(0, max(len(params), 1), BATCH_PARAMS):
            self.client.post(
                "runs/log-batch", {"run_id": run_id, "params": params[start : start + BATCH_PARAMS]}, repeatable=True
            )
        for start in range(0, len(metrics), BATCH_METRICS):
            self.client.post(
                "runs/log-batch", {"run_id": run_id, "metrics": metrics[start : start + BATCH_METRICS]}, repeatable=True
            )

    def _ensure_registered_model(self, name: str) -> None:
        try:
            self.client.get("registered-models/get", {"name": name})
            return
        except MlflowError as exc:
            if not is_missing(exc):
                raise
        try:
            self.client.post(
                "registered-models/create",
                {"name": name, "description": "Mirrored by mlci from the results branch."},
                repeatable=False,
            )
        except MlflowError as exc:
            if not already_exists(exc):
                raise


def _run_tags(run: Run, *, commit: str, info: Mapping[str, Any]) -> dict[str, str]:
    tags = {
        "mlci.model": run.model,
        "mlci.commit": commit,
        # MLflow's own tag for the code version: its UI links the run to the commit.
        "mlflow.source.git.commit": commit,
        "mlflow.source.type": "JOB",
    }
    started_at = run.lineage.get("started_at")
    if isinstance(started_at, str):
        # A record replaced with a new training of the same commit is a new MLflow run.
        tags["mlci.run"] = started_at
    fingerprint = run.lineage.get(FINGERPRINT_KEY)
    if isinstance(fingerprint, str):
        tags["mlci.fingerprint"] = fingerprint
    for key, tag in (("branch", "mlci.branch"), ("pull_request", "mlci.pull_request"), ("run_url", "mlci.run_url")):
        value = info.get(key)
        if value not in (None, ""):
            tags[tag] = str(value)
    return tags


def _artifact_root(info: Mapping[str, Any]) -> str:
    uri = str(info.get("artifact_uri", ""))
    if not uri.startswith(ARTIFACTS_SCHEME):
        raise MlflowError(
            f"MLflow stores this run's artifacts at {uri or 'an unknown place'}, which mlci cannot upload to",
            hint="Start the tracking server with artifact proxying (`mlflow server --artifacts-destination ...`, "
            "the default since MLflow 2.0): mlci uploads through the server, never to the storage behind it.",
        )
    return uri.removeprefix(ARTIFACTS_SCHEME).strip("/")


def _param_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= PARAM_CHARS else text[: PARAM_CHARS - 1] + "…"


def _quoted(text: str) -> str:
    """`text` inside single quotes of MLflow's search grammar."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _now_ms() -> int:
    return int(time.time() * 1000)
