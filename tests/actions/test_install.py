"""The installer every action runs first, with the runner's python3 and only the standard library."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlci import __version__
from tests.conftest import read_outputs

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def install(
    tmp_path: Path,
    *,
    path: str,
    extra_env: dict[str, str] | None = None,
    code: str = "import runpy\nrunpy.run_module('mlci.install', run_name='__main__')",
    action_folder: Path = ROOT,
):
    """Run `python -m mlci.install` as the action does: from the action's folder, before mlci is installed."""
    (tmp_path / "github_path").touch()
    (tmp_path / "github_output").touch()
    env = {
        "PATH": path,
        "HOME": str(tmp_path),
        "PYTHONPATH": str(action_folder),
        "GITHUB_PATH": str(tmp_path / "github_path"),
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        **{k: v for k, v in os.environ.items() if k.startswith("PIP_")},
        **(extra_env or {}),
    }
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)


def test_an_install_of_the_same_version_on_path_is_reused(tmp_path: Path) -> None:
    here = str(Path(sys.executable).parent)
    done = install(tmp_path, path=os.pathsep.join([here, "/usr/bin", "/bin"]))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"mlci {__version__} already installed at {here}/mlci"
    assert (tmp_path / "github_path").read_text() == f"{here}\n"
    assert read_outputs(tmp_path / "github_output") == {"mlci-path": f"{here}/mlci", "version": __version__}
    assert not (tmp_path / "runner-temp").exists()


def test_a_python_older_than_needed_is_told_what_to_add(tmp_path: Path) -> None:
    done = install(tmp_path, path="/usr/bin:/bin", code="import mlci.install as i\ni.MINIMUM_PYTHON = (9, 0)\ni.main()")
    assert done.returncode == 1
    assert "mlci needs Python 9.0 or newer" in done.stderr and "actions/setup-python" in done.stderr


def test_extras_that_are_not_names_are_refused(tmp_path: Path) -> None:
    done = install(tmp_path, path="/usr/bin:/bin", extra_env={"MLCI_EXTRAS": "plots] --index-url http://evil"})
    assert done.returncode == 1 and "the extras input must be names" in done.stderr


def test_a_fresh_install_leaves_the_action_folder_untouched_and_goes_into_the_tool_cache(tmp_path: Path) -> None:
    action = tmp_path / "action"
    shutil.copytree(ROOT, action, ignore=shutil.ignore_patterns(".git", ".mlci", "tests", "*.egg-info", "build"))
    before = sorted(action.rglob("*"))
    read_only(action)  # as a runner's action cache may be (root ignores the bits; the file list below does not)
    tool_cache = tmp_path / "toolcache"
    tool_cache.mkdir()
    try:
        # The package alone (its dependencies come from the same index and take a minute): a real build
        # and install of the action's own code, into the venv the next steps use.
        done = install(
            tmp_path,
            path="/usr/bin:/bin",
            extra_env={"RUNNER_TOOL_CACHE": str(tool_cache), "PIP_NO_DEPS": "1"},
            action_folder=action,
        )
    finally:
        for folder, _, _ in os.walk(action):
            Path(folder).chmod(0o755)
    assert done.returncode == 0, done.stdout + done.stderr
    venv = tool_cache / "mlci" / __version__
    assert done.stdout.splitlines()[0] == f"installing mlci {__version__} into {venv}"
    assert (venv / "bin" / "mlci").is_file()
    version = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import mlci; print(mlci.__version__)"], capture_output=True, text=True
    )
    assert version.stdout.strip() == __version__
    assert (tmp_path / "github_path").read_text() == f"{venv / 'bin'}\n"
    assert sorted(action.rglob("*")) == before  # pip built from a copy: no build/ or egg-info left behind


def read_only(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    folder.chmod(0o555)
