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
in that environment is reused, so a second mlci step in a job costs nothing.

The wheels of mlci and of every dependency it installs are kept in one folder between jobs. A hosted
job starts on a clean machine, so installing mlci's dependencies (pandas, scikit-learn,
pyarrow, scipy, numpy) costs a download and a resolve every time. The actions keep this folder with
actions/cache instead, under a key that names everything the folder's contents follow from: mlci's
version and a digest of its source (its own wheel and its requirements), the Python (its interpreter
tag), the platform and the extras. A job that restores the folder installs from it with no index at
all (`--no-index`), so nothing is resolved or downloaded again; a self-hosted runner keeps the folder
in its home between jobs even without the cache.

What is kept is wheels, not an installed environment: mlci installs into the job's own Python beside
the project's packages, so a restored site-packages would overwrite what the
project's `install` put there. Wheels only offer versions: pip keeps a package the project already
installed when it satisfies mlci, exactly as it does with an index.
"""

from __future__ import annotations

import hashlib
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


def ensure_installed(*, environ: dict[str, str]) -> tuple[Path, Path | None]:
    """Return the folder holding an `mlci` executable of this version in the job's Python environment,
    installing the project's requirements (the `install` input) and then mlci when needed; and the
    folder of wheels this run gathered, when it gathered one for the cache to keep (see "The wheels" below)."""
    if sys.version_info < MINIMUM_PYTHON:
        wanted = ".".join(map(str, MINIMUM_PYTHON))
        raise SystemExit(
            f"mlci needs Python {wanted} or newer, this job's {sys.executable} is {sys.version.split()[0]}; "
            f"add actions/setup-python with python-version: '{wanted}' (or newer) before mlci"
        )
    extras = requested_extras(environ)
    python = target_python(environ)
    if spec := environ.get("MLCI_INSTALL", "").strip():
        install_project(spec, python=python, folder=Path(environ.get("MLCI_WORKING_DIRECTORY") or "."), environ=environ)
    if installed_version(python, environ=environ) == __version__ and not extras:
        found = scripts_folder(python, environ=environ)
        if found is not None:
            print(f"mlci {__version__} already installed in {found}")
            return found, None
    wheels = Path(environ["MLCI_WHEELS"]) if environ.get("MLCI_WHEELS", "").strip() else None
    gathered = install_mlci(python, extras=extras, wheels=wheels, env=_clean(environ))
    found = scripts_folder(python, environ=environ)
    if found is None and wheels is not None:
        # This version of mlci was importable from outside the environment (a .pth file to another
        # one's packages), so pip took it for installed: install its wheel itself, alone.
        [wheel] = wheels.glob(f"mlci-{__version__}-*.whl")
        _pip_install(python, "--no-deps", "--force-reinstall", str(wheel), env=_clean(environ))
        found = scripts_folder(python, environ=environ)
    if found is None:
        raise SystemExit(f"pip installed mlci for {python}, but its `mlci` executable is nowhere to be found")
    return found, gathered


def requested_extras(environ: dict[str, str]) -> str:
    """The `extras` input as pip spells it (`plots,other`); SystemExit when it is anything but names."""
    extras = environ.get("MLCI_EXTRAS", "").replace(" ", "")
    if extras and not all(part.isidentifier() for part in extras.replace("-", "_").split(",")):
        raise SystemExit(f"the extras input must be names separated by commas (like plots), not {extras!r}")
    return extras


def install_mlci(python: str, *, extras: str, wheels: Path | None, env: dict[str, str]) -> Path | None:
    """Install mlci with `extras` into `python`'s environment. With a `wheels` folder, from its wheels
    alone, after gathering them when the folder is not complete (a cache miss); returns the folder when
    it was gathered here, for the cache to keep."""
    gathered = None
    if wheels is not None and wheels_complete(wheels):
        print(
            f"installing mlci {__version__} into the environment of {python}, from the wheels in {wheels}", flush=True
        )
    else:
        print(f"installing mlci {__version__} into the environment of {python}", flush=True)
        with tempfile.TemporaryDirectory(prefix="mlci-source-") as folder:
            # pip builds in the source folder; the action's folder may be read-only, so build from a copy.
            source = Path(folder) / "mlci"
            shutil.copytree(
                SOURCE, source, ignore=shutil.ignore_patterns(".git", "tests", "examples", "bench", "*.egg-info")
            )
            target = f"{source}[{extras}]" if extras else str(source)
            if wheels is None:
                _pip_install(python, target, env=env)
                return None
            gather_wheels(wheels, target=target, python=python, env=env)
            gathered = wheels
    requirement = f"mlci[{extras}]=={__version__}" if extras else f"mlci=={__version__}"
    if not install_from_wheels(wheels, requirement=requirement, python=python, env=env):
        print("the kept wheels do not suffice for this environment; installing from the package index", flush=True)
        _pip_install(python, requirement, "--find-links", str(wheels), env=env)
    return gathered


def _pip_install(python: str, *arguments: str, env: dict[str, str]) -> None:
    subprocess.run([python, *PIP_INSTALL, *arguments], check=True, env=env)


def cache_outputs(environ: dict[str, str]) -> dict[str, str]:
    """What the actions' cache steps need: the key and folder of mlci's wheels, for this job's Python
    and extras; nothing when the `cache` input is false."""
    # Too old a Python is refused, with what to do, by the install step that follows.
    if environ.get("MLCI_CACHE", "true").strip().lower() == "false" or sys.version_info < MINIMUM_PYTHON:
        return {"wheels-key": "", "wheels-path": ""}
    key = cache_key(source=SOURCE, extras=requested_extras(environ))
    return {"wheels-key": key, "wheels-path": str(wheels_folder(key, environ=environ))}


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


# Written last, after every wheel is in the folder: a folder without it (an interrupted build) is
# built again rather than kept with wheels missing.
COMPLETE = "mlci-wheels-complete"
# Bytecode is compiled on first import anyway, and only for the modules a job imports; compiling all of
# scipy, scikit-learn and pandas up front is most of what installing from wheels costs with pip.
PIP_INSTALL = ("-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--no-compile")


def source_digest(source: Path) -> str:
    """A digest of the files mlci's wheel is built from, so a changed checkout of the same version (an
    action used at a branch) never installs an older build."""
    digest = hashlib.sha256()
    files = [source / "pyproject.toml", *sorted((source / "mlci").rglob("*"))]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(source).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_key(*, source: Path, extras: str) -> str:
    """The cache key of the folder for this mlci, Python, platform and extras (no commas: actions/cache
    refuses them)."""
    wanted = "+".join(sorted(part for part in extras.split(",") if part)) or "none"
    platform = sysconfig.get_platform().replace(" ", "_")
    tag = sys.implementation.cache_tag or f"py{sys.version_info.major}{sys.version_info.minor}"
    return f"mlci-wheels-{__version__}-{source_digest(source)}-{tag}-{platform}-{wanted}"


def wheels_folder(key: str, *, environ: dict[str, str]) -> Path:
    """Where the folder for `key` lives: under the user's cache folder, which a self-hosted runner keeps."""
    base = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mlci" / "wheels" / key


