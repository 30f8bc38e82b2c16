"""Fixtures for the registry tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import git
from tests.registry.helpers import CONFIG


@pytest.fixture
def clone(make_repo: Callable[..., Path], tmp_path: Path) -> Path:
    """A clone of a bare remote holding the project; records go to the remote's results branch."""
    seed = make_repo("seed", {"mlci.yaml": CONFIG})
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(bare), str(work))
    return work
