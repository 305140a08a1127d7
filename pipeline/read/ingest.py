"""Ingest: find the pages of an archive and read each one into trustworthy text.

Legacy archives mix HTML and plain text, gzip some pages, declare one encoding and use
another, and carry mojibake from earlier conversions. This stage deals with all of that once,
at the edge, so every later stage sees a :class:`Page` of clean Unicode with LF line ends.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import ftfy
import regex

from pipeline.read.mojibake import may_hold_mojibake
from pipeline.rules import Limits

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


@dataclass(frozen=True)
class Inventory:
    """Every file under an archive folder: the pages to read and what is skipped, and why."""

    pages: list[Path]
    skipped: list[tuple[str, str]]


def _is_page(path: Path) -> bool:
    return _page_suffix(path) in PAGE_SUFFIXES and not path.name.startswith(".")


def inventory(raw_dir: Path) -> Inventory:
    """Walk ``raw_dir`` without following symlinked folders (no loop can trap the walk).

    A file with a page's name is a page, even when it cannot be read (a broken or looping
    symlink, no permission): reading it gives its ``errors`` row. Anything else is listed as
    skipped with the reason, so every file is accounted for.
    """
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"archive folder not found: {raw_dir}")
    pages: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for folder, dirs, files in os.walk(raw_dir, followlinks=False):
        base = Path(folder)
        for name in sorted(dirs):
            if (base / name).is_symlink():
                skipped.append((case_id_for(base / name, raw_dir), "symlinked folder"))
        dirs[:] = sorted(d for d in dirs if not (base / d).is_symlink())
        for name in files:
            path = base / name
            if _is_page(path):
                pages.append(path)
            else:
                reason = "hidden file" if name.startswith(".") else "not a page (.html, .htm, .txt)"
                skipped.append((case_id_for(path, raw_dir), reason))
    pages.sort(key=lambda p: case_id_for(p, raw_dir))
    return Inventory(pages, sorted(skipped))


def discover(raw_dir: Path) -> list[Path]:
    """Every page under ``raw_dir``, recursively, in a stable (sorted) order."""
    return inventory(raw_dir).pages


def readable_name(name: str) -> str:
    r"""A file name as the tables hold it: bytes that are not UTF-8 (a Latin-1 archive's
    names, which Python keeps as surrogate escapes) are written as ``\xNN``.

    >>> readable_name("caf\udce9.txt")
    'caf\\xe9.txt'
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def case_id_for(path: Path, raw_dir: Path) -> str:
    """The stable id of a page: its path relative to the archive folder."""
    return readable_name(path.relative_to(raw_dir).as_posix())


def _over(limit: int, what: str, key: str) -> PageError:
    return PageError("ingest", key.replace("_", "-"), f"{what} ({key} in limits.yaml: {limit:,})")


def _read_capped(path: Path, limits: Limits) -> tuple[bytes, str]:
    """The page's bytes (gunzipped, streamed with a cap) and the sha256 of the file's bytes."""
    cap = limits.max_page_bytes
    try:
        if path.stat().st_size > cap:
            raise _over(cap, "the file is larger than a page may be", "max_page_bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise PageError("ingest", "read", f"cannot read file: {exc}") from exc
    sha = hashlib.sha256(raw).hexdigest()
    if not path.name.lower().endswith(".gz"):
        return raw, sha
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            data = stream.read(cap + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise PageError("ingest", "gzip", f"cannot decompress: {exc}") from exc
    if len(data) > cap:
        raise _over(cap, "the page inflates past the bytes a page may have", "max_page_bytes")
    return data, sha


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark names (UTF-32 before UTF-16: its mark starts alike)."""
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


# A tag to its first ">", greedily (the lazy ``[^>]*?(/?)>`` of the same tags retried the
# ending at every byte of a tag); a tag closes itself when a "/" comes just before that ">".
# The standard library's engine: on this plain ASCII pattern over bytes it finds the same
# tags as ``regex``, faster, and every HTML page is scanned before it is parsed.
_TAG = re.compile(rb"<(/?)([A-Za-z][\w:-]*)([^>]*)>")
_VOID = frozenset(b"area base br col embed hr img input link meta param source track wbr".split())


def html_depth(data: bytes) -> int:
    """How deeply the elements of an HTML page nest (a quick scan, before any parsing).

    >>> html_depth(b"<html><body><p>a<br>b</p><div><p>c</div></body></html>")
    4
    """
    depth = deepest = 0
    for close, name, rest in _TAG.findall(data):
        if rest.endswith(b"/") or name.lower() in _VOID:
            continue
        if close:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


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


def decode(data: bytes, is_html: bool, bom: str | None = None) -> tuple[str, str, list[str]]:
    """Bytes to text: a byte-order mark's encoding, the declared charset, else UTF-8, else
    charset-normalizer's guess.

    Returns the text, the encoding used and warnings (e.g. a declared charset that lied).
    """
    warnings: list[str] = []
    if bom is not None:
        try:
            return data.decode(bom), bom, warnings
        except UnicodeDecodeError:
            warnings.append(f"byte-order mark of {bom} does not fit the bytes")
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
    stay as written. It runs on a text only where mojibake could be (see
    :mod:`pipeline.read.mojibake`): elsewhere it would leave the text as it is.
    """
    fixed = ftfy.fix_encoding(text) if may_hold_mojibake(text) else text
    repaired = fixed != text
    return fixed.replace("\r\n", "\n").replace("\r", "\n"), repaired


def read_page(path: Path, raw_dir: Path, limits: Limits) -> Page:
    """Read one page; raise :class:`PageError` for anything that is not a readable page."""
    data, sha = _read_capped(path, limits)
    is_html = _page_suffix(path) in (".html", ".htm")
    if not data.strip():
        raise PageError("ingest", "empty", "the page is empty")
    bom = _bom_encoding(data)
    if bom is None and b"\x00" in data[:8192]:
        raise PageError("ingest", "binary", "the page holds binary data, not text")
    if is_html and html_depth(data) > limits.max_html_depth:
        raise _over(
            limits.max_html_depth, "the HTML nests deeper than a page may", "max_html_depth"
        )
    text, encoding, warnings = decode(data, is_html, bom)
    if len(text) > limits.max_page_chars:
        raise _over(
            limits.max_page_chars, "the page has more text than a page may", "max_page_chars"
        )
    if _looks_binary(text):
        raise PageError("ingest", "binary", "the page holds binary data, not text")
    text, repaired = repair(text)
    if repaired:
        warnings.append("mojibake repaired")
    return Page(
        case_id=case_id_for(path, raw_dir),
        source_path=case_id_for(path, raw_dir),
        source_sha256=sha,
        source_format="html" if is_html else "text",
        text=text,
        encoding=encoding,
        warnings=tuple(warnings),
    )
