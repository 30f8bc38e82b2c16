"""Untrusted names cannot break a table, inject HTML, ping people or link issues."""

from __future__ import annotations

import re

import pytest

from mlci.report.escape import ZERO_WIDTH_JOINER, escape_code, escape_html, escape_markdown, one_line
from testing.github_markdown import render_html, visible_text

MARKDOWN_ACTIVE = "\\|*_`[]#~$!"


def unescaped(text: str, char: str) -> int:
    """How many times `char` appears in `text` without a backslash escaping it."""
    count, index = 0, 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        count += text[index] == char
        index += 1
    return count


HOSTILE = [
    "a|b",
    "<img src=x onerror=1>",
    "@octocat",
    "`x`",
    "**bold**",
    "[x](javascript:1)",
    "line\nbreak",
    "x" * 10_000,
    "#123",
    "~~gone~~",
    "$x^2$",
    "\\|",
    "![i](http://x/y.png)",
    "<!-- -->",
    "a&b",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_no_markdown_or_html_survives(name: str) -> None:
    text = escape_markdown(name)
    for char in "|*_`[]#~$!":
        assert unescaped(text, char) == 0, (char, text)
    assert "<" not in text and ">" not in text
    assert "\n" not in text and len(text) <= 200


def test_pipes_are_escaped_so_a_table_cell_stays_one_cell() -> None:
    assert escape_markdown("a|b") == "a\\|b"


def test_html_is_shown_as_text() -> None:
    assert escape_markdown("<img src=x onerror=1>") == "&lt;img src=x onerror=1&gt;"
    assert escape_markdown("a&b") == "a&amp;b"


def test_mentions_and_issue_links_are_broken_invisibly() -> None:
    assert "@octocat" not in escape_markdown("@octocat")
    assert escape_markdown("@octocat") == f"@{ZERO_WIDTH_JOINER}octocat"
    assert escape_markdown("fixes #123") == f"fixes \\#{ZERO_WIDTH_JOINER}123"
    assert "@example.com" not in escape_markdown("me@example.com")


def test_bare_links_are_not_linked() -> None:
    assert "https://" not in escape_markdown("see https://evil.example/login")
    assert "www.evil" not in escape_markdown("www.evil.example")


def test_code_emphasis_and_links_are_literal() -> None:
    assert escape_markdown("`x`") == "\\`x\\`"
    assert escape_markdown("**bold**") == "\\*\\*bold\\*\\*"
    assert escape_markdown("[x](javascript:1)") == "\\[x\\](javascript:1)"


def test_newlines_collapse_to_one_line() -> None:
    assert escape_markdown("first\r\n\n  second\u2028third") == "first second third"


def test_long_text_is_cut_with_an_ellipsis() -> None:
    text = escape_markdown("x" * 10_000)
    assert len(text) == 200 and text.endswith("…")
    assert len(escape_markdown("y" * 50, max_length=10)) == 10


def test_control_characters_and_terminal_escapes_are_dropped() -> None:
    assert one_line("red\x1b[31m\x00 name\u202e") == "red[31m name"
    assert one_line("  padded\tname  ") == "padded name"


def test_a_lone_surrogate_becomes_a_replacement_character_so_the_text_can_be_written() -> None:
    assert one_line("acc\ud800uracy") == "acc\ufffduracy"
    assert escape_markdown("x\udcff").encode("utf-8") == "x\ufffd".encode()


@pytest.mark.parametrize("name", HOSTILE)
def test_a_summary_line_shows_the_name_as_it_is_and_nothing_more(name: str) -> None:
    html = render_html(f"<details><summary>Data: {escape_html(name)}</summary>\n\nx\n\n</details>\n")

    summary = html.split("<summary>", 1)[1].split("</summary>", 1)[0]
    assert "<" not in summary, "no element inside the summary"
    assert visible_text(summary).replace(ZERO_WIDTH_JOINER, "") == f"Data: {one_line(name)}"


def test_a_summary_line_takes_entities_not_backslashes() -> None:
    assert escape_html("data/train_set.csv") == "data/train_set.csv"
    assert escape_html('a|b <b> & "q"') == "a|b &lt;b&gt; &amp; &quot;q&quot;"
    assert (
        escape_html("@octocat #1 https://x")
        == f"@{ZERO_WIDTH_JOINER}octocat #{ZERO_WIDTH_JOINER}1 https:{ZERO_WIDTH_JOINER}//x"
    )


@pytest.mark.parametrize("name", [*HOSTILE, "``double``", "` edge", "a  b"])
def test_inline_code_shows_the_name_exactly(name: str) -> None:
    html = render_html(f"- column: {escape_code(name)}\n\n| a |\n| --- |\n| {escape_code(name)} |\n")

    codes = re.findall(r"<code>(.*?)</code>", html, flags=re.DOTALL)
    assert len(codes) == 2 and html.startswith("<ul>\n<li>column: <code>")
    for code in codes:
        assert "<" not in code, "no element inside the code"
        assert visible_text(code).replace(ZERO_WIDTH_JOINER, "") == one_line(name)


def test_inline_code_leaves_nothing_raw_in_the_markdown() -> None:
    assert escape_code("petal_length") == "<code>petal\\_length</code>"
    assert escape_code("<!-- x -->") == "<code>&lt;\\!-- x --&gt;</code>"
