"""Rivals: common words two slips from a damaged word, which make a one-slip repair doubtful.

A word's candidates are the words one slip (or a few OCR misreadings) away from it, and their
probabilities are normalised over those candidates, as if nothing else could have been meant.
For a short word that is seldom so: ``pslt`` is one slip from ``pelt`` but two from ``put``,
which is a hundred times more common, and OCR damage drops or swaps two letters of a short word
as readily as one. The rivals are the common words at edit distance two (optimal string
alignment, through rapidfuzz); they join the scoring at the cost of two slips, and only as
doubt: a rival is never itself a repair, because two slips are too many to tell which word was
meant.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from pipeline.rules import RivalSettings


class RivalFinder:
    """The common words two edits from a short word, memoised per word (a run repeats them)."""

    def __init__(
        self,
        words: Iterable[str],
        zipf: Callable[[str], float],
        settings: RivalSettings,
        *,
        memo_size: int,
    ) -> None:
        self.settings = settings
        self.memo_size = memo_size
        self._words = words
        self._zipf = zipf
        self._by_length: dict[int, list[str]] | None = None
        self._memo: dict[str, tuple[str, ...]] = {}

    def _buckets(self) -> dict[int, list[str]]:
        """Common words by length, built on first use (a text without doubt never needs it)."""
        if self._by_length is None:
            longest = self.settings.max_length + 2
            buckets: dict[int, list[str]] = {}
            for word in sorted(self._words):
                if len(word) <= longest and self._zipf(word) >= self.settings.min_zipf:
                    buckets.setdefault(len(word), []).append(word)
            self._by_length = buckets
        return self._by_length

    def warm(self) -> None:
        """Build the buckets now, in a process about to fork workers that share them."""
        self._buckets()

    def of(self, word: str) -> tuple[str, ...]:
        """Common words exactly two edits from lowercase ``word``; none for a long word.

        >>> from pipeline.rules import RivalSettings
        >>> finder = RivalFinder(["put", "pelt", "the"], lambda w: 6.0,
        ...                      RivalSettings(max_length=6, min_zipf=4.5, cost=-6.5), memo_size=10)
        >>> finder.of("pslt")
        ('put',)
        """
        if len(word) > self.settings.max_length:
            return ()
        found = self._memo.get(word)
        if found is None:
            buckets = self._buckets()
            hits: list[str] = []
            for length in range(max(1, len(word) - 2), len(word) + 3):
                matches = process.extract(
                    word, buckets.get(length, ()), scorer=OSA.distance, score_cutoff=2, limit=None
                )
                hits.extend(match for match, distance, _ in matches if distance == 2)
            found = tuple(sorted(hits))
            if len(self._memo) < self.memo_size:
                self._memo[word] = found
        return found

    def likeliest(
        self, word: str, taken: Container[str], score: Callable[[str], float]
    ) -> tuple[str, float] | None:
        """The best-scoring rival of ``word`` that is not ``taken`` (already a candidate).

        Only the likeliest counts: the many rare words two slips from a short word would,
        summed, doubt every repair; one common word that fits the context is what does.
        """
        scored = [(score(rival), rival) for rival in self.of(word) if rival not in taken]
        if not scored:
            return None
        best, rival = max(scored)
        return rival, best
