"""Counting reads a text's words the way the passes' scan does, only faster."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct.language_model import _TOKEN, words_of
from pipeline.correct.tokens import scan, scan_words

# Letters of both cases (one that lowers to two characters), spaces and line breaks, sentence
# ends, hyphens and dashes, apostrophes, digits and signs that make a chunk untouchable.
ALPHABET = "aeoAEİß \n\t\xa0\x1c.,;-\u2010\u2013\u2014'’2@/_"
TEXTS = st.text(ALPHABET, max_size=80) | st.text(max_size=40)


@settings(max_examples=800, deadline=None)
@given(TEXTS, st.sampled_from([3, 8, 80]))
def test_scan_words_are_the_words_of_the_scan(text: str, max_chars: int) -> None:
    assert scan_words(text, max_chars) == [tok.word for tok in scan(text, max_chars)]


def test_scan_words_keeps_the_parts_of_a_hyphenated_word_and_drops_codes() -> None:
    text = "Well-marginated (T1) lesion, see www.example.com; e-mail x@y.org, CT-guided."
    assert scan_words(text, 80) == [tok.word for tok in scan(text, 80)]
    assert scan_words(text, 80) == ["Well", "marginated", "lesion", "see", "mail", "guided"]


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_words_of_lowers_each_word_found(text: str) -> None:
    assert words_of(text) == [m.group(0).lower() for m in _TOKEN.finditer(text)]
