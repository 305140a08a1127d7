"""Whether a page can hold mojibake, asked of the few places where it could be.

ftfy repairs a text only where its badness pattern finds mojibake, and leaves a text in which
it finds none as it is; finding out costs one search of that pattern over the whole text,
which on a large page of real HTML costs more than parsing it. Every branch of the pattern
needs a character outside ASCII and no match is longer than a few characters (both checked
here, on the pattern ftfy has, when it is first needed), so a match lies within a few
characters of a non-ASCII one: the pattern is searched only in the stretches around them. A
text that passes is one ftfy would return unchanged; one that does not is given to ftfy. When
the pattern is not of that form (another ftfy), every text is given to ftfy.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import ftfy
from ftfy import badness

try:  # the standard library's own reader of patterns (another Python may lack it)
    from re import _constants as sre
    from re import _parser as sre_parser
except ImportError:  # pragma: no cover - then every text goes to ftfy
    sre = sre_parser = None

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _non_ascii(op: Any, av: Any) -> bool:
    """Whether one item of a pattern matches only characters outside ASCII."""
    if op == sre.LITERAL:
        return bool(av >= 0x80)
    if op != sre.IN:
        return False
    return all(
        (kind == sre.LITERAL and value >= 0x80) or (kind == sre.RANGE and value[0] >= 0x80)
        for kind, value in av
    )


def _self_contained(items: Any) -> bool:
    """Whether a sequence of items looks at nothing outside its match but the start of the
    text (no lookaround, no end or word boundary, no backreference)."""
    for op, av in items:
        if op not in (sre.LITERAL, sre.IN, sre.ANY, sre.MAX_REPEAT, sre.MIN_REPEAT, sre.AT):
            return False
        if op == sre.AT and av != sre.AT_BEGINNING:
            return False
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and not _self_contained(av[2].data):
            return False
    return True


def reach(pattern: re.Pattern[str]) -> int | None:
    """The longest match of a pattern each of whose matches holds a non-ASCII character and
    depends on nothing outside itself, or None when the pattern is not of that form.

    >>> reach(re.compile("[a-z]\\\\s?[ÃÂ] |^Â[ ]"))
    4
    >>> reach(re.compile("a+é")), reach(re.compile("ab")), reach(re.compile("(?=x)é"))
    (None, None, None)
    """
    if sre is None or pattern.flags & re.IGNORECASE:  # folding maps some letters to ASCII
        return None
    try:
        tree = sre_parser.parse(pattern.pattern, pattern.flags)
        widest = tree.getwidth()[1]
        items = tree.data
        single = len(items) == 1 and items[0][0] == sre.BRANCH
        branches = [b.data for b in items[0][1][1]] if single else [items]
        for branch in branches:
            if not _self_contained(branch) or not any(_non_ascii(op, av) for op, av in branch):
                return None
        return widest if widest < sre.MAXREPEAT else None
    except Exception:  # the parse tree of another Python: no shortcut, every text to ftfy
        return None


@functools.cache
def _badness_reach() -> int | None:
    """The reach of ftfy's badness pattern, for the ftfy whose repair it decides (6.x: a
    text it finds nothing in, or one of ASCII only, is returned as it is)."""
    pattern = getattr(badness, "BADNESS_RE", None)
    known = str(getattr(ftfy, "__version__", "")).startswith("6.")
    return reach(pattern) if known and isinstance(pattern, re.Pattern) else None


def near_non_ascii(text: str, width: int) -> str:
    """The stretches of a text within ``width - 1`` characters of a non-ASCII one, joined by
    line ends: every match at most ``width`` long that holds a non-ASCII character lies in one.

    >>> near_non_ascii("plain text, café au lait, and more plain text: naïve", 3)
    'afé a\\nnaïve'
    """
    around = width - 1
    stretches: list[str] = []
    start = end = -1
    for run in _NON_ASCII.finditer(text):
        low, high = max(0, run.start() - around), run.end() + around
        if low > end:
            if end >= 0:
                stretches.append(text[start:end])
            start = low
        end = max(end, high)
    if end >= 0:
        stretches.append(text[start:end])
    return "\n".join(stretches)


def may_hold_mojibake(text: str) -> bool:
    """False when ftfy's badness pattern finds nothing in the text (ftfy would leave it as it
    is); True when it may find something."""
    width = _badness_reach()
    if width is None:
        return True
    return not text.isascii() and badness.is_bad(near_non_ascii(text, width))
