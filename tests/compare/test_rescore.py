"""Re-scoring the base model whenever the test inputs differ: other rows, another target, or the same
rows with other feature values. Real training on small data, real git, the real store."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from mlci.config import load_config
from testing.pickles import Trap
from tests.compare.test_datacheck import frame, mlci, project_with_change
from tests.conftest import git

pytestmark = pytest.mark.integration


def compared(root: Path) -> dict:
    result = mlci(root, "compare", "--base", "main", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    [model] = json.loads(result.stdout)["models"]
    return model


def rescaled() -> object:
    """The base's rows and target, with one feature on another scale (a fixed pipeline would do this)."""
    changed = frame(0)
    changed["x2"] = changed["x2"] * 10
    return changed


def test_the_same_rows_with_changed_features_re_score_the_base(make_repo) -> None:
    root = project_with_change(make_repo, rescaled())

    model = compared(root)

    assert model["rescore"]["because"] == "features" and model["rescore"]["rescored"] is True
    assert model["rescore"]["columns"] == ["x2"]
    [note] = [note for note in model["notes"] if "re-scored" in note]
    assert note.startswith("the test inputs changed (features: x2): the base model (")
    assert "re-scored on this run's 120 test rows (recorded on its own test set: accuracy " in note


def test_unchanged_test_inputs_are_not_re_scored(make_repo) -> None:
    root = project_with_change(make_repo, frame(0))
    model = compared(root)
    assert model["rescore"] is None and not any("re-scored" in note for note in model["notes"])


TEST_FILE_CONFIG = """\
version: 1
models:
  clf:
    data: {train: data.csv, test: test.csv, target: label}
    estimator: {class: sklearn.linear_model.LogisticRegression}
    metrics: [accuracy]
"""


def test_a_changed_target_on_the_same_rows_is_named(make_repo) -> None:
    test_rows = frame(2, rows=100)
    files = {"mlci.yaml": TEST_FILE_CONFIG, "data.csv": frame(0).to_csv(index=False)}
    root = make_repo(files={**files, "test.csv": test_rows.to_csv(index=False)})
    assert mlci(root, "train").exit_code == 0 and mlci(root, "record").exit_code == 0
    git(root, "checkout", "-q", "-b", "relabel")
    test_rows.loc[test_rows.index[::7], "label"] = 1 - test_rows["label"][::7]  # a labelling fix
    (root / "test.csv").write_text(test_rows.to_csv(index=False))
    git(root, "commit", "-q", "-am", "fix labels")
    assert mlci(root, "train").exit_code == 0

    model = compared(root)

    assert model["rescore"]["because"] == "target" and model["rescore"]["rows"] == 100
    assert any(note.startswith("the test inputs changed (target): ") for note in model["notes"])


def forget_test_inputs(root: Path) -> None:
    """The base run as mlci recorded it before runs kept a fingerprint of their test inputs."""
    base = git(root, "rev-parse", "main")
    store = load_config(root / "mlci.yaml").work_dir / "store" / "runs" / base / "clf" / "run.json"
    data = json.loads(store.read_text())
    assert data["lineage"].pop("test_inputs")
    store.write_text(json.dumps(data))


def test_a_base_recorded_without_test_inputs_falls_back_to_comparing_the_target(make_repo) -> None:
    root = project_with_change(make_repo, frame(1))
    forget_test_inputs(root)
    model = compared(root)
    assert model["rescore"]["because"] == "rows" and model["rescore"]["rescored"] is True


def test_a_base_recorded_without_test_inputs_is_not_re_scored_for_features_it_cannot_see(make_repo) -> None:
    root = project_with_change(make_repo, rescaled())
    forget_test_inputs(root)
    assert compared(root)["rescore"] is None


def test_a_feature_the_pull_request_stops_using_is_no_change_of_inputs(make_repo) -> None:
    root = project_with_change(make_repo, frame(0))
    (root / "mlci.yaml").write_text(
        (root / "mlci.yaml").read_text().replace("target: label,", "target: label, drop: [colour],")
    )
    git(root, "commit", "-q", "-am", "stop using colour")
    assert mlci(root, "train").exit_code == 0

    model = compared(root)

    # The same rows and values of x1 and x2: the recorded predictions pair with this run's as they are.
    assert model["rescore"] is None
    assert model["metrics"][0]["noise"] in ("real", "within_noise")


def test_a_base_model_file_that_is_a_pickle_is_never_loaded_and_the_note_names_its_format(
    make_repo, tmp_path: Path
) -> None:
    root = project_with_change(make_repo, rescaled())
    base = git(root, "rev-parse", "main")
    model_file = load_config(root / "mlci.yaml").work_dir / "store" / "runs" / base / "clf" / "model.skops"
    marker = tmp_path / "unpickled.txt"
    # A results branch someone wrote a pickle to, under the skops name: unpickling it would write `marker`.
    model_file.write_bytes(pickle.dumps(Trap(marker)))

    model = compared(root)

    assert model["rescore"]["rescored"] is False
    [note] = [note for note in model["notes"] if note.startswith("the test inputs changed")]
    assert note.endswith("is a pickle file, which mlci never loads; not re-scored")
    assert ", model.skops) is a pickle file" in note
    assert not marker.exists()
