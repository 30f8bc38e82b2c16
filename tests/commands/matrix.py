"""A repository for the matrix tests: three declarative models and a command model recorded on
`main` in a bare remote, and jobs that each start from a fresh clone, as a workflow's jobs do."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.commands.helpers import ESTIMATOR, data_csv, mlci
from tests.conftest import git
from tests.training.helpers import python_command

MODELS = ("a", "b", "c")
SCORE = "import json\njson.dump({'score': 1.0}, open('m.json', 'w'))\n"


def matrix_config(*, command_model: bool = True) -> str:
    declared = "".join(
        f"  {name}:\n"
        f"    data: {{train: {name}.csv, target: label, split: {{test_size: 0.3, seed: 0}}}}\n"
        f"    estimator: {ESTIMATOR}\n"
        "    metrics: [accuracy]\n"
        for name in MODELS
    )
    scripted = (
        "  s:\n"
        f"    command: {python_command('s.py')}\n"
        "    outputs: {metrics: m.json}\n"
        "    metrics: [{name: score, goal: maximize}]\n"
    )
    return f"version: 1\nmodels:\n{declared}{scripted if command_model else ''}"


def recorded_remote(tmp_path: Path, config: str | None = None) -> Path:
    """A bare remote whose `main` (with `config`, by default `matrix_config()`) is trained and recorded
    on its results branch."""
    seed = tmp_path / "seed"
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    files = {name + ".csv": data_csv() for name in MODELS}
    files |= {"mlci.yaml": config or matrix_config(), "s.py": SCORE, ".gitignore": ".mlci/\nm.json\n"}
    for name, text in files.items():
        (seed / name).write_text(text)
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "Add the models")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(remote))
    main = job(remote, tmp_path / "recorder", branch="main")
    assert mlci(main, "train").exit_code == 0
    assert mlci(main, "record").exit_code == 0
    return remote


def job(remote: Path, folder: Path, *, branch: str) -> Path:
    """A fresh clone of `branch`, as a job of a workflow starts with."""
    git(remote.parent, "clone", "-q", "-b", branch, str(remote), str(folder))
    return folder


def push_feature(remote: Path, tmp_path: Path, change: dict[str, str]) -> Path:
    """Branch `feature` off main with `change` (file -> new text) committed and pushed; its clone."""
    work = job(remote, tmp_path / "author", branch="main")
    git(work, "checkout", "-q", "-b", "feature")
    for name, text in change.items():
        (work / name).write_text(text)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "Change the models")
    git(work, "push", "-q", "origin", "feature")
    return work


def changed_data() -> str:
    """The data file with one row's label flipped."""
    lines = data_csv().splitlines()
    lines[5] = lines[5][:-1] + str(1 - int(lines[5][-1]))
    return "\n".join(lines) + "\n"


TIMES = re.compile(r"(_at|_seconds)$")


def without_times(value: Any) -> Any:
    """A comparison's JSON without what differs between two trainings of the same thing: when."""
    if isinstance(value, dict):
        return {key: without_times(item) for key, item in value.items() if not TIMES.search(key)}
    if isinstance(value, list):
        return [without_times(item) for item in value]
    return value


def comparison(root: Path, base: str) -> Any:
    result = mlci(root, "compare", "--base", base, "--format", "json")
    assert result.exit_code == 0, result.output
    return without_times(json.loads(result.output))
