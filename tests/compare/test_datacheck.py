"""Data checks between the base's training data (from git) and this run's: planted effects are found."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from mlci.cli import cli
from mlci.compare.cache import ResultCache
from mlci.compare.datacheck import check_model_data
from mlci.config import load_config
from mlci.git import Git
from mlci.runs.fingerprint import fingerprint_file
from testing.projects import quiet_console
from tests.conftest import git

pytestmark = pytest.mark.integration

CONFIG = """\
version: 1
models:
  clf:
    data: {train: data.csv, target: label, split: {test_size: 0.3, seed: 0}}
    estimator: {class: sklearn.linear_model.LogisticRegression}
    metrics: [accuracy]
"""


def frame(seed: int, *, shift: float = 0.0, rows: int = 400) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    x1 = generator.normal(size=rows)
    x2 = generator.normal(size=rows) + shift
    colour = generator.choice(["red", "blue"], size=rows)
    return pd.DataFrame({"x1": x1, "x2": x2, "colour": colour, "label": (x1 > 0).astype(int)})


def mlci(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args], catch_exceptions=False)


def project_with_change(make_repo: Callable[..., Path], head_frame: pd.DataFrame, extra: str = "") -> Path:
    root = make_repo(files={"mlci.yaml": CONFIG + extra, "data.csv": frame(0).to_csv(index=False)})
    assert mlci(root, "train").exit_code == 0 and mlci(root, "record").exit_code == 0
    git(root, "checkout", "-q", "-b", "feature")
    (root / "data.csv").write_text(head_frame.to_csv(index=False))
    git(root, "commit", "-q", "--allow-empty", "-am", "new data")
    assert mlci(root, "train").exit_code == 0
    return root


def data_of(root: Path) -> dict:
    """The report's text and exit code."""
    result = mlci(root, "report", "--base", "main", "--output", str(root / "report.md"))
    assert result.exit_code in (0, 1), result.output
    return {"report": (root / "report.md").read_text(), "exit": result.exit_code}


def test_a_shifted_feature_is_flagged_as_the_worst_drift(make_repo) -> None:
    root = project_with_change(make_repo, frame(1, shift=1.5))
    found = data_of(root)
    assert "Data: data.csv changed, drift in x2" in found["report"]
    table = found["report"].split("| Feature (worst first) | PSI | KS p-value |")[1]
    assert table.split("\n")[2].startswith("| x2 |")


def test_a_dropped_column_is_a_schema_change_and_can_fail_the_check(make_repo) -> None:
    root = project_with_change(
        make_repo, frame(0).drop(columns="colour"), "data_checks: {fail_on_schema_change: true}\n"
    )
    found = data_of(root)
    assert "schema changed" in found["report"] and "column removed: <code>colour</code>" in found["report"]
    assert found["exit"] == 1 and "the columns of data.csv changed: -colour" in found["report"]


def test_a_drift_threshold_fails_the_check_only_above_it(make_repo) -> None:
    root = project_with_change(make_repo, frame(1, shift=1.5), "data_checks: {max_psi: 0.25}\n")
    report = data_of(root)
    assert report["exit"] == 1 and "largest drift: x2 PSI" in report["report"]


def test_unchanged_data_is_not_reported(make_repo) -> None:
    root = project_with_change(make_repo, frame(0))
    report = data_of(root)["report"]
    assert "Data:" not in report and "Feature (worst first)" not in report
    data = json.loads(mlci(root, "compare", "--base", "main", "--format", "json").output)["models"][0]["data"]
    assert data["changed"] is False and data["note"] is None and data["drift"] == []


def test_new_data_rescores_the_base_model_on_the_prs_test_rows(make_repo) -> None:
    root = project_with_change(make_repo, frame(1))
    report = data_of(root)["report"]
    assert (
        "the test inputs changed (rows): the base model" in report and "re-scored on this run's 120 test rows" in report
    )
    # The recorded value reads as the metric's values do everywhere: four significant digits (`1.000`, not `1`).
    assert re.search(r"\(recorded on its own test set: accuracy \d\.\d{3,4}\)", report)
    assert "noise unknown" not in report  # the re-scored predictions pair with this run's, row by row


