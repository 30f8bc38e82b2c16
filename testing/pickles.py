"""A pickle that leaves a mark when it is unpickled: what tests hand mlci to show it loads none."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class Trap:
    """An object whose unpickling writes "unpickled" to `marker`, as a malicious model file would run code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.write_text, (self.marker, "unpickled"))
