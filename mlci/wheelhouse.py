"""The wheels of mlci and of every dependency it installs, kept in one folder between jobs.

A hosted job starts on a clean machine, so installing mlci's dependencies (pandas, scikit-learn,
pyarrow, scipy, numpy) costs a download and a resolve every time. The actions keep this folder with
actions/cache instead, under a key that names everything the folder's contents follow from: mlci's
version and a digest of its source (its own wheel and its requirements), the Python (its interpreter
tag), the platform and the extras. A job that restores the folder installs from it with no index at
all (`--no-index`), so nothing is resolved or downloaded again; a self-hosted runner keeps the folder
in its home between jobs even without the cache.

What is kept is wheels, not an installed environment: mlci installs into the job's own Python beside
the project's packages (see mlci.install), so a restored site-packages would overwrite what the
project's `install` put there. Wheels only offer versions: pip keeps a package the project already
installed when it satisfies mlci, exactly as it does with an index.

Standard library only: this runs before mlci's dependencies exist.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from mlci import __version__

# Written last, after every wheel is in the folder: a folder without it (an interrupted build) is
# built again rather than kept with wheels missing.
COMPLETE = "mlci-wheelhouse-complete"
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


def folder_for(key: str, *, environ: dict[str, str]) -> Path:
    """Where the folder for `key` lives: under the user's cache folder, which a self-hosted runner keeps."""
    base = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mlci" / "wheels" / key


def is_complete(folder: Path) -> bool:
    """Whether `folder` holds a whole set of wheels (restored, or built earlier on this machine)."""
    return (folder / COMPLETE).is_file()


def build(folder: Path, *, target: str, python: str, env: dict[str, str]) -> None:
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


def install(folder: Path, *, requirement: str, python: str, env: dict[str, str]) -> bool:
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
