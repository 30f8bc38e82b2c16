"""Reading the objects GitHub answers with (an issue, a comment, a pull request): the fields mlci
relies on are checked, so a malformed answer is a `GitHubBadResponse` that names what is missing,
never a KeyError; the optional text fields read as empty."""

from __future__ import annotations

from typing import Any

from mlci.github.errors import GitHubBadResponse


def identified(data: Any, *, key: str, what: str) -> tuple[dict[str, Any], int, str]:
    """`data` (GitHub's answer for `what`, such as "an issue") with its whole-number `key` (`id` or
    `number`) and its `html_url`."""
    if not isinstance(data, dict):
        raise GitHubBadResponse(f"GitHub's answer for {what} is not an object")
    number, url = data.get(key), data.get("html_url")
    if isinstance(number, bool) or not isinstance(number, int) or not isinstance(url, str):
        raise GitHubBadResponse(f"GitHub's answer for {what} lacks its {key} or html_url")
    return data, number, url


def text(data: dict[str, Any], key: str) -> str:
    """The string at `key`, or "" when GitHub gave none (a `null` body, say)."""
    value = data.get(key)
    return value if isinstance(value, str) else ""


def author(data: dict[str, Any]) -> str:
    """The login of the object's `user`, or "" when it has none."""
    user = data.get("user")
    login = user.get("login") if isinstance(user, dict) else None
    return str(login or "")
