"""`mlci init`: the files it writes, what it guesses from the project's data, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

from mlci.cli import cli
from mlci.commands.init import ensure_ignored, init_project
from mlci.config import load_config
from mlci.errors import ConfigError
from mlci.training.detect import detect_data, model_name
from testing.projects import recording_console
from tests.conftest import git

pytestmark = pytest.mark.integration

WORKFLOW = Path(".github/workflows/mlci.yml")


def iris_frame() -> pd.DataFrame:
    iris = load_iris(as_frame=True)
    frame = iris.frame.rename(columns={"target": "species"})
    frame["species"] = frame["species"].map(dict(enumerate(iris.target_names)))
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def init(directory: Path, *, force: bool = False) -> tuple[list[Path], str]:
    console, stream = recording_console()
    written = init_project(directory, force=force, console=console)
    return written, stream.getvalue()


def test_without_data_writes_a_valid_template_that_says_what_to_adjust(tmp_path: Path) -> None:
    written, said = init(tmp_path)

    assert written == [tmp_path / "mlci.yaml", tmp_path / WORKFLOW, tmp_path / ".gitignore"]
    config = load_config(tmp_path / "mlci.yaml")
    model = config.models["model"]
    assert model.data is not None and model.data.train == tmp_path / "data" / "train.csv"
    assert model.data.target == "target"
    text = (tmp_path / "mlci.yaml").read_text()
    assert "found no CSV or Parquet file" in text
    assert "# scripted:" in text and "#   command: python train.py" in text
    assert "no CSV or Parquet file found" in said and "data/train.csv" in said
    assert "mlci validate" in said and "mlci train" in said


def test_the_commented_command_mode_example_is_valid_once_uncommented(tmp_path: Path) -> None:
    init(tmp_path)
    lines = (tmp_path / "mlci.yaml").read_text().splitlines()
    start = lines.index("  # scripted:")
    example = []
    for line in lines[start:]:
        if not line.startswith("  #"):
            break
        example.append("  " + line[len("  # ") :])
    (tmp_path / "command.yaml").write_text("version: 1\nmodels:\n" + "\n".join(example) + "\n")

    model = load_config(tmp_path / "command.yaml").models["scripted"]

    assert model.mode == "command" and [m.name for m in model.metrics] == ["test.auc", "latency_ms"]


def test_classification_data_with_a_test_file_and_an_id_column(tmp_path: Path) -> None:
    frame = iris_frame().sample(frac=1.0, random_state=0)
    frame.insert(0, "id", range(len(frame)))
    write_csv(frame.iloc[:110], tmp_path / "data" / "iris_train.csv")
    write_csv(frame.iloc[110:], tmp_path / "data" / "iris_test.csv")

    _, said = init(tmp_path)

    model = load_config(tmp_path / "mlci.yaml").models["iris"]
    assert model.data is not None and model.estimator is not None
    assert model.data.train == tmp_path / "data" / "iris_train.csv"
    assert model.data.test == tmp_path / "data" / "iris_test.csv"
    assert model.data.target == "species" and model.data.drop == ("id",)
    assert model.estimator.class_name == "sklearn.linear_model.LogisticRegression"
    assert model.estimator.params == {"max_iter": 1000}
    assert [m.name for m in model.metrics] == ["accuracy", "f1_macro"]
    assert [(g.metric, g.max_drop) for g in model.gates] == [("accuracy", 0.02)]
    assert "data/iris_train.csv" in said and "species" in said and "classification" in said


def test_regression_target_guessed_as_the_last_column(tmp_path: Path) -> None:
    frame = load_diabetes(as_frame=True, scaled=False).frame.rename(columns={"target": "progression"})
    write_csv(frame, tmp_path / "diabetes.csv")

    _, said = init(tmp_path)

    model = load_config(tmp_path / "mlci.yaml").models["diabetes"]
    assert model.data is not None and model.estimator is not None
    assert model.data.target == "progression" and model.data.test is None
    assert (model.data.split.test_size, model.data.split.seed) == (0.25, 0)
    assert model.estimator.class_name == "sklearn.linear_model.Ridge"
    assert [m.name for m in model.metrics] == ["r2", "mean_absolute_error"]
    assert [g.metric for g in model.gates] == ["r2"]
    assert "regression" in said and "last column" in said


def test_an_integer_target_with_few_values_is_classification_whatever_its_position(tmp_path: Path) -> None:
    frame = load_breast_cancer(as_frame=True).frame
    frame = frame[["target", *[c for c in frame.columns if c != "target"]]]
    write_csv(frame, tmp_path / "cancer.csv")

    detected = detect_data(tmp_path)

    assert detected is not None
    assert (detected.target, detected.task) == ("target", "classification")


def test_target_names_match_case_insensitively(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Label": [0.5, 1.5, 2.5, 3.5] * 10, "size": range(40), "colour": ["a", "b"] * 20})
    write_csv(frame, tmp_path / "things.csv")

    detected = detect_data(tmp_path)

    assert detected is not None
    assert (detected.target, detected.task) == ("Label", "regression")


def test_parquet_files_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "data" / "flowers.parquet"
    path.parent.mkdir()
    iris_frame().to_parquet(path)

    init(tmp_path)

    model = load_config(tmp_path / "mlci.yaml").models["flowers"]
    assert model.data is not None and model.data.train == path and model.data.target == "species"


def test_a_train_file_wins_and_hidden_vendored_and_deep_folders_are_skipped(tmp_path: Path) -> None:
    frame = iris_frame()
    for folder in (".hidden", ".venv", "node_modules", "a/b/c/d"):
        write_csv(frame, tmp_path / folder / "train.csv")
    write_csv(frame, tmp_path / "aaa.csv")
    write_csv(frame, tmp_path / "data" / "sales_test.csv")
    write_csv(frame, tmp_path / "data" / "sales_train.csv")

    detected = detect_data(tmp_path)

    assert detected is not None
    assert detected.train == Path("data/sales_train.csv")
    assert detected.test == Path("data/sales_test.csv")


def test_a_test_file_without_the_target_column_is_not_used(tmp_path: Path) -> None:
    frame = iris_frame()
    write_csv(frame, tmp_path / "train.csv")
    write_csv(frame.drop(columns="species"), tmp_path / "test.csv")

    detected = detect_data(tmp_path)

    assert detected is not None and detected.train == Path("train.csv") and detected.test is None


def test_unreadable_and_single_column_files_are_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "a_broken.parquet").write_bytes(b"not parquet at all")
    write_csv(pd.DataFrame({"only": range(5)}), tmp_path / "b_single.csv")
    write_csv(iris_frame(), tmp_path / "c_iris.csv")
    console, stream = recording_console()

    detected = detect_data(tmp_path, console=console)

    assert detected is not None and detected.train == Path("c_iris.csv")
    assert "skipped a_broken.parquet" in stream.getvalue()


def test_awkward_column_names_are_quoted_so_the_config_reads_them_back(tmp_path: Path) -> None:
    frame = pd.DataFrame({"price: €": [1.0, 2.5, 3.25, 4.0, 5.5, 6.75] * 5, "yes": range(30), "# rooms": range(30)})
    write_csv(frame, tmp_path / "houses.csv")

    init(tmp_path)

    model = load_config(tmp_path / "mlci.yaml").models["houses"]
    assert model.data is not None and model.data.target == "# rooms"


def test_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "mlci.yaml").write_text("mine\n")

    with pytest.raises(ConfigError) as caught:
        init(tmp_path)

    assert "mlci.yaml" in str(caught.value) and "--force" in str(caught.value)
    assert (tmp_path / "mlci.yaml").read_text() == "mine\n"
    assert not (tmp_path / WORKFLOW).exists() and not (tmp_path / ".gitignore").exists()


def test_refuses_to_overwrite_an_existing_workflow(tmp_path: Path) -> None:
    (tmp_path / WORKFLOW).parent.mkdir(parents=True)
    (tmp_path / WORKFLOW).write_text("name: mine\n")

    with pytest.raises(ConfigError, match=r"\.github/workflows/mlci\.yml already exists"):
        init(tmp_path)
    assert not (tmp_path / "mlci.yaml").exists()


def test_force_replaces_both_files(tmp_path: Path) -> None:
    init(tmp_path)
    (tmp_path / "mlci.yaml").write_text("mine\n")
    (tmp_path / WORKFLOW).write_text("name: mine\n")

    written, _ = init(tmp_path, force=True)

    assert written == [tmp_path / "mlci.yaml", tmp_path / WORKFLOW]
    load_config(tmp_path / "mlci.yaml")
    assert "mlci-dev/mlci@v1" in (tmp_path / WORKFLOW).read_text()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", ".mlci/\n"),
        ("*.pyc", "*.pyc\n.mlci/\n"),
        ("*.pyc\n", "*.pyc\n.mlci/\n"),
        ("*.pyc\n/.mlci\n", None),
        (".mlci/\n", None),
    ],
)
def test_gitignore_gets_mlci_once(tmp_path: Path, before: str, after: str | None) -> None:
    gitignore = tmp_path / ".gitignore"
    if before:
        gitignore.write_text(before)

    changed = ensure_ignored(gitignore, ".mlci/")

    assert changed is (after is not None)
    if before or after:
        assert gitignore.read_text() == (after if after is not None else before)


def test_the_workflow_is_the_one_line_action_per_job_with_concurrency_and_a_timeout(tmp_path: Path) -> None:
    init(tmp_path)
    workflow = yaml.safe_load((tmp_path / WORKFLOW).read_text())

    # YAML 1.1 reads the bare key `on` as true; GitHub reads it as the trigger list.
    triggers = workflow[True]
    # workflow_dispatch: how `mlci retrain` starts it on a retrain branch.
    assert set(triggers) == {"pull_request", "push", "workflow_dispatch"} and triggers["push"] == {"branches": ["main"]}
    # Write permissions per job, each only what its event needs; none for the workflow as a whole.
    assert workflow["permissions"] == {}
    assert "github.event.pull_request.number || github.ref" in workflow["concurrency"]["group"]
    jobs = workflow["jobs"]
    assert {name: job["if"] for name, job in jobs.items()} == {
        "pull-request": "github.event_name == 'pull_request' || github.event_name == 'workflow_dispatch'",
        "main": "github.event_name == 'push'",
    }
    assert jobs["pull-request"]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "statuses": "write",
    }
    assert jobs["main"]["permissions"] == {"contents": "write", "deployments": "write"}
    for job in jobs.values():
        assert job["runs-on"] == "ubuntu-latest" and isinstance(job["timeout-minutes"], int)
        checkout, mlci = job["steps"]
        assert checkout["uses"].startswith("actions/checkout@") and checkout["with"] == {"persist-credentials": False}
        assert mlci == {"uses": "mlci-dev/mlci@v1"}


def test_a_new_folder_is_created(tmp_path: Path) -> None:
    written, _ = init(tmp_path / "new" / "project")

    assert all(path.is_file() for path in written)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("data/Iris_Train.csv", "iris"),
        ("churn-2024.parquet", "churn_2024"),
        ("data/train.csv", "model"),
        ("housing/train.csv", "housing"),
        ("Données clients.csv", "donn_es_clients"),
    ],
)
def test_model_names_come_from_the_file_name(path: str, name: str) -> None:
    assert model_name(Path(path)) == name


def test_cli_init_reports_the_files_and_refuses_a_second_time(tmp_path: Path) -> None:
    write_csv(iris_frame(), tmp_path / "iris.csv")
    runner = CliRunner()

    first = runner.invoke(cli, ["init", "--directory", str(tmp_path)])
    second = runner.invoke(cli, ["init", "--directory", str(tmp_path)])

    assert first.exit_code == 0, first.output
    assert f"wrote {tmp_path / 'mlci.yaml'}" in first.stdout
    assert "target:  species" in first.stderr and "not in a git repository" in first.stderr
    assert second.exit_code == 2
    assert "mlci.yaml and" in second.stderr and "already exist;" in second.stderr and "--force" in second.stderr
    assert "Traceback" not in second.output


def test_the_starter_config_trains(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo("starter")
    write_csv(iris_frame(), repo / "data" / "iris.csv")
    monkeypatch.chdir(repo)
    runner = CliRunner()

    assert runner.invoke(cli, ["init"]).exit_code == 0
    validated = runner.invoke(cli, ["validate"])
    trained = runner.invoke(cli, ["train"])

    assert validated.exit_code == 0, validated.output
    assert trained.exit_code == 0, trained.output
    assert trained.stdout.startswith("iris: trained: accuracy=")


def test_a_master_repository_gets_a_workflow_for_master(master_remote, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(master_remote()), str(clone))

    _, said = init(clone)

    text = (clone / WORKFLOW).read_text()
    workflow = yaml.safe_load(text)
    assert workflow[True]["push"] == {"branches": ["master"]}
    assert "cancel-in-progress: ${{ github.ref != 'refs/heads/master' }}" in text and "main" not in workflow[True]
    assert "branch:  master (the workflow records its pushes)" in said


def test_the_workflow_installs_the_projects_requirements_before_mlci(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("xgboost\n")

    _, said = init(tmp_path)

    workflow = yaml.safe_load((tmp_path / WORKFLOW).read_text())
    for job in workflow["jobs"].values():
        assert job["steps"][-1] == {"uses": "mlci-dev/mlci@v1", "with": {"install": "requirements.txt"}}
    assert "install: requirements.txt (in the workflow, before mlci)" in said


HEADERLESS = "".join(f"{i % 7 * 0.5:.1f},{(i * 3) % 11},{i % 3}\n" for i in range(60))


def test_headerless_csvs_are_read_as_data_and_the_config_says_so(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(
        "headerless",
        {"data/train.csv": HEADERLESS, "data/test.csv": "".join(HEADERLESS.splitlines(keepends=True)[:24])},
    )
    monkeypatch.chdir(repo)

    _, said = init(repo)

    config = load_config(repo / "mlci.yaml")
    data = config.models["model"].data
    assert data is not None and data.header is False and data.target == "col_2"
    assert data.test == repo / "data" / "test.csv"
    assert "data:    data/train.csv (no header row: columns col_0, col_1, ...)" in said
    trained = CliRunner().invoke(cli, ["train"])
    assert trained.exit_code == 0, trained.output


DVC_YAML = """\
stages:
  prepare:
    cmd: python src/prepare.py data/raw.csv
    deps: [data/raw.csv, src/prepare.py]
    outs: [data/prepared]
  train:
    cmd: python src/train.py data/prepared model.pkl
    deps:
      - data/prepared
      - src/train.py
    params:
      - train.n_est
      - train.min_split
    outs: [model.pkl]
    metrics:
      - eval/metrics.json:
          cache: false
    plots:
      - eval/importance.png
      - eval/prc.json:
          x: recall
          y: precision
