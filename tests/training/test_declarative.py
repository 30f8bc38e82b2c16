"""Declarative mode end to end: real data, real scikit-learn training, the run files a user gets."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.metrics import f1_score, roc_auc_score

from mlci.config import load_config
from mlci.training.metrics import resolve_metrics
from mlci.training.predictions import read_predictions
from mlci.training.scoring import score_predictions
from mlci.training.train import train_models
from testing.projects import recording_console
from tests.conftest import git
from tests.training.helpers import (
    IRIS_CONFIG,
    Project,
    cancer_frame,
    diabetes_frame,
    iris_frame,
)

pytestmark = pytest.mark.integration

BINARY_CONFIG = """\
version: 1
models:
  cancer:
    data: {train: data/cancer.csv, target: diagnosis, split: {test_size: 0.3, seed: 0}}
    estimator: {class: sklearn.linear_model.LogisticRegression, params: {max_iter: 5000}}
    metrics: [auc, f1, logloss]
"""

REGRESSION_CONFIG = """\
version: 1
models:
  diabetes:
    data:
      train: data/diabetes.csv
      target: progression
      split: {test_size: 100, seed: 3}
    estimator:
      class: sklearn.linear_model.Ridge
      params: {alpha: 0.5}
    metrics: [mean_absolute_error, neg_mean_absolute_error, r2]
"""


def test_iris_with_a_split_writes_run_model_and_predictions(project: Project) -> None:
    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("iris: trained: accuracy=")
    folder = project.run_dir("iris")
    files = sorted(path.name for path in folder.iterdir() if path.suffix != ".png")  # pictures: the plots extra
    assert files == ["model.skops", "predictions.csv", "run.json"]
    run = project.run("iris")
    assert run.mode == "declarative" and run.task == "classification"
    assert {k: v for k, v in run.files.items() if not k.startswith("plot_")} == {
        "model": "model.skops",
        "predictions": "predictions.csv",
    }
    assert run.goals == {"accuracy": "maximize", "f1_macro": "maximize"}
    assert 0.9 < run.metrics["accuracy"] <= 1.0
    assert run.lineage["rows"] == {"train": 112, "test": 38}
    # What the predictions were made from, so a comparison can tell a changed feature from the same rows.
    assert set(run.lineage["test_inputs"]) == {"rows", "target", "features"}
    assert run.lineage["test_inputs"]["rows"] == 38

    predictions = pd.read_csv(folder / "predictions.csv")
    assert list(predictions.columns) == ["y_true", "y_pred", "proba_setosa", "proba_versicolor", "proba_virginica"]
    assert len(predictions) == 38
    # Stratified: the 38 test rows keep the classes balanced (50 each in the data).
    assert sorted(predictions["y_true"].value_counts().tolist()) == [12, 13, 13]
    np.testing.assert_allclose(predictions.filter(like="proba_").sum(axis=1), 1.0)

    model = skops.io.load(folder / "model.skops", trusted=run.untrusted_types)
    reloaded = model.predict(iris_frame().drop(columns="species").iloc[:5])
    assert list(reloaded) == ["setosa"] * 5


def test_the_same_split_and_model_give_the_same_metrics_and_params_twice(project: Project) -> None:
    assert project.mlci("train").exit_code == 0
    first = project.run("iris")
    assert project.mlci("train", "iris").exit_code == 0
    second = project.run("iris")

    assert first.metrics == second.metrics
    assert first.params == second.params
    assert second.params["C"] == 1.0 and second.params["max_iter"] == 500 and second.params["solver"] == "lbfgs"
    json.dumps(second.params)


def test_metrics_recomputed_from_predictions_csv_equal_the_recorded_ones(project: Project) -> None:
    project.config(IRIS_CONFIG.replace("[accuracy, f1_macro]", "[accuracy, f1_macro, log_loss, roc_auc_ovr]"))
    assert project.mlci("train").exit_code == 0
    run = project.run("iris")

    frame, classes = read_predictions(project.run_dir("iris") / "predictions.csv")
    config = load_config(project.root / "mlci.yaml")
    metrics = resolve_metrics(config, config.models["iris"])
    recomputed = score_predictions(frame, metrics, task=run.task, classes=classes)

    assert classes == ["setosa", "versicolor", "virginica"]
    assert recomputed == run.metrics
    assert run.goals["log_loss"] == "minimize" and run.metrics["log_loss"] > 0


def test_a_separate_test_file_is_scored_instead_of_a_split(project: Project) -> None:
    frame = iris_frame().sample(frac=1.0, random_state=1)
    project.write_frame("data/train.csv", frame.iloc[:120])
    project.write_frame("data/test.csv", frame.iloc[120:])
    project.config(
        IRIS_CONFIG.replace("train: data/iris.csv", "train: data/train.csv\n      test: data/test.csv").replace(
            "      split: {test_size: 0.25, seed: 0}\n", ""
        )
    )

    result = project.mlci("-v", "train")

    assert result.exit_code == 0, result.output
    run = project.run("iris")
    assert run.lineage["rows"] == {"train": 120, "test": 30}
    assert set(run.lineage["fingerprints"]) == {"data/train.csv", "data/test.csv"}
    assert "test rows: test file data/test.csv" in result.stderr


def test_parquet_data_trains_like_csv(project: Project) -> None:
    project.write_frame("data/iris.parquet", iris_frame())
    project.config(IRIS_CONFIG.replace("data/iris.csv", "data/iris.parquet"))

    assert project.mlci("train").exit_code == 0
    parquet_metrics = project.run("iris").metrics
    project.config(IRIS_CONFIG)
    assert project.mlci("train").exit_code == 0
    csv_metrics = project.run("iris").metrics

    assert parquet_metrics == csv_metrics


def test_categorical_columns_and_missing_values_get_the_default_preprocessing(project: Project) -> None:
    frame = cancer_frame().iloc[:, [0, 1, 2, 3, 30]]
    rng = np.random.default_rng(0)
    frame["size"] = np.where(frame["mean radius"] > 14, "large", "small")
    frame["lab"] = rng.choice(["north", "south", "east"], size=len(frame))
    frame["screened"] = rng.choice([True, False], size=len(frame))
    frame.loc[rng.choice(len(frame), 40, replace=False), "mean texture"] = np.nan
    frame.loc[rng.choice(len(frame), 40, replace=False), "lab"] = None
    frame["patient_id"] = [f"p{i}" for i in range(len(frame))]
    project.write_frame("data/cancer.csv", frame)
    project.config("""\
