"""The review's one state in the URL: filters and sort, and what follows from them.

The case list, the case page and the pattern view carry the same query string, so a filter
set on the list holds on every page: it lists the cases, and it makes the *queue*, the edits
that pass the filters in the list's order, which ``j``/``k``, auto-advance and ``n``/``p``
follow across cases. Sorting by confidence orders the queue edit by edit across the run
("lowest confidence first"); any other sort takes the cases in the list's order and each
case's edits in text order. Everything here is arithmetic over the arrays of
:class:`~pipeline.review.store.Store`, so it stays fast at 100,000 cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import numpy as np

from pipeline.review.store import Store

KINDS = ("applied", "suggested")
DECISIONS = ("undecided", "accepted", "rejected")
SORTS = ("case", "title", "status", "edits", "to_review", "undecided", "confidence")
PAGE_SIZE = 50
NONE, ACCEPTED, REJECTED = 0, 1, 2


@dataclass
class Live:
    """What decisions change, one entry per edit: the effective decision (superseded edits
    count as rejected), whether it is applied now, and the scope that decided it."""

    decision: np.ndarray
    applied: np.ndarray
    scope: np.ndarray
    superseded: np.ndarray

    @classmethod
    def of(cls, store: Store) -> Live:
        """Nothing decided: every edit as the corrector left it."""
        n = store.n_edits
        return cls(
            np.zeros(n, np.int8),
            store.arrays["proposed"].copy(),
            np.zeros(n, np.int8),
            np.zeros(n, bool),
        )

    def undecided(self, store: Store) -> np.ndarray:
        """Edits waiting for a reviewer that nobody decided."""
        return store.arrays["to_review"] & (self.decision == NONE)


def _unit(query: Mapping[str, str], name: str) -> float | None:
    """A confidence bound from the query: a number in 0..1, or None."""
    try:
        value = float(query.get(name, ""))
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def _sort(value: str) -> str:
    return value if value.lstrip("-") in SORTS else "case"


def _page(value: str) -> int:
    return int(value) if value.isdigit() and 0 < int(value) < 10**7 else 1


@dataclass(frozen=True)
class Filters:
    """The filters and sort of the query string; an edit filter lists a case when one of its
    edits passes. ``kind`` is the corrector's verdict (applied or suggested), so deciding an
    edit never moves it from one kind to the other."""

    q: str = ""
    pass_name: str = ""
    rule: str = ""
    cmin: float | None = None
    cmax: float | None = None
    kind: str = ""
    decision: str = ""
    sort: str = "case"
    page: int = 1

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        """The filters of a query string; anything out of range or unknown is dropped."""
        return cls(
            q=query.get("q", "").strip()[:200],
            pass_name=query.get("pass", "")[:100],
            rule=query.get("rule", "")[:200],
            cmin=_unit(query, "cmin"),
            cmax=_unit(query, "cmax"),
            kind=query.get("kind", "") if query.get("kind", "") in KINDS else "",
            decision=query.get("decision", "") if query.get("decision", "") in DECISIONS else "",
            sort=_sort(query.get("sort", "")),
            page=_page(query.get("page", "")),
        )

    @property
    def on_edits(self) -> bool:
        """Whether any filter is about edits (the search is about cases)."""
        bounds = (self.cmin, self.cmax) != (None, None)
        return bounds or any((self.pass_name, self.rule, self.kind, self.decision))

    @property
    def by_confidence(self) -> bool:
        return self.sort.lstrip("-") == "confidence"

    def query(self, **changes: object) -> str:
        """The state as a query string (``page`` left out unless changed to one), to carry it
        from page to page."""
        state = replace(self, **changes) if changes else self
        pairs = {
            "q": state.q,
            "pass": state.pass_name,
            "rule": state.rule,
            "cmin": "" if state.cmin is None else f"{state.cmin:g}",
            "cmax": "" if state.cmax is None else f"{state.cmax:g}",
            "kind": state.kind,
            "decision": state.decision,
            "sort": "" if state.sort == "case" else state.sort,
            "page": str(state.page) if "page" in changes and state.page > 1 else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def edit_mask(self, store: Store, live: Live) -> np.ndarray:
        """Which edits pass every edit filter, with the current decisions."""
        arrays = store.arrays
        mask = np.ones(store.n_edits, bool)
        if self.pass_name:
            bit = store.passes.index(self.pass_name) if self.pass_name in store.passes else -1
            mask &= (arrays["pass_bits"] & (1 << bit)) != 0 if bit >= 0 else False
        if self.rule:
            rule = store.rules.index(self.rule) if self.rule in store.rules else -1
            mask &= arrays["rule"] == rule
        if self.cmin is not None:
            mask &= arrays["confidence"] >= self.cmin
        if self.cmax is not None:
            mask &= arrays["confidence"] <= self.cmax
        if self.kind:
            mask &= arrays["proposed"] == (self.kind == "applied")
        if self.decision == "undecided":
            mask &= live.undecided(store)
        elif self.decision:
            mask &= live.decision == (ACCEPTED if self.decision == "accepted" else REJECTED)
        return mask


def case_mask(store: Store, filters: Filters) -> np.ndarray:
    """Which cases the search keeps (every word somewhere in the case)."""
    words = filters.q.casefold().split()
    if not words:
        return np.ones(len(store), bool)
    texts = store.search_texts()
    return np.array([all(w in t for w in words) for t in texts], bool)


def per_case(store: Store, mask: np.ndarray) -> np.ndarray:
    """How many of each case's edits the mask holds."""
    return np.bincount(store.arrays["case"][mask], minlength=len(store))


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: ``np.unique`` by a sort, which on a million codes is
    several times faster than the hash table numpy 2 picks for integers.

    >>> distinct(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def text_rank(store: Store, name: str) -> np.ndarray:
    """Each case's place among the cases by title (casefolded) or status, computed once: a
    sort of 100,000 strings is too slow to do again for every page."""
    rank = store.orders.get(name)
    if rank is None:
        texts = [t.casefold() for t in store.titles] if name == "title" else store.statuses
        _, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
        rank = store.orders[name] = inverse.astype(np.int64)
    return rank


def sort_values(store: Store, live: Live, filters: Filters, matching: np.ndarray) -> Sequence:
    """The value each case is sorted by (before the direction is applied)."""
    name = filters.sort.lstrip("-")
    arrays = store.arrays
    if name in ("title", "status"):
        return text_rank(store, name)
    if name == "edits":
        return np.diff(store.offsets)
    if name == "to_review":
        return per_case(store, arrays["to_review"])
    if name == "undecided":
        return per_case(store, live.undecided(store))
    if name == "confidence":
        kept = np.where(matching, arrays["confidence"], np.inf)
        if not len(kept):
            return np.full(len(store), np.inf)
        starts = np.minimum(store.offsets[:-1], len(kept) - 1)
        lowest = np.minimum.reduceat(kept, starts)
        return np.where(np.diff(store.offsets) > 0, lowest, np.inf)
    return np.arange(len(store))


def listing(store: Store, live: Live, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
    """The cases the filters keep, in the sort's order, and every case's matching edits."""
    matching = filters.edit_mask(store, live)
    counts = per_case(store, matching)
    keep = case_mask(store, filters)
    if filters.on_edits:
        keep &= counts > 0
    values = sort_values(store, live, filters, matching)
    kept = np.flatnonzero(keep)
    _, rank = np.unique(np.asarray(values)[kept], return_inverse=True)
    rank = -rank if filters.sort.startswith("-") else rank
    return kept[np.lexsort((kept, rank))], counts


def queue_order(store: Store, filters: Filters, listed: np.ndarray) -> np.ndarray:
    """Every edit of the listed cases in the queue's order.

    The arrays hold edits by case, then text order, so a stable sort by confidence breaks
    ties by case and text (computed once per direction), and any other order is the listed
    cases' edits one case after the other.
    """
    if filters.by_confidence:
        memo = store.orders.get(filters.sort)
        if memo is None:
            confidence = store.arrays["confidence"]
            key = confidence if filters.sort == "confidence" else -confidence
            memo = store.orders[filters.sort] = np.argsort(key, kind="stable")
        return memo
    starts, ends = store.offsets[listed], store.offsets[listed + 1]
    lengths = ends - starts
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(int(lengths.sum()), dtype=np.int64) + shift


@dataclass(frozen=True)
class Queue:
    """The edits that pass the filters, in order, with every edit's place in that order
    (-1 for the edits of cases the list leaves out) for stepping from any edit."""

    edits: np.ndarray
    ranks: np.ndarray
    all_ranks: np.ndarray

    @classmethod
    def build(cls, store: Store, live: Live, filters: Filters, listed: np.ndarray) -> Queue:
        order = queue_order(store, filters, listed)
        all_ranks = np.full(store.n_edits, -1, np.int64)
        all_ranks[order] = np.arange(len(order))
        mask = filters.edit_mask(store, live) & case_mask(store, filters)[store.arrays["case"]]
        edits = order[mask[order]]
        return cls(edits, all_ranks[edits], all_ranks)

    def step(self, edit: int, forward: bool, wanted: np.ndarray | None = None) -> int | None:
        """The queue's next (or previous) edit from ``edit``, which need not be in the queue;
        with ``wanted``, the next one it holds."""
        rank = self.all_ranks[edit]
        if forward:
            after = self.edits[np.searchsorted(self.ranks, rank, side="right") :]
        else:
            after = self.edits[: np.searchsorted(self.ranks, rank, side="left")][::-1]
        if wanted is not None:
            after = after[wanted[after]]
        return int(after[0]) if len(after) else None

    def first_in(self, store: Store, case: int, wanted: np.ndarray | None = None) -> int | None:
        """The queue's first edit on one case: the first one ``wanted`` holds when there is
        one (so ``n``/``p`` land on what is left to decide), else the first of all."""
        mine = self.edits[store.arrays["case"][self.edits] == case]
        if wanted is not None and wanted[mine].any():
            mine = mine[wanted[mine]]
        return int(mine[0]) if len(mine) else None

    def __len__(self) -> int:
        return len(self.edits)
