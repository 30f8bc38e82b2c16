"""The comparison with the base as `mlci report` makes it: the steps that can take long show progress."""

from __future__ import annotations

import pytest

from tests.compare.test_datacheck import frame, mlci, project_with_change

pytestmark = pytest.mark.integration


def test_the_bootstrap_re_scoring_and_data_check_show_progress_when_they_take_long(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_with_change(make_repo, frame(1, shift=1.5))
    for module in ("noise", "rescore", "datacheck"):
        monkeypatch.setattr(f"mlci.compare.{module}.MAYBE_LONG", 0.0)

    result = mlci(root, "report", "--base", "main", "--output", str(root / "report.md"))

    assert result.exit_code == 0, result.output
    steps = [line for line in result.stderr.splitlines() if line.endswith(" ...")]
    # The test rows changed with the data, so the bootstrap runs once the base model is re-scored on them.
    assert steps == [
        "clf: re-scoring the base model on this run's test rows ...",
        "clf: bootstrap of 1 metric, 1,000 resamples of 120 test rows ...",
        "clf: checking what changed in data.csv ...",
    ]


def test_a_quick_comparison_adds_no_progress_lines(make_repo) -> None:
    root = project_with_change(make_repo, frame(0))
    result = mlci(root, "compare", "--base", "main")
    assert result.exit_code == 0 and " ..." not in result.stderr, result.stderr


def test_a_report_after_compare_computes_nothing_twice(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_with_change(make_repo, frame(1, shift=1.5))
    for module in ("noise", "rescore", "datacheck"):
        monkeypatch.setattr(f"mlci.compare.{module}.MAYBE_LONG", 0.0)
    first = mlci(root, "compare", "--base", "main")
    assert first.exit_code == 0 and "re-scoring" in first.stderr, first.stderr

    result = mlci(root, "report", "--base", "main", "--output", str(root / "report.md"))

    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if line.endswith(" ...")] == []
    report = (root / "report.md").read_text()
    assert "re-scored on this run's 120 test rows" in report and "drift in x2" in report