"""


def test_a_dvc_pipeline_becomes_a_command_model_per_stage_that_writes_metrics(tmp_path: Path) -> None:
    files = {
        "dvc.yaml": DVC_YAML,
        "dvc.lock": "schema: '2.0'\n",
        "params.yaml": "train: {n_est: 50, min_split: 2}\n",
        "eval/metrics.json": '{"avg_prec": {"test": 0.93}, "roc_auc": {"test": 0.97}, "train_loss": 0.2}',
        "data/raw.csv.dvc": "outs:\n- md5: 1\n  path: raw.csv\n",
        "requirements.txt": "scikit-learn\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)

    _, said = init(tmp_path)

    config = load_config(tmp_path / "mlci.yaml")
    assert list(config.models) == ["train"]  # the stage without metrics is what `dvc repro` runs first
    command = config.models["train"].command
    assert command is not None and command.run == "dvc repro --force train"
    assert command.metrics_file == tmp_path / "eval" / "metrics.json" and command.plots == ("eval/importance.png",)
    goals = {metric.name: metric.goal for metric in config.models["train"].metrics}
    assert goals == {"avg_prec.test": "maximize", "roc_auc.test": "maximize", "train_loss": "minimize"}
    deps = {path.relative_to(tmp_path).as_posix() for path in config.models["train"].deps}
    # What the results come from, as a fresh checkout has it: not the prepare stage's output, but what
    # that stage reads, and the data DVC keeps by its .dvc file.
    assert deps == {"dvc.yaml", "src/train.py", "params.yaml", "data/raw.csv.dvc", "src/prepare.py"}
    assert config.record.ignore_changes == ("dvc.lock", "eval/metrics.json", "eval/importance.png")
    # The stage's parameters are recorded with each run, so the report shows the one a PR changed.
    (params,) = config.models["train"].params
    assert (params.name, params.keys) == ("params.yaml", ("train.n_est", "train.min_split"))
    workflow = yaml.safe_load((tmp_path / WORKFLOW).read_text())
    install = workflow["jobs"]["main"]["steps"][-1]["with"]["install"]
    assert install == "pip install -r requirements.txt dvc && dvc pull"
    assert "model:   train: `dvc repro --force train` (dvc.yaml stage train)" in said
    assert "dvc:     data/raw.csv.dvc are kept by DVC: run `dvc pull` before `mlci train`" in said


MLPROJECT = """\
name: wine-quality
python_env: python_env.yaml
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
      l1_ratio: {type: float, default: 0.1}
    command: "python train.py {alpha} {l1_ratio}"
