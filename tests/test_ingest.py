"""Ingest reads any page of a legacy archive into clean Unicode, or says why it cannot."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.ingest import PageError, decode, discover, html_depth, inventory, read_page
from pipeline.rules import load_rules

from .conftest import RAW

LIMITS = load_rules().limits


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_discover_finds_pages_recursively_in_a_stable_order(tmp_path: Path) -> None:
    for name in ["b.txt", "a/z.html", "a/y.htm.gz", "c.TXT", "notes.md", "img.png", ".hidden.txt"]:
        write(tmp_path / name, b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["a/y.htm.gz", "a/z.html", "b.txt", "c.TXT"]


def test_discover_rejects_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="archive folder not found"):
        discover(tmp_path / "nope")


def test_case_id_is_the_path_relative_to_the_archive(tmp_path: Path) -> None:
    path = write(tmp_path / "2014" / "case-1.txt", b"Title\n")
    page = read_page(path, tmp_path, LIMITS)
    assert page.case_id == "2014/case-1.txt"
    assert page.source_format == "text"
    assert len(page.source_sha256) == 64


def test_gzipped_pages_are_read_and_hashed_as_stored(tmp_path: Path) -> None:
    data = gzip.compress(b"<html><body><p>Hello</p></body></html>")
    page = read_page(write(tmp_path / "p.html.gz", data), tmp_path, LIMITS)
    assert page.source_format == "html"
    assert "Hello" in page.text
    import hashlib

    assert page.source_sha256 == hashlib.sha256(data).hexdigest()


def test_declared_meta_charset_is_honoured() -> None:
    html = '<html><head><meta charset="windows-1252"></head><body>caf\xe9</body></html>'
    text, encoding, warnings = decode(html.encode("cp1252"), is_html=True)
    assert "café" in text and encoding == "windows-1252" and warnings == []


def test_undeclared_legacy_bytes_are_read_as_windows_1252() -> None:
    data = "Sjögren’s syndrome with “dry eyes” and parotid swelling.\n".encode("cp1252")
    text, encoding, warnings = decode(data * 3, is_html=False)
    assert text.startswith("Sjögren’s syndrome with “dry eyes”")
    assert encoding == "cp1252" and warnings


def test_mojibake_is_repaired_and_crlf_normalised(tmp_path: Path) -> None:
    mangled = "Sjögren’s syndrome".encode().decode("cp1252")
    page = read_page(write(tmp_path / "m.txt", f"{mangled}\r\nnext\r\n".encode()), tmp_path, LIMITS)
    assert page.text == "Sjögren’s syndrome\nnext\n"
    assert "mojibake repaired" in page.warnings


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("image.html", b"\x00\x01\x02TRUEVISION" * 50, "binary"),
        ("cut.html.gz", gzip.compress(b"<html>" * 100)[:20], "gzip"),
    ],
)
def test_unreadable_pages_raise_a_page_error(
    tmp_path: Path, name: str, data: bytes, error: str
) -> None:
    with pytest.raises(PageError) as info:
        read_page(write(tmp_path / name, data), tmp_path, LIMITS)
    assert info.value.stage == "ingest"
    assert info.value.error == error


def test_the_shipped_sample_archive_walks_every_path() -> None:
    names = [p.relative_to(RAW).as_posix() for p in discover(RAW)]
    assert any(n.endswith(".html") for n in names)
    assert any(n.endswith(".gz") for n in names)
    assert any(n.startswith("broken/") for n in names)


def test_every_file_is_accounted_for_and_symlinked_folders_are_not_followed(
    tmp_path: Path,
) -> None:
    write(tmp_path / "a.txt", b"x")
    write(tmp_path / "notes.docx", b"x")
    write(tmp_path / ".hidden.txt", b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    found = inventory(tmp_path)
    assert [p.name for p in found.pages] == ["a.txt", "self.txt"]
    assert dict(found.skipped) == {
        ".hidden.txt": "hidden file",
        "notes.docx": "not a page (.html, .htm, .txt)",
        "sub/loop": "symlinked folder",
    }
    with pytest.raises(PageError, match="cannot read"):
        read_page(tmp_path / "self.txt", tmp_path, LIMITS)


def test_utf16_and_utf32_pages_with_a_byte_order_mark_are_decoded(tmp_path: Path) -> None:
    text = "Final Diagnosis\n\nSjögren syndrome\n"
    for codec in ("utf-16", "utf-32", "utf-8-sig"):
        page = read_page(write(tmp_path / f"{codec}.txt", text.encode(codec)), tmp_path, LIMITS)
        assert page.text == text and page.encoding == codec.replace("-sig", "-sig")


def test_a_name_that_is_not_utf8_is_kept_readably(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.txt")
    path = write(tmp_path / name, b"Final Diagnosis\n\nx\n")
    page = read_page(path, tmp_path, LIMITS)
    assert page.case_id == "caf\\xe9.txt"
    page.case_id.encode("utf-8")  # a table can hold it


@pytest.mark.parametrize(
    ("name", "data", "limit"),
    [
        ("bomb.txt.gz", gzip.compress(b"a" * 30_000_000), "max-page-bytes"),
        ("deep.html", b"<div>" * 600 + b"x" + b"</div>" * 600, "max-html-depth"),
        ("long.txt", b"word " * 1_100_000, "max-page-chars"),
    ],
)
def test_a_page_past_a_limit_is_an_error_naming_the_limit(
    tmp_path: Path, name: str, data: bytes, limit: str
) -> None:
    with pytest.raises(PageError) as caught:
        read_page(write(tmp_path / name, data), tmp_path, LIMITS)
    assert caught.value.error == limit


_PLAIN_TAG = regex.compile(rb"<(/?)([A-Za-z][\w:-]*)[^>]*?(/?)>")
_VOID = frozenset(b"area base br col embed hr img input link meta param source track wbr".split())


def plain_depth(data: bytes) -> int:
    """html_depth as first written, with the ``regex`` engine."""
    depth = deepest = 0
    for close, name, self_closing in _PLAIN_TAG.findall(data):
        if name.lower() in _VOID or self_closing:
            continue
        depth = max(0, depth - 1) if close else depth + 1
        deepest = max(deepest, depth)
    return deepest


_PIECES = [b"<", b">", b"/", b"div", b"BR", b"p", b" ", b"a:b", b"-", b"_", b"\xaa", b"\xb5",
           b"\xe9", b"\xff", b"1", b'"', b"x=>"]  # fmt: skip


@settings(max_examples=500)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map(b"".join))
def test_the_nesting_scan_finds_the_tags_the_regex_engine_finds(data: bytes) -> None:
    assert html_depth(data) == plain_depth(data)


def test_the_nesting_of_the_dev_pages_is_as_the_regex_engine_reads_it(dev_dir: Path) -> None:
    for path in sorted(dev_dir.rglob("*.htm*"))[:80]:
        data = path.read_bytes()
        assert html_depth(data) == plain_depth(data), path.name
