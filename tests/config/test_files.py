"""The files mlci is handed: only regular files, within their limit, inside the project; JSON of
any depth refused cleanly; output files that cannot be written named with their option."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlci.config.files import (
    FolderResolver,
    TooDeeplyNested,
    confine,
    display_path,
    load_json,
    project_root,
    read_bounded,
    read_text_bounded,
    write_output,
)
from mlci.errors import ConfigError, DataError


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"{}" * 1000)
    assert read_bounded(path, limit=2000, what="a test file") == b"{}" * 1000


def test_a_directory_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r": is a directory$"):
        read_bounded(tmp_path, limit=100, what="a test file")


def test_a_device_is_refused_instead_of_read_forever() -> None:
    with pytest.raises(ConfigError, match=r"^/dev/zero: is not a regular file"):
        read_bounded(Path("/dev/zero"), limit=100, what="a test file")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match=r"pipe\.yaml: is not a regular file"):
        read_bounded(fifo, limit=100, what="a test file")


def test_a_file_over_the_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 101)
    with pytest.raises(DataError, match=r"big.json: is 101 bytes; the limit for a test file is 100"):
        read_bounded(path, limit=100, what="a test file", error=DataError)


def test_missing_and_non_utf8_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such file") as caught:
        read_bounded(tmp_path / "nope.yaml", limit=10, what="a test file", missing_hint="Write one.")
    assert caught.value.hint == "Write one."
    path = tmp_path / "latin.txt"
    path.write_bytes(b"caf\xe9")
    with pytest.raises(ConfigError, match=r"latin\.txt: is not UTF-8 text"):
        read_text_bounded(path, limit=10, what="a test file")


def test_json_nested_too_deeply_is_a_value_error_not_a_recursion_error() -> None:
    with pytest.raises(TooDeeplyNested, match="nested too deeply"):
        load_json("[" * 100_000 + "]" * 100_000)
    assert load_json(b'{"a": [1, {"b": 2}]}') == {"a": [1, {"b": 2}]}


def test_a_path_inside_the_project_is_returned_resolved(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "model.bin").write_text("m")
    (tmp_path / "link.bin").symlink_to(tmp_path / "out" / "model.bin")
    assert confine(tmp_path / "link.bin", tmp_path) == (tmp_path / "out" / "model.bin").resolve()


def test_a_link_out_of_the_project_is_refused_saying_where_it_leads(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "model.bin").symlink_to("/etc/passwd")
    with pytest.raises(ConfigError) as caught:
        confine(project / "model.bin", project)
    assert "model.bin is a link to /etc/passwd, outside the project" in caught.value.message
    assert "nothing from elsewhere on the machine" in (caught.value.hint or "")


@pytest.mark.parametrize("relative", ["../secrets.txt", "/etc/passwd", "a/../../x"])
def test_paths_that_climb_out_are_refused(tmp_path: Path, relative: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    with pytest.raises(DataError, match="is outside the workspace"):
        confine(project / relative, project, error=DataError, what="the workspace")


def test_the_project_is_the_repository_that_holds_the_config(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "ml").mkdir()
    assert project_root(tmp_path / "repo" / "ml") == (tmp_path / "repo").resolve()
    (tmp_path / "plain").mkdir()
    assert project_root(tmp_path / "plain") == (tmp_path / "plain").resolve()


def test_a_link_is_shown_by_its_own_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("link").symlink_to("/etc/passwd")
    assert display_path(tmp_path / "link") == "link"
    assert display_path(Path("/etc/hostname")) == "/etc/hostname"


def test_an_output_that_is_a_directory_or_unwritable_is_named_with_its_option(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=rf"^--output {tmp_path}: is a directory"):
        write_output(tmp_path, "text", option="--output")
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match=r"^--json-output .*file/out.json: cannot write it"):
        write_output(tmp_path / "file" / "out.json", "{}", option="--json-output")


def test_an_output_holding_a_lone_surrogate_is_still_written(tmp_path: Path) -> None:
    written = write_output(tmp_path / "sub" / "report.md", "metric \ud800 ok\n", option="--output")
    assert written.read_text(encoding="utf-8") == "metric ? ok\n"


def test_resolving_folder_by_folder_gives_what_path_resolve_gives(tmp_path: Path, monkeypatch) -> None:
    """The config's many paths are resolved with each folder looked up once; whatever links the
    folders and files are, the answer is `Path.resolve`'s."""
    (tmp_path / "real" / "deep").mkdir(parents=True)
    (tmp_path / "real" / "deep" / "file.csv").write_text("x\n")
    (tmp_path / "folder_link").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "file_link.csv").symlink_to(tmp_path / "real" / "deep" / "file.csv")
    (tmp_path / "real" / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "real" / "up").symlink_to("..")
    monkeypatch.chdir(tmp_path / "real")
    paths = [
        tmp_path / "real" / "deep" / "file.csv",
        tmp_path / "folder_link" / "deep" / "file.csv",
        tmp_path / "folder_link" / "file_link.csv",
        tmp_path / "real" / "dangling",
        tmp_path / "real" / "up" / "real" / "deep",
        tmp_path / "real" / "deep" / ".." / "file_link.csv",
        tmp_path / "real" / "deep" / "..",
        tmp_path / "folder_link" / "missing" / "new.json",
        Path("deep/file.csv"),
        Path("file_link.csv"),
        Path(".."),
        Path("/"),
    ]
    resolve = FolderResolver()
    for _ in range(2):  # the second time from what was learnt the first
        assert [resolve(path) for path in paths] == [path.resolve() for path in paths]
