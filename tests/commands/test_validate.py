"""`mlci validate`: every problem found without training, listed at once with file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from mlci.cli import cli
from mlci.commands.validate import validate_project
from mlci.config import load_config
from mlci.errors import ConfigError, DataError
from testing.monitoring import CONFIG as MONITORED
from testing.monitoring import production_project, sample, write_batch
from testing.projects import recording_console
from tests.training.helpers import IRIS_CONFIG, iris_frame, python_command

pytestmark = pytest.mark.integration

GOOD = (
    IRIS_CONFIG
    + f"""\
  churn:
    command: {python_command("train.py")}
    outputs:
      metrics: out/metrics.json
      model: out/model.skops
      predictions: out/predictions.csv
    metrics:
      - {{name: auc, goal: maximize}}
    deps: [train.py]
"""
)

BROKEN = """\
version: 1
models:
  iris:
    data:
      train: data/iris.csv
      target: specis
      drop: [id]
    estimator:
      class: sklearn.linear_model.LogisticRegression
      params: {C: -1.0}
    metrics: [accuracy, f1_macr, r2]
    deps: [features/]
  other:
    data:
      train: data/missing.parquet
      target: y
    estimator: sklearn.linear_modl.Ridge
    metrics: [r2]
  tested:
    data:
      train: data/iris.csv
      test: data/test.csv
      target: species
    estimator: {class: sklearn.svm.SVC, params: {kernel: rbf, gama: 1}}
    metrics: [accuracy]
  churn:
    command: python train.py
    outputs:
      metrics: out/metrics.csv
      model: out/run.json
      predictions: out
    metrics:
      - {name: auc, goal: maximize}
    params: [params.yaml]
"""


@pytest.fixture
def repo(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo("validated", files={"data/iris.csv": iris_frame().to_csv(index=False), "train.py": ""})
    monkeypatch.chdir(root)
    return root


def test_a_good_project_prints_ok(repo: Path) -> None:
    (repo / "mlci.yaml").write_text(GOOD)

    result = CliRunner().invoke(cli, ["-v", "validate"])

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "mlci.yaml: OK (2 models)"
    assert "iris: OK (declarative)" in result.stderr and "churn: OK (command)" in result.stderr
    assert not (repo / ".mlci").exists()


def test_a_broken_project_lists_every_problem_with_its_line(repo: Path) -> None:
    (repo / "data" / "test.csv").write_text("sepal length (cm),species\n5.1,setosa\n")
    (repo / "out").mkdir()
    (repo / "mlci.yaml").write_text(BROKEN)

    result = CliRunner().invoke(cli, ["validate"])

    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    expected = [
        "mlci.yaml:12: models.iris.deps[0]: features: no such file or folder",
        "mlci.yaml:11: models.iris.metrics[1]: unknown metric 'f1_macr'",
        "mlci.yaml:10: models.iris.estimator.params.C: The 'C' parameter of LogisticRegression must be",
        "mlci.yaml:11: models.iris.metrics[2]: r2 is a regression metric, but LogisticRegression is a classifier",
        "mlci.yaml:6: models.iris.data.target: column 'specis' is not in data/iris.csv (did you mean 'species'?)",
        "mlci.yaml:7: models.iris.data.drop[0]: column 'id' is not in data/iris.csv",
        "mlci.yaml:17: models.other.estimator.class: cannot import sklearn.linear_modl.Ridge",
        "mlci.yaml:15: models.other.data.train: data/missing.parquet: no such file",
        "mlci.yaml:24: models.tested.estimator.params.gama: SVC has no parameter 'gama' (did you mean `gamma`?)",
        "mlci.yaml:22: models.tested.data.test: data/test.csv lacks columns 'sepal width (cm)', 'petal length (cm)',"
        " 'petal width (cm)', which data/iris.csv has",
        "mlci.yaml:30: models.churn.outputs.model: a model file may not be named run.json",
        "mlci.yaml:29: models.churn.outputs.metrics: out/metrics.csv: a metrics file must be .json, .yaml, .yml, "
        ".toml or .txt",
        "mlci.yaml:31: models.churn.outputs.predictions: out: a predictions file must be a .csv file",
        "mlci.yaml:34: models.churn.params[0]: params.yaml: no such file",
        "mlci.yaml:31: models.churn.outputs.predictions: out is a folder; an output must be a file",
    ]
    assert len(lines) == len(expected), "\n".join(lines)
    for line, start in zip(lines, expected, strict=True):
        assert line[4:].startswith(start), f"{line!r} does not start with {start!r}"
    assert "mlci: error: mlci.yaml: 15 problems found:" in result.stderr


def test_validation_fits_nothing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sklearn.linear_model

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("validate must not fit")

    monkeypatch.setattr(sklearn.linear_model.LogisticRegression, "fit", refuse)
    (repo / "mlci.yaml").write_text(IRIS_CONFIG)
    console, _ = recording_console()

    validate_project(load_config(repo / "mlci.yaml"), console=console)


def test_only_data_problems_raise_a_data_error(repo: Path) -> None:
    (repo / "mlci.yaml").write_text(IRIS_CONFIG.replace("target: species", "target: label"))
    console, _ = recording_console()

    with pytest.raises(DataError, match="1 problem found"):
        validate_project(load_config(repo / "mlci.yaml"), console=console)
    (repo / "mlci.yaml").write_text(IRIS_CONFIG.replace("f1_macro", "f2"))
    with pytest.raises(ConfigError):
        validate_project(load_config(repo / "mlci.yaml"), console=console)


def test_an_empty_data_file_and_a_header_without_rows(repo: Path) -> None:
    (repo / "mlci.yaml").write_text(IRIS_CONFIG)
    console, _ = recording_console()
    config = load_config(repo / "mlci.yaml")

    (repo / "data" / "iris.csv").write_text("")
    with pytest.raises(DataError, match=r"data/iris\.csv is empty"):
        validate_project(config, console=console)
    (repo / "data" / "iris.csv").write_text("species,petal\n")
    with pytest.raises(DataError, match=r"data/iris\.csv has no rows"):
        validate_project(config, console=console)


def test_a_parquet_header_is_read_without_the_pandas_index(repo: Path) -> None:
    iris_frame().set_index("species").to_parquet(repo / "data" / "iris.parquet")
    (repo / "mlci.yaml").write_text(IRIS_CONFIG.replace("data/iris.csv", "data/iris.parquet"))
    console, _ = recording_console()

    validate_project(load_config(repo / "mlci.yaml"), console=console)


def test_an_entrypoint_is_imported_but_not_called(repo: Path) -> None:
    (repo / "factory.py").write_text("def build():\n    raise RuntimeError('called')\n")
    config_text = IRIS_CONFIG.replace(
        """    estimator:
      class: sklearn.linear_model.LogisticRegression
      params: {C: 1.0, max_iter: 500}
