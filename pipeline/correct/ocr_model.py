"""The OCR confusion model: which printed words a damaged word may have been.

An OCR engine misreads glyph shapes (``rn`` for ``m``, ``li`` for ``h``, ``e`` for ``c``), so a
damaged word is usually one or two misreadings away from the printed one. The model undoes
misreadings listed in ``rules/ocr_confusions.tsv``; the judge keeps only candidates that are
words and ranks them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet

from pipeline.correct.prefixes import Pool, Prefixes
from pipeline.rules import Confusion

_Step = tuple[str, str, float]
"""(seen, meant, log10 weight) of one misreading."""
_Route = tuple[str, float, int]
"""(text, log10 weight so far, where the next step may start) of one search route."""


class OcrModel:
    """Undo up to ``max_steps`` misreadings of a word; each route costs log10 of its weights."""

    def __init__(self, confusions: Iterable[Confusion], *, max_steps: int, memo_size: int) -> None:
        self.max_steps = max_steps
        self.memo_size = memo_size
        self._by_first: dict[str, list[_Step]] = {}
        self._ascii = True
        for c in confusions:
            cost = math.log10(c.weight)
            self._by_first.setdefault(c.seen[0], []).append((c.seen, c.meant, cost))
            self._ascii = self._ascii and c.meant.isascii()
        self._memo: dict[tuple[str, int], dict[str, float]] = {}
        self._readings: dict[tuple[str, int, int | None], dict[str, float]] = {}
        self._single, self._pair = self._indexed()

    def _indexed(self) -> tuple[dict[str, list[_Step]], dict[str, list[_Step]]]:
        """The misreadings that may start at a place, by the character there (those of one
        character) and by the two there (those of one character and those they begin), in
        table order: a place is tried only against what can match it."""
        single = {f: [s for s in steps if len(s[0]) == 1] for f, steps in self._by_first.items()}
        pair = {
            seen[:2]: [s for s in self._by_first[seen[0]] if len(s[0]) == 1 or s[0][:2] == seen[:2]]
            for steps in self._by_first.values()
            for seen, _, _ in steps
            if len(seen) > 1
        }
        return single, pair

    def _one_step(self, word: str, start: int) -> Iterator[tuple[str, float, int]]:
        single, pair = self._single, self._pair
        for i in range(start, len(word)):
            for seen, meant, cost in pair.get(word[i : i + 2]) or single.get(word[i], ()):
                if word.startswith(seen, i):
                    yield word[:i] + meant + word[i + len(seen) :], cost, i + len(meant)

    def candidates(self, word: str, steps: int | None = None) -> dict[str, float]:
        """Every string reachable by undoing misreadings, with its best log10 weight.

        Steps are applied left to right and never rewrite what an earlier step produced, so
        the search stays small and every route is a plain reading of the damage.
        """
        steps = self.max_steps if steps is None else min(steps, self.max_steps)
        key = (word, steps)
        found = self._memo.get(key)
        if found is not None:
            return found
        found = {}
        frontier: list[_Route] = [(word, 0.0, 0)]
        for _ in range(steps):
            frontier = self._step(frontier, found)
        found.pop(word, None)
        if len(self._memo) < self.memo_size:
            self._memo[key] = found
        return found

    def _step(self, frontier: list[_Route], found: dict[str, float]) -> list[_Route]:
        """Every route one misreading further; ``found`` keeps each string's best weight, and
        only a route that improves it goes on."""
        nxt = []
        for text, cost, start in frontier:
            for cand, step, resume in self._one_step(text, start):
                total = cost + step
                if total > found.get(cand, -math.inf):
                    found[cand] = total
                    nxt.append((cand, total, resume))
        return nxt

    def readings(self, word: str, steps: int, pool: Pool) -> dict[str, float]:
        """The candidates of :meth:`candidates` whose lowercase form is in the ``pool``, in
        the same order with the same weights, without building what cannot become one of them.

        Only the last step is pruned: there a route goes no further than the part before
        it still begins a word (``prefixes``). Earlier steps take every route, since the best
        weight of every string they reach decides which routes go on. An ASCII word keeps
        its length when lowercased, so a prefix of the text is a prefix of its lowercase
        form; other words are searched in full.
        """
        steps = min(steps, self.max_steps)
        key = (word, steps, pool.name)
        found = self._readings.get(key)
        if found is not None:
            return found
        words = pool.words
        if steps < 1:
            found = {}
        elif word.isascii() and self._ascii:
            found = self._pruned(word, steps, words, pool.prefixes)
        else:
            found = {c: w for c, w in self.candidates(word, steps).items() if c.lower() in words}
        if len(self._readings) < self.memo_size:
            self._readings[key] = found
        return found

    def _pruned(
        self, word: str, steps: int, words: AbstractSet[str], prefixes: Prefixes
    ) -> dict[str, float]:
        found: dict[str, float] = {}
        frontier: list[_Route] = [(word, 0.0, 0)]
        for _ in range(steps - 1):
            frontier = self._step(frontier, found)
        single, pair = self._single, self._pair
        for text, cost, start in frontier:
            stop = min(len(text), prefixes.reach(text.lower()) + 1)
            for i in range(start, stop):
                for seen, meant, step in pair.get(text[i : i + 2]) or single.get(text[i], ()):
                    if text.startswith(seen, i):
                        cand = text[:i] + meant + text[i + len(seen) :]
                        total = cost + step
                        if cand.lower() in words and total > found.get(cand, -math.inf):
                            found[cand] = total
        found.pop(word, None)
        return {c: w for c, w in found.items() if c.lower() in words}