"""
MLFLOW_TRAIN = """\
import mlflow
rmse, mae, r2 = 0.7, 0.5, 0.3
mlflow.log_param("alpha", 0.5)
mlflow.log_metric("rmse", rmse)
mlflow.log_metrics({"r2": r2, 'mae': mae})
"""


def test_an_mlproject_entry_point_becomes_a_command_model_with_its_defaults(tmp_path: Path) -> None:
    (tmp_path / "MLproject").write_text(MLPROJECT)
    (tmp_path / "train.py").write_text(MLFLOW_TRAIN)
    write_csv(iris_frame(), tmp_path / "wine-quality.csv")

    init(tmp_path)

    config = load_config(tmp_path / "mlci.yaml")
    assert list(config.models) == ["wine-quality"]
    model = config.models["wine-quality"]
    assert model.command is not None and model.command.run == "python train.py 0.5 0.1"
    assert model.command.metrics_file == tmp_path / "metrics.json"
    assert [(m.name, m.goal) for m in model.metrics] == [("rmse", "minimize"), ("r2", "maximize"), ("mae", "minimize")]
    assert [path.name for path in model.deps] == ["MLproject", "train.py", "wine-quality.csv"]
    assert "make the script also write them to metrics.json" in (tmp_path / "mlci.yaml").read_text()


CML_TRAIN = """\
import pickle
import numpy as np
import matplotlib.pyplot as plt
from sklearn.ensemble import RandomForestClassifier
X = np.genfromtxt("data/train_features.csv", delimiter=",")
y = np.genfromtxt("data/train_labels.csv", delimiter=",")
clf = RandomForestClassifier(max_depth=2).fit(X, y)
with open("metrics.txt", "w") as outfile:
    outfile.write(f"Accuracy: {clf.score(X, y)}\\n")
    outfile.write(f"Training loss = {0.3}\\n")
