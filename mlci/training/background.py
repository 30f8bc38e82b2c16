"""Libraries a training will need after its fit, imported on another thread while the fit runs.

Importing skops takes a second or more (it imports every scikit-learn estimator to know which types
to trust). (matplotlib, for the pictures, loads in a process of its own: see `painter`.)
Most of a fit runs in native code without Python's lock, so imports done meanwhile are hidden behind
it instead of being added to mlci's overhead. Only during the fit: before it, the main thread is still
importing the estimator's own modules, and two threads importing the same package at once can each
find the other's module half-initialised.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# What a declarative or entrypoint model's training imports after its fit: the model file's format.
SAVED_WITH = ("skops.io",)


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
            importlib.import_module(module)
        except Exception:
            # The code that needs it imports it again and reports the failure where it matters.
            continue
