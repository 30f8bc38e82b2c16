"""A run read back from disk: `run.json` is checked strictly, and its files come from its own folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlci.errors import StoreError
from mlci.runs import RUN_FILE, Run, decode_run, read_latest_runs, read_run, run_file, runs_dir, write_run


def run_json(**changes: object) -> bytes:
    data = {
        "schema_version": 1,
        "model": "iris",
        "mode": "declarative",
        "metrics": {"accuracy": 0.9},
        "goals": {"accuracy": "maximize"},
        "files": {"model": "model.skops"},
    }
    data.update(changes)
    return json.dumps(data).encode()


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "sub/model.skops", "..", "", "run.json", 3])
def test_file_names_that_are_not_plain_names_are_refused(name: object) -> None:
    with pytest.raises(StoreError, match=r"where: files.model: .* is not the name of a file in the run's folder"):
        decode_run(run_json(files={"model": name}), where="where")


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"metrics": {"acc\ud800": 0.9}, "goals": {"acc\ud800": "maximize"}}, "metric name 'acc\\ud800'"),
        ({"metrics": {"a\n::error::x": 0.9}, "goals": {"a\n::error::x": "maximize"}}, "metric name 'a\\n::error::x'"),
        ({"model": "iris\u202e"}, "model name 'iris\\u202e'"),
    ],
)
def test_names_that_cannot_be_shown_make_a_run_damaged(changes: dict[str, object], fragment: str) -> None:
    raw = json.dumps({**json.loads(run_json()), **changes}).encode()
    with pytest.raises(StoreError, match="holds characters that cannot be shown") as caught:
        decode_run(raw, where="where")
    assert fragment in caught.value.message


def test_a_run_json_nested_too_deeply_is_damaged_not_a_crash() -> None:
    with pytest.raises(StoreError, match="where: damaged run record"):
        decode_run(b"[" * 100_000 + b"]" * 100_000, where="where")


def test_a_runs_file_must_be_a_regular_file_in_its_own_folder(tmp_path: Path) -> None:
    run = Run(model="iris", mode="declarative", metrics={"a": 1.0}, goals={"a": "maximize"})
    source = tmp_path / "model.skops"
    source.write_bytes(b"model")
    folder = write_run(tmp_path / "runs" / "iris", run, {"model": source})
    kept = read_run(folder)
    assert run_file(folder, kept, "model").read_bytes() == b"model"

    (folder / "model.skops").unlink()
    (folder / "model.skops").symlink_to("/etc/passwd")
    with pytest.raises(StoreError) as caught:
        run_file(folder, kept, "model")
    assert caught.value.message.startswith(f"{folder / RUN_FILE}: files.model: ")
    assert "is a link to /etc/passwd, outside the run's folder" in caught.value.message

    (folder / "model.skops").unlink()
    (folder / "model.skops").mkdir()
    with pytest.raises(StoreError, match=r"model\.skops: is a directory"):
        run_file(folder, kept, "model")


def test_a_linked_run_file_is_the_source_and_a_copied_one_stays_as_it_was(tmp_path: Path) -> None:
    run = Run(model="iris", mode="command", metrics={"accuracy": 0.9}, goals={"accuracy": "maximize"})
    own, projects = tmp_path / "workspace" / "model.skops", tmp_path / "project" / "predictions.csv"
    for path in (own, projects):
        path.parent.mkdir()
        path.write_text("first\n")
    folder = write_run(tmp_path / "runs" / "iris", run, {"model": own}, link=True)
    assert (folder / "model.skops").stat().st_ino == own.stat().st_ino
    folder = write_run(tmp_path / "runs" / "iris", run, {"predictions": projects})
    projects.write_text("rewritten in place by the project's next run\n")
    assert (folder / "predictions.csv").read_text() == "first\n"


def test_the_latest_runs_are_every_folder_with_a_run_and_nothing_else(tmp_path: Path) -> None:
    work = tmp_path / ".mlci"
    for name in ("b", "a"):
        run = Run(model=name, mode="command", metrics={"m": 1.0}, goals={"m": "maximize"})
        write_run(runs_dir(work) / name, run, {})
    (runs_dir(work) / "empty").mkdir()  # a folder a training left without a run
    (runs_dir(work) / ".a-old-123").mkdir()  # what a run being replaced leaves for a moment
    (runs_dir(work) / "notes.txt").write_text("a file, not a run")
    assert list(read_latest_runs(work)) == ["a", "b"]
    assert read_latest_runs(tmp_path / "nothing") == {}


def test_a_run_file_that_is_a_fifo_is_refused_at_once_never_waited_on(tmp_path: Path) -> None:
    work = tmp_path / ".mlci"
    (runs_dir(work) / "hostile").mkdir(parents=True)
    os.mkfifo(runs_dir(work) / "hostile" / RUN_FILE)
    with pytest.raises(StoreError, match=r"run\.json: is not a regular file"):
        read_latest_runs(work)
