"""A project in a fresh git repository with the iris data committed, as the working directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.training.helpers import IRIS_CONFIG, Project, iris_frame


@pytest.fixture
def project(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Project:
    """Iris in `data/iris.csv` and `IRIS_CONFIG` as `mlci.yaml`, committed on `main`."""
    files = {"data/iris.csv": iris_frame().to_csv(index=False), "mlci.yaml": IRIS_CONFIG}
    root = make_repo("project", files=files)
    monkeypatch.chdir(root)
    return Project(root=root)