version: 1
models:
  cancer:
    data:
      train: data/cancer.csv
      target: diagnosis
      drop: [patient_id]
    estimator:
      class: sklearn.ensemble.HistGradientBoostingClassifier
      params: {max_iter: 20, random_state: 0}
    metrics: [accuracy, roc_auc]
""")

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    run = project.run("cancer")
    assert run.metrics["accuracy"] > 0.8 and run.metrics["roc_auc"] > 0.85
    model = skops.io.load(project.run_dir("cancer") / "model.skops", trusted=run.untrusted_types)
    assert [name for name, _ in model.steps] == ["preprocess", "model"]
    transformers = model.named_steps["preprocess"].transformers_
    columns = {name: list(cols) for name, _, cols in transformers if name != "remainder"}
    assert columns == {
        "numeric": ["mean radius", "mean texture", "mean perimeter", "mean area"],
        "categorical": ["size", "lab"],
        "boolean": ["screened"],
    }
    assert "patient_id" not in model.feature_names_in_
    predictions = pd.read_csv(project.run_dir("cancer") / "predictions.csv")
    assert list(predictions.columns) == ["y_true", "y_pred", "proba_benign", "proba_malignant"]


def test_preprocessing_none_passes_the_raw_columns(project: Project) -> None:
    project.config(IRIS_CONFIG.replace("    metrics:", "    preprocessing: none\n    metrics:"))
    assert project.mlci("train").exit_code == 0
    run = project.run("iris")
    model = skops.io.load(project.run_dir("iris") / "model.skops", trusted=run.untrusted_types)
    assert type(model).__name__ == "LogisticRegression"


def test_regression_reports_mean_absolute_error_positive_and_minimized(project: Project) -> None:
    project.write_frame("data/diabetes.csv", diabetes_frame())
    project.config(REGRESSION_CONFIG)

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    run = project.run("diabetes")
    assert run.task == "regression"
    assert run.metrics["mean_absolute_error"] > 0
    assert run.metrics["neg_mean_absolute_error"] == -run.metrics["mean_absolute_error"]
    assert run.goals == {"mean_absolute_error": "minimize", "neg_mean_absolute_error": "maximize", "r2": "maximize"}
    assert run.lineage["rows"] == {"train": 342, "test": 100}
    predictions = pd.read_csv(project.run_dir("diabetes") / "predictions.csv")
    assert list(predictions.columns) == ["y_true", "y_pred"]
    mae = (predictions["y_true"] - predictions["y_pred"]).abs().mean()
    assert run.metrics["mean_absolute_error"] == pytest.approx(mae)


def test_short_metric_names_are_scikit_learns_metrics_reported_as_written(project: Project) -> None:
    project.write_frame("data/diabetes.csv", diabetes_frame())
    project.config(
        REGRESSION_CONFIG.replace("[mean_absolute_error, neg_mean_absolute_error, r2]", "[rmse, MAE, mse, r2]")
    )

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    run = project.run("diabetes")
    assert run.goals == {"rmse": "minimize", "MAE": "minimize", "mse": "minimize", "r2": "maximize"}
    predictions = pd.read_csv(project.run_dir("diabetes") / "predictions.csv")
    errors = predictions["y_pred"] - predictions["y_true"]
    assert run.metrics["rmse"] == pytest.approx((errors**2).mean() ** 0.5)
    assert run.metrics["MAE"] == pytest.approx(errors.abs().mean())
    assert run.metrics["mse"] == pytest.approx((errors**2).mean())


def test_auc_and_f1_are_scikit_learns_binary_metrics(project: Project) -> None:
    project.write_frame("data/cancer.csv", cancer_frame().assign(diagnosis=lambda f: (f.diagnosis == "malignant") * 1))
    project.config(BINARY_CONFIG)

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    run = project.run("cancer")
    assert run.goals == {"auc": "maximize", "f1": "maximize", "logloss": "minimize"}
    predictions = pd.read_csv(project.run_dir("cancer") / "predictions.csv")
    assert run.metrics["auc"] == pytest.approx(roc_auc_score(predictions.y_true, predictions.proba_1))
    assert run.metrics["f1"] == pytest.approx(f1_score(predictions.y_true, predictions.y_pred))


def test_a_classifier_without_predict_proba_stores_its_decision_function(project: Project) -> None:
    project.write_frame("data/cancer.csv", cancer_frame())
    project.config("""\
