"""Results of a comparison that cost time and come out the same every time: a data check, a
re-score of the base model, a bootstrap. Each is kept under `.mlci/cache/<kind>/` by a key made of
everything that decides it (content fingerprints, settings, library and mlci versions), so a report
made after `mlci compare` in the same job computes none of them again.

The cache is a convenience, never a source of truth: an entry that cannot be read, or does not
decode as what it should hold, is a miss; one that cannot be written is skipped. Each kind keeps its
`KEEP` newest entries, so a laptop's cache does not grow without end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlci import __version__
from mlci.config.files import keep_newest, load_json, write_atomically
from mlci.runs.fingerprint import PREFIX, fingerprint_bytes

CACHE_VERSION = 1
KEEP = 64
MAX_ENTRY_BYTES = 256 * 1024 * 1024


class ResultCache:
    """Computed results by kind and key; `folder` None keeps nothing (every lookup misses)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, kind: str, key: Mapping[str, Any]) -> Any | None:
        """The value stored for `key`, as parsed JSON; None when there is none or it is unreadable."""
        path = self._path(kind, key)
        if path is None:
            return None
        try:
            if path.stat().st_size > MAX_ENTRY_BYTES:
                return None
            entry = load_json(path.read_bytes())
        except (OSError, ValueError):
            return None
        return entry.get("value") if isinstance(entry, dict) and entry.get("key") == _canonical(key) else None

    def put(self, kind: str, key: Mapping[str, Any], value: Any) -> None:
        """Keep `value` (plain JSON) for `key`, replacing what was there, and drop the oldest entries
        of `kind` beyond `KEEP`."""
        path = self._path(kind, key)
        if path is None:
            return
        try:
            text = json.dumps({"key": _canonical(key), "value": value}, allow_nan=False)
            write_atomically(path, text.encode())
            keep_newest(path.parent, "*.json", KEEP)
        except (OSError, ValueError, TypeError):
            return

    def _path(self, kind: str, key: Mapping[str, Any]) -> Path | None:
        if self.folder is None:
            return None
        digest = fingerprint_bytes(_canonical(key).encode()).removeprefix(PREFIX)
        return self.folder / kind / f"{digest}.json"


def _canonical(key: Mapping[str, Any]) -> str:
    return json.dumps({"cache": CACHE_VERSION, "mlci": __version__, **key}, sort_keys=True, default=str)
