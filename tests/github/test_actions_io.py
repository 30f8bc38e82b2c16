"""Step outputs, job summary and annotations: written so untrusted text cannot escape its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlci.errors import ConfigError
from mlci.github.actions_io import MAX_SUMMARY_BYTES, annotation, append_summary, write_outputs
from testing.outputs import read_outputs


def test_outputs_survive_newlines_and_delimiter_lookalikes(tmp_path: Path) -> None:
    path = tmp_path / "output"
    tricky = "line one\nEOF\nghadelimiter_0123456789abcdef0123456789abcdef\npassed=false\n::error::nope"
    write_outputs(path, {"verdict": tricky, "passed": True, "comment-url": None, "version": 3, "model": 0.5})
    write_outputs(path, {"promoted": False})

    assert read_outputs(path) == {
        "verdict": tricky,
        "passed": "true",
        "comment-url": "",
        "version": "3",
        "model": "0.5",
        "promoted": "false",
    }


def test_a_value_cannot_forge_another_output(tmp_path: Path) -> None:
    path = tmp_path / "output"
    write_outputs(path, {"model": "x"})
    delimiter = path.read_text().splitlines()[0].split("<<", 1)[1]
    # Even the delimiter of an earlier record is useless to a later value: every record draws its own.
    write_outputs(path, {"alias": f"{delimiter}\npassed=true"})

    assert read_outputs(path) == {"model": "x", "alias": f"{delimiter}\npassed=true"}


def test_only_the_outputs_the_actions_declare_can_be_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not one of the step outputs the actions declare"):
        write_outputs(tmp_path / "output", {"bad name\nx": "1"})
    with pytest.raises(ValueError, match="not one of the step outputs"):
        write_outputs(tmp_path / "output", {"promotion": "1"})
    assert not (tmp_path / "output").exists()


def test_an_unwritable_output_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GITHUB_OUTPUT: cannot write to"):
        write_outputs(tmp_path / "missing-dir" / "output", {"model": "1"})


def test_summary_is_appended(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    assert append_summary(path, "# one") is True
    assert append_summary(path, "two\n") is True

    assert path.read_text() == "# one\ntwo\n"


def test_an_oversized_summary_is_cut_to_githubs_cap_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("earlier step\n")
    rows = [f"| row {index} | é |" for index in range(100_000)]  # non-ASCII: the cap counts bytes
    markdown = "\n".join(rows) + "\n"

    assert append_summary(path, markdown) is False

    data = path.read_bytes()
    assert len(data) <= MAX_SUMMARY_BYTES
    text = data.decode("utf-8")
    assert text.startswith("earlier step\n| row 0 | é |\n")
    assert "summary truncated:" in text and "over GitHub's 1 MiB limit" in text
    body_lines = [line for line in text.splitlines() if line.startswith("| row")]
    assert body_lines == rows[: len(body_lines)]


def test_a_full_summary_takes_nothing_more(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_bytes(b"x" * MAX_SUMMARY_BYTES)

    assert append_summary(path, "more") is False
    assert path.stat().st_size == MAX_SUMMARY_BYTES


def test_annotation_with_properties() -> None:
    assert annotation("error", "accuracy fell below 0.9", title="Gate failed", file="mlci.yaml", line=7) == (
        "::error file=mlci.yaml,line=7,title=Gate failed::accuracy fell below 0.9"
    )
    assert annotation("notice", "all good") == "::notice::all good"


def test_annotation_escaping_stops_command_injection() -> None:
    metric = "acc%25\n::set-output name=passed::true\r"
    title = "model: iris, metric: acc"

    line = annotation("warning", f"{metric} dropped", title=title)

    assert "\n" not in line and "\r" not in line
    assert line == (
        "::warning title=model%3A iris%2C metric%3A acc::acc%2525%0A::set-output name=passed::true%0D dropped"
    )


def test_annotation_rejects_unknown_levels_and_bad_lines() -> None:
    with pytest.raises(ValueError, match="level"):
        annotation("set-output", "x")
    with pytest.raises(ValueError, match="line"):
        annotation("error", "x", line=0)
