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


def folded(name: str, body: str) -> str:
    return f"<details><summary>{name}</summary>\n\n{body}\n\n</details>\n\n"


def test_details_are_left_out_innermost_and_last_first_before_any_line_is_cut() -> None:
    rows = "| a | b |\n| --- | --- |\n" + "| 1 | 2 |\n" * 30
    text = "# Report\n\n| model | value |\n| --- | --- |\n| x | 1 |\n\n" + "".join(
        folded(model, f"table of {model}\n\n" + "".join(folded(f"{model}{k}", rows) for k in (1, 2, 3)))
        for model in "abc"
    )

    shortened = shorten_markdown(text, limit=len(text) - 300, note=note)

    assert len(shortened) <= len(text) - 300
    assert shortened.startswith("# Report\n\n| model | value |\n| --- | --- |\n| x | 1 |\n\n")
    summaries = ["a", "b", "c", "a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"]
    kept = [name for name in summaries if f"<summary>{name}</summary>" in shortened]
    assert kept == summaries[:-1]  # the last inner block only
    assert shortened.count("| 1 | 2 |\n") == 30 * 8  # every table left is whole
    assert shortened.count("<details>") == shortened.count("</details>") == 11
    assert shortened.endswith("\n\n(cut: 300 over)\n")


def test_whole_outer_blocks_go_once_every_inner_one_is_gone() -> None:
    text = "head\n\n" + "".join(folded(m, "x" * 100 + "\n\n" + folded(f"{m} inner", "y" * 300)) for m in "abcd")

    shortened = shorten_markdown(text, limit=500, note=note)

    assert len(shortened) <= 500
    assert "inner" not in shortened
    assert [name for name in "abcd" if f"<summary>{name}</summary>" in shortened] == ["a", "b", "c"]
    assert shortened.count("<details>") == shortened.count("</details>") == 3


def test_a_block_inside_a_code_fence_is_not_a_block() -> None:
    text = "```text\n<details>\n" + "log\n" * 100 + "</details>\n```\n"

    shortened = shorten_markdown(text, limit=200, note=note)

    assert shortened.startswith("```text\n<details>\nlog\n") and shortened.count("```") == 2