pickle.dump(clf, open("model.pkl", "wb"))
plt.savefig("plot.png")
"""


def test_a_cml_training_script_becomes_a_command_model_with_its_metrics_pictures_and_model(tmp_path: Path) -> None:
    project = tmp_path / "example_cml"
    (project / "data").mkdir(parents=True)
    (project / "train.py").write_text(CML_TRAIN)
    for name in ("train_features", "train_labels"):
        (project / "data" / f"{name}.csv").write_text("0.1,0.2\n0.3,0.4\n")

    _, said = init(project)

    config = load_config(project / "mlci.yaml")
    assert list(config.models) == ["example_cml"]  # not a features file read as a table with a guessed target
    model = config.models["example_cml"]
    assert model.command is not None and model.command.run == "python train.py"
    assert model.command.metrics_file == project / "metrics.txt"
    assert model.command.model_file == project / "model.pkl" and model.command.plots == ("plot.png",)
    assert [(m.name, m.goal) for m in model.metrics] == [("Accuracy", "maximize"), ("Training loss", "minimize")]
    deps = [path.relative_to(project).as_posix() for path in model.deps]
    assert deps == ["train.py", "data/train_features.csv", "data/train_labels.csv"]
    assert "model:   example_cml: `python train.py` (train.py)" in said


def test_a_training_script_that_names_no_metrics_file_leaves_the_data_guess(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("print('training')\n")
    write_csv(iris_frame(), tmp_path / "iris.csv")

    init(tmp_path)

    assert load_config(tmp_path / "mlci.yaml").models["iris"].mode == "declarative"


def test_a_dvc_yaml_that_cannot_be_read_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "dvc.yaml").write_text("stages: [unclosed\n")
    write_csv(iris_frame(), tmp_path / "iris.csv")

    _, said = init(tmp_path)

    assert "skipped dvc.yaml: not valid YAML" in said
    assert list(load_config(tmp_path / "mlci.yaml").models) == ["iris"]  # the data still gives a model
    assert "dvc.lock" in (tmp_path / "mlci.yaml").read_text()  # a DVC project's lock file still may change


MONITOR = Path(".github/workflows/mlci-monitor.yml")
ROOT = Path(__file__).resolve().parents[2]


def test_schedule_writes_the_monitor_workflow_that_retrains_what_the_monitor_names(tmp_path: Path) -> None:
    write_csv(iris_frame(), tmp_path / "data" / "iris.csv")
    result = CliRunner().invoke(cli, ["init", "--directory", str(tmp_path), "--schedule"])

    assert result.exit_code == 0, result.output
    assert (tmp_path / WORKFLOW).exists()
    document = yaml.safe_load((tmp_path / MONITOR).read_text())
    # yaml reads the `on:` key as True.
    assert [entry["cron"] for entry in document[True]["schedule"]] == ["17 6 * * *"]
    assert "workflow_dispatch" in document[True] and document["concurrency"]["group"] == "mlci-monitor"
    assert document["permissions"] == {}
    monitor = document["jobs"]["monitor"]
    assert monitor["permissions"] == {"contents": "write", "issues": "write"}
    assert monitor["outputs"]["retrain-models"] == "${{ steps.monitor.outputs.retrain-models }}"
    retrain = document["jobs"]["retrain"]
    assert retrain["permissions"] == {"contents": "write", "pull-requests": "write", "actions": "write"}
    # No list of models to keep up to date: the monitor says which alerted for a reason retrain.when names.
    assert retrain["if"] == "needs.monitor.outputs.retrain-models != '[]'"
    assert retrain["strategy"]["matrix"]["model"] == "${{ fromJSON(needs.monitor.outputs.retrain-models) }}"


def test_schedule_in_a_configured_project_adds_the_monitor_workflow_and_keeps_its_own(tmp_path: Path) -> None:
    config = "version: 1\nmodels:\n  churn: {}\n  'odd: name': {}\n"
    (tmp_path / "mlci.yaml").write_text(config)
    (tmp_path / WORKFLOW).parent.mkdir(parents=True)
    (tmp_path / WORKFLOW).write_text("name: our own\n")

    result = CliRunner().invoke(cli, ["init", "--directory", str(tmp_path), "--schedule"])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "mlci.yaml").read_text() == config
    assert (tmp_path / WORKFLOW).read_text() == "name: our own\n"
    assert (tmp_path / MONITOR).read_text() == (ROOT / "examples" / "workflows" / "mlci-monitor.yml").read_text()
    again = CliRunner().invoke(cli, ["init", "--directory", str(tmp_path), "--schedule"])
    assert again.exit_code == 2 and "mlci-monitor.yml already exists" in again.output


def test_schedule_without_a_pull_request_workflow_writes_the_one_its_retrains_start(tmp_path: Path) -> None:
    # The retrain job dispatches mlci.yml on the retrain branch: without it, no retrain would get checks.
    git(tmp_path, "init", "-q", "-b", "master")
    (tmp_path / "mlci.yaml").write_text("version: 1\nmodels:\n  churn: {}\n")

    result = CliRunner().invoke(cli, ["init", "--directory", str(tmp_path), "--schedule"])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "mlci.yaml").read_text() == "version: 1\nmodels:\n  churn: {}\n"
    workflow = yaml.safe_load((tmp_path / WORKFLOW).read_text())
    assert workflow[True]["push"]["branches"] == ["master"]
    assert "pull-request" in workflow[True]["workflow_dispatch"]["inputs"]
    assert (tmp_path / MONITOR).exists()
    assert "trains and reports on the retrain pull requests" in result.output


def test_the_monitor_template_is_the_example() -> None:
    template = (ROOT / "templates" / "init" / "mlci-monitor.yml").read_text()
    assert template == (ROOT / "examples" / "workflows" / "mlci-monitor.yml").read_text()
