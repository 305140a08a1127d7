"""The review model: a run's edits, the reviewers' decisions, and what the pages ask of them.

No web code lives here: the app turns requests into calls on :class:`ReviewState` and its
answers into pages and JSON. The effect of a decision is computed by
:func:`pipeline.decisions.resolve`, the function the next ``caseclean run`` uses, so the page
shows what the re-run will write. Only the cases a decision covers are resolved again; the
counts of the whole run are sums over arrays (:mod:`pipeline.review.filters`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.decisions import (
    DECISIONS_FILE,
    Decision,
    DecisionBook,
    Key,
    Outcome,
    for_edit,
    norm,
    overlaps,
    resolve,
    write_decisions,
)
from pipeline.edits import Edit
from pipeline.review.filters import (
    ACCEPTED,
    NONE,
    REJECTED,
    Filters,
    Live,
    Queue,
    distinct,
    listing,
)
from pipeline.review.store import Store, load_store

SCOPE_CODES = {"edit": 1, "pair": 2, "rule": 3}
SCOPE_NAMES = {code: name for name, code in SCOPE_CODES.items()}
DECISION_CODES = {None: NONE, "accepted": ACCEPTED, "rejected": REJECTED}


def _own_verdict(edit: Edit, own: bool | None) -> bool:
    """Whether the corrector applied an edit: recorded, or guessed from its decision."""
    if own is not None:
        return own
    if edit.decision is None:
        return edit.applied
    return edit.decision == "rejected"


def baseline(
    edits: Sequence[Edit],
    proposed: Sequence[bool | None] = (),
    readings: Sequence[str | None] = (),
) -> list[Edit]:
    """The corrector's own verdicts and readings, with decisions cleared.

    A table row shows an edit after the decisions of its run; its ``proposed`` and
    ``proposed_replacement`` columns keep the corrector's verdict and replacement, which are
    exact. Tables without them only tell for undecided rows: a rejected row was most likely
    applied and an accepted one most likely a suggestion. Guessed applied edits that would
    overlap are left unapplied, so the clean text can always be derived.
    """
    known = list(proposed) + [None] * (len(edits) - len(proposed))
    own = list(readings) + [None] * (len(edits) - len(readings))
    out = [
        replace(edit, applied=_own_verdict(edit, verdict), decision=None)
        if reading is None
        else replace(edit, applied=_own_verdict(edit, verdict), decision=None, replacement=reading)
        for edit, verdict, reading in zip(edits, known, own, strict=True)
    ]
    kept: list[Edit] = []
    for i in sorted(range(len(out)), key=lambda i: (edits[i].decision is not None, i)):
        if not out[i].applied:
            continue
        if any(overlaps(out[i], k) for k in kept):
            out[i] = replace(out[i], applied=False)
        else:
            kept.append(out[i])
    return out


@dataclass(frozen=True)
class Codes:
    """The live state of one case's edits (see :class:`~pipeline.review.filters.Live`)."""

    decision: np.ndarray
    applied: np.ndarray
    scope: np.ndarray
    superseded: np.ndarray


@dataclass(frozen=True)
class Change:
    """What setting one decision would do: edits whose outcome changes, on how many cases."""

    edits: int
    cases: int
    covered: int


