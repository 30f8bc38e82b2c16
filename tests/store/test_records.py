"""Recorded runs: complete or absent, never silently replaced, damage reported by name."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from mlci.errors import StoreError
from mlci.runs import Run, write_run
from mlci.store.records import load_record, record_runs, recorded_commits
from mlci.store.storage import LocalStorage

COMMIT = "a" * 40


def make_run(folder: Path, model: str = "iris", accuracy: float = 0.9) -> tuple[Run, Path]:
    folder.parent.mkdir(parents=True, exist_ok=True)
    model_file = folder.parent / f"{model}-model.bin"
    model_file.write_bytes(b"model bytes")
    run = Run(
        model=model,
        mode="declarative",
        metrics={"accuracy": accuracy},
        goals={"accuracy": "maximize"},
        lineage={"git": {"commit": COMMIT}},
    )
    write_run(folder, run, {"model": model_file})
    return run.__class__(**{**run.__dict__, "files": {"model": model_file.name}}), folder


def test_a_record_round_trips_with_its_files(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    run, folder = make_run(tmp_path / "runs" / "iris")
    outcome = record_runs(storage, commit=COMMIT, runs={"iris": (run, folder)}, info={"branch": "main"})
    assert outcome.written and not outcome.existing
    record = load_record(storage, COMMIT)
    assert record is not None and record.runs["iris"].metrics == {"accuracy": 0.9}
    assert record.info["branch"] == "main"
    assert record.run_file(storage, "iris", "model") == b"model bytes"
    assert recorded_commits(storage) == [COMMIT]
    assert load_record(storage, "b" * 40) is None


def test_a_run_file_that_links_out_of_its_folder_is_never_recorded(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    run, folder = make_run(tmp_path / "runs" / "iris")
    (folder / run.files["model"]).unlink()
    (folder / run.files["model"]).symlink_to("/etc/passwd")

    with pytest.raises(StoreError, match=r"files.model: .* is a link to /etc/passwd, outside the run's folder"):
        record_runs(storage, commit=COMMIT, runs={"iris": (run, folder)}, info={})
    assert load_record(storage, COMMIT) is None
    assert not any(b"root:" in path.read_bytes() for path in (tmp_path / "store").rglob("*") if path.is_file())


def test_an_existing_record_is_kept_unless_replace_is_asked(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    first = make_run(tmp_path / "runs" / "iris", accuracy=0.9)
    record_runs(storage, commit=COMMIT, runs={"iris": first}, info={})
    second = make_run(tmp_path / "runs2" / "iris", accuracy=0.5)
    kept = record_runs(storage, commit=COMMIT, runs={"iris": second}, info={})
    assert kept.existing and not kept.written
    assert load_record(storage, COMMIT).runs["iris"].metrics["accuracy"] == 0.9
    replaced = record_runs(storage, commit=COMMIT, runs={"iris": second}, info={}, replace=True)
    assert replaced.written
    assert load_record(storage, COMMIT).runs["iris"].metrics["accuracy"] == 0.5


def test_a_damaged_run_file_is_an_error_that_names_it_and_is_left_alone(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    record_runs(storage, commit=COMMIT, runs={"iris": make_run(tmp_path / "runs" / "iris")}, info={})
    damaged = tmp_path / "store" / "runs" / COMMIT / "iris" / "run.json"
    damaged.write_text(
        '{"schema_version": 1, "model": "iris", "mode": "declarative", '
        '"metrics": {"accuracy": "high"}, "goals": {"accuracy": "maximize"}}'
    )
    before = damaged.read_bytes()
    with pytest.raises(StoreError, match=r"runs/a{40}/iris/run.json in the store: metric 'accuracy' has value 'high'"):
        load_record(storage, COMMIT)
    damaged.write_text("{not json")
    with pytest.raises(StoreError, match="damaged run record"):
        load_record(storage, COMMIT)
    record_runs(storage, commit=COMMIT, runs={"iris": make_run(tmp_path / "runs2" / "iris")}, info={})
    assert damaged.read_text() == "{not json" != before.decode()


def test_paths_that_escape_the_store_are_refused(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    for bad in ("../outside", "/etc/passwd", "a/../../b"):
        with pytest.raises(StoreError, match="invalid path in store"):
            storage.read(bad)


def _record_many(store: str, runs_root: str, start: int) -> None:
    storage = LocalStorage(Path(store))
    for i in range(start, start + 10):
        commit = f"{i:040x}"
        folder = Path(runs_root) / f"{i}" / "iris"
        run = Run(model="iris", mode="declarative", metrics={"accuracy": i / 100}, goals={"accuracy": "maximize"})
        write_run(folder, run, {})
        record_runs(storage, commit=commit, runs={"iris": (run, folder)}, info={})


def test_concurrent_writers_lose_no_record(tmp_path: Path) -> None:
    procs = [
        multiprocessing.Process(target=_record_many, args=(str(tmp_path / "store"), str(tmp_path / "r"), s))
        for s in (0, 10, 20)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    storage = LocalStorage(tmp_path / "store")
    assert len(recorded_commits(storage)) == 30
    assert load_record(storage, f"{15:040x}").runs["iris"].metrics["accuracy"] == 0.15
