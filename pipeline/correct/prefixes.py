"""How far a string can still grow into a word a correction may produce.

The candidate searches (typing slips, OCR misreadings) change a word at one place after
another, left to right; once the part before the place is no beginning of any target word,
no change further right can make one. The targets in sorted order answer that with one
bisection, so a search skips the places that cannot lead to a word instead of building and
looking up every string.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence


def shared_prefix(a: str, b: str) -> int:
    """Length of the longest common beginning of ``a`` and ``b``.

    >>> shared_prefix("lesoin", "lesion"), shared_prefix("ab", "abc"), shared_prefix("x", "y")
    (3, 2, 0)
    """
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class Prefixes:
    """The target words in sorted order: which beginnings of a string begin a target."""

    def __init__(self, order: Sequence[str]) -> None:
        """``order``: the targets, sorted (as :meth:`of` makes them)."""
        self._order = order

    @classmethod
    def of(cls, words: Iterable[str]) -> Prefixes:
        """The prefix index of any collection of words."""
        return cls(tuple(sorted(set(words))))

    def reach(self, text: str) -> int:
        """Length of the longest beginning of ``text`` that some target begins with.

        The target sharing the longest beginning with ``text`` sorts next to it, so the two
        neighbours of its place in the order decide.

        >>> Prefixes.of(["lesion", "lens"]).reach("lesoin"), Prefixes.of(["ab"]).reach("ab")
        (3, 2)
        """
        order = self._order
        at = bisect.bisect_left(order, text)
        if at < len(order) and order[at].startswith(text):
            return len(text)
        after = shared_prefix(text, order[at]) if at < len(order) else 0
        before = shared_prefix(text, order[at - 1]) if at else 0
        return max(before, after)
