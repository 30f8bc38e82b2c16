"""The checks real users run on workflows and actions, run on ours: zizmor (with its most demanding
persona), the GitHub JSON schemas, actionlint. Each must report nothing (zizmor's ignores are inline,
each with its reason)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = [ROOT / "action.yml", *sorted((ROOT / "actions").glob("*/action.yml"))]
WORKFLOWS = [
    *sorted((ROOT / "examples" / "workflows").glob("*.yml")),
    *sorted((ROOT / ".github" / "workflows").glob("*.yml")),
    ROOT / "templates" / "init" / "mlci.yml",
    ROOT / "templates" / "init" / "mlci-monitor.yml",
]


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} is not installed; it comes with the test extras: pip install -e '.[test]'")
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_there_is_something_to_check() -> None:
    assert len(ACTIONS) == 11 and len(WORKFLOWS) >= 8


def test_zizmor_finds_nothing_even_pedantic() -> None:
    # Each file by name: given a folder, zizmor would skip one called `examples/`.
    files = [str(path.relative_to(ROOT)) for path in [*ACTIONS, *WORKFLOWS]]
    done = run_tool(
        "zizmor", "--offline", "--persona", "pedantic", "--config", "zizmor.yml", "--format", "plain", *files
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def test_actions_match_githubs_schema() -> None:
    done = run_tool("check-jsonschema", "--builtin-schema", "vendor.github-actions", *map(str, ACTIONS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflows_match_githubs_schema() -> None:
    done = run_tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_finds_nothing() -> None:
    done = run_tool("actionlint", "-no-color", *map(str, WORKFLOWS))
    assert done.returncode == 0, done.stdout + done.stderr
