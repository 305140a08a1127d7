"""Citation spans: runs of citation cues close together, the definition written out once.

``TermFinder.citation_spans`` keeps each run's reach as it goes (a reference list holds
hundreds of cues, and taking the run's furthest end again at every cue made it quadratic);
the test holds it to the plain definition over generated texts.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct.terms import TermFinder
from pipeline.rules import load_rules

FINDER = TermFinder(load_rules().term_classes)
_PIECES = ["et al. ", "2015;12:5. ", "doi:10.1/x ", "Radiology. ", "Smith J, ", "the mass ", ". "]


def _defined(text: str) -> list[tuple[int, int]]:
    """Every run of cues each within ``window`` of the run's furthest end so far; a run of
    ``min_cues`` or more is a span, ``margin`` wider on both sides."""
    cues = sorted((m.start(), m.end()) for cue in FINDER.cues for m in cue.finditer(text))
    spans, run = [], []
    for cue in [*cues, (len(text) + 2 * FINDER.window + 1, 0)]:
        if run and cue[0] - max(end for _, end in run) > FINDER.window:
            if len(run) >= FINDER.min_cues:
                start = max(0, run[0][0] - FINDER.margin)
                spans.append((start, max(e for _, e in run) + FINDER.margin))
            run = []
        run.append(cue)
    return spans


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_spans_are_the_runs_of_close_cues(text: str) -> None:
    assert FINDER.citation_spans(text) == _defined(text)


def test_a_long_reference_list_is_one_span() -> None:
    text = "Smith J, Lee K. Radiology. 2015;12:5. " * 2000
    [(start, end)] = FINDER.citation_spans(text)
    assert start == 0 and end >= len(text)
