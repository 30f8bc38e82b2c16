"""The model file of a run: saved with skops, never pickle, so loading one cannot run code.

A run records the types its file holds that skops does not trust by default; whoever loads the
model (`skops.io.load(path, trusted=run.untrusted_types)`) can review that list first.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlci.config.yamlsource import display_path
from mlci.errors import MlciError, TrainingError
from mlci.training.fields import ConfigField

FILE_NAME = "model.skops"


@contextmanager
def skops_imported_meanwhile() -> Iterator[None]:
    """Import skops in the background while the block (the fit) runs.

    Importing skops takes most of a second (it imports every scikit-learn estimator to know which
    types to trust); fits mostly run in native code without Python's lock, so the import is then
    hidden behind the fit instead of being added to mlci's overhead.
    """
    thread = threading.Thread(target=_import_quietly, args=("skops.io",), name="mlci-import-skops", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _import_quietly(module: str) -> None:
    try:
        importlib.import_module(module)
    except Exception:
        # save_model imports it again and reports the failure where it matters.
        return


def save_model(model: Any, path: Path, *, field: ConfigField) -> list[str]:
    """Write `model` to `path` with skops and return the untrusted types in it; `TrainingError`
    located at `field` when skops cannot represent the model."""
    import skops.io

    try:
        skops.io.dump(model, path)
    except Exception as exc:
        raise field.error(
            f"the trained model cannot be saved with skops: {type(exc).__name__}: {exc}",
            kind=TrainingError,
            hint="mlci stores models with skops because pickle files can run code when loaded. "
            "Objects skops cannot represent (lambdas, open files, some custom classes) "
            "must be replaced: a lambda in a FunctionTransformer by a named function.",
        ) from None
    return untrusted_types(path, field=field)


def untrusted_types(path: Path, *, field: ConfigField, kind: type[MlciError] = TrainingError) -> list[str]:
    """The types in the skops file at `path` that skops does not trust by default, read from the
    file's schema without loading any object."""
    import skops.io

    try:
        return sorted(skops.io.get_untrusted_types(file=path))
    except Exception as exc:
        raise field.error(
            f"{display_path(path)} is not a readable skops file: {type(exc).__name__}: {exc}", kind=kind
        ) from None
