"""The pictures are drawn by a process of their own: what it draws, what it does when it cannot, and
that it never outlives the training that started it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from mlci.cli import cli
from mlci.errors import TrainingError
from mlci.training.painter import Painter
from mlci.training.plots import CURVE_POINTS, _curves, _thinned
from tests.compare.test_datacheck import CONFIG

pytestmark = pytest.mark.integration

DATA = "x1,x2,label\n" + "".join(f"{i % 7 + 3 * (i % 2)},{i % 5},{'yes' if i % 2 else 'no'}\n" for i in range(80))


def _painters_of_this_process() -> list[int]:
    """The painter processes still running that this test process started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"mlci.training.painter" in command and parent == os.getpid():
            found.append(int(entry.name))
    return found


def test_the_curves_are_scikit_learns_at_every_distinct_score() -> None:
    from sklearn.metrics import precision_recall_curve, roc_curve

    generator = np.random.default_rng(3)
    truth = generator.random(400) < 0.3
    scores = np.round(generator.random(400) + 0.4 * truth, 2)  # ties, as rounded probabilities have
    fpr, tpr, precision, recall = _curves(truth, scores)
    expected_fpr, expected_tpr, _ = roc_curve(truth, scores, drop_intermediate=False)
    expected_precision, expected_recall, _ = precision_recall_curve(truth, scores)
    assert np.allclose(fpr, expected_fpr) and np.allclose(tpr, expected_tpr)
    # scikit-learn lists precision-recall from the lowest threshold up, ending at (recall 0, precision 1).
    assert np.allclose(recall, expected_recall[::-1]) and np.allclose(precision, expected_precision[::-1])


def test_a_long_curve_is_thinned_to_a_drawable_size_keeping_both_ends() -> None:
    points = np.arange(1_000_000, dtype=float)
    thinned = _thinned(points)
    assert len(thinned) == CURVE_POINTS
    assert thinned[0] == 0 and thinned[-1] == 999_999
    assert np.all(np.diff(thinned) > 0)
    short = np.arange(10.0)
    assert _thinned(short) is short


def test_the_painter_draws_from_the_predictions_file(tmp_path: Path) -> None:
    predictions = tmp_path / "predictions.csv"
    rows = "".join(
        f"{'yes' if i % 3 else 'no'},{'yes' if i % 2 else 'no'},{i / 40:.3f},{1 - i / 40:.3f}\n" for i in range(40)
    )
    predictions.write_text("y_true,y_pred,proba_no,proba_yes\n" + rows)
    painter = Painter.start()
    try:
        painter.paint(predictions=predictions, classification=True, importances=[("x1", 0.7)], folder=tmp_path)
        pictures, problem = painter.pictures()
        # The same painter serves the next request: its libraries are loaded once.
        (tmp_path / "second").mkdir()
        numbers = tmp_path / "second" / "predictions.csv"
        numbers.write_text("y_true,y_pred\n" + "".join(f"{i / 3:.3f},{i / 3 + (-1) ** i:.3f}\n" for i in range(30)))
        painter.paint(predictions=numbers, classification=False, importances=[], folder=tmp_path / "second")
        second, second_problem = painter.pictures()
    finally:
        painter.stop()
    assert second_problem is None and set(second) == {"plot_residuals"}
    assert second["plot_residuals"].parent == tmp_path / "second"
    assert problem is None
    assert set(pictures) == {"plot_confusion_matrix", "plot_roc_pr", "plot_feature_importance"}
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in pictures.values())


def test_a_painter_that_cannot_draw_says_why_in_one_line(tmp_path: Path) -> None:
    painter = Painter.start()
    try:
        painter.paint(predictions=tmp_path / "missing.csv", classification=False, importances=[], folder=tmp_path)
        pictures, problem = painter.pictures()
    finally:
        painter.stop()
    assert pictures == {}
    assert problem is not None and "FileNotFoundError" in problem and "missing.csv" in problem
    assert "\n" not in problem and "Traceback" not in problem


def test_a_run_whose_pictures_fail_is_kept_with_a_warning(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(files={"mlci.yaml": CONFIG, "data.csv": DATA})
    # The painter runs this file's code: an importance it cannot turn into a number fails its drawing.
    monkeypatch.setattr("mlci.training.declarative.model_importances", lambda model, names: [("x1", "not a number")])
    result = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "train"])
    assert result.exit_code == 0, result.output
    assert "clf: the pictures could not be drawn (ValueError: could not convert string to float" in result.output
    run = json.loads((root / ".mlci" / "runs" / "clf" / "run.json").read_text())
    assert set(run["files"]) == {"model", "predictions"}
    assert run["metrics"]["accuracy"] > 0


