"""The MLflow mirror against a real MLflow tracking server: `mlci record`, `promote`, `rollback`,
`models show` and `registry sync` as a user runs them, and what MLflow then holds."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result

from mlci.cli import cli
from testing.mlflow_server import free_port, mlflow_server
from testing.registry import commit_and_record
from tests.conftest import git

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with mlflow_server(tmp_path_factory.mktemp("mlflow")) as url:
        yield url


def mlci(root: Path, *args: str, uri: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args], env={"MLFLOW_TRACKING_URI": uri})


def rest(url: str, endpoint: str, **params: str) -> dict:
    answer = requests.get(f"{url}/api/2.0/mlflow/{endpoint}", params=params, timeout=10)
    assert answer.status_code < 500, answer.text
    return answer.json()


def versions(url: str, model: str) -> list[dict]:
    return rest(url, "model-versions/search", filter=f"name = '{model}'").get("model_versions", [])


def alias_version(url: str, model: str, alias: str) -> int | None:
    """mlci's version number of the MLflow version `model@alias` resolves to."""
    found = rest(url, "registered-models/alias", name=model, alias=alias).get("model_version")
    if found is None:
        return None
    return int({t["key"]: t["value"] for t in found["tags"]}["mlci.version"])


def use_model_name(root: Path, name: str) -> None:
    """Rename the project's model, so each test has a registered model of its own on the shared server."""
    text = (root / "mlci.yaml").read_text().replace("  iris:", f"  {name}:")
    (root / "mlci.yaml").write_text(text)
    git(root, "commit", "-q", "-am", f"model {name}")


def test_a_promotion_is_mirrored_once_with_its_files_and_alias(clone: Path, server: str) -> None:
    model_bytes = b"the model's own bytes" * 100
    commit = commit_and_record(clone, 0.9, message="v1", model_bytes=model_bytes)
    recorded = mlci(clone, "promote", uri=server)
    assert recorded.exit_code == 0, recorded.output

    [version] = versions(server, "iris")
    assert {t["key"]: t["value"] for t in version["tags"]} == {"mlci.commit": commit, "mlci.version": "1"}
    assert alias_version(server, "iris", "production") == 1
    # `models:/iris@production` resolves to the run's model folder, holding the registered bytes.
    source = version["source"].removeprefix("mlflow-artifacts:/")
    fetched = requests.get(f"{server}/api/2.0/mlflow-artifacts/artifacts/{source}/model.skops", timeout=10)
    assert hashlib.sha256(fetched.content).hexdigest() == hashlib.sha256(model_bytes).hexdigest()
    run = rest(server, "runs/get", run_id=version["run_id"])["run"]
    assert {m["key"]: m["value"] for m in run["data"]["metrics"]} == {"accuracy": 0.9}
    assert {t["key"]: t["value"] for t in run["data"]["tags"]}["mlflow.source.git.commit"] == commit

    again = mlci(clone, "promote", uri=server)
    assert again.exit_code == 0, again.output
    assert len(versions(server, "iris")) == 1
    history = json.loads(mlci(clone, "models", "history", "iris", "--format", "json", uri=server).output)
    triggers = history["history"][0]["deliveries"][0]["triggers"]
    assert triggers[0]["trigger"] == "mlflow" and triggers[0]["outcome"] == "fired"


def test_with_mlflow_down_the_results_branch_keeps_the_move_and_sync_catches_up(clone: Path, server: str) -> None:
    use_model_name(clone, "downtime")
    commit_and_record_named(clone, "downtime", 0.9, message="v1")
    down = f"http://127.0.0.1:{free_port()}"
    result = mlci(clone, "promote", uri=down)
    assert result.exit_code == 3, result.output
    assert "MLflow" in result.output and "mlci registry sync" in result.output
    shown = json.loads(mlci(clone, "models", "show", "downtime", "--format", "json", uri=down).output)
    assert shown["aliases"] == {"production": 1}
    assert "could not be checked" in mlci(clone, "models", "show", "downtime", uri=down).output

    synced = mlci(clone, "registry", "sync", uri=server)
    assert synced.exit_code == 0, synced.output
    assert "downtime: version 1 is now MLflow version 1" in synced.output
    assert alias_version(server, "downtime", "production") == 1
    assert "was up to date" in mlci(clone, "registry", "sync", uri=server).output


def test_an_alias_moved_in_mlflow_is_flagged_and_set_back(clone: Path, server: str) -> None:
    use_model_name(clone, "moved")
    commit_and_record_named(clone, "moved", 0.9, message="v1")
    assert mlci(clone, "promote", uri=server).exit_code == 0
    commit_and_record_named(clone, "moved", 0.95, message="v2")
    assert mlci(clone, "promote", uri=server).exit_code == 0
    assert alias_version(server, "moved", "production") == 2

    requests.post(
        f"{server}/api/2.0/mlflow/registered-models/alias",
        json={"name": "moved", "alias": "production", "version": "1"},
        timeout=10,
    ).raise_for_status()
    shown = mlci(clone, "models", "show", "moved", uri=server).output
    assert "production in MLflow points at version 1 (MLflow version 1), not version 2: moved outside mlci" in shown

    synced = mlci(clone, "registry", "sync", uri=server)
    assert "moved: production was version 1 (MLflow version 1)" in synced.output
    assert alias_version(server, "moved", "production") == 2
    assert "moved outside" not in mlci(clone, "models", "show", "moved", uri=server).output


def test_concurrent_promotions_leave_mlflow_on_the_results_branch_holder(
    clone: Path, server: str, tmp_path: Path
) -> None:
    use_model_name(clone, "race")
    commits = [commit_and_record_named(clone, "race", 0.80 + i / 100, message=f"v{i}") for i in range(4)]
    git(clone, "push", "-q", "origin", "main")
    checkouts = []
    for i, commit in enumerate(commits):
        work = tmp_path / f"racer-{i}"
        git(tmp_path, "clone", "-q", str(tmp_path / "remote.git"), str(work))
        git(work, "checkout", "-q", commit)
        checkouts.append(work)
    env = {"MLFLOW_TRACKING_URI": server, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home")}
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "mlci", "--config", str(work / "mlci.yaml"), "promote"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for work in checkouts
    ]
    outputs = [racer.communicate(timeout=300)[0].decode() for racer in racers]
    assert all(racer.returncode == 0 for racer in racers), outputs

    holder = json.loads(mlci(clone, "models", "show", "race", "--format", "json", uri=server).output)["aliases"]
    assert alias_version(server, "race", "production") == holder["production"]
    assert len(versions(server, "race")) == 4


def commit_and_record_named(root: Path, model: str, accuracy: float, *, message: str) -> str:
    from testing.registry import commit_and_record_models

    return commit_and_record_models(root, {model: accuracy}, message=message)
