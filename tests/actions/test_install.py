"""The installer every action runs first, with the job's python3 and only the standard library: the
project's requirements, then mlci, into that Python's environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from mlci import __version__
from mlci import install as installer
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
    python: str = sys.executable,
    cwd: Path | None = None,
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
    return subprocess.run([python, "-c", code], env=env, capture_output=True, text=True, timeout=600, cwd=cwd)


def test_an_install_of_the_same_version_in_the_jobs_python_is_reused(tmp_path: Path) -> None:
    here = str(Path(sys.executable).parent)
    done = install(tmp_path, path="/usr/bin:/bin")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"mlci {__version__} already installed in {here}"
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


def fresh_python(folder: Path) -> str:
    """A job's Python without mlci: a new virtual environment, as actions/setup-python gives one."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    return str(folder / "bin" / "python")


def local_package(folder: Path, name: str) -> None:
    """A package of the project's own that no index has, like a feature library in the repository."""
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1"\n[build-system]\nrequires = ["setuptools"]\n'
        'build-backend = "setuptools.build_meta"\n'
    )
    (folder / f"{name}.py").write_text("def scale(x):\n    return 2 * x\n")


def imports(python: str, module: str) -> str:
    code = f"import {module}; print({module}.__file__)"
    return subprocess.run([python, "-P", "-c", code], capture_output=True, text=True, cwd="/").stdout.strip()


