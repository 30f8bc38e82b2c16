"""The one YAML loader: safe, fast, with lines; documents that expand without bound are refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mlci.config.yamlsource import MAX_ALIAS_NODES, parse_yaml
from mlci.errors import ConfigError

PATH = Path("mlci.yaml")


def laughs(levels: int) -> str:
    """A few hundred bytes whose aliases stand for 9**levels strings."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [4, 9])
def test_an_alias_bomb_is_refused_at_once_naming_file_and_line(levels: int) -> None:
    text = laughs(levels)
    assert len(text) < 1000
    started = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, PATH)
    assert time.perf_counter() - started < 2
    message = caught.value.message
    assert message.startswith("mlci.yaml:4: YAML aliases repeat more than 10,000 nodes"), message


@pytest.mark.parametrize(
    ("text", "line"),
    [("version: 1\nmodels: &m\n  iris: *m\n", 3), ("a: &a [1, *a]\n", 1), ("a: &a\n  - b: &b\n      c: *a\n", 3)],
)
def test_a_recursive_alias_is_refused_instead_of_a_recursion_error(text: str, line: int) -> None:
    with pytest.raises(ConfigError, match=rf"^mlci.yaml:{line}: a YAML alias here refers to a node that contains it"):
        parse_yaml(text, PATH)


def test_aliases_and_merge_keys_within_the_budget_work_with_lines() -> None:
    text = """\
defaults: &defaults
  data: {train: iris.csv, target: species}
  metrics: [accuracy]
models:
  a:
    <<: *defaults
    estimator: sklearn.linear_model.LogisticRegression
  b:
    <<: *defaults
    metrics: [f1_macro]
  c: *defaults
"""
    source = parse_yaml(text, PATH)
    models = source.data["models"]
    assert models["a"]["data"] == {"train": "iris.csv", "target": "species"}
    assert models["b"]["metrics"] == ["f1_macro"] and models["c"]["metrics"] == ["accuracy"]
    assert source.line_of(("models", "b", "metrics")) == 10
    assert source.line_of(("models", "c", "metrics")) == 3  # where the aliased value is written
    assert source.line_of(("models", "a", "data", "train")) == 5  # merged keys: the line of their mapping


def test_many_small_aliases_are_fine_up_to_the_budget() -> None:
    shared = "shared: &s [1, 2, 3, 4]\n"
    within = shared + "uses: [" + ", ".join(["*s"] * (MAX_ALIAS_NODES // 5)) + "]\n"
    assert len(parse_yaml(within, PATH).data["uses"]) == MAX_ALIAS_NODES // 5
    beyond = shared + "uses: [" + ", ".join(["*s"] * (MAX_ALIAS_NODES // 5 + 1)) + "]\n"
    with pytest.raises(ConfigError, match="aliases repeat more than"):
        parse_yaml(beyond, PATH)


def test_deep_nesting_is_an_error_or_a_value_never_a_recursion_error() -> None:
    assert parse_yaml("a: " + "[" * 900 + "]" * 900 + "\n", PATH).data["a"] is not None
    with pytest.raises(ConfigError, match=r"^mlci\.yaml"):
        parse_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", PATH)


def test_python_tags_and_duplicate_keys_are_still_refused() -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_yaml("a: !!python/object/apply:os.system ['echo hacked']\n", PATH)
    with pytest.raises(ConfigError, match=r"^mlci.yaml:3: a.b: key appears twice"):
        parse_yaml("a:\n  b: 1\n  b: 2\n", PATH)
