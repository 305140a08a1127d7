"""Damage: how damaged a section is, and how much a repair's prior follows from that.

Professionally edited prose has almost no word that no dictionary knows and no term class
explains; an OCR'd paragraph or a hastily typed note has several in a hundred. So the share
of *suspicious* words (lowercase words no lexicon knows and no term class explains, plus OCR
fingerprints such as a digit or an odd capital inside a word) estimates how damaged a text is.

The estimate is pooled: a section's own count is shrunk towards the rate of its section kind
in the archive (a run's discussions may be OCR'd while its summaries are typed), and that
towards the archive's rate, so a five-word title borrows the evidence of its kind. The rate
then sets the section's *cleanliness* ``c`` in 0..1: 0 from ``damaged_rate`` up (the passes
run as they always did), 1 at ``clean_rate`` and below (edited prose: a repair needs far more
evidence, and a capitalised unknown word is taken for a name), on a log scale in between.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from pipeline.correct.lexicon import Lexicon
from pipeline.correct.terms import TermFinder
from pipeline.correct.tokens import Token, scan
from pipeline.rules import DamageSettings
from pipeline.spaces import WHITE_SPACE

# OCR fingerprints inside a chunk: a digit between lowercase letters (f0r), a capital inside a
# word that starts in lowercase (faIse, paDcreas; brands and units such as PubMed, SpineJack,
# mmHg start with a capital or are short), a doubled quote inside a word (erythroc''te), a
# pipe or brace between letters (l|ver). One pattern each: the regex module tries an
# alternation's branches at every position, several times slower than each alone.
_FINGERPRINTS = tuple(
    regex.compile(pattern)
    for pattern in (r"\p{Ll}\d\p{Ll}", r"\p{L}''\p{L}", r"\p{L}[|{}~\\]\p{L}")
)
_INNER_CAPITAL = regex.compile(r"(?<![\p{L}\p{N}])(?=\p{L}{5})\p{Ll}+\p{Lu}\p{Ll}")
_CAMEL = regex.compile(r"\p{Ll}\p{Lu}\p{Ll}")
"""What every inner capital holds: a text without it has none to look for (most texts)."""
_SPACE = re.compile(f"[{WHITE_SPACE}]")

Sample = tuple[str | None, str]
"""A section of the archive as (section kind or None, text)."""


@dataclass
class Tally:
    """Words and suspicious words counted in some texts."""

    words: int = 0
    suspicious: int = 0

    def add(self, other: Tally) -> None:
        self.words += other.words
        self.suspicious += other.suspicious

    def rate(self, prior: float, weight: float) -> float:
        """The suspicious share, shrunk towards ``prior`` as if ``weight`` words had it."""
        return (self.suspicious + weight * prior) / (self.words + weight)


def count(tokens: Iterable[Token], text: str, lexicon: Lexicon, terms: TermFinder) -> Tally:
    """The words and suspicious words of one text, from its scan."""
    return count_words([tok.word for tok in tokens], text, Suspicion(lexicon, terms, 0))


def count_words(words: list[str], text: str, suspicion: Suspicion) -> Tally:
    """The words and suspicious words of one text, from its scan's words
    (:func:`~pipeline.correct.tokens.scan_words`)."""
    seen, suspicious = suspicion.seen, suspicion.of
    found = 0
    for word in words:
        if word.islower():
            known = seen.get(word)  # most words were judged already: no call for them
            found += suspicious(word) if known is None else known
    return Tally(len(words), found + fingerprinted_chunks(text))


@dataclass
class Suspicion:
    """Whether a lowercase word is suspicious: no lexicon knows it and no term class explains
    it. Kept for up to ``memo_size`` words, since words repeat across an archive and the
    answer never changes."""

    lexicon: Lexicon
    terms: TermFinder
    memo_size: int
    seen: dict[str, bool] = field(default_factory=dict)

    def of(self, word: str) -> bool:
        found = self.seen.get(word)
        if found is None:
            lexicon = self.lexicon
            found = not (
                lexicon.known(word)
                or lexicon.accepts(word)
                or lexicon.variant_of(word)
                or self.terms.word_class(word)
            )
            if len(self.seen) < self.memo_size:
                self.seen[word] = found
        return found


def fingerprinted_chunks(text: str) -> int:
    """How many chunks (between spaces) hold an OCR fingerprint. No fingerprint spans a
    space, so the matches of every pattern, in text order, find every chunk that holds one:
    a match is in a new chunk when a space lies between it and the matches before.

    >>> fingerprinted_chunks("f0r the faIse l|ver, f0rf0r and paDcreas")
    5
    """
    spans = [m.span() for pattern in _FINGERPRINTS for m in pattern.finditer(text)]
    if _CAMEL.search(text):
        spans += [m.span() for m in _INNER_CAPITAL.finditer(text)]
    spans.sort()
    found, last = 0, -1
    for start, end in spans:
        if last < 0 or _SPACE.search(text, last, start):
            found += 1
        last = max(last, end)
    return found


@dataclass
class DamageModel:
    """The archive's suspicious rates, overall and per section kind."""

    settings: DamageSettings
    overall: Tally = field(default_factory=Tally)
    kinds: dict[str | None, Tally] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        settings: DamageSettings,
        samples: Iterable[Sample],
        lexicon: Lexicon,
        terms: TermFinder,
        max_chars: int,
    ) -> DamageModel:
        """Count every section of the archive (each distinct text once)."""
        model = cls(settings)
        seen: set[str] = set()
        for kind, text in samples:
            if text in seen:
                continue
            seen.add(text)
            model.add(kind, count(scan(text, max_chars), text, lexicon, terms))
        return model

    def add(self, kind: str | None, tally: Tally) -> None:
        """Take one section's tally (counted wherever the section was read)."""
        self.overall.add(tally)
        self.kinds.setdefault(kind, Tally()).add(tally)

    def rate(self, kind: str | None, own: Tally) -> float:
        """A section's suspicious rate: its own, shrunk to its kind's, shrunk to the archive's."""
        s = self.settings
        archive = self.overall.rate(s.prior_rate, s.kind_weight)
        of_kind = self.kinds.get(kind, Tally()).rate(archive, s.kind_weight)
        return own.rate(of_kind, s.section_weight)

    def cleanliness(self, rate: float) -> float:
        """0 for damaged text, 1 for edited prose, log-linear in between.

        >>> from pipeline.rules import load_rules
        >>> model = DamageModel(load_rules().correct.damage)
        >>> model.cleanliness(0.05), model.cleanliness(0.0001)
        (0.0, 1.0)
        """
        s = self.settings
        if rate >= s.damaged_rate:
            return 0.0
        if rate <= s.clean_rate:
            return 1.0
        return math.log(s.damaged_rate / rate) / math.log(s.damaged_rate / s.clean_rate)
