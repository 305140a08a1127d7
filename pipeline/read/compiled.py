"""Rules prepared once for the read stage: what every block of every page asks of them.

A run reads all its pages with the same few rules objects (the base rules and each site
profile's), so what the read stage derives from a rule (a heading index, one pattern for a
list of patterns) is built on first use and kept per rules object, not rebuilt per page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import regex

T = TypeVar("T")

_BUILT: dict[tuple[int, str], tuple[object, object]] = {}
"""What was built, by the identity of the rule it was built from (held, so never reused)."""


def built_once(source: object, kind: str, build: Callable[[], T]) -> T:
    """What ``build`` makes of ``source``, made once per source object and kind."""
    entry = _BUILT.get((id(source), kind))
    if entry is None or entry[0] is not source:
        if len(_BUILT) >= 256:
            _BUILT.clear()
        entry = _BUILT[id(source), kind] = (source, build())
    return entry[1]  # type: ignore[return-value]


# A group that is not plain grouping or a lookaround: an inline flag, a recursion, a named or
# conditional group. Joined with other patterns, it could reach them.
_OPEN_GROUP = regex.compile(r"\(\?(?![:=!>#|]|<[=!])")


def joined(patterns: Sequence[regex.Pattern[str]]) -> regex.Pattern[str] | None:
    """One pattern that matches wherever any of ``patterns`` matches (their alternation), or
    None when they cannot be joined exactly: their flags differ, or one has a group (a
    backreference would be renumbered), an inline flag or a recursion.

    >>> from pipeline.rules import load_rules
    >>> joined(load_rules().boilerplate.line_patterns).match("  Go to top ") is not None
    True
    >>> joined([regex.compile(r"(a)\\1"), regex.compile("b")]) is None
    True
    """
    if not patterns:
        return None
    flags = patterns[0].flags
    if any(p.flags != flags or p.groups or _OPEN_GROUP.search(p.pattern) for p in patterns):
        return None
    try:
        one = regex.compile("|".join(f"(?:{p.pattern})" for p in patterns), flags)
    except regex.error:
        return None
    return one if one.groups == 0 else None


class AnyPattern:
    """Whether any pattern of a list matches at the start of a text, asked with one pattern
    where the list can be joined (see :func:`joined`), else of each in turn. (Anchored, one
    pattern is faster; searching a whole text, one alternation can be slower than its
    patterns, which each find their own first letters fast.)"""

    def __init__(self, patterns: Sequence[regex.Pattern[str]]) -> None:
        self.patterns = tuple(patterns)
        self.one = joined(self.patterns)

    def match(self, text: str) -> bool:
        """``any(p.match(text) for p in patterns)``."""
        if self.one is not None:
            return self.one.match(text) is not None
        return any(p.match(text) for p in self.patterns)


def any_pattern(patterns: Sequence[regex.Pattern[str]]) -> AnyPattern:
    """The :class:`AnyPattern` of a rules list, built once per list."""
    return built_once(patterns, "any", lambda: AnyPattern(patterns))
