"""The pruned candidate searches find exactly what the full searches find among the targets."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct.ocr_model import OcrModel
from pipeline.correct.prefixes import Prefixes
from pipeline.correct.slips import edits1_in, edits1_strings
from pipeline.rules import Confusion
from pipeline.rules.spelling import confusions

RULES = Path(__file__).resolve().parent.parent / "rules"
MODEL = OcrModel(confusions(RULES / "ocr_confusions.tsv"), max_steps=2, memo_size=0)
# Letters the confusion table reads most, so that random words reach many candidates.
LETTERS = "rnmilhcdoeaItu1'"
WORDS = st.text(LETTERS, min_size=1, max_size=9)


def _targets(word: str, pick: st.DataObject) -> frozenset[str]:
    """Some of the word's own readings (lowercased) and some strings that are none."""
    readings = sorted({c.lower() for c in MODEL.candidates(word)})
    chosen = pick.draw(st.lists(st.sampled_from(readings))) if readings else []
    noise = pick.draw(st.lists(WORDS, max_size=5))
    return frozenset(chosen) | frozenset(n.lower() for n in noise)


@settings(max_examples=300, deadline=None)
@given(WORDS, st.integers(0, 3), st.data())
def test_ocr_readings_are_the_full_search_among_the_targets(
    word: str, steps: int, data: st.DataObject
) -> None:
    targets = _targets(word, data)
    full = {c: w for c, w in MODEL.candidates(word, steps).items() if c.lower() in targets}
    found = MODEL.readings(word, steps, targets, Prefixes.of(targets))
    assert list(found.items()) == list(full.items())  # same order, same weights


def test_ocr_readings_of_a_non_ascii_word_are_searched_in_full() -> None:
    pairs = [Confusion("lı", "h", 0.5), Confusion("é", "e", 0.5)]
    model = OcrModel(pairs, max_steps=2, memo_size=9)
    targets = frozenset({"the", "thé"})
    found = model.readings("tlıé", 2, targets, Prefixes.of(targets))
    assert set(found) == {"the", "thé"}
    assert found == {c: w for c, w in model.candidates("tlıé").items() if c in targets}


@settings(max_examples=300, deadline=None)
@given(st.text("abelnost", max_size=8), st.lists(st.text("abelnost", max_size=8), max_size=30))
def test_slips_with_prefixes_are_all_slips_into_the_words(word: str, words: list[str]) -> None:
    near = sorted(edits1_strings(word))[:: max(1, len(words))]  # some hits, not all
    pool = frozenset(words) | frozenset(near)
    assert edits1_in(word, pool, Prefixes.of(pool)) == edits1_strings(word) & pool


@given(st.text("abc", max_size=6), st.lists(st.text("abc", max_size=6), min_size=1))
def test_reach_is_the_longest_beginning_some_word_shares(text: str, words: list[str]) -> None:
    best = max(n for w in words for n in range(len(text) + 1) if w.startswith(text[:n]))
    assert Prefixes.of(words).reach(text) == best