version: 1
models:
  cancer:
    data: {train: data/cancer.csv, target: diagnosis}
    estimator: {class: sklearn.svm.LinearSVC, params: {C: 0.5}}
    metrics: [accuracy, roc_auc]
""")

    assert project.mlci("train").exit_code == 0, project.mlci("train").output

    predictions = pd.read_csv(project.run_dir("cancer") / "predictions.csv")
    assert list(predictions.columns) == ["y_true", "y_pred", "score"]
    assert project.run("cancer").metrics["roc_auc"] > 0.95


def test_lineage_names_commit_branch_dirtiness_inputs_and_versions(project: Project) -> None:
    project.write("features/build.py", "FEATURES = 4\n")
    project.write("features/.mlci/cache", "ignored")
    project.write("features/__pycache__/build.cpython-311.pyc", "ignored")
    project.config(IRIS_CONFIG.replace("    metrics:", "    deps: [features/]\n    metrics:"))
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", "features")
    head = git(project.root, "rev-parse", "HEAD")

    assert project.mlci("train").exit_code == 0
    lineage = project.run("iris").lineage

    assert lineage["git"] == {"commit": head, "branch": "main", "dirty": False}
    assert set(lineage["fingerprints"]) == {"data/iris.csv", "features/build.py"}
    assert all(value.startswith("xxh3:") for value in lineage["fingerprints"].values())
    assert {"python", "mlci", "scikit-learn", "pandas", "numpy", "skops"} <= set(lineage["libraries"])
    assert len(lineage["config_hash"]) == 16
    assert lineage["started_at"] <= lineage["finished_at"]
    assert 0 <= lineage["fit_seconds"] <= lineage["duration_seconds"]

    project.write("features/build.py", "FEATURES = 5\n")
    assert project.mlci("train").exit_code == 0
    changed = project.run("iris").lineage
    assert changed["git"]["dirty"] is True
    assert changed["fingerprints"]["features/build.py"] != lineage["fingerprints"]["features/build.py"]
    assert changed["fingerprints"]["data/iris.csv"] == lineage["fingerprints"]["data/iris.csv"]


def test_outside_a_git_repository_the_commit_is_unknown(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project(root=tmp_path / "plain")
    project.write_frame("data/iris.csv", iris_frame())
    config = project.config(IRIS_CONFIG)
    console, _ = recording_console()

    [result] = train_models(config, [], console=console).results

    assert result.run.lineage["git"] == {"commit": None, "branch": None, "dirty": None}
    assert result.directory == tmp_path / "plain" / ".mlci" / "runs" / "iris"
    assert {k: v for k, v in result.run.files.items() if not k.startswith("plot_")} == {
        "model": "model.skops",
        "predictions": "predictions.csv",
    }


def test_progress_goes_to_stderr_and_verbose_mode_describes_the_data(project: Project) -> None:
    quiet = project.mlci("train")
    verbose = project.mlci("-v", "train", "--force")

    assert quiet.stdout.strip().splitlines() == [quiet.stdout.strip()]
    assert "iris: training" in quiet.stderr and "112 training rows" not in quiet.stderr
    assert "iris: 112 training rows, 38 test rows, 4 feature columns" in verbose.stderr
    assert "stratified split of data/iris.csv, test_size 0.25, seed 0" in verbose.stderr
    assert "fitted LogisticRegression in" in verbose.stderr


def test_too_few_rows_of_a_class_to_stratify_falls_back_with_a_warning(project: Project) -> None:
    frame = pd.concat([iris_frame().iloc[:100], iris_frame().iloc[100:101]])
    project.write_frame("data/iris.csv", frame)

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    assert "cannot stratify the split" in result.stderr and "without stratification" in result.stderr


def test_models_train_in_config_order_and_by_name(project: Project) -> None:
    project.write_frame("data/diabetes.csv", diabetes_frame())
    project.config(IRIS_CONFIG + REGRESSION_CONFIG.split("models:\n", 1)[1])

    both = project.mlci("train")
    only = project.mlci("train", "diabetes", "diabetes")

    assert [line.split(":")[0] for line in both.stdout.splitlines()] == ["iris", "diabetes"]
    assert [line.split(":")[0] for line in only.stdout.splitlines()] == ["diabetes"]


HEADERLESS_CONFIG = """\
version: 1
models:
  iris:
    data:
      train: data/iris.csv
      target: col_4
      header: false
    estimator:
      class: sklearn.linear_model.LogisticRegression
      params: {max_iter: 500}
    metrics: [accuracy]
"""


def test_a_csv_without_a_header_row_is_read_with_header_false(project: Project) -> None:
    # As UCI keeps it: values from the first row on, the class name last.
    project.write("data/iris.csv", iris_frame().to_csv(index=False, header=False))
    project.config(HEADERLESS_CONFIG)

    validated = project.mlci("validate")
    trained = project.mlci("train")

    assert validated.exit_code == 0, validated.output
    assert trained.exit_code == 0, trained.output
    run = project.run("iris")
    assert run.lineage["rows"] == {"train": 112, "test": 38}  # all 150 rows: the first is data too
    assert sorted(run.lineage["test_inputs"]["features"]) == ["col_0", "col_1", "col_2", "col_3"]
    assert run.metrics["accuracy"] > 0.9
