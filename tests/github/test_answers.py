"""GitHub's answers are read for the fields mlci relies on; a malformed one says what it lacks."""

from __future__ import annotations

import pytest

from mlci.github.answers import author, identified, text
from mlci.github.errors import GitHubBadResponse


def test_an_answer_gives_its_number_and_url_and_reads_missing_text_as_empty() -> None:
    data = {"number": 7, "html_url": "https://github.com/o/r/issues/7", "body": None, "user": {"login": "octocat"}}
    assert identified(data, key="number", what="an issue") == (data, 7, "https://github.com/o/r/issues/7")
    assert (text(data, "body"), text(data, "title"), author(data)) == ("", "", "octocat")
    assert author({"user": None}) == ""


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ([], "GitHub's answer for an issue comment is not an object"),
        ({"id": True, "html_url": "u"}, "GitHub's answer for an issue comment lacks its id or html_url"),
        ({"id": 3}, "GitHub's answer for an issue comment lacks its id or html_url"),
    ],
)
def test_a_malformed_answer_says_what_it_lacks(data: object, said: str) -> None:
    with pytest.raises(GitHubBadResponse, match=said):
        identified(data, key="id", what="an issue comment")