def test_a_base_model_that_cannot_read_the_new_data_is_reported_not_fatal(make_repo) -> None:
    root = project_with_change(make_repo, frame(1).drop(columns="x2"))
    found = data_of(root)
    assert "the base model could not predict this run's test rows" in found["report"]
    assert "noise unknown: the test rows differ" in found["report"]


def test_a_base_model_with_unreviewed_types_is_not_loaded(make_repo) -> None:
    import fractions

    import skops.io
    from sklearn.linear_model import LogisticRegression

    root = project_with_change(make_repo, frame(1))
    base = git(root, "rev-parse", "main")
    planted = LogisticRegression().fit([[0.0, 0.0], [1.0, 1.0]], [0, 1])
    planted.note_ = fractions.Fraction(1, 3)  # a type nobody reviewed: it must never be loaded
    (root / ".mlci" / "store" / "runs" / base / "clf" / "model.skops").write_bytes(skops.io.dumps(planted))
    report = data_of(root)["report"]
    assert (
        "not on the repository" in report
        and "reviewed list: fractions.Fraction; not loaded, so not re-scored" in report
    )


def write_table(frame_: pd.DataFrame, path: Path) -> None:
    """`frame_` in the format `path`'s name asks for, as a project would keep it."""
    name = path.name
    if name.endswith(".parquet"):
        frame_.to_parquet(path, index=False)
    elif name.endswith((".tsv", ".tsv.gz")):
        frame_.to_csv(path, sep="\t", index=False)
    else:
        frame_.to_csv(path, index=False)


@pytest.mark.parametrize("name", ["data.csv.gz", "data.tsv", "data.parquet", "data.tsv.gz"])
def test_every_table_format_training_reads_gets_a_data_check(make_repo, name: str) -> None:
    root = make_repo(files={"mlci.yaml": CONFIG.replace("data.csv", name)})
    write_table(frame(0), root / name)
    git(root, "add", name)
    git(root, "commit", "-q", "-m", "data")
    assert mlci(root, "train").exit_code == 0 and mlci(root, "record").exit_code == 0
    git(root, "checkout", "-q", "-b", "feature")
    write_table(frame(1, shift=1.5), root / name)
    git(root, "commit", "-q", "-am", "new data")
    assert mlci(root, "train").exit_code == 0
    report = data_of(root)["report"]
    assert f"Data: {name} changed, drift in x2" in report
    assert "| Feature (worst first) | PSI | KS p-value |" in report and "| colour |" in report


def test_base_data_that_cannot_be_read_is_a_note_not_a_traceback(make_repo) -> None:
    # The base commit holds a file that is no text table at all (a botched binary export).
    root = make_repo(files={"mlci.yaml": CONFIG})
    (root / "data.csv").write_bytes(b"\xff\xfe\x00\x81binary" * 50)
    git(root, "add", "data.csv")
    git(root, "commit", "-q", "-m", "binary")
    base = git(root, "rev-parse", "HEAD")
    (root / "data.csv").write_text(frame(0).to_csv(index=False))
    git(root, "commit", "-q", "-am", "real data")
    spec = load_config(root / "mlci.yaml").models["clf"]
    check = check_model_data(spec, base, git=Git(root), console=quiet_console())
    assert check is not None and check.changed and check.drift == []
    assert check.note and check.note.startswith("the base's version could not be read")


