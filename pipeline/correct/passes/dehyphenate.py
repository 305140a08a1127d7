"""Dehyphenate: undo line-wrap hyphens, keep the hyphens of real compounds.

Text copied from print keeps the hyphens that split words at line ends, usually followed by a
space where the line break was (``hema- topoiesis``), sometimes not (``destruc-tion``). The same
marks also belong to real compounds (``well- marginated`` is ``well-marginated`` with a stray
space) and to suspended hyphens (``T1- and T2-weighted``). Which reading is right is decided
from the lexicon, never from a list of split words: a join is made when the joined word is
known and the split does not read as a compound; doubtful cases are suggestions. The rules name
only what the lexicon cannot tell: compound-forming prefixes (``non-``, ``well-``), phrasal
particles (``follow-up``) and the words that mark a suspended hyphen.

Tunables (thresholds, compound-forming prefixes, confidences) are data in
``rules/dehyphenate.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import regex

from pipeline.correct.passes.base import PassContext
from pipeline.edits import Edit
from pipeline.rules import DehyphenateRules

PASS_NAME = "dehyphenate"

# A hyphen between two word-character runs, with at most one line break and some spaces after
# it. Neither side may touch another hyphen: chains such as ``C5-6-7`` or ``a- b- c`` are left
# alone (joining one link would only make a new split of the next).
_SPLIT = regex.compile(
    r"(?<![\w\-\u2010])(?<!\w[\-\u2010][ \t]*\n?[ \t]*)(?P<left>\w+)(?P<hyphen>[\-\u2010])"
    r"(?P<gap>[ \t]*\n?[ \t]*)(?P<right>\w+)(?![\w\-\u2010])"
)

_HYPHEN = regex.compile(r"[\-\u2010]")
_WORD_BEFORE = regex.compile(r"(?r)\w+")


def splits(text: str) -> Iterator[regex.Match[str]]:
    """The matches of ``_SPLIT.finditer(text)``, tried only where one can start.

    A split's left word is the whole run of word characters before its hyphen (the
    lookbehind forbids a word character before it), so each hyphen names the one place a
    split through it can start; the pattern is tried there and nowhere else, instead of at
    every character of the text.
    """
    done = 0
    for hyphen in _HYPHEN.finditer(text):
        at = hyphen.start()
        word = _WORD_BEFORE.search(text, done, at)
        if word is None or word.end() != at:
            continue
        m = _SPLIT.match(text, word.start())
        if m is not None:
            yield m
            done = m.end()


class WordLookup(Protocol):
    """What the pass needs from a lexicon."""

    def known(self, word: str) -> bool:
        """Whether ``word`` is a word of any lexicon."""
        ...

    def zipf(self, word: str) -> float:
        """General-English frequency on the Zipf scale, 0 when unknown."""
        ...


@dataclass(frozen=True)
class _Decision:
    kind: str  # key of the confidence table, also the edit's rule
    join: bool  # join the halves; otherwise keep the hyphen and drop the gap


def _zipf(lex: WordLookup, word: str) -> float:
    return max(lex.zipf(word), lex.zipf(word.lower()))


def _known(lex: WordLookup, word: str) -> bool:
    return lex.known(word) or lex.known(word.lower())


def _is_word(lex: WordLookup, word: str, rules: DehyphenateRules) -> bool:
    """A standalone word: frequent enough, or a long dictionary word (fragments are short)."""
    z = _zipf(lex, word)
    if z >= rules.word_zipf:
        return True
    return len(word) >= rules.long_word and _known(lex, word)


def _join_reads_better(lex: WordLookup, left: str, right: str, rules: DehyphenateRules) -> bool:
    """Whether the joined word beats the two-word (compound) reading on frequency."""
    zj = _zipf(lex, left + right)
    if zj >= rules.common_join_zipf:
        return True
    return zj >= min(_zipf(lex, left), _zipf(lex, right)) - rules.join_margin


def _decide_spaced(
    lex: WordLookup, left: str, right: str, rules: DehyphenateRules
) -> _Decision | None:
    """``left- right``: a line wrap unless the halves read as a compound.

    A space after a hyphen is far more often a lost line break than a compound's stray space,
    so a known joined word wins unless a compound-forming prefix or particle says otherwise.
    """
    if right.lower() in rules.suspension_words:
        return None
    left_word = _is_word(lex, left, rules)
    right_word = _is_word(lex, right, rules)
    prefix = left.lower() in rules.compound_prefixes
    if prefix and right_word:
        return _Decision("compound", join=False)
    if _known(lex, left + right):
        rare_join = _zipf(lex, left + right) < rules.common_join_zipf
        if rare_join and left_word and right.lower() in rules.compound_particles:
            return _Decision("compound", join=False)
        if not (left_word and right_word) or _join_reads_better(lex, left, right, rules):
            return _Decision("line_wrap", join=True)
        return _Decision("line_wrap_rare", join=True)
    if left_word and right_word:
        headed = right.lower().endswith(rules.compound_head_endings)
        return _Decision("compound" if headed else "compound_doubtful", join=False)
    if not _known(lex, left) and not prefix:
        return _Decision("damaged_wrap", join=True)
    return _Decision("doubtful_wrap", join=True)


def _decide_capitals(
    lex: WordLookup, left: str, right: str, rules: DehyphenateRules
) -> _Decision | None:
    """``DEMOGRA- PHICS`` in a capitalised heading: joined only into a common word."""
    if _zipf(lex, left + right) < rules.common_join_zipf:
        return None
    if _is_word(lex, left, rules) and _is_word(lex, right, rules):
        return None
    return _Decision("line_wrap", join=True)


def _combining_form(left: str, right: str) -> bool:
    """``septo-optic``, ``jejuno-ileal``: a combining form keeps its hyphen before a vowel."""
    return left[-1:].lower() == "o" and right[:1].lower() in "aeiou"


def _decide_tight(
    lex: WordLookup, left: str, right: str, rules: DehyphenateRules
) -> _Decision | None:
    """``left-right``: a compound unless a half is plainly a fragment of a split word.

    A left half no dictionary knows (``esopha-gus``, ``nodu-les``) is a fragment: the known
    joined word wins. Combining forms before a vowel (``septo-optic``, ``jejuno-ileal``) keep
    their hyphen unless the joined word is common; two words (``his-tory``) are joined only
    into a very common word.
    """
    if left.lower() in rules.compound_prefixes:
        return None
    right_word = _is_word(lex, right, rules)
    if _is_word(lex, left, rules) and right_word:
        if _zipf(lex, left + right) >= rules.common_tight_join_zipf:
            return _Decision("line_wrap_rare", join=True)
        return None
    if _known(lex, left + right):
        common = _zipf(lex, left + right) >= rules.common_join_zipf
        if _combining_form(left, right) and not common:
            return _Decision("doubtful_wrap_tight", join=True)
        if not right_word or common or not _known(lex, left):
            return _Decision("line_wrap_tight", join=True)
        return _Decision("doubtful_wrap_tight", join=True)
    if not _known(lex, left) and not _known(lex, right):
        return _Decision("damaged_wrap_tight", join=True)
    return None


def _decide(
    lex: WordLookup, left: str, right: str, spaced: bool, rules: DehyphenateRules
) -> _Decision | None:
    """The reading of one ``left-right`` split, or None to leave it as written."""
    if not (left.isalpha() and right.isalpha()) or len(left) < 2:
        return None
    if spaced and left.isupper() and right.isupper():
        return _decide_capitals(lex, left, right, rules)
    if not right[0].islower() or left.isupper():
        return None
    if spaced:
        return _decide_spaced(lex, left, right, rules)
    return _decide_tight(lex, left, right, rules)


def _edit(start: int, original: str, replacement: str, kind: str, rules: DehyphenateRules) -> Edit:
    confidence = rules.confidence[kind]
    rule = kind.replace("_", "-")
    return Edit.rated(
        start, original, replacement, PASS_NAME, rule, confidence, rules.apply_threshold
    )


def find_edits(text: str, lexicon: WordLookup, rules: DehyphenateRules) -> list[Edit]:
    """Edits (in offsets of ``text``) joining line-wrap splits and closing split compounds."""
    edits = []
    for m in splits(text):
        left, right, gap = m.group("left"), m.group("right"), m.group("gap")
        decision = _decide(lexicon, left, right, bool(gap), rules)
        if decision is None:
            continue
        joint = "" if decision.join else m.group("hyphen")
        edits.append(_edit(m.start(), m.group(), left + joint + right, decision.kind, rules))
    return sorted(edits, key=lambda e: (e.start, e.end))


class DehyphenatePass:
    """The pass object: :func:`find_edits` with the run's lexicon and ``dehyphenate.yaml``."""

    name = PASS_NAME

    def find_edits(self, text: str, context: PassContext) -> list[Edit]:
        return find_edits(text, context.lexicon, context.rules.dehyphenate)


PASS = DehyphenatePass()