class ReviewState:
    """A run's edits and the reviewer's decisions; what every request reads and changes."""

    def __init__(self, out_dir: Path, rules_dir: Path | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.rules_dir = rules_dir
        self.store: Store = load_store(self.out_dir)
        self.book = DecisionBook.load(self.out_dir, rules_dir)
        self.live = Live.of(self.store)
        self.lock = threading.Lock()
        self.version = 0
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._pair_codes = {pair: i for i, pair in enumerate(self.store.pairs)}
        self.pair_count = np.bincount(self.store.arrays["pair"], minlength=len(self.store.pairs))
        self.rule_count = np.bincount(self.store.arrays["rule"], minlength=len(self.store.rules))
        self._previewed: tuple[Decision | None, int, dict[int, Codes | None]] = (None, -1, {})
        self._refresh(self.cases_covered(self.book.merged.values()))

    # -- outcomes -------------------------------------------------------------------------
    def base(self, case: int) -> list[list[Edit]]:
        """Each section's edits of a case as the corrector proposed them."""
        diff = self.store.case(case)
        return [baseline(s.edits, s.proposed, s.readings) for s in diff.sections]

    def outcomes(self, case: int, book: DecisionBook | None = None) -> list[list[Outcome]]:
        """Each section's edits of a case with the decisions of ``book`` (the current one by
        default) honoured."""
        diff = self.store.case(case)
        book = self.book if book is None else book
        return [
            resolve(diff.case_id, s.section, s.raw, base, book)
            for s, base in zip(diff.sections, self.base(case), strict=True)
        ]

    def _codes(self, case: int, outs: Sequence[Outcome]) -> Codes | None:
        """The live state of one case's edits from their outcomes (None when the tables'
        edits of the case do not align with its page: it is left as it was)."""
        if len(outs) != len(self.store.edits_of(case)):
            return None
        return Codes(
            np.array([DECISION_CODES[o.edit.decision] for o in outs], np.int8),
            np.array([o.edit.applied for o in outs], bool),
            np.array([SCOPE_CODES[o.decision.scope] if o.decision else 0 for o in outs], np.int8),
            np.array([o.superseded for o in outs], bool),
        )

    def _write(self, case: int, codes: Codes | None) -> None:
        if codes is None:
            return
        span = self.store.edits_of(case)
        where, live = slice(span.start, span.stop), self.live
        live.decision[where], live.applied[where] = codes.decision, codes.applied
        live.scope[where], live.superseded[where] = codes.scope, codes.superseded

    def _refresh(self, cases: Iterable[int]) -> None:
        """Recompute the live state of these cases' edits."""
        for case in cases:
            outs = [o for section in self.outcomes(case) for o in section]
            self._write(case, self._codes(case, outs))

    def cases_covered(self, decisions: Iterable[Decision]) -> list[int]:
        """The cases holding an edit one of these decisions may cover."""
        arrays, store = self.store.arrays, self.store
        cases: set[int] = set()
        pairs, rules = [], []
        for d in decisions:
            if d.scope == "edit" and d.case_id in store.index_of:
                cases.add(store.index_of[d.case_id])
            elif d.scope == "pair":
                pairs.append(self._pair_codes.get((norm(d.original), norm(d.replacement)), -1))
            elif d.scope == "rule" and d.rule in store.rules:
                rules.append(store.rules.index(d.rule))
        hit = np.isin(arrays["pair"], pairs) | np.isin(arrays["rule"], rules)
        cases.update(distinct(arrays["case"][hit]).tolist())
        return sorted(cases)

    # -- decisions ------------------------------------------------------------------------
    def edit_decision(
        self, case_id: str, key: str, scope: str, value: str, choice: str = ""
    ) -> Decision:
        """The decision of ``scope`` covering one edit; ``KeyError`` when the edit is unknown."""
        case = self.store.index_of[case_id]
        edit = self.store.find(case, key)
        if edit is None:
            raise KeyError(key)
        diff = self.store.case(case)
        position = int(self.store.arrays["position"][edit])
        index = next(i for i, s in enumerate(diff.sections) if s.position == position)
        section = diff.sections[index]
        own = self.base(case)[index][section.numbers.index(int(self.store.arrays["number"][edit]))]
        if choice and (scope == "rule" or choice not in (own.replacement, *own.alternatives)):
            raise ValueError("choose one of the edit's readings, for this edit or its pair")
        return for_edit(case_id, section.section, section.raw, own, scope, value, choice)

    def preview(self, decision: Decision) -> Change:
        """What setting ``decision`` would change, without saving it. The cases' new state
        is kept, so confirming the same decision next does not resolve them again."""
        version = self.version
        book = self.book.with_local(decision.key, decision)
        changed, touched, covered = 0, 0, 0
        states: dict[int, Codes | None] = {}
        for case in self.cases_covered([decision]):
            outs = [o for section in self.outcomes(case, book) for o in section]
            codes = states[case] = self._codes(case, outs)
            if codes is None:
                continue
            span = self.store.edits_of(case)
            now = slice(span.start, span.stop)
            differs = (self.live.decision[now] != codes.decision) | (
                self.live.applied[now] != codes.applied
            )
            changed += int(differs.sum())
            touched += bool(differs.any())
            covered += sum(o.decision is not None and o.decision.key == decision.key for o in outs)
        self._previewed = (decision, version, states)
        return Change(changed, touched, covered)

    def set(self, key: Key, decision: Decision | None) -> Decision | None:
        """Set (or clear) the local decision of ``key``, save the file, and return the
        decision it replaced."""
        with self.lock:
            previous = self.book.local.get(key)
            self.book = self.book.with_local(key, decision)
            write_decisions(self.out_dir / DECISIONS_FILE, self.book.local.values())
            seen, version, states = self._previewed
            if decision is not None and (seen, version) == (decision, self.version):
                for case, codes in states.items():  # one key's decisions cover the same cases
                    self._write(case, codes)
            else:
                changed = [d for d in (previous, decision) if d is not None]
                self._refresh(self.cases_covered(changed))
            self.version += 1
            self._memo.clear()
            self._previewed = (None, -1, {})
        return previous

    def decide(
        self, case_id: str, key: str, scope: str, value: str | None, choice: str = ""
    ) -> Decision | None:
        """Set (or clear, when ``value`` is None) the decision of ``scope`` covering an edit;
        the decision it replaced is returned."""
        decision = self.edit_decision(case_id, key, scope, value or "accepted", choice)
        return self.set(decision.key, decision if value else None)

    # -- what the pages show --------------------------------------------------------------
    def lowest(self, case: int, filters: Filters) -> float | None:
        """The lowest confidence of a case's edits that the filters keep."""
        memo = ("mask", replace(filters, page=1, sort="case"), self.version)
        if memo not in self._memo:
            self._memo[memo] = filters.edit_mask(self.store, self.live)
        lo, hi = self._bounds(case)
        kept = self.store.arrays["confidence"][lo:hi][self._memo[memo][lo:hi]]
        return float(kept.min()) if len(kept) else None

    def listed(self, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
        """The cases the filters keep in the sort's order, and each case's matching edits."""
        memo = ("listing", replace(filters, page=1), self.version)
        if memo not in self._memo:
            self._memo[memo] = listing(self.store, self.live, filters)
        return self._memo[memo]

    def queue(self, filters: Filters) -> Queue:
        """The edits the filters keep, in the queue's order."""
        memo = ("queue", replace(filters, page=1), self.version)
        if memo not in self._memo:
            self._memo[memo] = Queue.build(self.store, self.live, filters, self.listed(filters)[0])
        return self._memo[memo]

    def neighbours(self, case: int, filters: Filters) -> tuple[int | None, int | None]:
        """The cases before and after this one in the filtered, sorted list."""
        listed = self.listed(filters)[0]
        here = np.flatnonzero(listed == case)
        if not len(here):
            return None, None
        i = int(here[0])
        before = int(listed[i - 1]) if i > 0 else None
        after = int(listed[i + 1]) if i + 1 < len(listed) else None
        return before, after

    def counts(self, case: int | None = None) -> dict[str, int]:
        """Counts of one case, or of the whole run: edits, the corrector's applied and
        suggested, to review, undecided, accepted and rejected."""
        store, live = self.store, self.live
        span = slice(None) if case is None else slice(*self._bounds(case))
        to_review = store.arrays["to_review"][span]
        decision = live.decision[span]
        proposed = store.arrays["proposed"][span]
        out = {
            "edits": len(proposed),
            "applied": int(proposed.sum()),
            "suggested": int((~proposed).sum()),
            "to_review": int(to_review.sum()),
            "undecided": int((to_review & (decision == NONE)).sum()),
            "accepted": int((decision == ACCEPTED).sum()),
            "rejected": int((decision == REJECTED).sum()),
        }
        if case is None:
            out.update(cases=len(store), decisions=len(self.book.local))
        return out

    def by_pass(self, case: int) -> dict[str, int]:
        """A case's edits by the pass that made them (the last one that touched them)."""
        lo, hi = self._bounds(case)
        found = np.bincount(
            self.store.arrays["primary"][lo:hi], minlength=len(self.store.primaries)
        )
        return {name: int(n) for name, n in zip(self.store.primaries, found, strict=True) if n}

    def _bounds(self, case: int) -> tuple[int, int]:
        return int(self.store.offsets[case]), int(self.store.offsets[case + 1])

    def step(
        self, case_id: str, key: str, filters: Filters, forward: bool, undecided: bool
    ) -> tuple[str, str] | None:
        """The queue's edit after (or before) one edit, as (case id, key); with
        ``undecided``, the next one nobody decided. None at the end of the queue."""
        case = self.store.index_of[case_id]
        edit = self.store.find(case, key)
        if edit is None:
            raise KeyError(key)
        wanted = self.live.undecided(self.store) if undecided else None
        found = self.queue(filters).step(edit, forward, wanted)
        if found is None:
            return None
        return self.store.case_ids[int(self.store.arrays["case"][found])], self.store.key(found)
