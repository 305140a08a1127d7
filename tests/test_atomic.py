"""Atomic writes: the old file or the new one, whole, with the mode asked for."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.atomic import write_atomic


def test_a_write_makes_its_folders_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = write_atomic(tmp_path / "ab" / "cd" / "x.pickle", b"\x80\x05data")
    assert target.read_bytes() == b"\x80\x05data"
    assert [p.name for p in target.parent.iterdir()] == ["x.pickle"]


def test_the_mode_is_the_one_asked_for_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        shared = write_atomic(tmp_path / "shared.txt", "a")
        private = write_atomic(tmp_path / "private.txt", "a", mode=0o600)
    finally:
        os.umask(old)
    assert shared.stat().st_mode & 0o777 == 0o644
    assert private.stat().st_mode & 0o777 == 0o600


def test_a_failed_write_keeps_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write_atomic(tmp_path / "decisions.jsonl", "old\n")

    def full_disk(handle: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, "new\n")
    monkeypatch.undo()
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["decisions.jsonl"]


def test_threads_writing_one_file_leave_one_whole_copy(tmp_path: Path) -> None:
    target = tmp_path / "same.pickle"
    payloads = [bytes([i]) * 200_000 for i in range(8)]
    threads = [threading.Thread(target=write_atomic, args=(target, p)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert target.read_bytes() in payloads
    assert [p.name for p in tmp_path.iterdir()] == ["same.pickle"]


def test_text_in_pieces_is_written_as_it_comes(tmp_path: Path) -> None:
    """A template's pieces go to the file in chunks; the file is their text, in order."""
    from pipeline import atomic

    pieces = [f"piece {i} of the report é\n" for i in range(100_000)]
    target = write_atomic(tmp_path / "pieces.html", iter(pieces))
    assert target.read_text(encoding="utf-8") == "".join(pieces)
    assert sum(map(len, pieces)) > atomic.CHUNK_BYTES  # more than one chunk was written


def test_a_failure_among_the_pieces_keeps_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")

    def pieces() -> Iterator[str]:
        yield "x" * (2 << 20)
        raise RuntimeError("the template failed")

    with pytest.raises(RuntimeError):
        write_atomic(target, pieces())
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
