"""Which types a model file may contain to be loaded: the repository's reviewed list, plus the few
that mlci itself vouches for because they hold data and run no code."""

from __future__ import annotations

from mlci.config import Config

# numpy.dtype is in nearly every scikit-learn model (encoders keep the dtypes they saw); skops lists
# it as untrusted only because it is not a scikit-learn type.
ALWAYS_TRUSTED = ("numpy.dtype",)


def reviewed_types(config: Config) -> list[str]:
    return sorted({*ALWAYS_TRUSTED, *config.registry.trusted_types})
