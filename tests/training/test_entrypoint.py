"""Entrypoint mode: a function of the project returns the estimator; mlci does the rest."""

from __future__ import annotations

import os
import sys

import pytest
import skops.io

from tests.training.helpers import IRIS_CONFIG, Project, assert_clean_failure

pytestmark = pytest.mark.integration

ENTRYPOINT_CONFIG = IRIS_CONFIG.replace(
    """    estimator:
      class: sklearn.linear_model.LogisticRegression
      params: {C: 1.0, max_iter: 500}
""",
    "    entrypoint: {entrypoint}\n",
)


def entrypoint_config(entrypoint: str) -> str:
    return ENTRYPOINT_CONFIG.replace("{entrypoint}", entrypoint)


def test_a_pipeline_from_an_entrypoint_is_trained_as_it_is(project: Project) -> None:
    project.write("models/__init__.py", "")
    project.write(
        "models/factory.py",
        """\
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler


def build():
    return make_pipeline(MinMaxScaler(), LogisticRegression(C=10.0, max_iter=1000))
""",
    )
    project.config(entrypoint_config("models.factory:build"))

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    run = project.run("iris")
    assert run.mode == "entrypoint" and run.task == "classification"
    model = skops.io.load(project.run_dir("iris") / "model.skops", trusted=run.untrusted_types)
    assert [name for name, _ in model.steps] == ["minmaxscaler", "logisticregression"]
    assert run.params["logisticregression__C"] == 10.0
    assert "steps" not in run.params and "minmaxscaler" not in run.params
    assert str(project.root) not in sys.path


def test_a_bare_estimator_from_an_entrypoint_gets_the_default_preprocessing(project: Project) -> None:
    project.write(
        "factory.py",
        """\
from sklearn.neighbors import KNeighborsClassifier


def make_model():
    return KNeighborsClassifier(n_neighbors=7)
""",
    )
    project.config(entrypoint_config("factory:make_model"))

    assert project.mlci("train").exit_code == 0

    run = project.run("iris")
    model = skops.io.load(project.run_dir("iris") / "model.skops", trusted=run.untrusted_types)
    assert [name for name, _ in model.steps] == ["preprocess", "model"]
    assert run.params["n_neighbors"] == 7


def test_an_edited_entrypoint_module_is_imported_afresh(project: Project) -> None:
    project.write(
        "factory.py",
        "from sklearn.tree import DecisionTreeClassifier\n\n"
        "def make_model():\n    return DecisionTreeClassifier(max_depth=1)\n",
    )
    project.config(entrypoint_config("factory:make_model"))
    assert project.mlci("train").exit_code == 0
    shallow = project.run("iris").params["max_depth"]

    project.write(
        "factory.py",
        "from sklearn.tree import DecisionTreeClassifier\n\n"
        "def make_model():\n    return DecisionTreeClassifier(max_depth=3)\n",
    )
    assert project.mlci("train").exit_code == 0

    assert (shallow, project.run("iris").params["max_depth"]) == (1, 3)


def test_an_entrypoint_that_returns_no_estimator_is_named_with_what_it_returned(project: Project) -> None:
    project.write("factory.py", "def make_model():\n    return {'C': 1.0}\n")
    project.config(entrypoint_config("factory:make_model"))

    assert_clean_failure(
        project.mlci("train"),
        "mlci.yaml:8: models.iris.entrypoint:",
        "factory:make_model() returned dict {'C': 1.0}, not an estimator",
    )


def test_an_entrypoint_that_returns_a_class_is_told_to_return_an_instance(project: Project) -> None:
    project.write("factory.py", "from sklearn.svm import SVC\n\ndef make_model():\n    return SVC\n")
    project.config(entrypoint_config("factory:make_model"))

    assert_clean_failure(project.mlci("train"), "returned the class SVC, not an instance", "Return SVC(...)")


def test_an_entrypoint_that_raises_shows_the_line_in_the_project(project: Project) -> None:
    project.write("factory.py", "def make_model():\n    raise RuntimeError('no GPU here')\n")
    project.config(entrypoint_config("factory:make_model"))

    assert_clean_failure(
        project.mlci("train"), "factory:make_model() raised RuntimeError: no GPU here", "(at factory.py:2)"
    )


def test_a_missing_entrypoint_module_or_function_points_at_the_entrypoint(project: Project) -> None:
    project.write("factory.py", "def make_model():\n    pass\n")
    project.config(entrypoint_config("factory:make_modle"))
    assert_clean_failure(
        project.mlci("train"),
        "models.iris.entrypoint: module factory has no function make_modle",
        "Did you mean factory:make_model?",
    )

    project.config(entrypoint_config("fatcory:make_model"))
    assert_clean_failure(project.mlci("train"), "cannot import fatcory:make_model: there is no module named fatcory")


def test_an_entrypoint_calling_sys_exit_fails_its_model_instead_of_ending_mlci(project: Project) -> None:
    project.write("factory.py", "import sys\n\ndef make_model():\n    sys.exit(5)\n")
    project.config(entrypoint_config("factory:make_model"))

    assert_clean_failure(
        project.mlci("train"),
        "mlci.yaml:8: models.iris.entrypoint: factory:make_model() called sys.exit(5) (at factory.py:4)",
    )


def test_an_estimator_calling_sys_exit_in_fit_fails_its_model(project: Project) -> None:
    project.write(
        "quitter.py",
        "import sys\nfrom sklearn.linear_model import LogisticRegression\n\n"
        "class Quitter(LogisticRegression):\n    def fit(self, X, y):\n        sys.exit('no GPU here')\n",
    )
    project.config(IRIS_CONFIG.replace("sklearn.linear_model.LogisticRegression", "quitter.Quitter"))

    assert_clean_failure(
        project.mlci("train"), "models.iris.estimator.class: fitting Quitter failed: it called sys.exit('no GPU here')"
    )


CHECKS_ENVIRONMENT = """\
import os
from pathlib import Path

from sklearn.linear_model import LogisticRegression

def seen(where):
    names = ["GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN", "MLCI_WEBHOOK_SECRET", "WANDB_API_KEY"]
    with open("seen.txt", "a") as out:
        out.write(where + ": " + " ".join(name for name in names if name in os.environ) + "\\n")

class Checked(LogisticRegression):
    def fit(self, X, y):
        seen("fit")
        return super().fit(X, y)

def make_model():
    seen("entrypoint")
    return Checked(max_iter=500)
"""


def test_entrypoint_code_runs_without_the_jobs_credentials_which_are_back_afterwards(
    project: Project, monkeypatch
) -> None:
    for name in ("GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN", "MLCI_WEBHOOK_SECRET", "WANDB_API_KEY"):
        monkeypatch.setenv(name, "value")
    project.write("factory.py", CHECKS_ENVIRONMENT)
    project.config(entrypoint_config("factory:make_model"))

    assert project.mlci("train").exit_code == 0

    assert (project.root / "seen.txt").read_text() == "entrypoint: WANDB_API_KEY\nfit: WANDB_API_KEY\n"
    assert os.environ["GITHUB_TOKEN"] == os.environ["MLCI_WEBHOOK_SECRET"] == "value"

    project.config(entrypoint_config("factory:make_model") + "    pass_env: [GITHUB_TOKEN]\n")
    (project.root / "seen.txt").unlink()
    assert project.mlci("train", "--force").exit_code == 0
    assert (project.root / "seen.txt").read_text().splitlines()[0] == "entrypoint: GITHUB_TOKEN WANDB_API_KEY"
