"""Where recorded runs live, behind one interface (`Storage`) and one layout (`records`)."""

from __future__ import annotations

from mlci.config import Config
from mlci.store.storage import LocalStorage, Storage


def open_storage(config: Config) -> Storage:
    """The storage `mlci.yaml` asks for (a local folder by default)."""
    return LocalStorage(config.store.path)
