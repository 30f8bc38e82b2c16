"""Every bad-input case of the README's table, run through the real `mlci` command: the exit code and
message it promises, and never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from testing.bad_input import CASES, Case, replaced

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.case)
def test_bad_input_gets_its_exit_code_and_a_clear_message(case: Case, tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    arguments = case.arrange(root)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "MLCI_", "RUNNER_"))}
    env |= case.env
    done = subprocess.run(
        [sys.executable, "-m", "mlci", *arguments], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    said = done.stdout + done.stderr
    assert done.returncode == case.exit_code, said
    assert case.message in said
    assert "Traceback" not in said


def test_the_readme_table_is_the_list_of_cases() -> None:
    text = README.read_text(encoding="utf-8")
    assert replaced(text) == text, "run `python -m testing.bad_input --write`"
