"""Scanning a text again around the changes a pass made gives the tokens of a full scan."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct.passes.base import _spliced
from pipeline.correct.tokens import Change, rescan, scan

# Letters, capitals, spaces of several kinds and line breaks, sentence ends, hyphens and a
# dash, a digit, an apostrophe, a sign that makes a chunk untouchable.
ALPHABET = "aeoAB \n\n\t\xa0.,-\u2013'2@"
TEXTS = st.text(ALPHABET, max_size=60)


@st.composite
def changed_texts(draw: st.DrawFn) -> tuple[str, list[Change]]:
    """A text and changes of it: sorted, apart, some empty spans and empty replacements."""
    text = draw(TEXTS)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    spans = list(zip(cuts[::2], cuts[1::2], strict=False))
    changes = []
    for start, end in spans:
        if changes and start < changes[-1][1]:
            continue
        changes.append((start, end, draw(st.text(ALPHABET, max_size=8))))
    return text, changes


@settings(max_examples=600, deadline=None)
@given(changed_texts(), st.sampled_from([4, 8, 80]))
def test_rescan_is_the_full_scan_of_the_changed_text(
    case: tuple[str, list[Change]], max_chars: int
) -> None:
    old, changes = case
    new = _spliced(old, changes)
    assert rescan(old, scan(old, max_chars), new, changes, max_chars) == scan(new, max_chars)


def test_rescan_measures_a_changed_line_again() -> None:
    old = "Alpha Bravo Charlie delta echo foxtrot golf Hotel\nIndia"
    change = [(39, 43, "Golf")]  # five capitalised words of eight: a Title Case line now
    new = _spliced(old, change)
    assert [t.title_line for t in scan(old, 80)][1] is False
    assert [t.title_line for t in scan(new, 80)][1] is True
    assert rescan(old, scan(old, 80), new, change, 80) == scan(new, 80)
