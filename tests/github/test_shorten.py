"""Cutting Markdown to a size limit without leaving it broken."""

from __future__ import annotations

import pytest

from mlci.github.shorten import shorten_markdown, utf8_size


def note(over: int) -> str:
    return f"(cut: {over} over)"


def test_text_within_the_limit_is_untouched() -> None:
    assert shorten_markdown("a\nb\n", limit=4, note=note) == "a\nb\n"


def test_the_cut_falls_on_a_line_boundary() -> None:
    text = "".join(f"line {index}\n" for index in range(100))

    shortened = shorten_markdown(text, limit=120, note=note)

    assert len(shortened) <= 120
    head, _, tail = shortened.partition("\n\n(cut:")
    assert text.startswith(head + "\n")
    assert tail == f" {len(text) - 120} over)\n"


def test_an_open_code_fence_and_details_are_closed_before_the_note() -> None:
    text = "<details><summary>logs</summary>\n\n```text\n" + "".join(f"log {i}\n" for i in range(200)) + "```\n"

    shortened = shorten_markdown(text, limit=300, note=note)

    assert len(shortened) <= 300
    before_note = shortened.split("(cut:")[0]
    assert before_note.count("```") == 2
    assert before_note.rstrip().endswith("</details>")


def test_a_single_overlong_line_is_cut_inside() -> None:
    shortened = shorten_markdown("x" * 1000, limit=200, note=note)

    assert len(shortened) <= 200 and shortened.startswith("x" * 50) and "(cut: 800 over)" in shortened


def test_bytes_can_be_the_measure() -> None:
    text = "é\n" * 1000

    shortened = shorten_markdown(text, limit=500, note=note, size=utf8_size)

    assert utf8_size(shortened) <= 500
    assert f"(cut: {utf8_size(text) - 500} over)" in shortened


def test_a_limit_too_small_for_the_note_is_refused() -> None:
    with pytest.raises(ValueError, match="no room"):
        shorten_markdown("x" * 100, limit=10, note=note)
