"""Memos of the corrector: a remembered verdict is the verdict computed afresh."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from pipeline.correct import Corrector
from pipeline.correct.judge import Judge, SectionWords
from pipeline.correct.language_model import words_of
from pipeline.correct.lexicon import Lexicon
from pipeline.correct.tokens import Token, scan
from pipeline.rules import Rules, load_rules
from tests.test_correct import PROTECTED, sample_sections

# Damage of every kind the judge sees, in contexts that repeat with other neighbours.
EXTRA = [
    "A sever anemia with sever pain; the lesion is weIl marginated and hemolltic.",
    "Iow signal in the upper lob, the upper lob enhances. Recieved tho contrast of tho liver.",
    "Smith J, Jonse K. Diagn. Radiol. 2015;12:5. The lesoin and the lesoin again.",
    "Lesoin of the liver. A lesoin, a Lesoin; Iesion and Iow attenuation of the Iesion.",
    "A tumuor beside a tumuor.",
]


def _rules(verdicts: int) -> Rules:
    rules = load_rules()
    return replace(rules, correct=rules.correct.model_copy(update={"verdict_memo_size": verdicts}))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [*sample_sections().values(), *EXTRA]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load(load_rules())


def _corrector(rules: Rules, lexicon: Lexicon, texts: list[str]) -> Corrector:
    return Corrector.for_sections(rules, lexicon, [(None, t) for t in texts])


def _section_kinds(text: str) -> list[SectionWords]:
    """The same words in sections that differ in everything a verdict may read of them."""
    own = Counter(words_of(text))
    shield = frozenset({"smith"})
    return [
        SectionWords(shield, own, True, 0.0),
        SectionWords(shield, own, False, 0.0),
        SectionWords(shield, own, True, 1.0),
        SectionWords(frozenset(), Counter(), False, 0.5),
        SectionWords(shield, Counter(), True, 0.0),
        SectionWords(shield, Counter(), False, 0.0),
        SectionWords(shield, own + own, True, 0.25),
    ]


def _variants(tok: Token) -> list[Token]:
    """The token, and the token in every other place a verdict tells apart."""
    flags = ("initial", "title_line", "dotted", "citation", "name")
    return [tok, *(tok._replace(**{f: not getattr(tok, f)}) for f in flags)]


def test_remembered_verdicts_equal_fresh_ones(texts: list[str], lexicon: Lexicon) -> None:
    remembering = _corrector(_rules(300_000), lexicon, texts).judge
    fresh_judge = _corrector(_rules(0), lexicon, texts).judge
    asked = 0
    for _ in range(2):  # the second time round every verdict comes from the memo
        for text in texts:
            tokens = [v for t in remembering.mark(text, scan(text, 80)) for v in _variants(t)]
            for words in _section_kinds(text):
                for tok in tokens:
                    assert remembering.verdict(tok, words) == fresh_judge.verdict(tok, words), tok
                    asked += 1
    assert asked > 1000
    assert remembering._verdicts and not fresh_judge._verdicts
    assert any(v is not None for v in remembering._verdicts.values())


def test_the_verdict_memo_stops_growing_at_its_size(texts: list[str], lexicon: Lexicon) -> None:
    judge: Judge = _corrector(_rules(5), lexicon, texts).judge
    for text in texts:
        words = _section_kinds(text)[0]
        for tok in judge.mark(text, scan(text, 80)):
            judge.verdict(tok, words)
    assert len(judge._verdicts) == 5


def test_corrections_are_the_same_with_and_without_the_memo(
    texts: list[str], lexicon: Lexicon
) -> None:
    with_memo = _corrector(_rules(300_000), lexicon, texts)
    without = _corrector(_rules(0), lexicon, texts)
    for text in texts:
        for section in (None, "discussion", "title"):
            a = with_memo.clean(text, protected=PROTECTED, section=section)
            b = without.clean(text, protected=PROTECTED, section=section)
            assert a == b
