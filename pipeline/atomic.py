"""Atomic writes: a crash, a kill or a full disk leaves the old file or the new, never half.

Every file caseclean writes outside the table swap (decisions, the report, the lexicon cache)
goes through :func:`write_atomic`: the bytes go to a temporary file beside the target, which
is then renamed over it (a rename within one folder is atomic on POSIX and Windows).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o644) -> Path:
    """Write ``data`` (text is UTF-8 with the newlines as given) to ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
