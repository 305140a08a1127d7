"""What the case page and the pattern view show: edits with their state, and the patterns.

Built on :class:`~pipeline.review.state.ReviewState`: a case's edits as views (the outcome of
the decisions, whether the corrector's verdict waits for review, the readings to choose
from, whether the page's filters keep it), the JSON the page updates itself with after a
decision, and a pattern (one original -> replacement) with every occurrence in its context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.decisions import norm
from pipeline.edits import apply_edits
from pipeline.review.diff import SectionDiff
from pipeline.review.filters import Filters, distinct
from pipeline.review.state import ReviewState
from pipeline.review.views import EditView, edit_key, edit_title

MAX_READINGS = 9
CONTEXT = 60
PATTERN_PAGE = 100


def case_views(
    review: ReviewState, case: int, filters: Filters
) -> list[tuple[SectionDiff, list[EditView], str]]:
    """Each section of a case with its edits as shown and its clean text after the
    decisions."""
    store = review.store
    diff = store.case(case)
    queued = np.zeros(store.n_edits, bool)
    queued[review.queue(filters).edits] = True
    flat = iter(store.edits_of(case))
    out = []
    for section, outs, base in zip(
        diff.sections, review.outcomes(case), review.base(case), strict=True
    ):
        views = []
        for number, outcome, own in zip(section.numbers, outs, base, strict=True):
            edit = next(flat)
            views.append(
                EditView(
                    edit_key(section.position, number),
                    number,
                    outcome.edit,
                    outcome.superseded,
                    outcome.decision.scope if outcome.decision else None,
                    bool(store.arrays["to_review"][edit]),
                    tuple(dict.fromkeys((own.replacement, *own.alternatives)))[:MAX_READINGS],
                    bool(queued[edit]),
                    int(review.pair_count[store.arrays["pair"][edit]]),
                    int(review.rule_count[store.arrays["rule"][edit]]),
                )
            )
        out.append((section, views, apply_edits(section.raw, [v.edit for v in views])))
    return out


def case_state(review: ReviewState, case: int, filters: Filters) -> dict[str, Any]:
    """Everything the case page updates after a decision, as JSON."""
    sections = case_views(review, case, filters)
    edits = [
        {
            "key": v.key,
            "status": v.status,
            "applied": v.edit.applied,
            "decision": v.edit.decision,
            "scope": v.scope,
            "waiting": v.waiting,
            "replacement": v.edit.replacement,
            "title": edit_title(v),
        }
        for _, views, _ in sections
        for v in views
    ]
    return {
        "case_id": review.store.case_ids[case],
        "edits": edits,
        "sections": [{"position": s.position, "clean": clean} for s, _, clean in sections],
        "counts": review.counts(case),
        "totals": review.counts(),
    }


@dataclass(frozen=True)
class Occurrence:
    """One edit of a pattern, in its context, with the decisions honoured."""

    case_id: str
    key: str
    section: str
    before: str
    original: str
    replacement: str
    after: str
    confidence: float
    status: str
    waiting: bool


def pattern_code(review: ReviewState, original: str, replacement: str) -> int | None:
    """The code of a pattern (whitespace folded, as decisions match it), or None."""
    codes = {pair: i for i, pair in enumerate(review.store.pairs)}
    return codes.get((norm(original), norm(replacement)))


def pattern_edits(review: ReviewState, code: int) -> np.ndarray:
    """Every edit of a pattern, in case and text order."""
    return np.flatnonzero(review.store.arrays["pair"] == code)


def occurrences(review: ReviewState, edits: np.ndarray) -> list[Occurrence]:
    """These edits of one pattern with their context and state."""
    store, arrays = review.store, review.store.arrays
    views: dict[int, dict[str, tuple[str, EditView]]] = {}
    out = []
    for edit in edits.tolist():
        case = int(arrays["case"][edit])
        if case not in views:
            views[case] = {
                v.key: (s.section, v)
                for s, vs, _ in case_views(review, case, Filters())
                for v in vs
            }
        section, view = views[case][store.key(edit)]
        raw = store.raw_text(case, int(arrays["position"][edit]))
        start, end = int(arrays["start"][edit]), int(arrays["end"][edit])
        out.append(
            Occurrence(
                store.case_ids[case],
                view.key,
                section,
                norm(raw[max(0, start - CONTEXT) : start]),
                raw[start:end],
                view.edit.replacement,
                norm(raw[end : end + CONTEXT]),
                float(arrays["confidence"][edit]),
                view.status,
                view.waiting,
            )
        )
    return out


def patterns(
    review: ReviewState, filters: Filters, page: int, size: int = PATTERN_PAGE
) -> tuple[list[dict[str, Any]], int]:
    """One page of the patterns among the edits the filters keep (most edits first), with
    each one's edits, undecided edits and cases; and how many patterns there are."""
    store, arrays = review.store, review.store.arrays
    mask = filters.edit_mask(store, review.live)
    codes = arrays["pair"][mask].astype(np.int64)
    n = len(store.pairs)
    count = np.bincount(codes, minlength=n)
    waiting = np.bincount(arrays["pair"][mask & review.live.undecided(store)], minlength=n)
    pairs_on_cases = distinct(codes * max(1, len(store)) + arrays["case"][mask])
    cases = np.bincount(pairs_on_cases // max(1, len(store)), minlength=n)
    order = np.lexsort((np.arange(n), -count))
    order = order[count[order] > 0]
    rows = [
        {
            "original": store.pairs[i][0],
            "replacement": store.pairs[i][1],
            "edits": int(count[i]),
            "undecided": int(waiting[i]),
            "cases": int(cases[i]),
        }
        for i in order[(page - 1) * size : page * size].tolist()
    ]
    return rows, len(order)
