"""What every benchmark reports: a figure is mlci's time next to an anchor's (what users would otherwise
run, or the floor nothing can beat), with the goal it is held to.

Modules under bench/ expose `figures(quick: bool) -> list[Figure]`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """mlci's time for one thing next to its anchor's (both medians, in seconds), and whether it meets its goal."""

    name: str
    anchor_name: str
    anchor_seconds: float
    mlci_seconds: float
    goal: str
    met: bool
    detail: str = ""
    """Anything a reader needs to trust the figure: spread, sizes, what was skipped."""

    @property
    def ratio(self) -> float:
        """mlci's time as a multiple of the anchor's."""
        return self.mlci_seconds / self.anchor_seconds if self.anchor_seconds else float("inf")
