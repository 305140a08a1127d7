"""Atomic writes: a crash, a kill or a full disk leaves the old file or the new, never half.

Every file caseclean writes outside the table swap (decisions, the report, the lexicon cache,
each page's results in the step cache) goes through :func:`write_atomic`: the bytes go to a
temporary file beside the target, which is then renamed over it (a rename within one folder
is atomic on POSIX and Windows).

The step cache files four results a page, so a write is kept to its system calls: the
temporary file is named for the process and thread writing it (no two writers share one,
and no random names are tried), and folders are made only when the open finds none.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _open_new(tmp: Path) -> int:
    """Open ``tmp`` for writing, making its folder when there is none yet."""
    try:
        return os.open(tmp, _FLAGS, 0o600)
    except FileNotFoundError:
        tmp.parent.mkdir(parents=True, exist_ok=True)
        return os.open(tmp, _FLAGS, 0o600)


CHUNK_BYTES = 1 << 20
"""Pieces of text given one by one are written this much at a time (a template renders
thousands of small ones)."""


def _pieces(data: bytes | str | Iterable[str]) -> Iterator[bytes]:
    """The bytes to write: all at once, or pieces of text gathered into chunks."""
    if isinstance(data, bytes | str):
        yield data.encode("utf-8") if isinstance(data, str) else data
        return
    waiting: list[str] = []
    size = 0
    for piece in data:
        waiting.append(piece)
        size += len(piece)
        if size >= CHUNK_BYTES:
            yield "".join(waiting).encode("utf-8")
            waiting, size = [], 0
    yield "".join(waiting).encode("utf-8")


def write_atomic(path: Path, data: bytes | str | Iterable[str], *, mode: int = 0o644) -> Path:
    """Write ``data`` (text is UTF-8 with the newlines as given) to ``path`` atomically.

    ``data`` may come in pieces of text, as a template renders them: the file is written as
    they come, never held whole. ``mode`` is the file's mode whatever the umask.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = write_atomic(Path(folder) / "a" / "b.txt", "one\\n")
    ...     target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('one\\n', ['b.txt'])
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    handle = _open_new(tmp)
    try:
        try:
            for chunk in _pieces(data):
                payload = memoryview(chunk)
                while payload:
                    payload = payload[os.write(handle, payload) :]
        finally:
            os.close(handle)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
