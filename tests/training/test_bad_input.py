"""Bad input to declarative training: each error names the thing and its place, exits 2, no traceback,
and never damages the run already there."""

from __future__ import annotations

import pytest

from mlci.errors import ConfigError, DataError
from mlci.training.train import train_models
from testing.projects import recording_console
from tests.training.helpers import IRIS_CONFIG, Project, assert_clean_failure, iris_frame

pytestmark = pytest.mark.integration

ESTIMATOR_LINE = "      class: sklearn.linear_model.LogisticRegression\n"
PARAMS_LINE = "      params: {C: 1.0, max_iter: 500}\n"


def with_estimator(class_line: str, params_line: str = PARAMS_LINE) -> str:
    return IRIS_CONFIG.replace(ESTIMATOR_LINE, class_line).replace(PARAMS_LINE, params_line)


@pytest.mark.parametrize(
    ("class_name", "fragments"),
    [
        (
            "sklearn.linear_modle.LogisticRegression",
            [
                "mlci.yaml:9: models.iris.estimator.class: cannot import sklearn.linear_modle.LogisticRegression: "
                "there is no module named sklearn.linear_modle",
                "Did you mean sklearn.linear_model?",
            ],
        ),
        ("nosuchpackage.Model", ["there is no module named nosuchpackage"]),
        (
            "sklearn.linear_model.LogisticRegresion",
            [
                "mlci.yaml:9: models.iris.estimator.class: module sklearn.linear_model has no class LogisticRegresion",
                "Did you mean sklearn.linear_model.LogisticRegression?",
            ],
        ),
        (
            "sklearn.LogisticRegression",
            ["module sklearn has no class LogisticRegression", "Did you mean sklearn.linear_model.LogisticRegression?"],
        ),
        (
            "sklearn.preprocessing.StandardScaler",
            ["sklearn.preprocessing.StandardScaler is a transformer: it has no predict method"],
        ),
        ("collections.OrderedDict", ["collections.OrderedDict is not an estimator: it has no fit method"]),
    ],
)
def test_an_estimator_class_that_cannot_be_used_is_named(
    project: Project, class_name: str, fragments: list[str]
) -> None:
    project.config(with_estimator(f"      class: {class_name}\n", "      params: {}\n"))
    assert_clean_failure(project.mlci("train"), *fragments)


def test_a_parameter_the_class_does_not_take_is_named_with_the_valid_ones(project: Project) -> None:
    project.config(with_estimator(ESTIMATOR_LINE, "      params: {C: 1.0, max_itr: 500}\n"))

    output = assert_clean_failure(
        project.mlci("train"),
        "mlci.yaml:10: models.iris.estimator.params.max_itr: "
        "LogisticRegression has no parameter 'max_itr' (did you mean `max_iter`?)",
    )
    assert "Its parameters are: C, class_weight, dual" in output


def test_a_parameter_value_scikit_learn_rejects_points_at_the_parameter(project: Project) -> None:
    project.config(with_estimator(ESTIMATOR_LINE, "      params: {C: -1.0}\n"))

    assert_clean_failure(
        project.mlci("train"),
        "mlci.yaml:10: models.iris.estimator.params.C: "
        "The 'C' parameter of LogisticRegression must be a float in the range (0.0, inf]",
    )


def test_an_unknown_metric_name_points_at_the_metric_with_close_names(project: Project) -> None:
    project.config(IRIS_CONFIG.replace("[accuracy, f1_macro]", "[accuracy, f1_macr]"))

    assert_clean_failure(
        project.mlci("train"), "mlci.yaml:11: models.iris.metrics[1]: unknown metric 'f1_macr' (did you mean f1_macro"
    )