""",
        "    entrypoint: factory:build\n",
    )
    (repo / "mlci.yaml").write_text(config_text)
    console, _ = recording_console()
    validate_project(load_config(repo / "mlci.yaml"), console=console)

    (repo / "mlci.yaml").write_text(config_text.replace("factory:build", "factory:biuld"))
    with pytest.raises(ConfigError, match="module factory has no function biuld"):
        validate_project(load_config(repo / "mlci.yaml"), console=console)


def test_a_command_whose_program_is_not_on_path_gets_a_warning(repo: Path) -> None:
    (repo / "mlci.yaml").write_text(GOOD.replace(python_command("train.py"), "pyhton3-nowhere train.py"))
    console, stream = recording_console()

    validate_project(load_config(repo / "mlci.yaml"), console=console)

    assert "churn: `pyhton3-nowhere` is not on PATH" in stream.getvalue()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda repo: (repo / "data" / "iris.csv").write_text(
                (repo / "data" / "iris.csv").read_text() + "5.0,3.4,1.5,0.2,setosa,extra\n"
            ),
            "mlci.yaml:5: models.iris.data.train: data/iris.csv could not be read as CSV: Error tokenizing data. "
            "C error: Expected 5 fields in line 152, saw 6",
        ),
        (
            lambda repo: (repo / "mlci.yaml").write_text(IRIS_CONFIG.replace("test_size: 0.25", "test_size: 150")),
            "mlci.yaml:7: models.iris.data.split.test_size: holds out 150 rows, but data/iris.csv has only 150",
        ),
        (
            lambda repo: (repo / "mlci.yaml").write_text(
                IRIS_CONFIG.replace("target: species", "target: sepal length (cm)")
            ),
            "mlci.yaml:6: models.iris.data.target: target column 'sepal length (cm)' of data/iris.csv holds continuous",
        ),
    ],
    ids=["a row longer than the header", "a split larger than the data", "a target unfit for the task"],
)
def test_validate_refuses_what_training_would_refuse(repo: Path, change, expected: str) -> None:
    (repo / "mlci.yaml").write_text(IRIS_CONFIG)
    change(repo)

    validated = CliRunner().invoke(cli, ["validate"])
    trained = CliRunner().invoke(cli, ["train"])

    assert validated.exit_code == 2 and expected in validated.stderr, validated.output
    assert trained.exit_code == 2 and expected in trained.stderr, trained.output


def test_columns_the_default_preprocessing_cannot_use_are_found_by_validate(repo: Path) -> None:
    frame = iris_frame()
    frame["measured"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(range(len(frame)), unit="D")
    frame.to_parquet(repo / "data" / "iris.parquet")
    (repo / "mlci.yaml").write_text(IRIS_CONFIG.replace("data/iris.csv", "data/iris.parquet"))

    result = CliRunner().invoke(cli, ["validate"])

    assert result.exit_code == 2
    assert "models.iris.data: column 'measured' has type datetime64" in result.stderr


# A second model beside the monitored one, its `metrics:` line to follow.
SECOND = """\
  second:
    data: {train: data/train.csv, target: label}
    estimator: sklearn.linear_model.LogisticRegression
