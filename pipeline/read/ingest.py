"""Ingest: find the pages of an archive and read each one into trustworthy text.

Legacy archives mix HTML and plain text, gzip some pages, declare one encoding and use
another, and carry mojibake from earlier conversions. This stage deals with all of that once,
at the edge, so every later stage sees a :class:`Page` of clean Unicode with LF line ends.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import ftfy
import regex

PAGE_SUFFIXES = (".html", ".htm", ".txt")
_META_CHARSET = regex.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", regex.IGNORECASE
)
# Single-byte code pages a detector cannot tell from Windows-1252 on mostly-ASCII English text;
# English archives were written in Windows-1252, so that reading wins when it fits the bytes.
_NEAR_WESTERN = frozenset({"cp1250", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_15"})
_CONTROL = regex.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


class PageError(Exception):
    """A page that cannot be processed; it goes to the ``errors`` table, the batch goes on."""

    def __init__(self, stage: str, error: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.error = error
        self.message = message


@dataclass(frozen=True)
class Page:
    """One page of the archive as text, with where it came from."""

    case_id: str
    source_path: str
    source_sha256: str
    source_format: str
    text: str
    encoding: str
    warnings: tuple[str, ...] = field(default=())


def _page_suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def discover(raw_dir: Path) -> list[Path]:
    """Every page under ``raw_dir``, recursively, in a stable (sorted) order."""
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"archive folder not found: {raw_dir}")
    pages = [
        p
        for p in raw_dir.rglob("*")
        if p.is_file() and _page_suffix(p) in PAGE_SUFFIXES and not p.name.startswith(".")
    ]
    return sorted(pages, key=lambda p: p.relative_to(raw_dir).as_posix())


def case_id_for(path: Path, raw_dir: Path) -> str:
    """The stable id of a page: its path relative to the archive folder."""
    return path.relative_to(raw_dir).as_posix()


def _gunzip(data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise PageError("ingest", "gzip", f"cannot decompress: {exc}") from exc


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    try:
        "".encode(name)
    except LookupError:
        return None
    return name


def decode(data: bytes, is_html: bool) -> tuple[str, str, list[str]]:
    """Bytes to text: the declared charset, else UTF-8, else charset-normalizer's guess.

    Returns the text, the encoding used and warnings (e.g. a declared charset that lied).
    """
    warnings: list[str] = []
    declared = _declared_charset(data) if is_html else None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if declared:
        try:
            return data.decode(declared), declared, warnings
        except UnicodeDecodeError:
            warnings.append(f"declared charset {declared} does not fit the bytes")
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise PageError("ingest", "encoding", "cannot determine the text encoding")
    encoding = best.encoding
    if encoding in _NEAR_WESTERN:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            warnings.append(f"encoding guessed as cp1252 (detector said {encoding})")
            return text, "cp1252", warnings
    warnings.append(f"encoding guessed as {encoding}")
    return str(best), encoding, warnings


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    return bool(sample) and len(_CONTROL.findall(sample)) > len(sample) * 0.01


def repair(text: str) -> tuple[str, bool]:
    """Undo mojibake (``Ã©`` → ``é``) and normalise line ends; report whether text changed.

    Only ftfy's encoding repair runs here: quotes, dashes and the like are the author's and
    stay as written.
    """
    fixed = ftfy.fix_encoding(text)
    repaired = fixed != text
    return fixed.replace("\r\n", "\n").replace("\r", "\n"), repaired


def read_page(path: Path, raw_dir: Path) -> Page:
    """Read one page; raise :class:`PageError` for anything that is not a readable page."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PageError("ingest", "read", f"cannot read file: {exc}") from exc
    sha = hashlib.sha256(data).hexdigest()
    if path.name.lower().endswith(".gz"):
        data = _gunzip(data)
    is_html = _page_suffix(path) in (".html", ".htm")
    if not data.strip():
        raise PageError("ingest", "empty", "the page is empty")
    if b"\x00" in data[:8192]:
        raise PageError("ingest", "binary", "the page holds binary data, not text")
    text, encoding, warnings = decode(data, is_html)
    if _looks_binary(text):
        raise PageError("ingest", "binary", "the page holds binary data, not text")
    text, repaired = repair(text)
    if repaired:
        warnings.append("mojibake repaired")
    return Page(
        case_id=case_id_for(path, raw_dir),
        source_path=path.as_posix(),
        source_sha256=sha,
        source_format="html" if is_html else "text",
        text=text,
        encoding=encoding,
        warnings=tuple(warnings),
    )
