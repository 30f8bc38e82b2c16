"""A training pass: one model's failure does not keep the others from training, each model's outcome
is told, and the exit code is the worst of the failures'."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.training.helpers import IRIS_CONFIG, Project, python_command

pytestmark = pytest.mark.integration

DATA = "    data: {train: data/iris.csv, target: species, split: {test_size: 0.25, seed: 0}}\n"
BROKEN = f"""\
  broken:
    command: {python_command("-c 'import sys; sys.exit(1)'")}
    outputs: {{metrics: out/metrics.json}}
    metrics: [{{name: auc, goal: maximize}}]
"""
SLOW = f"""\
  slow:
{DATA}    estimator: {{class: estimators.{{cls}}}}
    metrics: [accuracy]
    timeout: 1s
"""
ESTIMATORS = """\
import signal
import time

from sklearn.linear_model import LogisticRegression


class Slow(LogisticRegression):
    def fit(self, X, y):
        for epoch in range(1200):
            time.sleep(0.05)
        return super().fit(X, y)


class Stuck(LogisticRegression):
    def fit(self, X, y):
        time.sleep(60)


# As in one long call into native code, no Python runs in the main thread until it returns.
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
"""


def config(*models: str) -> str:
    """`IRIS_CONFIG` with `models` before its iris model, so they are trained first."""
    head, iris = IRIS_CONFIG.split("  iris:\n", 1)
    return head + "".join(models) + "  iris:\n" + iris


def test_a_failing_model_does_not_stop_the_others(project: Project) -> None:
    project.config(config(BROKEN))

    result = project.mlci("train")

    assert result.exit_code == 2, result.output
    broken, iris = result.stdout.splitlines()
    assert broken.startswith("broken: failed: mlci.yaml:4: models.broken.command: `") and "exited with code 1" in broken
    assert iris.startswith("iris: trained: accuracy=")
    assert "mlci: error: mlci.yaml:4: models.broken.command:" in result.stderr
    assert project.run("iris").metrics["accuracy"] > 0.9
    assert not project.run_dir("broken").exists()


def test_several_failures_are_listed_and_the_worst_exit_code_wins(project: Project) -> None:
    project.write("estimators.py", ESTIMATORS)
    project.config(config(BROKEN, SLOW.replace("{cls}", "Slow")))

    started = time.monotonic()
    result = project.mlci("train")

    assert result.exit_code == 3, result.output
    assert time.monotonic() - started < 30
    assert [line.split(":")[:2] for line in result.stdout.splitlines()] == [
        ["broken", " failed"],
        ["slow", " failed"],
        ["iris", " trained"],
    ]
    error = result.stderr.split("mlci: error: ", 1)[1]
    assert error.startswith("2 of 3 models failed to train:\n- broken: mlci.yaml:4: models.broken.command: `")
    assert "\n- slow: mlci.yaml:11: models.slow.timeout: slow: timed out after 1s; its training was stopped" in error
    assert project.run("iris").mode == "declarative"


def test_fail_fast_stops_at_the_first_failure(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.config(config(BROKEN))

    result = project.mlci("train", "--fail-fast")

    assert result.exit_code == 2, result.output
    assert result.stdout.splitlines()[1] == (
        "iris: not tried: an earlier model failed, and training stops at the first failure"
    )
    assert not project.run_dir("iris").exists()

    monkeypatch.setenv("MLCI_FAIL_FAST", "true")
    assert "iris: not tried" in project.mlci("train").stdout


def test_each_outcome_is_one_line_trained_or_unchanged(project: Project) -> None:
    project.config(IRIS_CONFIG)
    assert project.mlci("train").stdout.startswith("iris: trained: accuracy=")
    assert project.mlci("train").stdout.startswith("iris: unchanged: accuracy=")


def test_a_fit_that_cannot_be_stopped_ends_mlci_with_exit_code_3(project: Project) -> None:
    project.write("estimators.py", ESTIMATORS)
    # Long enough for mlci to import the project's module (and scikit-learn) before the limit passes, even
    # on a busy machine where that import alone can take several seconds.
    project.config(config(SLOW.replace("{cls}", "Stuck").replace("timeout: 1s", "timeout: 10s")))

    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "mlci", "train"], cwd=project.root, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 3, done.stderr
    assert time.monotonic() - started < 40
    assert (
        "mlci: error: mlci.yaml:7: models.slow.timeout: slow: timed out after 10s; its training did not stop "
        "(a long call into native code cannot be interrupted), so mlci ends here and the models after it are "
        "not trained"
    ) in done.stderr
    assert "Traceback" not in done.stderr
    assert not project.run_dir("slow").exists() and not project.run_dir("iris").exists()
