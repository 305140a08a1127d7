"""The disk cache of tables that are slow to build and cheap to load (the lexicon's word
lists, symspellpy's bigram table, the words a correction may produce).

Each entry is a pickle whose name holds a hash of every input, so a changed input simply
misses the cache; entries are written atomically, so a killed run never leaves half a file.
"""

from __future__ import annotations

import os
import pickle
import warnings
from pathlib import Path
from typing import TypeVar

from pipeline.atomic import write_atomic

T = TypeVar("T")


def cache_folder(explicit: Path | None = None) -> Path:
    """``explicit``, else ``$CASECLEAN_CACHE``, else ``~/.cache/caseclean``."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("CASECLEAN_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "caseclean"


def read_cached(path: Path, kind: type[T]) -> T | None:
    """The cached object at ``path``, or None when it is missing, unreadable or not a ``kind``."""
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError):
        return None
    return data if isinstance(data, kind) else None


def write_cached(path: Path, data: object, what: str) -> None:
    """Cache ``data`` at ``path``; a failure only warns (the next run builds it again)."""
    try:
        write_atomic(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), mode=0o600)
    except OSError as exc:
        warnings.warn(f"caseclean: could not cache the {what}: {exc}", RuntimeWarning, 3)