"""


def own_monitor(section: str) -> str:
    """The monitored project's config with `monitor: SECTION` in the model's own section (line 7)."""
    listed = "    metrics: [accuracy, f1_macro]\n"
    return MONITORED.replace(listed, f"{listed}    monitor: {section}\n")


def validated(root: Path, config: str | None = None) -> Result:
    """`mlci validate` in `root`, with `config` as its mlci.yaml first when given."""
    if config is not None:
        (root / "mlci.yaml").write_text(config)
    return CliRunner().invoke(cli, ["validate"])


@pytest.fixture
def monitored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose model is monitored on `data/incoming/*.csv` (no batch has arrived yet)."""
    root = tmp_path / "monitored"
    (root / "data" / "incoming").mkdir(parents=True)
    sample(300, seed=1).to_csv(root / "data" / "train.csv", index=False)
    (root / "mlci.yaml").write_text(MONITORED)
    monkeypatch.chdir(root)
    return root


def test_a_monitor_batch_that_has_not_arrived_is_a_warning(monitored: Path) -> None:
    result = validated(monitored)

    assert result.exit_code == 0, result.output
    assert (
        "warning: mlci.yaml:8: monitor.batch: no data file matches 'data/incoming/*.csv' (the fresh data may not "
        "have arrived yet)" in result.stderr
    )


def test_a_monitor_batch_without_the_models_features_is_refused(monitored: Path) -> None:
    sample(100, seed=2).drop(columns=["x2", "x4"]).to_csv(monitored / "today.csv", index=False)

    result = validated(monitored, own_monitor("{batch: today.csv}"))

    assert result.exit_code == 2, result.output
    assert (
        "mlci.yaml:7: models.churn.monitor.batch: today.csv lacks the feature columns 'x2', 'x4' that churn reads "
        "(from data/train.csv)" in result.stderr
    )
    assert "Traceback" not in result.output


def test_a_monitor_batch_that_is_no_table_is_refused_once_for_every_model(monitored: Path) -> None:
    (monitored / "data" / "incoming" / "today.parquet").write_text("x1,x2\n1,2\n")
    two_models = MONITORED.replace("monitor:\n", SECOND + "    metrics: [accuracy]\nmonitor:\n")

    result = validated(monitored, two_models.replace("*.csv", "*.parquet"))

    assert result.exit_code == 2, result.output
    assert "1 problem found" in result.stderr
    assert "mlci.yaml:12: monitor.batch: data/incoming/today.parquet could not be read as PARQUET" in result.stderr


def test_a_monitor_batch_without_the_target_gets_a_note(monitored: Path) -> None:
    write_batch(monitored, sample(100, seed=2).drop(columns=["label"]), "today.csv")

    result = validated(monitored)

    assert result.exit_code == 0, result.output
    assert (
        "churn: note: data/incoming/today.csv has no 'label' column (the target), so mlci monitor will check drift "
        "only, not performance" in result.stderr
    )
    assert "warning" not in result.stderr


@pytest.mark.parametrize(("alias", "warned"), [("staging", True), ("production", False)])
def test_a_monitor_alias_promote_never_moves_is_a_warning(monitored: Path, alias: str, warned: bool) -> None:
    write_batch(monitored, sample(100, seed=2), "today.csv")

    result = validated(monitored, MONITORED.replace("  alert: none\n", f"  alert: none\n  alias: {alias}\n"))

    assert result.exit_code == 0, result.output
    assert ("mlci.yaml:10: monitor.alias: 'staging' is not the alias mlci promote moves" in result.stderr) is warned
    assert ("warning" in result.stderr) is warned


def test_monitor_performance_must_name_the_models_metrics(monitored: Path) -> None:
    refused = validated(monitored, own_monitor("{performance: [auc]}"))
    assert refused.exit_code == 2
    assert "models.churn.monitor.performance.auc: the model does not list the metric 'auc'" in refused.stderr

    # Repository-wide, a metric applies to the models that list it: one listing none is watched for drift only.
    shared = MONITORED.replace(
        "monitor:\n", SECOND + "    metrics: [balanced_accuracy]\nmonitor:\n  performance: [accuracy]\n"
    )
    warned = validated(monitored, shared)
    assert warned.exit_code == 0, warned.output
    assert (
        "mlci.yaml:12: monitor.performance: names none of second's metrics (balanced_accuracy), so mlci monitor "
        "checks second for drift only" in warned.stderr
    )
    assert "churn's" not in warned.stderr


def test_validate_refuses_the_batch_monitor_would_refuse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = production_project(tmp_path / "project", rows=400)
    write_batch(root, sample(300, seed=1).drop(columns=["x3"]), "today.csv")
    monkeypatch.chdir(root)

    checked = validated(root)
    monitored = CliRunner().invoke(cli, ["monitor"])

    assert checked.exit_code == monitored.exit_code == 2
    assert "today.csv lacks the feature column 'x3' that churn reads" in checked.stderr
    assert "today.csv lacks the feature column 'x3' that churn version 1 was trained on" in monitored.stderr