def test_data_outside_the_repository_is_not_compared(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "shared" / "data.csv"
    outside.parent.mkdir()
    outside.write_text(frame(0).to_csv(index=False))
    root = make_repo(files={"mlci.yaml": CONFIG.replace("data.csv", str(outside))})
    spec = load_config(root / "mlci.yaml").models["clf"]
    check = check_model_data(spec, git(root, "rev-parse", "HEAD"), git=Git(root), console=quiet_console())
    assert check is not None and check.note == "outside the repository, so not compared"


REGRESSION_CONFIG = """\
version: 1
models:
  reg:
    data: {train: data.csv, target: y, split: {test_size: 0.3, seed: 0}}
    estimator: {class: sklearn.linear_model.Ridge}
    metrics: [r2]
"""


def test_a_regressions_numeric_target_is_reported_by_its_mean(make_repo) -> None:
    def table(seed: int, shift: float) -> pd.DataFrame:
        generator = np.random.default_rng(seed)
        x = generator.normal(size=300)
        return pd.DataFrame({"x": x, "y": 3 * x + shift + generator.normal(scale=0.1, size=300)})

    root = make_repo(files={"mlci.yaml": REGRESSION_CONFIG, "data.csv": table(0, 0.0).to_csv(index=False)})
    assert mlci(root, "train").exit_code == 0 and mlci(root, "record").exit_code == 0
    git(root, "checkout", "-q", "-b", "feature")
    (root / "data.csv").write_text(table(1, 2.0).to_csv(index=False))
    git(root, "commit", "-q", "-am", "new data")
    assert mlci(root, "train").exit_code == 0

    report = data_of(root)["report"]
    assert "- target mean: " in report and "target shares" not in report


class NoShow(Git):
    """git that may not read files from history: what a data check must not need when it can tell without."""

    def file_at(self, commit: str, path: str) -> bytes | None:
        raise AssertionError(f"read {path} at {commit} from git")


def test_data_the_base_run_recorded_with_the_same_fingerprint_is_unchanged_without_reading_git(make_repo) -> None:
    root = make_repo(files={"mlci.yaml": CONFIG, "data.csv": frame(0).to_csv(index=False)})
    spec = load_config(root / "mlci.yaml").models["clf"]
    recorded = fingerprint_file(root / "data.csv")

    check = check_model_data(
        spec, git(root, "rev-parse", "HEAD"), git=NoShow(root), console=quiet_console(), recorded=recorded
    )

    assert check is not None and not check.changed and check.path == "data.csv"


def test_a_data_check_of_the_same_two_files_is_made_once(make_repo, tmp_path: Path) -> None:
    root = make_repo(files={"mlci.yaml": CONFIG, "data.csv": frame(0).to_csv(index=False)})
    base = git(root, "rev-parse", "HEAD")
    recorded = fingerprint_file(root / "data.csv")
    (root / "data.csv").write_text(frame(1, shift=1.5).to_csv(index=False))
    spec = load_config(root / "mlci.yaml").models["clf"]
    cache = ResultCache(tmp_path / "cache")

    first = check_model_data(spec, base, git=Git(root), console=quiet_console(), recorded=recorded, cache=cache)
    again = check_model_data(spec, base, git=NoShow(root), console=quiet_console(), recorded=recorded, cache=cache)

    assert first is not None and first.changed and first.drift[0].column == "x2"
    assert again == first


def test_a_file_without_a_header_row_is_checked_by_its_column_positions(make_repo) -> None:
    config = CONFIG.replace("target: label,", "target: col_3, header: false,")
    before, after = frame(0).to_csv(index=False, header=False), frame(1, shift=1.5).to_csv(index=False, header=False)
    root = make_repo(files={"mlci.yaml": config, "data.csv": before})
    assert mlci(root, "train").exit_code == 0 and mlci(root, "record").exit_code == 0
    git(root, "checkout", "-q", "-b", "feature")
    (root / "data.csv").write_text(after)
    git(root, "commit", "-q", "-am", "new data")
    assert mlci(root, "train").exit_code == 0

    found = data_of(root)

    assert "Data: data.csv changed, drift in col_1" in found["report"]
    assert "rows: 400 → 400" in found["report"]  # the first row counted as data on both sides