def test_mlci_goes_into_the_jobs_python_after_the_projects_requirements(tmp_path: Path) -> None:
    action = tmp_path / "action"
    shutil.copytree(
        ROOT, action, ignore=shutil.ignore_patterns(".git", ".mlci", ".venv", "tests", "*.egg-info", "build")
    )
    before = sorted(action.rglob("*"))
    read_only(action)  # as a runner's action cache may be (root ignores the bits; the file list below does not)
    python = fresh_python(tmp_path / "job-python")
    project = tmp_path / "project"
    local_package(project / "featlib", "featlib")
    local_package(project / "tools" / "helperlib", "helperlib")
    (project / "requirements.txt").write_text("./featlib\n")
    # The package alone (its dependencies come from the same index and take a minute): a real build
    # and install of the action's own code.
    no_deps = {"PIP_NO_DEPS": "1", "MLCI_WORKING_DIRECTORY": str(project)}
    try:
        done = install(
            tmp_path,
            path="/usr/bin:/bin",
            extra_env={**no_deps, "MLCI_INSTALL": "requirements.txt"},
            action_folder=action,
            python=python,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        # A second mlci step of the job reuses the install, after running its own install command.
        again = install(
            tmp_path,
            path="/usr/bin:/bin",
            extra_env={**no_deps, "MLCI_INSTALL": "cd tools && pip install ./helperlib"},
            action_folder=action,
            python=python,
        )
    finally:
        for folder, _, _ in os.walk(action):
            Path(folder).chmod(0o755)
    bin_dir = tmp_path / "job-python" / "bin"
    assert done.stdout.splitlines()[0] == "installing the project's requirements: pip install -r requirements.txt"
    assert f"installing mlci {__version__} into the environment of {python}" in done.stdout
    assert (bin_dir / "mlci").is_file()
    # The model's packages and mlci, side by side in the one environment mlci runs in.
    assert imports(python, "featlib").startswith(str(tmp_path / "job-python"))
    assert imports(python, "mlci").startswith(str(tmp_path / "job-python"))
    assert (tmp_path / "github_path").read_text().splitlines()[0] == str(bin_dir)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.splitlines()[0] == "installing the project's requirements: cd tools && pip install ./helperlib"
    assert again.stdout.splitlines()[-1] == f"mlci {__version__} already installed in {bin_dir}"
    assert imports(python, "helperlib").startswith(str(tmp_path / "job-python"))
    assert sorted(action.rglob("*")) == before  # pip built from a copy: no build/ or egg-info left behind


def test_a_requirements_file_that_is_not_there_and_a_failing_command_are_named(tmp_path: Path) -> None:
    missing = install(tmp_path, path="/usr/bin:/bin", extra_env={"MLCI_INSTALL": "requirements-ci.txt"}, cwd=tmp_path)
    assert missing.returncode == 1
    assert f"the install input names requirements-ci.txt, which is not a file in {tmp_path}" in missing.stderr
    failing = install(tmp_path, path="/usr/bin:/bin", extra_env={"MLCI_INSTALL": "echo building; exit 3"})
    assert failing.returncode == 1 and "building" in failing.stdout
    assert "the install input `echo building; exit 3` failed with exit code 3" in failing.stderr


def test_a_system_python_pip_may_not_change_gets_a_virtual_environment_that_sees_its_packages(tmp_path: Path) -> None:
    # A venv stands in for the runner's system Python, told it is externally managed (PEP 668).
    python = fresh_python(tmp_path / "system-python")
    code = "import mlci.install as i\ni.externally_managed = lambda: True\ni.main()"
    done = install(tmp_path, path="/usr/bin:/bin", code=code, python=python, extra_env={"PIP_NO_DEPS": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    venv = tmp_path / "runner-temp" / f"mlci-{__version__}-py{sys.version_info.major}.{sys.version_info.minor}"
    assert "which pip may not change (PEP 668); using a virtual environment on it, with its packages" in done.stdout
    assert (venv / "bin" / "mlci").is_file()
    assert "include-system-site-packages = true" in (venv / "pyvenv.cfg").read_text()


def read_only(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    folder.chmod(0o555)


def cache_key_outputs(tmp_path: Path, **env: str) -> dict[str, str]:
    code = "import mlci.install as i\ni.main(['cache-key'])"
    done = install(tmp_path, path="/usr/bin:/bin", code=code, extra_env=env)
    assert done.returncode == 0, done.stderr
    return read_outputs(tmp_path / "github_output")


def test_the_cache_key_names_mlci_its_source_the_python_the_platform_and_the_extras(tmp_path: Path) -> None:
    outputs = cache_key_outputs(tmp_path, MLCI_EXTRAS="plots")
    key = outputs["wheels-key"]
    tag, platform = sys.implementation.cache_tag, sysconfig.get_platform()
    assert key.startswith(f"mlci-wheels-{__version__}-") and key.endswith(f"-{tag}-{platform}-plots")
    assert "," not in key  # actions/cache refuses commas in a key
    assert outputs["wheels-path"] == str(tmp_path / ".cache" / "mlci" / "wheels" / key)
    (tmp_path / "github_output").unlink()
    assert cache_key_outputs(tmp_path, MLCI_EXTRAS="")["wheels-key"] == key.replace("-plots", "-none")
    (tmp_path / "github_output").unlink()
    assert cache_key_outputs(tmp_path, MLCI_CACHE="false") == {"wheels-key": "", "wheels-path": ""}


def test_a_changed_source_of_the_same_version_gets_another_key(tmp_path: Path) -> None:
    source = tmp_path / "action"
    shutil.copytree(ROOT / "mlci", source / "mlci", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    before = installer.cache_key(source=source, extras="")
    (source / "mlci" / "report" / "render.py").write_text("# changed\n", encoding="utf-8")
    assert installer.cache_key(source=source, extras="") != before


def job_with_wheels(tmp_path: Path, job: str, wheels: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A job's install into a fresh Python with the wheels folder the cache restores into. The package
    alone, as above: its dependencies would take a minute to gather."""
    extra_env = {"PIP_NO_DEPS": "1", "MLCI_WHEELS": str(wheels), **env}
    return install(tmp_path, path="/usr/bin:/bin", python=fresh_python(tmp_path / job), extra_env=extra_env)


def test_the_first_job_gathers_the_wheels_and_a_later_one_installs_from_them_with_no_index(tmp_path: Path) -> None:
    wheels = tmp_path / "cache" / "wheels"
    first = job_with_wheels(tmp_path, "first-job", wheels)
    assert first.returncode == 0, first.stdout + first.stderr
    assert read_outputs(tmp_path / "github_output")["wheels-gathered"] == "true"
    assert installer.wheels_complete(wheels)
    assert [path.name for path in wheels.glob("mlci-*.whl")] == [f"mlci-{__version__}-py3-none-any.whl"]

    # A later job on a fresh machine: the wheels restored by the cache, and no index reachable at all.
    (tmp_path / "github_output").unlink()
    offline = {"PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_FIND_LINKS": ""}
    later = job_with_wheels(tmp_path, "later-job", wheels, PIP_RETRIES="0", **offline)
    assert later.returncode == 0, later.stdout + later.stderr
    assert f"from the wheels in {wheels}" in later.stdout
    assert "wheels-gathered" not in read_outputs(tmp_path / "github_output")
    assert imports(str(tmp_path / "later-job" / "bin" / "python"), "mlci").startswith(str(tmp_path / "later-job"))


def test_an_interrupted_gathering_is_not_taken_for_a_cache(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    (wheels / "numpy-0-py3-none-any.whl").write_bytes(b"half a download")
    assert not installer.wheels_complete(wheels)
    done = job_with_wheels(tmp_path, "job", wheels)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (wheels / "numpy-0-py3-none-any.whl").exists() and installer.wheels_complete(wheels)