@pytest.mark.parametrize(
    ("name", "guess"),
    [("rsme", "(did you mean rmse"), ("acuracy", "(did you mean accuracy"), ("r_squared", "")],
)
def test_an_unknown_metric_name_is_guessed_among_scorers_and_short_names(
    project: Project, name: str, guess: str
) -> None:
    project.config(IRIS_CONFIG.replace("[accuracy, f1_macro]", f"[accuracy, {name}]"))

    output = assert_clean_failure(
        project.mlci("validate"), f"models.iris.metrics[1]: unknown metric {name!r} {guess}".rstrip()
    )
    assert "or a short name: acc, auc, mae, mse, rmse" in output


def test_a_binary_metric_for_three_classes_is_refused_before_the_fit(project: Project) -> None:
    project.config(IRIS_CONFIG.replace("[accuracy, f1_macro]", "[accuracy, f1]"))

    output = assert_clean_failure(
        project.mlci("-v", "train"),
        "mlci.yaml:11: models.iris.metrics[1]: cannot be computed for the target 'species' "
        "(3 classes: setosa, versicolor, virginica): Target is multiclass but average='binary'",
        "f1, precision, recall and roc_auc are scikit-learn's metrics for two classes; for more, use a "
        "multiclass variant such as f1_macro",
    )
    assert "fitted LogisticRegression" not in output
    assert not project.run_dir("iris").exists()
    # validate finds it too, with every other such metric.
    project.config(IRIS_CONFIG.replace("[accuracy, f1_macro]", "[f1, auc, f1_macro]"))
    assert_clean_failure(project.mlci("validate"), "2 problems found", "metrics[0]: cannot", "metrics[1]: cannot")


@pytest.mark.parametrize(
    ("metrics", "fragment"),
    [
        ("[accuracy, r2]", "models.iris.metrics[1]: r2 is a regression metric, but LogisticRegression is a classifier"),
        (
            "[{name: accuracy, goal: minimize}]",
            "goal minimize contradicts scikit-learn: for accuracy, higher is better",
        ),
    ],
)
def test_a_metric_that_does_not_fit_the_model_is_refused_before_training(
    project: Project, metrics: str, fragment: str
) -> None:
    project.config(IRIS_CONFIG.replace("[accuracy, f1_macro]", metrics))
    assert_clean_failure(project.mlci("train"), fragment)


def test_a_probability_metric_for_a_model_without_probabilities_says_how_to_get_them(project: Project) -> None:
    project.config(
        with_estimator("      class: sklearn.svm.SVC\n", "      params: {}\n").replace(
            "[accuracy, f1_macro]", "[log_loss]"
        )
    )

    assert_clean_failure(
        project.mlci("train"),
        "models.iris.metrics[0]: log_loss needs predict_proba, which SVC does not have",
        "Set `probability: true`",
    )


def test_a_missing_data_file(project: Project) -> None:
    project.config(IRIS_CONFIG.replace("data/iris.csv", "data/irs.csv"))
    assert_clean_failure(project.mlci("train"), "mlci.yaml:5: models.iris.data.train: data/irs.csv: no such file")


def test_an_empty_data_file(project: Project) -> None:
    project.write("data/iris.csv", "")
    assert_clean_failure(project.mlci("train"), "models.iris.data.train: data/iris.csv is empty")


def test_a_data_file_with_a_header_and_no_rows(project: Project) -> None:
    project.write("data/iris.csv", "sepal_length,species\n")
    assert_clean_failure(project.mlci("train"), "data/iris.csv has no rows")


def test_a_data_file_of_an_unknown_kind_lists_the_kinds_that_work(project: Project) -> None:
    project.write("data/iris.xlsx", "not really excel")
    project.config(IRIS_CONFIG.replace("data/iris.csv", "data/iris.xlsx"))
    assert_clean_failure(
        project.mlci("train"), "data/iris.xlsx is not a CSV or Parquet file", ".csv, .tsv", ".parquet or .pq"
    )


def test_an_unparseable_parquet_file(project: Project) -> None:
    project.write("data/iris.parquet", "this is not parquet")
    project.config(IRIS_CONFIG.replace("data/iris.csv", "data/iris.parquet"))
    assert_clean_failure(project.mlci("train"), "data/iris.parquet could not be read as PARQUET")


