"""The context a report template gets is the one templates/README.md documents, key for key."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mlci.report.context import template_context
from tests.report.helpers import every_part

README = Path(__file__).resolve().parents[2] / "templates" / "README.md"
# Values documented as "as in the JSON document", and parameter values (the project's own data):
# their keys are not the context's.
NOT_CONTEXT_KEYS = {"comparison", "data", "rescore", "head_run", "base_run", "base", "head"}


def documented_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## The context", 1)[1].split("\n## ", 1)[0]


def keys_given(value: Any, seen: set[str] | None = None, *, top: bool = True) -> set[str]:
    """Every key of every mapping in `value`, except inside values that are the JSON document's or a
    parameter's (`base` and `head` below the top level)."""
    seen = set() if seen is None else seen
    if isinstance(value, dict):
        for key, inner in value.items():
            seen.add(key)
            if key not in NOT_CONTEXT_KEYS or (top and key in ("base", "head")):
                keys_given(inner, seen, top=False)
    elif isinstance(value, list):
        for item in value:
            keys_given(item, seen, top=False)
    return seen


def test_every_key_a_template_gets_is_documented(tmp_path: Path) -> None:
    context = template_context(every_part(tmp_path), title="mlci report", identity="default")
    documented = set(re.findall(r"`([a-z_]+)`", documented_section()))

    assert keys_given(context) - documented == set()


def test_every_documented_top_level_key_is_given(tmp_path: Path) -> None:
    context = template_context(every_part(tmp_path), title="mlci report", identity="default")
    top_level = re.findall(r"^- `([a-z_]+)`", documented_section(), flags=re.MULTILINE)

    assert len(top_level) > 10
    assert set(top_level) - set(context) == set()
