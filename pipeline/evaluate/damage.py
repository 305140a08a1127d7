"""Injected damage: whether raw text differs from gold only where damage was put in.

The dev archive was made by damaging clean text (see the gold format); a parser that keeps raw
text intact leaves exactly that damage. Line-wrap hyphen splits and stray spaces before
punctuation count as damage too, so only other differences show a parsing slip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

from pipeline.evaluate.align import align_groups, tokenize

_HYPHEN_SPACE = re.compile(r"-\s+")
_SQUASH = re.compile(r"[\s\-]+")


def _damage_pattern(damaged: dict[str, str]) -> re.Pattern[str] | None:
    """One regex for a section's damaged words, each standing on its own between letters.

    Damage was put into letter runs, also inside compounds and URLs (``right-sidod``,
    ``hn015.btml``), and a damaged word may carry punctuation of its own (``tumor.``), so a
    match only needs no letter on either side.

    >>> _damage_pattern({"sidod": "sided"}).findall("right-sidod, sidodx 2sidod")
    ['sidod', 'sidod']
    """
    if not damaged:
        return None
    words = sorted(damaged, key=len, reverse=True)
    body = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![^\W\d_])(?:{body})(?![^\W\d_])")


def _explained(
    noisy: Sequence[str],
    gold: Sequence[str],
    damaged: dict[str, str],
    pattern: re.Pattern[str] | None,
) -> bool:
    """Whether a differing group is accounted for by injected damage.

    Accepted: injected words (swapped back), line-wrap hyphen splits (``hema- topoiesis``,
    ``destruc-tion``, also around a damaged word) and stray spaces before punctuation; the
    comparison ignores whitespace and hyphens once the damaged words are swapped back.
    """
    target = _SQUASH.sub("", " ".join(gold))
    joined = " ".join(noisy)
    variants = (
        joined,
        _HYPHEN_SPACE.sub("", joined),
        joined.replace("-", ""),
        _HYPHEN_SPACE.sub("", joined).replace("-", ""),
    )
    for text in variants:
        fixed = text if pattern is None else pattern.sub(lambda m: damaged[m.group(0)], text)
        if _SQUASH.sub("", fixed) == target:
            return True
    return False


def differs_only_at_injected(raw: str, gold: str, injected: Iterable[Sequence[str]]) -> bool:
    """True when every word where ``raw`` and ``gold`` disagree is injected damage.

    >>> differs_only_at_injected("Tho hema- topoiesis .", "The hematopoiesis.", [["Tho", "The"]])
    True
    >>> differs_only_at_injected("Thx cat", "The cat", [["Tho", "The"]])
    False
    """
    damaged = {pair[0]: pair[1] for pair in injected}
    raw_tok, gold_tok = tokenize(raw), tokenize(gold)
    if raw_tok == gold_tok:
        return True
    pattern = _damage_pattern(damaged)
    return all(
        _explained(raw_tok[i1:i2], gold_tok[j1:j2], damaged, pattern)
        for i1, i2, j1, j2 in align_groups(raw_tok, gold_tok)
        if raw_tok[i1:i2] != gold_tok[j1:j2]
    )


def _spelling_only(noisy: Sequence[str], gold: Sequence[str], slack: int) -> bool:
    """Whether a differing group is the same words spelt otherwise (no word added or lost):
    as many words, a fifth of their letters changed at most, or a few letters in all."""
    squashed = _SQUASH.sub("", " ".join(noisy)), _SQUASH.sub("", " ".join(gold))
    distance = Levenshtein.distance(*squashed)
    same_count = len(noisy) == len(gold)
    return distance <= slack or (same_count and distance <= len(squashed[1]) // 5)


def same_text_but_spelling(
    raw: str, gold: str, injected: Iterable[Sequence[str]] = (), slack: int = 2
) -> bool:
    """True when ``raw`` holds the words of ``gold`` in order, up to spelling: every place they
    disagree is injected damage or a word spelt otherwise (a few letters), never a word, line
    or paragraph more or less. It judges structure alone: where a section starts and ends.

    >>> same_text_but_spelling("A Carcinomaa of the lung.", "A carcinoma of the lung.")
    True
    >>> same_text_but_spelling("CT shows a mass. Pleural effusion.", "CT shows a mass.")
    False
    """
    damaged = {pair[0]: pair[1] for pair in injected}
    raw_tok, gold_tok = tokenize(raw), tokenize(gold)
    pattern = _damage_pattern(damaged)
    return all(
        _explained(raw_tok[i1:i2], gold_tok[j1:j2], damaged, pattern)
        or _spelling_only(raw_tok[i1:i2], gold_tok[j1:j2], slack)
        for i1, i2, j1, j2 in align_groups(raw_tok, gold_tok)
        if raw_tok[i1:i2] != gold_tok[j1:j2]
    )


def first_difference(raw: str, gold: str) -> str:
    """The first aligned words that differ, for the report.

    >>> first_difference("a Carcinomaa b", "a Carcinoma b")
    "'Carcinomaa' vs gold 'Carcinoma'"
    """
    raw_tok, gold_tok = tokenize(raw), tokenize(gold)
    for i1, i2, j1, j2 in align_groups(raw_tok, gold_tok):
        if raw_tok[i1:i2] != gold_tok[j1:j2]:
            return f"{' '.join(raw_tok[i1:i2])!r} vs gold {' '.join(gold_tok[j1:j2])!r}"
    return ""
