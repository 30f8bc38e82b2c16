"""Reading metrics files: flattening like DVC, and the checks on each declared value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlci.config.fields import model_field
from mlci.errors import MetricsFileError
from mlci.training.metrics_file import flatten, metrics_format, pick_metrics, read_metrics_file
from tests.compare.factories import make_config


def field(tmp_path: Path):
    return model_field(make_config(tmp_path), "churn", "outputs", "metrics")


def test_flatten_joins_nested_keys_with_dots_and_list_items_by_index() -> None:
    data = {"test": {"auc": 0.9, "per_class": [{"f1": 0.8}, {"f1": 0.7}]}, "epochs": 3, "empty": {}}
    assert flatten(data) == {"test.auc": 0.9, "test.per_class.0.f1": 0.8, "test.per_class.1.f1": 0.7, "epochs": 3}
    assert flatten([1, 2]) == {"0": 1, "1": 2}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("m.json", "JSON"),
        ("m.YAML", "YAML"),
        ("m.yml", "YAML"),
        ("m.toml", "TOML"),
        ("m.txt", "text"),
        ("m.csv", None),
        ("metrics", None),
    ],
)
def test_the_format_comes_from_the_extension(name: str, kind: str | None) -> None:
    assert metrics_format(Path(name)) == kind


def test_yaml_is_read_safely(tmp_path: Path) -> None:
    path = tmp_path / "metrics.yaml"
    path.write_text("auc: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(MetricsFileError, match=r"metrics\.yaml:1: not valid YAML"):
        read_metrics_file(path, field=field(tmp_path))


def test_an_empty_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "metrics.json"
    path.write_text("  \n")
    with pytest.raises(MetricsFileError, match=r"models\.churn\.outputs\.metrics: .*metrics\.json is empty"):
        read_metrics_file(path, field=field(tmp_path))


def test_pick_takes_the_declared_metrics_as_floats_and_ignores_the_rest(tmp_path: Path) -> None:
    values = {"auc": 1, "latency_ms": 2.5, "comment": "ok", "flag": True}
    assert pick_metrics(values, ["auc", "latency_ms"], path=tmp_path / "m.json", field=field(tmp_path)) == {
        "auc": 1.0,
        "latency_ms": 2.5,
    }


def test_pick_lists_the_keys_present_when_one_is_missing(tmp_path: Path) -> None:
    with pytest.raises(MetricsFileError) as caught:
        pick_metrics({"test.auc": 0.9}, ["auc"], path=tmp_path / "m.json", field=field(tmp_path))
    assert "has no metric 'auc'" in caught.value.message
    assert caught.value.hint is not None and "Its keys are: test.auc." in caught.value.hint


def test_a_yaml_alias_bomb_in_a_metrics_file_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "metrics.yaml"
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    path.write_text("\n".join(lines) + "\nauc: 0.9\n")
    with pytest.raises(MetricsFileError) as caught:
        read_metrics_file(path, field=field(tmp_path))
    assert "models.churn.outputs.metrics: " in caught.value.message
    assert "metrics.yaml:4: YAML aliases repeat more than 10,000 nodes" in caught.value.message


@pytest.mark.parametrize(
    ("name", "text"),
    [("m.json", "[" * 100_000 + "]" * 100_000), ("m.toml", "a = " + "[" * 100_000 + "]" * 100_000)],
)
def test_a_metrics_file_nested_too_deeply_is_an_error_not_a_crash(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(MetricsFileError, match=r"is not valid (JSON|TOML): nested too deeply to read"):
        read_metrics_file(path, field=field(tmp_path))


def test_deep_but_readable_metrics_are_flattened() -> None:
    data: object = 0.5
    for _ in range(900):
        data = [data]
    assert flatten(data) == {".".join(["0"] * 900): 0.5}


def test_a_metrics_file_that_is_no_regular_file_or_too_large_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "metrics.json"
    os.mkfifo(fifo)
    with pytest.raises(MetricsFileError, match=r"metrics\.json: is not a regular file"):
        read_metrics_file(fifo, field=field(tmp_path))
    monkeypatch.setattr("mlci.training.metrics_file.MAX_METRICS_BYTES", 10)
    big = tmp_path / "big.json"
    big.write_text('{"auc": 0.91234}')
    with pytest.raises(MetricsFileError, match=r"big.json: is 16 bytes; the limit for a metrics file is 10"):
        read_metrics_file(big, field=field(tmp_path))


def test_keys_that_cannot_be_shown_as_they_are_are_listed_escaped(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text('{"a\\ud800": 1, "b\\n::error::x": 2, "fine": 3}')
    values = read_metrics_file(path, field=field(tmp_path))
    with pytest.raises(MetricsFileError) as caught:
        pick_metrics(values, ["auc"], path=path, field=field(tmp_path))
    assert "Its keys are: 'a\\ud800', 'b\\n::error::x', fine." in (caught.value.hint or "")


def test_a_text_metrics_file_holds_one_metric_a_line_like_cml_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "metrics.txt"
    path.write_text("# from train.py\nAccuracy: 0.844\n\ntest loss = 1.5e-2\nF1 score (macro): 0.8\n")
    assert read_metrics_file(path, field=field(tmp_path)) == {
        "Accuracy": 0.844,
        "test loss": 0.015,
        "F1 score (macro)": 0.8,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Accuracy: 0.844\nTraining took 3 minutes\n",
            r"metrics\.txt:2: 'Training took 3 minutes' is not a metric line",
        ),
        ("Accuracy: high\n", r"metrics\.txt:1: 'Accuracy: high' is not a metric line"),
        ("Accuracy: 0.8\nAccuracy: 0.9\n", r"metrics\.txt:2: metric 'Accuracy' again \(first on line 1\)"),
    ],
)
def test_every_line_of_a_text_metrics_file_must_be_a_metric(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "metrics.txt"
    path.write_text(text)
    with pytest.raises(MetricsFileError, match=rf"models\.churn\.outputs\.metrics: .*{message}"):
        read_metrics_file(path, field=field(tmp_path))
