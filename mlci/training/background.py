"""Libraries a training will need, imported in the background while it does other work.

Importing skops takes most of a second (it imports every scikit-learn estimator to know which types
to trust), and matplotlib about as long; the plain script mlci is measured against pays neither. Git,
hashing data, reading CSV and most of a fit run in native code or wait on other processes, without
Python's lock, so imports done meanwhile on another thread are hidden behind them instead of being
added to mlci's overhead.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from mlci.training.plots import plots_available

# What a declarative or entrypoint model's training imports after its fit: the model file's format,
# and the pictures' library when it is installed.
SAVED_WITH = ("skops.io",)
PICTURES_WITH = ("matplotlib.pyplot",)


def in_process_libraries() -> tuple[str, ...]:
    """The libraries an in-process training imports after its fit."""
    return SAVED_WITH + (PICTURES_WITH if plots_available() else ())


@contextmanager
def imported_meanwhile(modules: tuple[str, ...]) -> Iterator[None]:
    """Import `modules` on a background thread while the block runs; the block's end waits for it."""
    thread = threading.Thread(target=_import_quietly, args=(modules,), name="mlci-imports", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _import_quietly(modules: tuple[str, ...]) -> None:
    for module in modules:
        try:
            if module.startswith("matplotlib"):
                import matplotlib

                matplotlib.use("Agg")  # files only, as `write_plots` draws them; chosen before pyplot loads
            importlib.import_module(module)
        except Exception:
            # The code that needs it imports it again and reports the failure where it matters.
            continue