def wheels_complete(folder: Path) -> bool:
    """Whether `folder` holds a whole set of wheels (restored, or built earlier on this machine)."""
    return (folder / COMPLETE).is_file()


def gather_wheels(folder: Path, *, target: str, python: str, env: dict[str, str]) -> None:
    """Fill `folder` with the wheels of `target` (mlci's source, with its extras) and every dependency,
    resolved and downloaded with `python`'s pip and the job's pip settings (a private index included)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    command = [python, "-m", "pip", "wheel", "--disable-pip-version-check", "--quiet", "--wheel-dir", str(folder)]
    done = subprocess.run([*command, target], env=env)
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise SystemExit(f"pip could not gather the wheels of mlci {__version__} (exit code {done.returncode})")
    (folder / COMPLETE).write_text(f"{__version__}\n", encoding="utf-8")


def install_from_wheels(folder: Path, *, requirement: str, python: str, env: dict[str, str]) -> bool:
    """Install `requirement` into `python`'s environment from `folder` alone, with uv when it is on PATH
    (it installs the same wheels several times faster), else with pip. False when the wheels do not
    suffice, as when the project's packages need other versions than the folder holds."""
    offline = ["--no-index", "--find-links", str(folder), requirement]
    uv = shutil.which("uv", path=env.get("PATH"))
    if uv is not None:
        done = subprocess.run([uv, "pip", "install", "--quiet", "--python", python, *offline], env=env)
        if done.returncode == 0:
            return True
        print("uv could not install from the cached wheels; trying pip", flush=True)
    return subprocess.run([python, *PIP_INSTALL, *offline], env=env).returncode == 0


def _clean(environ: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in environ.items() if name not in INSTALLER_VARIABLES}


def main(argv: list[str] | None = None) -> None:
    environ = dict(os.environ)
    arguments = sys.argv[1:] if argv is None else argv
    output_file = environ.get("GITHUB_OUTPUT")
    if arguments == ["cache-key"]:
        if output_file:
            write_outputs(output_file, cache_outputs(environ))
        return
    bin_dir, gathered = ensure_installed(environ=environ)
    if path_file := environ.get("GITHUB_PATH"):
        with open(path_file, "a", encoding="utf-8") as handle:
            handle.write(f"{bin_dir}\n")
    if output_file:
        outputs = {"mlci-path": str(bin_dir / "mlci"), "version": __version__}
        write_outputs(output_file, outputs | ({"wheels-gathered": "true"} if gathered else {}))


if __name__ == "__main__":
    main()
