"""How far a string can still grow into a word a correction may produce.

The candidate searches (typing slips, OCR misreadings) change a word at one place after
another, left to right; once the part before the place is no beginning of any target word,
no change further right can make one. The targets in sorted order answer that with one
bisection, so a search skips the places that cannot lead to a word instead of building and
looking up every string.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass


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


@dataclass(frozen=True)
class Pool:
    """Words a candidate search may end in, with their prefix index; ``name`` tells the
    pools apart where searches are remembered."""

    words: AbstractSet[str]
    prefixes: Prefixes
    name: int | None = None


class CommonPools:
    """The targets from a whole Zipf step of frequency on, with the words an archive spells
    often: where a repair of a dictionary word may come from.

    A dictionary word is only repaired into a clearly more frequent word (``min_gain`` more
    Zipf, or ``floor`` archive occurrences): searching just those words finds the same
    repairs in a fraction of the targets, and the prefix index of a small pool stops the
    searches early. The pools are built as asked for and kept.
    """

    def __init__(
        self,
        order: Sequence[str],
        zipf: Callable[[str], float],
        archive: Mapping[str, int],
        min_gain: float,
        floor: int,
    ) -> None:
        self._order = order
        self._zipf = zipf
        self._archive = archive
        self._min_gain = min_gain
        self._floor = floor
        self._pools: dict[int, Pool] = {}
        self._ranked: list[str] | None = None  # the targets, most frequent first
        self._levels: list[float] = []  # minus their Zipf values, ascending
        self._common: list[str] = []

    def of(self, zipf: float) -> Pool | None:
        """The pool of a dictionary word of this Zipf frequency; None for all the targets.

        A candidate passes when its Zipf minus the word's is at least ``min_gain``, so its
        own is at least that sum (less rounding): the pool holds every target from the whole
        step below the sum on, and every target the archive spells ``floor`` times.
        """
        step = math.floor(zipf + self._min_gain - _ROUNDING)
        if step <= 0 or self._floor <= 0:
            return None
        return self._pools.get(step) or self._pool(step)

    def warm(self) -> None:
        """Build every pool now: a process about to fork workers builds them once, and the
        workers share them instead of each sorting the targets and building its own."""
        if self._floor <= 0 or not self._order:
            return
        levels = self._ranking()[1]
        for step in range(1, math.floor(-levels[0] + self._min_gain - _ROUNDING) + 1):
            if step not in self._pools:
                self._pool(step)

    def _ranking(self) -> tuple[list[str], list[float]]:
        """The targets, most frequent first, and minus their Zipf values (made once)."""
        if self._ranked is None:
            seen, zipf = self._archive, self._zipf
            self._common = [w for w in self._order if seen.get(w, 0) >= self._floor]
            self._ranked = sorted(self._order, key=zipf, reverse=True)
            self._levels = [-zipf(w) for w in self._ranked]
        return self._ranked, self._levels

    def _pool(self, step: int) -> Pool:
        ranked, levels = self._ranking()
        count = bisect.bisect_right(levels, -step)
        words = frozenset(ranked[:count]).union(self._common)
        pool = self._pools[step] = Pool(words, Prefixes.of(words), step)
        return pool


_ROUNDING = 1e-9
"""More than the rounding error of a difference of two Zipf values."""
