"""The report's figures, added up from a run's rows as they are read, a batch at a time.

No table is held whole: the report of a million-page archive needs the counts of its
corrections, not the corrections. Rows of one case come together (the tables are written in
case order), which is how the pages of each (original → replacement) pair are counted
without keeping their case ids.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

Row = dict[str, Any]
Ranked = list[tuple[str, int, int]]
"""(value, applied, suggested) for each value, most edits first."""

BINS = 10
PAGE_BINS = ((0, 0), (1, 1), (2, 2), (3, 4), (5, 8), (9, 16), (17, 32), (33, 64), (65, None))
SUMMARY_CORRECTION_COLUMNS = (
    "case_id",
    "position",
    "section",
    "original",
    "replacement",
    "pass",
    "rule",
    "confidence",
    "applied",
    "to_review",
    "decision",
)
"""The corrections columns the figures read (the diffs of the cases read them all)."""
SUMMARY_CASE_COLUMNS = ("status", "n_edits_applied", "n_suggestions")


def waits(row: Row) -> bool:
    """Whether a correction waits for a reviewer: its ``to_review`` column, or, in tables
    without one, whether it is a suggestion."""
    flag = row.get("to_review")
    if isinstance(flag, bool):
        return flag
    return not row["applied"] if flag is None or pd.isna(flag) else bool(flag)


def decision(row: Row) -> str | None:
    value = row.get("decision")
    return value if isinstance(value, str) and value else None


def ranked(counts: Counter[tuple[str, bool]]) -> Ranked:
    """(value, applied, suggested) from counts of (value, applied), most edits first.

    >>> ranked(Counter({("ocr", True): 2, ("dictionary", False): 3, ("ocr", False): 1}))
    [('dictionary', 0, 3), ('ocr', 2, 1)]
    """
    names = {name for name, _ in counts}
    out = [(name, counts[(name, True)], counts[(name, False)]) for name in names]
    return sorted(out, key=lambda t: (-(t[1] + t[2]), t[0]))


def bin_of(confidence: float, bins: int = BINS) -> int:
    """The confidence bin of an edit: equal bins over 0..1, 1.0 in the last.

    >>> bin_of(0.0), bin_of(0.95), bin_of(1.0)
    (0, 9, 9)
    """
    return min(bins - 1, max(0, int(float(confidence) * bins)))


def page_bin_label(low: int, high: int | None) -> str:
    """The label of a bin of the pages-by-edits chart.

    >>> page_bin_label(3, 4), page_bin_label(1, 1), page_bin_label(65, None)
    ('3–4 edits', '1 edits', '65+ edits')
    """
    label = str(low) if low == high else (f"{low}+" if high is None else f"{low}–{high}")
    return f"{label} edits"


@dataclass
class Figures:
    """Counts of a run's cases and corrections, added a batch of rows at a time."""

    statuses: Counter[str] = field(default_factory=Counter)
    page_edits: Counter[int] = field(default_factory=Counter)
    """How many cases have each number of edits."""
    edits: int = 0
    applied: int = 0
    decisions: Counter[str | None] = field(default_factory=Counter)
    waiting: list[Row] = field(default_factory=list)
    passes: Counter[tuple[str, bool]] = field(default_factory=Counter)
    rules: Counter[tuple[str, bool]] = field(default_factory=Counter)
    kinds: Counter[tuple[str, bool]] = field(default_factory=Counter)
    confidence: Counter[tuple[int, bool]] = field(default_factory=Counter)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    pair_applied: Counter[tuple[str, str]] = field(default_factory=Counter)
    pair_pages: Counter[tuple[str, str]] = field(default_factory=Counter)
    _last_case: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def cases(self) -> int:
        return self.statuses.total()

    def add_cases(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.statuses[str(row["status"])] += 1
            self.page_edits[int(row["n_edits_applied"]) + int(row["n_suggestions"])] += 1

    def add_corrections(self, rows: Iterable[Row]) -> None:
        """Count corrections rows; a case's rows must come together, after the cases
        before it (the order the tables are written in)."""
        for row in rows:
            applied = bool(row["applied"])
            self.edits += 1
            self.applied += applied
            chosen = decision(row)
            self.decisions[chosen] += 1
            if chosen is None and waits(row):
                self.waiting.append(row)
            self.passes[(str(row["pass"]), applied)] += 1
            self.rules[(str(row["rule"]), applied)] += 1
            self.kinds[(str(row["section"]).partition(":")[0], applied)] += 1
            self.confidence[(bin_of(row["confidence"]), applied)] += 1
            self._pair(row, applied)

    def _pair(self, row: Row, applied: bool) -> None:
        pair, case_id = (str(row["original"]), str(row["replacement"])), str(row["case_id"])
        self.pairs[pair] += 1
        self.pair_applied[pair] += applied
        if self._last_case.get(pair) != case_id:
            self._last_case[pair] = case_id
            self.pair_pages[pair] += 1

    def top(self, limit: int) -> list[tuple[str, str, int, int, int]]:
        """The most frequent (original → replacement) pairs: count, applied, pages."""
        count = self.pairs
        best = heapq.nsmallest(limit, count, key=lambda p: (-count[p], p))
        return [(*p, count[p], self.pair_applied[p], self.pair_pages[p]) for p in best]

    def waiting_rows(self) -> list[Row]:
        """The corrections waiting for a reviewer, least confident first."""
        key = lambda r: (float(r["confidence"]), str(r["case_id"]), int(r["position"]))  # noqa: E731
        return sorted(self.waiting, key=key)

    def page_bins(self) -> Ranked:
        """How many pages have 0, 1, 2, 3-4, 5-8, ... edits, as chart rows."""
        out = []
        for low, high in PAGE_BINS:
            edits = self.page_edits.items()
            n = sum(k for e, k in edits if low <= e and (high is None or e <= high))
            out.append((page_bin_label(low, high), n, 0))
        return out

    def histogram_counts(self, bins: int = BINS) -> tuple[list[int], list[int]]:
        """Applied and suggested edits in each confidence bin."""
        applied = [self.confidence[(i, True)] for i in range(bins)]
        return applied, [self.confidence[(i, False)] for i in range(bins)]
