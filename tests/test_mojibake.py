"""ftfy is asked only where mojibake could be, and every text is repaired as ftfy repairs it."""

from __future__ import annotations

import re
from pathlib import Path

import ftfy
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, is_bad
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.ingest import repair
from pipeline.read.mojibake import may_hold_mojibake, near_non_ascii, reach

from .conftest import RAW

_WORDS = ["café", "naïve", "–", "—", "’", "“x”", "©", "°C", "µm", "½", "€", "Ж", "β", "中文"]
_MOJIBAKE = [w.encode("utf-8").decode("cp1252", "replace") for w in _WORDS]
_MOJIBAKE += [w.encode("utf-8").decode("latin-1") for w in _WORDS]
_SIGNS = sorted({c for chars in MOJIBAKE_CATEGORIES.values() for c in chars if ord(c) > 127})
_PIECES = [
    "a", "The", " ", "  ", "\n", "\r\n", ".", ",", "<p>", "x y", "A ", "Â ", "Ã ", "a Â ",
    *_WORDS, *_MOJIBAKE, *_SIGNS,
]  # fmt: skip
texts = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@settings(max_examples=1500)
@given(texts)
def test_a_text_ftfy_finds_mojibake_in_is_always_given_to_it(text: str) -> None:
    if is_bad(text):
        assert may_hold_mojibake(text)
    if not may_hold_mojibake(text):
        assert ftfy.fix_encoding(text) == text


@settings(max_examples=500)
@given(texts)
def test_every_text_is_repaired_as_ftfy_repairs_it(text: str) -> None:
    fixed = ftfy.fix_encoding(text)
    assert repair(text) == (fixed.replace("\r\n", "\n").replace("\r", "\n"), fixed != text)


def test_the_pages_of_the_dev_sites_are_repaired_as_ftfy_repairs_them(dev_dir: Path) -> None:
    paths = sorted(RAW.rglob("*.*")) + sorted(dev_dir.glob("sites/*/pages/*"))
    for path in paths + sorted(dev_dir.rglob("*.txt"))[:60]:
        text = path.read_bytes().decode("utf-8", "replace")
        assert repair(text)[0] == ftfy.fix_encoding(text).replace("\r\n", "\n").replace("\r", "\n")


def test_ftfys_pattern_is_one_the_shortcut_can_read() -> None:
    assert reach(BADNESS_RE) == 7


def test_patterns_that_look_outside_their_match_or_need_no_non_ascii_get_no_shortcut() -> None:
    for pattern in ["é$", "(?<=a)é", r"\bé", "é(?!x)", "[^a]b", r"\sé|ab", "é{1,}", "(é)"]:
        assert reach(re.compile(pattern)) is None, pattern
    assert reach(re.compile("é", re.IGNORECASE)) is None
    assert reach(re.compile("[Ãé]x?|^Â")) == 2


_SHAPES = ["é", "ab?é", "é.{0,3}", "[a-z]é[a-z]{2}", "^..é", r"\sé\s?", "éé|x.é", "a{0,4}éa"]


@settings(max_examples=800)
@given(
    st.sampled_from(_SHAPES),
    st.lists(st.sampled_from(["a", "b", "x", " ", "é", "\n"]), max_size=40),
)
def test_a_match_lies_in_the_stretches_near_non_ascii(shape: str, pieces: list[str]) -> None:
    pattern = re.compile(shape)
    width = reach(pattern)
    assert width is not None
    text = "".join(pieces)
    for match in pattern.finditer(text):
        assert pattern.search(near_non_ascii(text, width)), (shape, text, match)
