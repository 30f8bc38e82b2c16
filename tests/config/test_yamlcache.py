"""The parsed config kept under `.mlci/cache/config/`: the same values and lines as a parse, never stale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlci.config import load_config
from mlci.config.yamlcache import KEEP
from mlci.config.yamlsource import load_yaml, parse_yaml
from mlci.errors import ConfigError

CONFIG = """\
version: 1
models:
  iris:
    command: &command python train.py
    outputs: {metrics: metrics.json}
    metrics:
      - {name: accuracy, goal: maximize}
      - {name: loss, goal: minimize}
    deps: &deps [train.py]
  wine:
    command: *command
    outputs: {metrics: metrics.json}
    metrics: [{name: accuracy, goal: maximize}]
    deps: *deps
"""
VALUES = (
    CONFIG + "values: {lr: 0.1, layers: [1, 2], flag: true, none: null, big: 123456789012345678901, tiny: 1e-300}\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mlci.yaml"
    path.write_text(text)
    return path


def cache_of(path: Path) -> Path:
    return path.parent / ".mlci" / "cache" / "config"


def test_an_unchanged_config_reads_back_the_same_values_and_lines(tmp_path: Path) -> None:
    path = write(tmp_path, VALUES)
    parsed = parse_yaml(VALUES, path)
    first = load_yaml(path, cache=cache_of(path))
    assert len(list(cache_of(path).glob("*.json"))) == 1
    again = load_yaml(path, cache=cache_of(path))
    assert again.data == parsed.data == first.data
    assert again.lines == parsed.lines
    assert type(again.data["values"]["flag"]) is bool and again.data["values"]["big"] == 123456789012345678901
    assert ":8: models.iris.metrics[1].goal:" in again.error(("models", "iris", "metrics", 1, "goal"), "x").message


def test_an_edited_config_is_parsed_again(tmp_path: Path) -> None:
    path = write(tmp_path, VALUES)
    load_yaml(path, cache=cache_of(path))
    write(tmp_path, VALUES.replace("lr: 0.1", "lr: 0.2"))
    assert load_yaml(path, cache=cache_of(path)).data["values"]["lr"] == 0.2


def test_what_json_cannot_hold_exactly_is_not_kept(tmp_path: Path) -> None:
    path = write(tmp_path, VALUES.replace("lr: 0.1", "lr: 2026-01-02").replace("flag: true", "on: true"))
    for _ in range(2):
        assert str(load_yaml(path, cache=cache_of(path)).data["values"]["lr"]) == "2026-01-02"
    assert not list(cache_of(path).glob("*.json"))


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    path = write(tmp_path, CONFIG)
    load_yaml(path, cache=cache_of(path))
    for damage in ("{not json", '{"data": {}, "lines": [[7, "x", 1]]}', "[]"):
        (entry,) = cache_of(path).glob("*.json")
        entry.write_text(damage)
        assert load_yaml(path, cache=cache_of(path)).data == parse_yaml(CONFIG, path).data


@pytest.mark.parametrize("lines", ["[[7, 1]]", "not json", "[[0, 1, 2, 3]]", "{}"])
def test_damaged_kept_lines_come_from_the_text_again(tmp_path: Path, lines: str) -> None:
    """The lines are read only when an error needs one; damaged, they are worked out anew, so the
    error still names its line."""
    path = write(tmp_path, CONFIG)
    parsed = load_yaml(path, cache=cache_of(path))
    (entry,) = cache_of(path).glob("*.json")
    entry.write_text(json.dumps({"data": parsed.data, "lines": lines}))
    again = load_yaml(path, cache=cache_of(path))
    assert again.data == parsed.data
    assert ":8: models.iris.metrics[1].goal:" in again.error(("models", "iris", "metrics", 1, "goal"), "x").message
    assert again.lines == parse_yaml(CONFIG, path).lines


def test_a_config_that_is_not_valid_still_fails_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, CONFIG.replace("goal: minimize", "goal: down"))
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"mlci.yaml:8: models.iris.metrics\[1\].goal: must be"):
            load_config(path)


def test_only_the_newest_entries_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, CONFIG)
    for value in range(KEEP + 3):
        write(tmp_path, VALUES.replace("lr: 0.1", f"lr: {value}"))
        load_yaml(path, cache=cache_of(path))
    assert len(list(cache_of(path).glob("*.json"))) == KEEP


def test_reading_a_kept_config_does_not_load_the_yaml_parser(tmp_path: Path) -> None:
    path = write(tmp_path, CONFIG)
    (tmp_path / "train.py").write_text("")
    load_config(path)
    probe = f"import sys; from mlci.config import load_config; load_config({str(path)!r}); print('yaml' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_load_that_keeps_nothing_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, CONFIG)
    (tmp_path / "train.py").write_text("")
    assert set(load_config(path, keep=False).models) == {"iris", "wine"}
    assert not (tmp_path / ".mlci").exists()
