"""Patterns moved from ``regex`` to ``re`` (for speed) find what they found before."""

from __future__ import annotations

import re
import sys

import pytest
import regex

from pipeline.correct import damage, tokens
from pipeline.read import document
from pipeline.rules import page

EVERY = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
"""Every code point but the surrogates, in order."""

MOVED = [
    (tokens._CHUNK, r"\S+"),
    (damage._SPACE, r"\s"),
    (document._SPACE, r"[ \t\r\n\f\v\u00a0]+"),
    (page._HEADING_JUNK, r"[\s'’`:.\-–]+"),
]


@pytest.mark.parametrize(("moved", "was"), MOVED, ids=lambda m: getattr(m, "pattern", m))
def test_a_moved_pattern_matches_what_it_matched_on_every_code_point(
    moved: re.Pattern[str], was: str
) -> None:
    old = regex.compile(was)
    assert moved.findall(EVERY) == old.findall(EVERY)
    spaced = " ".join(EVERY[i : i + 7] for i in range(0, 7000, 7))  # runs of either kind
    assert moved.findall(spaced) == old.findall(spaced)


def test_the_information_separators_are_no_space() -> None:
    """U+001C to U+001F are space to ``re``'s ``\\s`` and to ``str.isspace``, not to ``regex``."""
    assert tokens._CHUNK.findall("a\x1cb c\u3000d\x85e") == ["a\x1cb", "c", "d", "e"]
    assert "\x1c".isspace() and re.fullmatch(r"\s", "\x1c") and not regex.fullmatch(r"\s", "\x1c")