def test_a_project_file_named_like_a_library_does_not_replace_it_in_the_painter(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "mlci.yaml": CONFIG,
        "data.csv": DATA,
        "matplotlib.py": "raise SystemExit('the project shadows matplotlib')\n",
    }
    root = make_repo(files=files)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["train"])
    assert result.exit_code == 0, result.output
    assert "pictures could not be drawn" not in result.output
    run = json.loads((root / ".mlci" / "runs" / "clf" / "run.json").read_text())
    assert "plot_confusion_matrix" in run["files"]


def test_a_training_that_fails_after_the_painter_started_leaves_no_painter_behind(
    make_repo: Callable[..., Path],
) -> None:
    # A parameter scikit-learn refuses only when fitting: the failure comes after the painter started.
    data = "x1,x2,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40))
    config = CONFIG.replace(
        "estimator: {class: sklearn.linear_model.LogisticRegression}",
        "estimator: {class: sklearn.linear_model.LogisticRegression, params: {C: -1}}",
    )
    root = make_repo(files={"mlci.yaml": config, "data.csv": data})
    result = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "train"])
    assert result.exit_code == 2, result.output
    assert "C" in result.output
    assert _painters_of_this_process() == []


TWO_MODELS = (
    CONFIG
    + """\
  other:
    data: {train: data.csv, target: label, split: {test_size: 0.3, seed: 1}}
    estimator: {class: sklearn.tree.DecisionTreeClassifier, params: {random_state: 0}}
    metrics: [accuracy]
"""
)


def _counting_starts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    started: list[int] = []
    real_start = Painter.start.__func__  # type: ignore[attr-defined]

    def start(cls: type[Painter]) -> Painter:
        started.append(1)
        return real_start(cls)

    monkeypatch.setattr(Painter, "start", classmethod(start))
    return started


def test_one_painter_draws_every_models_pictures_in_one_training(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(files={"mlci.yaml": TWO_MODELS, "data.csv": DATA})
    started = _counting_starts(monkeypatch)
    result = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "train"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1
    for name in ("clf", "other"):
        files = json.loads((root / ".mlci" / "runs" / name / "run.json").read_text())["files"]
        assert "plot_confusion_matrix" in files and "plot_roc_pr" in files
    assert _painters_of_this_process() == []


def test_a_model_that_fails_while_its_pictures_are_drawn_hands_them_to_no_other(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(files={"mlci.yaml": TWO_MODELS, "data.csv": DATA})
    started = _counting_starts(monkeypatch)
    from mlci.training import declarative

    real_describe = declarative.describe_test_inputs
    calls: list[int] = []

    def describe_failing_first(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:  # clf's pictures are being drawn by now
            raise TrainingError("the test inputs could not be described")
        return real_describe(*args, **kwargs)

    monkeypatch.setattr(declarative, "describe_test_inputs", describe_failing_first)
    result = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "train"])
    assert result.exit_code != 0
    assert not (root / ".mlci" / "runs" / "clf").exists()
    other = root / ".mlci" / "runs" / "other"
    files = json.loads((other / "run.json").read_text())["files"]
    assert "plot_confusion_matrix" in files and (other / files["plot_confusion_matrix"]).is_file()
    # clf's painter was ended with its request unanswered; other's pictures came from a new one.
    assert len(started) == 2
    assert _painters_of_this_process() == []


def test_residuals_of_a_large_test_set_are_a_fixed_sample_the_title_owns_up_to() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from mlci.training.plots import SCATTER_POINTS, _residuals

    rows = SCATTER_POINTS + 1_000
    predictions = pd.DataFrame({"y_true": np.arange(rows, dtype=float), "y_pred": np.arange(rows, dtype=float) + 1})
    first, second = _residuals(plt, predictions), _residuals(plt, predictions)
    try:
        [axes] = first.axes
        assert axes.get_title() == f"Residuals ({SCATTER_POINTS:,} of {rows:,} test rows)"
        [points] = axes.collections
        assert len(points.get_offsets()) == SCATTER_POINTS
        assert np.array_equal(points.get_offsets(), second.axes[0].collections[0].get_offsets())
    finally:
        plt.close(first)
        plt.close(second)
