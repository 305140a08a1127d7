"""Spelling candidates for a word, with the probability that a typist produced it.

Human misspellings are overwhelmingly one edit from the intended word (a dropped, doubled,
transposed, inserted or swapped letter), so candidates are generated as every lexicon word one
edit away, each with a channel cost that depends on the kind of edit: doubling a letter or
hitting a neighbouring key is more likely than an arbitrary substitution. Combined with one
OCR misreading (see :mod:`pipeline.correct.ocr_model`) this reaches edit distance 2 where the
damage is of a known kind, without the cost of an all-pairs distance-2 search.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from pipeline.correct.prefixes import Pool, Prefixes
from pipeline.rules import ChannelCosts

LETTERS = "abcdefghijklmnopqrstuvwxyz"
VOWELS = frozenset("aeiouy")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_PHONETIC = frozenset(
    {
        ("c", "k"),
        ("k", "c"),
        ("s", "z"),
        ("z", "s"),
        ("c", "s"),
        ("s", "c"),
        ("i", "y"),
        ("y", "i"),
        ("f", "v"),
        ("v", "f"),
        ("j", "g"),
        ("g", "j"),
    }
)


def _keyboard_neighbours() -> dict[str, frozenset[str]]:
    pos = {ch: (r, c + 0.5 * r) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}
    near: dict[str, frozenset[str]] = {}
    for a, (ra, ca) in pos.items():
        near[a] = frozenset(
            b for b, (rb, cb) in pos.items() if b != a and abs(ra - rb) <= 1 and abs(ca - cb) <= 1
        )
    return near


NEIGHBOURS = _keyboard_neighbours()


def _sub_cost(typed: str, meant: str, costs: ChannelCosts) -> float:
    if typed in NEIGHBOURS.get(meant, ()):
        return costs.sub_near
    if (meant, typed) in _PHONETIC:
        return costs.sub_phonetic
    if typed in VOWELS and meant in VOWELS:
        return costs.sub_vowel
    return costs.sub


def _slip(word: str, cand: str, costs: ChannelCosts) -> tuple[float, str]:
    """Kind and cost of the single slip that turns ``cand`` (meant) into ``word`` (typed)."""
    n, m = len(word), len(cand)
    i = 0
    while i < min(n, m) and word[i] == cand[i]:
        i += 1
    if n == m + 1:  # an extra letter typed at i
        ch = word[i]
        if (i > 0 and word[i - 1] == ch) or (i + 1 < n and word[i + 1] == ch):
            return costs.double, "double"
        near = NEIGHBOURS.get(ch, frozenset())
        if (i > 0 and word[i - 1] in near) or (i + 1 < n and word[i + 1] in near):
            return costs.insert_near, "insert"
        return costs.insert, "insert"
    if n + 1 == m:  # a letter of the candidate dropped at i
        ch = cand[i]
        if (i > 0 and cand[i - 1] == ch) or (i + 1 < m and cand[i + 1] == ch):
            return costs.undouble, "delete"
        if i == 0:  # OCR loses a word's first glyph (a drop cap, a smudge at the margin)
            return costs.delete_initial, "delete"
        return (costs.delete_vowel if ch in VOWELS else costs.delete), "delete"
    swapped = i + 1 < n and word[i] == cand[i + 1] and word[i + 1] == cand[i]
    if swapped and word[i + 2 :] == cand[i + 2 :]:
        return costs.transpose, "transpose"
    return _sub_cost(word[i], cand[i], costs), "substitute"


def edits1_strings(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    out.update(a + c + b[1:] for a, b in splits if b for c in LETTERS)
    out.update(a + c + b for a, b in splits for c in LETTERS)
    out.discard(word)
    return out


def edits1_in(word: str, words: AbstractSet[str], prefixes: Prefixes | None = None) -> set[str]:
    """The strings of :func:`edits1_strings` that are in ``words``, without building them all
    into a set first (each is made in one step and looked up at once: this runs for every
    distinct word of a run).

    With the ``prefixes`` of ``words``, a slip is only tried where the part of the word before
    it still begins a word: every string made by a slip at ``i`` begins with ``word[:i]``.
    """
    last = len(word) if prefixes is None else min(len(word), prefixes.reach(word))
    hits: set[str] = set()
    for i in range(last + 1):
        a, b = word[:i], word[i:]
        hits.update([s for c in LETTERS if (s := f"{a}{c}{b}") in words])
        if b:
            rest = b[1:]
            hits.update([s for c in LETTERS if (s := f"{a}{c}{rest}") in words])
            if (s := a + rest) in words:
                hits.add(s)
            if rest and (s := f"{a}{rest[0]}{b[0]}{rest[1:]}") in words:
                hits.add(s)
    hits.discard(word)
    return hits


def edits1(word: str, costs: ChannelCosts) -> dict[str, tuple[float, str]]:
    """Every string one edit from ``word`` (lowercase), with the cost of the slip and its kind.

    The slip is seen from the writer: the candidate is what was meant, ``word`` what was
    typed.
    """
    return {cand: _slip(word, cand, costs) for cand in edits1_strings(word)}


class CandidateFinder:
    """Lexicon words one slip from a word, memoised per word (a run repeats its words)."""

    def __init__(
        self,
        targets: AbstractSet[str],
        costs: ChannelCosts,
        *,
        memo_size: int,
        order: Sequence[str] | None = None,
    ) -> None:
        """``order``: the targets sorted, when the caller has them (sorting takes a while)."""
        self.targets = targets
        self.order = tuple(sorted(targets)) if order is None else order
        self.prefixes = Prefixes(self.order)
        self.all = Pool(targets, self.prefixes)
        self.costs = costs
        self.memo_size = memo_size
        self._memo: dict[tuple[str, int | None], dict[str, tuple[float, str]]] = {}

    def candidates(self, word: str, pool: Pool | None = None) -> dict[str, tuple[float, str]]:
        """Target words one edit from lowercase ``word``: candidate -> (log10 cost, kind);
        only those of ``pool`` (a subset of the targets) when one is given."""
        key = (word, None if pool is None else pool.name)
        found = self._memo.get(key)
        if found is None:
            within = self.all if pool is None else pool
            hits = edits1_in(word, within.words, within.prefixes)
            found = {c: _slip(word, c, self.costs) for c in sorted(hits)}
            if len(self._memo) < self.memo_size:
                self._memo[key] = found
        return found
