"""Install mlci for a GitHub Actions job, from the action's own folder.

Every action of the suite runs this first with the runner's `python3`, before mlci's dependencies
exist, so it uses the standard library only. An install of the same version already on PATH (an
earlier mlci step in the same job, or a self-hosted runner that has it) is reused instead of
installing again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

from mlci import __version__
from mlci.github.actions_io import write_outputs

SOURCE = Path(__file__).resolve().parents[1]
MINIMUM_PYTHON = (3, 11)


def installed_version(executable: str) -> str | None:
    """The version an `mlci` executable reports, or None when it does not run."""
    try:
        done = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = done.stdout.split()
    return words[-1] if done.returncode == 0 and words else None


def ensure_installed(*, environ: dict[str, str]) -> Path:
    """Return the folder holding an `mlci` executable of this version, installing it when needed."""
    existing = shutil.which("mlci", path=environ.get("PATH"))
    if existing and installed_version(existing) == __version__:
        print(f"mlci {__version__} already installed at {existing}")
        return Path(existing).parent
    if sys.version_info < MINIMUM_PYTHON:
        wanted = ".".join(map(str, MINIMUM_PYTHON))
        raise SystemExit(
            f"mlci needs Python {wanted} or newer, this runner's python3 is {sys.version.split()[0]}; "
            f"add actions/setup-python with python-version: '{wanted}' (or newer) before mlci"
        )
    root = venv_folder(environ)
    bin_dir = root / "bin"
    if installed_version(str(bin_dir / "mlci")) == __version__:
        print(f"reusing mlci {__version__} in {root}")
        return bin_dir
    print(f"installing mlci {__version__} into {root}")
    venv.EnvBuilder(with_pip=True, clear=True).create(root)
    extras = environ.get("MLCI_EXTRAS", "").replace(" ", "")
    if extras and not all(part.isidentifier() for part in extras.replace("-", "_").split(",")):
        raise SystemExit(f"the extras input must be names separated by commas (like plots), not {extras!r}")
    with tempfile.TemporaryDirectory(prefix="mlci-source-") as folder:
        # pip builds in the source folder; the action's folder may be read-only, so build from a copy.
        source = Path(folder) / "mlci"
        shutil.copytree(
            SOURCE, source, ignore=shutil.ignore_patterns(".git", "tests", "examples", "bench", "*.egg-info")
        )
        target = f"{source}[{extras}]" if extras else str(source)
        subprocess.run(
            [str(bin_dir / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", target],
            check=True,
        )
    return bin_dir


def venv_folder(environ: dict[str, str]) -> Path:
    """MLCI_VENV when set; else the runner's tool cache, which self-hosted runners keep between jobs
    (so they install once per version), when it is writable; else the job's temporary folder."""
    if environ.get("MLCI_VENV"):
        return Path(environ["MLCI_VENV"])
    tool_cache = environ.get("RUNNER_TOOL_CACHE")
    if tool_cache and os.access(tool_cache, os.W_OK):
        return Path(tool_cache) / "mlci" / __version__
    return Path(environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / f"mlci-{__version__}"


def main() -> None:
    environ = dict(os.environ)
    bin_dir = ensure_installed(environ=environ)
    if path_file := environ.get("GITHUB_PATH"):
        with open(path_file, "a", encoding="utf-8") as handle:
            handle.write(f"{bin_dir}\n")
    if output_file := environ.get("GITHUB_OUTPUT"):
        write_outputs(output_file, {"mlci-path": str(bin_dir / "mlci"), "version": __version__})


if __name__ == "__main__":
    main()
