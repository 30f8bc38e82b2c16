"""`mlci monitor` as a user runs it: the production model on fresh data with planted effects, no
false alarms on clean data, the history `mlci models show` lists, and bad input refused with exit 2
before anything is recorded or alerted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from mlci.cli import cli
from mlci.commands import monitor as monitor_module
from mlci.github.issues import alert_marker
from mlci.monitor.check import monitor_model
from mlci.registry.registry import RegistryView
from testing import monitoring
from testing.fake_github import ACTIONS_TOKEN, DEFAULT_REPOSITORY, FakeGitHub
from testing.monitoring import CONFIG, mlci, production_project, sample, unreviewed_model, write_batch
from testing.outputs import read_outputs
from testing.projects import project_at

if TYPE_CHECKING:
    import pandas as pd

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained, recorded and promoted project, shared: each test writes its own batches."""
    return production_project(tmp_path_factory.mktemp("monitor") / "project")


@pytest.fixture
def alerts(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What was handed to the GitHub alert, per call."""
    calls: list[object] = []
    monkeypatch.setattr(monitor_module, "alert_on_github", lambda project, result: calls.append(result) or {})
    return calls


def history_entries(root: Path) -> list[Path]:
    return sorted((root / ".mlci" / "store" / "monitor").rglob("*.json"))


def test_a_shifted_feature_and_flipped_labels_alert_and_are_named(production: Path) -> None:
    batch = write_batch(production, sample(500, seed=7, shift={"x1": 3.0}, flip=0.2), "planted.csv")
    result = mlci(production, "monitor", "churn", "--batch", str(batch), "--format", "json")
    assert result.exit_code == 1, result.output
    found = json.loads(result.output)
    assert found["schema_version"] == 1 and found["healthy"] is False
    [churn] = found["models"]
    assert churn["verdict"] == "alert" and "decay" in churn["alerts"]
    assert churn["drifted_features"] == ["x1"]
    assert set(churn["decayed_metrics"]) == {"accuracy", "f1_macro"}
    accuracy = next(m for m in churn["metrics"] if m["metric"] == "accuracy")
    assert accuracy["high"] < accuracy["recorded"] and accuracy["significant"] and accuracy["decayed"]


def test_a_clean_batch_from_the_same_distribution_is_healthy(production: Path) -> None:
    batch = write_batch(production, sample(500, seed=8), "clean.csv")
    result = mlci(production, "monitor", "--batch", str(batch))
    assert result.exit_code == 0, result.output
    assert "churn@production (version 1): healthy" in result.output


def test_no_false_alarm_over_twenty_seeds_at_the_defaults(production: Path) -> None:
    project = project_at(production)
    registry = RegistryView(project.storage)
    model = project.config.models["churn"]
    verdicts = []
    for seed in range(20):
        batch = write_batch(production, sample(200, seed=100 + seed), "seeded.csv")
        found = monitor_model(
            project.config, model, registry=registry, git=project.git, batch=batch, now="2025-01-01T00:00:00+00:00"
        )
        verdicts.append((seed, found.verdict, found.drifted_features, found.decayed_metrics))
    assert [v for v in verdicts if v[1] != "healthy"] == []


def test_drift_alone_alerts_once_enough_features_drifted(production: Path, tmp_path: Path) -> None:
    shifted = sample(400, seed=9, shift={"x1": 3.0, "x4": -3.0})
    batch = write_batch(production, shifted, "drifted.csv")
    result = mlci(production, "monitor", "--batch", str(batch), "--format", "json")
    assert result.exit_code == 1
    [churn] = json.loads(result.output)["models"]
    assert "drift" in churn["alerts"] and set(churn["drifted_features"]) == {"x1", "x4"}
    assert churn["drifted_share"] == 0.5


def test_unlabelled_data_is_checked_for_drift_only(production: Path) -> None:
    batch = write_batch(production, sample(300, seed=10).drop(columns=["label"]), "unlabelled.csv")
    result = mlci(production, "monitor", "--batch", str(batch), "--format", "json")
    assert result.exit_code == 0, result.output
    [churn] = json.loads(result.output)["models"]
    assert churn["metrics"] == [] and any("no 'label' column" in note for note in churn["notes"])


def test_a_small_batch_gets_no_verdict(production: Path) -> None:
    batch = write_batch(production, sample(50, seed=11, flip=0.5), "small.csv")
    result = mlci(production, "monitor", "--batch", str(batch))
    assert result.exit_code == 0
    assert "not enough data" in result.output and "fewer than the 200 needed" in result.output


def test_the_newest_matching_file_is_the_batch_and_each_run_is_kept(production: Path, alerts: list[object]) -> None:
    before = len(history_entries(production))
    for path in production.glob("data/incoming/*"):
        path.unlink()
    write_batch(production, sample(300, seed=12), "2025-01-01.csv")
    newest = write_batch(production, sample(300, seed=13, flip=0.4), "2025-01-02.csv")
    result = mlci(production, "monitor", "--alert", "none")
    assert result.exit_code == 1 and newest.name in result.output
    assert alerts == []  # --alert none: the GitHub side is not asked
    assert len(history_entries(production)) == before + 1
    result = mlci(production, "monitor", "--alert", "issue", "--format", "markdown")
    assert result.exit_code == 1 and "## mlci monitor" in result.output
    assert len(alerts) == 1
    shown = mlci(production, "models", "show", "churn")
    assert "monitor production:" in shown.output and "decay (version 1" in shown.output
    assert "accuracy over the last" in shown.output
    document = json.loads(mlci(production, "models", "show", "churn", "--format", "json").output)
    trend = document["monitor"]["production"]["trend"]
    assert trend["status"][-1] == "decay" and len(trend["metrics"]["accuracy"]) == len(trend["status"])


def test_the_alert_issue_shows_the_models_section_of_the_markdown(production: Path, fake_github: FakeGitHub) -> None:
    batch = write_batch(production, sample(400, seed=14, shift={"x1": 3.0, "x4": -3.0}), "issue.csv")
    env = {"GITHUB_REPOSITORY": DEFAULT_REPOSITORY, "GITHUB_TOKEN": ACTIONS_TOKEN, "GITHUB_API_URL": fake_github.url}
    args = ["churn", "--batch", str(batch), "--alert", "issue", "--format", "markdown"]
    result = mlci(production, "monitor", *args, env=env)
    assert result.exit_code == 1, result.output
    markdown = result.output[result.output.index("## mlci monitor") :]
    [issue] = fake_github.issues(DEFAULT_REPOSITORY, state="open")
    marker, fingerprint, *figures = issue["body"].split("\n")
    assert marker == alert_marker("churn", "production") and fingerprint.startswith("<!-- mlci-monitor-verdict:")
    assert "\n".join(figures) == markdown.rstrip("\n") + "\n"
    assert "| x1 | " in markdown and "🔴 **1 of 1 model(s) need attention**" in markdown


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        (
            lambda root: ["--batch", str(write_batch(root, sample(300, 1).drop(columns=["x2"]), "bad.csv"))],
            "bad.csv lacks the feature column 'x2' that churn version 1 was trained on",
        ),
        (
            lambda root: ["--batch", str(write_batch(root, sample(300, 1).head(0), "empty.csv"))],
            "empty.csv has no rows",
        ),
        (
            lambda root: ["--batch", str(write_batch(root, sample(300, 1), "ok.csv")), "--alias", "canary"],
            "no version of churn holds the alias 'canary' (aliases: production)",
        ),
    ],
)
def test_bad_input_is_exit_2_and_records_and_alerts_nothing(
    production: Path, alerts: list[object], arrange, message: str
) -> None:
    before = history_entries(production)
    result = mlci(production, "monitor", "churn", *arrange(production))
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert history_entries(production) == before and alerts == []


def test_a_models_own_batch_is_named_at_its_own_line(tmp_path: Path, alerts: list[object]) -> None:
    own = CONFIG.replace(
        "    metrics: [accuracy, f1_macro]\n", "    metrics: [accuracy, f1_macro]\n    monitor: {batch: new/*.csv}\n"
    )
    root = production_project(tmp_path / "project", config=own.replace("  batch: data/incoming/*.csv\n", ""), rows=400)
    result = mlci(root, "monitor")
    assert result.exit_code == 2, result.output
    assert "mlci.yaml:7: models.churn.monitor.batch: no data file matches 'new/*.csv'" in result.output


def test_a_model_file_with_unreviewed_types_is_never_loaded(tmp_path: Path, alerts: list[object]) -> None:
    root = production_project(tmp_path / "project", rows=400)
    version = root / ".mlci" / "store" / "registry" / "churn" / "versions" / "1"
    # Swap in a file whose types the repository never reviewed, keeping the registered digest right.
    content = unreviewed_model()
    (version / "model.skops").write_bytes(content)
    record = json.loads((version / "version.json").read_text())
    record["model_file"].update(sha256=hashlib.sha256(content).hexdigest(), size=len(content))
    (version / "version.json").write_text(json.dumps(record))
    batch = write_batch(root, sample(300, 1))
    result = mlci(root, "monitor", "--batch", str(batch), "--alert", "issue")
    assert result.exit_code == 2, result.output
    assert (
        "contains types not on the repository's reviewed list: testing.monitoring.UnreviewedRegression" in result.output
    )
    assert alerts == [] and not history_entries(root)


TWO_MODELS = (
    monitoring.TWO_MODELS
    + """\
monitor:
  alert: none
  drift: {max_drifted_share: 0.25}
store: {backend: local}
"""
)


@pytest.fixture(scope="module")
def two_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two models in production, each watching its own folder of batches."""
    root = production_project(tmp_path_factory.mktemp("monitor-two") / "project", config=TWO_MODELS, rows=800)
    for model in ("churn", "steady"):
        (root / "data" / "incoming" / model).mkdir()
    return root


def monitor_outputs(
    root: Path, tmp_path: Path, *, retrain: str, churn: pd.DataFrame
) -> tuple[int, dict[str, str], str]:
    """`mlci monitor` with `retrain` as mlci.yaml's retrain section, churn's batch `churn` and a clean
    batch for steady; its exit code, step outputs and what it said."""
    config = root / f"mlci-{tmp_path.name}.yaml"
    config.write_text(TWO_MODELS + retrain)
    churn.to_csv(root / "data" / "incoming" / "churn" / "batch.csv", index=False)
    sample(400, seed=21).to_csv(root / "data" / "incoming" / "steady" / "batch.csv", index=False)
    output = tmp_path / "github-output"
    output.touch()
    done = CliRunner().invoke(cli, ["--config", str(config), "monitor"], env={"GITHUB_OUTPUT": str(output)})
    return done.exit_code, read_outputs(output), done.output


# x4 plays no part in the label: shifting it is drift the model's accuracy does not feel.
DRIFTED = {"x4": 3.0}


@pytest.mark.parametrize(
    ("retrain", "churn", "expected", "status"),
    [
        ("", lambda: sample(400, seed=22, shift=DRIFTED), ["churn"], "drift"),
        ("retrain: {when: [drift]}\n", lambda: sample(400, seed=22, shift=DRIFTED), ["churn"], "drift"),
        # Drift alone is no reason to retrain for a user who only retrains on decay.
        ("retrain: {when: [decay]}\n", lambda: sample(400, seed=22, shift=DRIFTED), [], "drift"),
        ("retrain: {when: [decay]}\n", lambda: sample(400, seed=23, flip=0.4), ["churn"], "decay"),
        ("retrain: {when: []}\n", lambda: sample(400, seed=23, flip=0.4), [], "decay"),
        # Too few rows for a verdict: never a reason to retrain, however bad they look.
        ("", lambda: sample(50, seed=24, shift=DRIFTED, flip=0.5), [], "not enough data"),
    ],
    ids=["default", "drift", "drift-not-wanted", "decay", "never", "not-enough-data"],
)
def test_retrain_models_names_only_the_models_that_alerted_for_a_reason_retrain_when_names(
    two_models: Path, tmp_path: Path, retrain: str, churn, expected: list[str], status: str
) -> None:
    code, outputs, said = monitor_outputs(two_models, tmp_path, retrain=retrain, churn=churn())

    assert f"churn@production (version 1): {status}" in said and "steady@production (version 1): healthy" in said
    assert json.loads(outputs["retrain-models"]) == expected
    assert outputs["healthy"] == ("false" if status in ("drift", "decay") else "true") and code == (
        1 if status in ("drift", "decay") else 0
    )
    if status == "drift":
        assert json.loads(outputs["drifted-features"]) == {"churn@production": ["x4"]}
    if status in ("drift", "decay") and not expected:
        assert "but retrain.when asks for" in said and "no retrain proposed" in said
