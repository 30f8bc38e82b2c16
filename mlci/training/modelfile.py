"""The model file of a run: saved with skops, never pickle, so loading one cannot run code.

A run records the types its file holds that skops does not trust by default. mlci itself loads a
model file (to re-score a base model, to check a pulled one) only through `load_reviewed`: when
every type in it is on the repository's reviewed list (`registry.trusted_types`) or is one mlci
vouches for, and never a file in any other format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlci.config.fields import ConfigField
from mlci.config.schema import Config
from mlci.config.yamlsource import display_path
from mlci.errors import MlciError, TrainingError

FILE_NAME = "model.skops"
# numpy.dtype is in nearly every scikit-learn model (encoders keep the dtypes they saw); skops lists
# it as untrusted only because it is not a scikit-learn type. It holds data and runs no code.
ALWAYS_TRUSTED = ("numpy.dtype",)


class ModelLoadError(MlciError):
    """A model file mlci will not or cannot load: not skops, unreviewed types, or damaged."""


def reviewed_types(config: Config) -> list[str]:
    """The types a model file may hold to be loaded: the repository's reviewed list and `ALWAYS_TRUSTED`."""
    return sorted({*ALWAYS_TRUSTED, *config.registry.trusted_types})


def load_reviewed(content: bytes, *, config: Config, what: str) -> Any:
    """The model in the skops file `content`, loaded with only the reviewed types trusted.

    `ModelLoadError` naming `what` when the file is not a skops file, holds a type not on the
    reviewed list (nothing is loaded then), or does not load.
    """
    import skops.io

    trusted = reviewed_types(config)
    try:
        found = skops.io.get_untrusted_types(data=content)
    except Exception as exc:  # skops raises many kinds on a file that is not a skops archive
        raise ModelLoadError(f"{what}: the model file is not a readable skops file ({exc})") from None
    unreviewed = sorted(set(found) - set(trusted))
    if unreviewed:
        raise ModelLoadError(
            f"{what} contains types not on the repository's reviewed list: {', '.join(unreviewed)}",
            hint="Review them, then add them to `registry: {trusted_types: [...]}` in mlci.yaml.",
        )
    try:
        return skops.io.loads(content, trusted=trusted)
    except Exception as exc:
        raise ModelLoadError(f"{what}: the model file does not load with skops ({exc})") from None


def load_skops_only(
    content: bytes, *, file_format: str, config: Config, what: str, by: str, hint: str | None = None
) -> Any:
    """`load_reviewed`, for a file whose format (`file_format`, one of `MODEL_FORMATS`) is known first:
    any format but skops is refused by name (`by` says who refuses: `--check`, `mlci monitor`)."""
    from mlci.runs.modelformat import SKOPS, describe_format

    if file_format != SKOPS:
        raise ModelLoadError(
            f"{what} is {describe_format(file_format)}; {by} loads skops files only, and mlci never loads "
            "any other format (unpickling runs whatever code a file holds)",
            hint=hint,
        )
    return load_reviewed(content, config=config, what=what)


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
