"""Install mlci for a GitHub Actions job, from the action's own folder, into the job's Python.

Every action of the suite runs this first with the job's Python (the `python` input: `python3` on
PATH, which is actions/setup-python's when the workflow sets one up), before mlci's dependencies
exist, so it uses the standard library only.

mlci goes into that Python's own environment, the one the workflow's `pip install -r
requirements.txt` filled: a declarative or entrypoint model is imported by mlci, so it can only use
the project's packages (a feature library, xgboost, the project itself) when mlci runs beside them.
A private venv would hide them; one with `--system-site-packages` would see them but shadow them
with its own copies of shared dependencies, so a model would run with a scikit-learn other than the
one the project pinned. Only a Python that may not be installed into (PEP 668's "externally managed"
system Python of a runner without actions/setup-python) gets such a venv, built on it.

The `install` input (MLCI_INSTALL) runs first, in the working directory: a requirements file is
installed with that Python's pip, anything else runs as a shell command with that Python's scripts
first on PATH, so `pip install -e .` lands where mlci runs. An install of the same version of mlci
in that environment is reused, so a second mlci step in a job, or a cache of the environment, costs
nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import venv
from pathlib import Path

from mlci import __version__
from mlci.github.actions_io import write_outputs

SOURCE = Path(__file__).resolve().parents[1]
MINIMUM_PYTHON = (3, 11)
# What the installer's own run adds to the environment and a project's install must not inherit.
INSTALLER_VARIABLES = ("PYTHONPATH",)


def installed_version(python: str, *, environ: dict[str, str]) -> str | None:
    """The version of mlci installed in `python`'s environment, or None. Asked in a fresh process
    without the action's folder on its path (`-P`, no PYTHONPATH), which would answer for itself."""
    code = "import importlib.metadata as m; print(m.version('mlci'))"
    try:
        done = subprocess.run(
            [python, "-P", "-c", code], capture_output=True, text=True, timeout=60, env=_clean(environ)
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = done.stdout.split()
    return words[-1] if done.returncode == 0 and words else None


def scripts_folder(python: str, *, environ: dict[str, str]) -> Path | None:
    """The folder where `python`'s pip put the `mlci` executable: the environment's scripts folder,
    or the user's when pip fell back to a user install (site-packages not writable)."""
    code = (
        "import os, sysconfig\n"
        "for scheme in (sysconfig.get_default_scheme(), sysconfig.get_preferred_scheme('user')):\n"
        "    print(sysconfig.get_path('scripts', scheme))\n"
    )
    done = subprocess.run([python, "-P", "-c", code], capture_output=True, text=True, env=_clean(environ))
    for line in done.stdout.splitlines():
        if line and (Path(line) / "mlci").is_file():
            return Path(line)
    return None


def externally_managed() -> bool:
    """Whether this Python's environment refuses pip installs (PEP 668), as a Linux distribution's
    system Python does; a venv never is."""
    if sys.prefix != sys.base_prefix:
        return False
    return (Path(sysconfig.get_path("stdlib")) / "EXTERNALLY-MANAGED").is_file()


def target_python(environ: dict[str, str]) -> str:
    """The Python to install into: this one, unless it is externally managed; then a venv built on it
    that sees its packages."""
    if not externally_managed():
        return sys.executable
    root = venv_folder(environ)
    python = root / "bin" / "python"
    print(
        f"{sys.executable} is the system's Python, which pip may not change (PEP 668); using a virtual "
        f"environment on it, with its packages, in {root}. Add actions/setup-python to install into "
        "the job's Python itself."
    )
    if not python.is_file():
        venv.EnvBuilder(with_pip=True, system_site_packages=True).create(root)
    return str(python)


def install_project(spec: str, *, python: str, folder: Path, environ: dict[str, str]) -> None:
    """Run the `install` input in `folder`: a requirements file with `python`'s pip, else a shell command
    with `python`'s folder first on PATH. SystemExit when it fails, naming what failed."""
    spec = spec.strip()
    env = _clean(environ)
    env["PATH"] = os.pathsep.join([str(Path(python).parent), env.get("PATH", "")])
    requirements = folder / spec
    if "\n" not in spec and requirements.is_file():
        command = [python, "-m", "pip", "install", "--disable-pip-version-check", "-r", spec]
        shown = f"pip install -r {spec}"
    elif "\n" not in spec and " " not in spec and spec.endswith((".txt", ".in")):
        raise SystemExit(f"the install input names {spec}, which is not a file in {folder.resolve()}")
    else:
        command = ["bash", "-e", "-o", "pipefail", "-c", spec]
        shown = spec
    print(f"installing the project's requirements: {shown}", flush=True)
    done = subprocess.run(command, cwd=folder, env=env)
    if done.returncode != 0:
        raise SystemExit(f"the install input `{shown}` failed with exit code {done.returncode}")


def ensure_installed(*, environ: dict[str, str]) -> Path:
    """Return the folder holding an `mlci` executable of this version in the job's Python environment,
    installing the project's requirements (the `install` input) and then mlci when needed."""
    if sys.version_info < MINIMUM_PYTHON:
        wanted = ".".join(map(str, MINIMUM_PYTHON))
        raise SystemExit(
            f"mlci needs Python {wanted} or newer, this job's {sys.executable} is {sys.version.split()[0]}; "
            f"add actions/setup-python with python-version: '{wanted}' (or newer) before mlci"
        )
    extras = environ.get("MLCI_EXTRAS", "").replace(" ", "")
    if extras and not all(part.isidentifier() for part in extras.replace("-", "_").split(",")):
        raise SystemExit(f"the extras input must be names separated by commas (like plots), not {extras!r}")
    python = target_python(environ)
    if spec := environ.get("MLCI_INSTALL", "").strip():
        install_project(spec, python=python, folder=Path(environ.get("MLCI_WORKING_DIRECTORY") or "."), environ=environ)
    if installed_version(python, environ=environ) == __version__ and not extras:
        found = scripts_folder(python, environ=environ)
        if found is not None:
            print(f"mlci {__version__} already installed in {found}")
            return found
    print(f"installing mlci {__version__} into the environment of {python}", flush=True)
    with tempfile.TemporaryDirectory(prefix="mlci-source-") as folder:
        # pip builds in the source folder; the action's folder may be read-only, so build from a copy.
        source = Path(folder) / "mlci"
        shutil.copytree(
            SOURCE, source, ignore=shutil.ignore_patterns(".git", "tests", "examples", "bench", "*.egg-info")
        )
        target = f"{source}[{extras}]" if extras else str(source)
        subprocess.run(
            [python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", target],
            check=True,
            env=_clean(environ),
        )
    found = scripts_folder(python, environ=environ)
    if found is None:
        raise SystemExit(f"pip installed mlci for {python}, but its `mlci` executable is nowhere to be found")
    return found


def venv_folder(environ: dict[str, str]) -> Path:
    """Where the venv on an externally managed Python goes: MLCI_VENV when set; else the runner's tool
    cache, which self-hosted runners keep between jobs, when it is writable; else the job's temporary
    folder. Per version of mlci and of Python, since the venv is built on that Python."""
    if environ.get("MLCI_VENV"):
        return Path(environ["MLCI_VENV"])
    name = f"{__version__}-py{sys.version_info.major}.{sys.version_info.minor}"
    tool_cache = environ.get("RUNNER_TOOL_CACHE")
    if tool_cache and os.access(tool_cache, os.W_OK):
        return Path(tool_cache) / "mlci" / name
    return Path(environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / f"mlci-{name}"


def _clean(environ: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in environ.items() if name not in INSTALLER_VARIABLES}


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