def test_a_missing_target_column_lists_the_columns_present(project: Project) -> None:
    project.config(IRIS_CONFIG.replace("target: species", "target: specis"))

    assert_clean_failure(
        project.mlci("train"),
        "mlci.yaml:6: models.iris.data.target: column 'specis' is not in data/iris.csv (did you mean 'species'?)",
        "Its columns are: sepal length (cm), sepal width (cm), petal length (cm), petal width (cm), species.",
    )


def test_a_missing_drop_column(project: Project) -> None:
    project.config(IRIS_CONFIG.replace("target: species", "target: species\n      drop: [id]"))
    assert_clean_failure(project.mlci("train"), "models.iris.data.drop[0]: column 'id' is not in data/iris.csv")


def test_a_single_class_target(project: Project) -> None:
    project.write_frame("data/iris.csv", iris_frame().iloc[:50])
    assert_clean_failure(
        project.mlci("train"),
        "target column 'species' of data/iris.csv has a single class ('setosa'); a classifier needs at least two",
    )


def test_a_target_with_missing_values_says_which_rows(project: Project) -> None:
    frame = iris_frame()
    frame.loc[[3, 10], "species"] = None
    project.write_frame("data/iris.csv", frame)
    assert_clean_failure(
        project.mlci("train"), "target column 'species' of data/iris.csv is empty in 2 of 150 rows (lines 5, 12)"
    )


def test_a_text_target_for_a_regressor(project: Project) -> None:
    project.config(
        with_estimator("      class: sklearn.linear_model.Ridge\n", "      params: {}\n").replace(
            "[accuracy, f1_macro]", "[r2]"
        )
    )
    assert_clean_failure(
        project.mlci("train"),
        "target column 'species' of data/iris.csv is not numeric",
        "but the estimator is a regressor",
    )


def test_an_unknown_model_name_suggests_the_closest_and_lists_them(project: Project) -> None:
    assert_clean_failure(
        project.mlci("train", "irs"),
        "mlci.yaml:2: models: no model named 'irs' (did you mean 'iris'?)",
        "Models in this config: iris.",
    )


def test_the_library_raises_the_matching_error_classes(project: Project) -> None:
    console, _ = recording_console()
    with pytest.raises(ConfigError):
        train_models(project.config(IRIS_CONFIG.replace("[accuracy, f1_macro]", "[nope]")), [], console=console).check()
    with pytest.raises(DataError):
        train_models(
            project.config(IRIS_CONFIG.replace("target: species", "target: nope")), [], console=console
        ).check()


def test_a_failed_training_leaves_the_previous_run_byte_for_byte(project: Project) -> None:
    assert project.mlci("train").exit_code == 0
    folder = project.run_dir("iris")
    before = {path.name: path.read_bytes() for path in folder.iterdir()}

    project.config(IRIS_CONFIG.replace("params: {C: 1.0, max_iter: 500}", "params: {C: -5.0}"))
    assert_clean_failure(project.mlci("train"), "models.iris.estimator.params.C")
    project.write("data/iris.csv", "")
    assert_clean_failure(project.mlci("train"), "is empty")

    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert sorted(path.name for path in folder.parent.iterdir()) == ["iris"]


def test_a_file_without_a_header_row_read_as_if_it_had_one_says_what_to_add(project: Project) -> None:
    project.write("data/iris.csv", iris_frame().to_csv(index=False, header=False))
    assert_clean_failure(
        project.mlci("train"),
        "models.iris.data.target: column 'species' is not in data/iris.csv",
        "if the file has no header row, add `header: false`",
    )


def test_header_false_on_a_parquet_file_is_refused(project: Project) -> None:
    project.write_frame("data/iris.parquet", iris_frame())
    project.config(
        IRIS_CONFIG.replace("data/iris.csv", "data/iris.parquet").replace(
            "target: species", "target: species\n      header: false"
        )
    )
    assert_clean_failure(
        project.mlci("validate"),
        "models.iris.data.train: data/iris.parquet is a Parquet file, whose columns have names",
    )
