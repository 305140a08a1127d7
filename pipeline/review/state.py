"""The review model: a run's cases, the reviewer's decisions and the case list's filters.

No web code lives here: the app turns requests into calls on :class:`ReviewState` and its
answers into pages and JSON. The effect of a decision is computed by
:func:`pipeline.decisions.resolve`, the function the next ``caseclean run`` uses, so the page
shows what the re-run will write.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pipeline.decisions import (
    DECISIONS_FILE,
    VALUES,
    DecisionBook,
    Key,
    Outcome,
    for_edit,
    overlaps,
    resolve,
    write_decisions,
)
from pipeline.edits import Edit, apply_edits
from pipeline.review.diff import CaseDiff, SectionDiff, load_cases, primary_pass
from pipeline.review.views import EditView, edit_key, edit_title

KINDS = ("applied", "suggested")
COUNTED = ("edits", "applied", "suggested", "undecided", "accepted", "rejected")


def _own_verdict(edit: Edit, own: bool | None) -> bool:
    """Whether the corrector applied an edit: recorded, or guessed from its decision."""
    if own is not None:
        return own
    if edit.decision is None:
        return edit.applied
    return edit.decision == "rejected"


def baseline(edits: Sequence[Edit], proposed: Sequence[bool | None] = ()) -> list[Edit]:
    """The corrector's own verdicts, with decisions cleared.

    A table row shows an edit after the decisions of its run; its ``proposed`` column keeps
    the corrector's verdict, which is exact. Tables without that column only tell for
    undecided rows: a rejected row was most likely applied and an accepted one most likely a
    suggestion. Guessed applied edits that would overlap are left unapplied, so the clean text
    can always be derived.
    """
    known = list(proposed) + [None] * (len(edits) - len(proposed))
    out = [
        replace(edit, applied=_own_verdict(edit, own), decision=None)
        for edit, own in zip(edits, known, strict=True)
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


def _unit(query: Mapping[str, str], name: str) -> float | None:
    """A confidence bound from the query: a number in 0..1, or None."""
    try:
        value = float(query.get(name, ""))
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def _one_of(value: str, allowed: Sequence[str]) -> str:
    return value if value in allowed else ""


@dataclass(frozen=True)
class Filters:
    """The case list's filters; an edit filter lists a case when one of its edits passes."""

    q: str = ""
    pass_name: str = ""
    rule: str = ""
    cmin: float | None = None
    cmax: float | None = None
    kind: str = ""
    decision: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        """The filters of a query string; anything out of range or unknown is dropped."""
        return cls(
            q=query.get("q", "").strip()[:200],
            pass_name=query.get("pass", "")[:100],
            rule=query.get("rule", "")[:200],
            cmin=_unit(query, "cmin"),
            cmax=_unit(query, "cmax"),
            kind=_one_of(query.get("kind", ""), KINDS),
            decision=_one_of(query.get("decision", ""), ("undecided", *VALUES)),
        )

    @property
    def on_edits(self) -> bool:
        """Whether any filter is about edits (the search is about cases)."""
        bounds = (self.cmin, self.cmax) != (None, None)
        return bounds or any((self.pass_name, self.rule, self.kind, self.decision))

    def query(self) -> str:
        """The filters as a query string, to carry them from the list to a case and back."""
        pairs = {
            "q": self.q,
            "pass": self.pass_name,
            "rule": self.rule,
            "cmin": "" if self.cmin is None else f"{self.cmin:g}",
            "cmax": "" if self.cmax is None else f"{self.cmax:g}",
            "kind": self.kind,
            "decision": self.decision,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def edit_passes(self, outcome: Outcome) -> bool:
        """Whether one edit, with the current decisions, passes every edit filter."""
        edit = outcome.edit
        checks = (
            not self.pass_name or self.pass_name in edit.pass_name.split("+"),
            not self.rule or self.rule == edit.rule,
            self.cmin is None or edit.confidence >= self.cmin,
            self.cmax is None or edit.confidence <= self.cmax,
            not self.kind or (self.kind == "applied") == edit.applied,
            not self.decision or (edit.decision or "undecided") == self.decision,
        )
        return all(checks)


def _search_text(case_id: str, case: CaseDiff) -> str:
    """What the list's search looks in: id, title, raw text and every edit's two sides."""
    words = [case_id, case.title, *(s.raw for s in case.sections)]
    words += [f"{e.original} {e.replacement}" for e in case.edits]
    return " ".join(words).casefold()


class ReviewState:
    """A run's cases and the reviewer's decisions; what every request reads and changes."""

    def __init__(self, out_dir: Path, rules_dir: Path | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.rules_dir = rules_dir
        self.cases: dict[str, CaseDiff] = load_cases(self.out_dir)
        self.order = list(self.cases)
        self.book = DecisionBook.load(self.out_dir, rules_dir)
        self.base = {
            cid: [baseline(s.edits, s.proposed) for s in case.sections]
            for cid, case in self.cases.items()
        }
        self.lock = threading.Lock()
        self._cache: dict[str, list[list[Outcome]]] = {}
        self.search = {cid: _search_text(cid, case) for cid, case in self.cases.items()}
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.rules: Counter[str] = Counter()
        self._cases_of: dict[Key, set[str]] = {}
        for cid, case in self.cases.items():
            for edit in case.edits:
                self.pairs[(edit.original, edit.replacement)] += 1
                self.rules[edit.rule] += 1
                for scope in ("pair", "rule"):
                    covering = for_edit(cid, "", "", edit, scope, "accepted")
                    self._cases_of.setdefault(covering.key, set()).add(cid)

    def outcomes(self, case_id: str) -> list[list[Outcome]]:
        """Each section's edits of a case with the current decisions honoured."""
        cached = self._cache.get(case_id)
        if cached is None:
            case = self.cases[case_id]
            cached = [
                resolve(case_id, s.section, s.raw, base, self.book)
                for s, base in zip(case.sections, self.base[case_id], strict=True)
            ]
            self._cache[case_id] = cached
        return cached

    def find(self, case_id: str, key: str) -> tuple[SectionDiff, int]:
        """The section and index of an edit, from its key; ``KeyError`` when unknown."""
        for section in self.cases[case_id].sections:
            for index, number in enumerate(section.numbers):
                if edit_key(section.position, number) == key:
                    return section, index
        raise KeyError(key)

    def decide(self, case_id: str, key: str, scope: str, value: str | None) -> str | None:
        """Set (or clear, when ``value`` is None) the decision of ``scope`` covering an edit,
        write the decisions file, and return the decision it replaced."""
        section, index = self.find(case_id, key)
        edit = section.edits[index]
        decision = for_edit(case_id, section.section, section.raw, edit, scope, value or "accepted")
        with self.lock:
            previous = self.book.local.get(decision.key)
            self.book = self.book.with_local(decision.key, decision if value else None)
            write_decisions(self.out_dir / DECISIONS_FILE, self.book.local.values())
            affected = {case_id} if scope == "edit" else self._cases_of.get(decision.key, set())
            for cid in affected:
                self._cache.pop(cid, None)
        return previous.value if previous else None

    def views(self, case_id: str) -> list[list[EditView]]:
        """A case's edits as the page shows them."""
        case = self.cases[case_id]
        return [
            [
                EditView(
                    edit_key(s.position, n),
                    n,
                    o.edit,
                    o.superseded,
                    o.decision.scope if o.decision else None,
                )
                for n, o in zip(s.numbers, outs, strict=True)
            ]
            for s, outs in zip(case.sections, self.outcomes(case_id), strict=True)
        ]

    def counts(self, case_id: str, filters: Filters | None = None) -> dict[str, Any]:
        """A case's counts: edits, applied, suggested, undecided, decided and by pass."""
        outs = [o for section in self.outcomes(case_id) for o in section]
        by_pass = Counter(primary_pass(o.edit.pass_name) for o in outs)
        return {
            "edits": len(outs),
            "applied": sum(o.edit.applied for o in outs),
            "suggested": sum(not o.edit.applied for o in outs),
            "undecided": sum(o.edit.decision is None for o in outs),
            "accepted": sum(o.edit.decision == "accepted" for o in outs),
            "rejected": sum(o.edit.decision == "rejected" for o in outs),
            "by_pass": dict(sorted(by_pass.items())),
            "matching": sum(filters.edit_passes(o) for o in outs) if filters else len(outs),
        }

    def totals(self) -> dict[str, int]:
        """Counts over the whole archive."""
        total = Counter({key: 0 for key in COUNTED})
        for case_id in self.order:
            counts = self.counts(case_id)
            total.update({key: counts[key] for key in COUNTED})
        return {**total, "cases": len(self.order), "decisions": len(self.book.local)}

    def passes(self) -> list[str]:
        """Every pass name the run's edits carry, for the list's pass filter."""
        return sorted({p for e in self._all_edits() for p in e.pass_name.split("+")})

    def _all_edits(self) -> list[Edit]:
        return [e for case in self.cases.values() for e in case.edits]

    def listed(self, filters: Filters) -> list[str]:
        """The case ids the filters keep, in table order."""
        words = filters.q.casefold().split()
        out = []
        for case_id in self.order:
            if words and not all(w in self.search[case_id] for w in words):
                continue
            if filters.on_edits and not any(
                filters.edit_passes(o) for s in self.outcomes(case_id) for o in s
            ):
                continue
            out.append(case_id)
        return out

    def neighbours(self, case_id: str, filters: Filters) -> tuple[str | None, str | None]:
        """The cases before and after this one in the filtered list (None at either end, or
        when the filters do not list this case)."""
        listed = self.listed(filters)
        if case_id not in listed:
            return None, None
        here = listed.index(case_id)
        before = listed[here - 1] if here > 0 else None
        after = listed[here + 1] if here < len(listed) - 1 else None
        return before, after

    def sections(self, case_id: str) -> list[tuple[SectionDiff, list[EditView], str]]:
        """Each section of a case with its edits as shown and its clean text after the
        decisions."""
        case = self.cases[case_id]
        return [
            (s, views, apply_edits(s.raw, [v.edit for v in views]))
            for s, views in zip(case.sections, self.views(case_id), strict=True)
        ]

    def state(self, case_id: str) -> dict[str, Any]:
        """Everything the case page updates after a decision, as JSON."""
        sections = self.sections(case_id)
        edits = [
            {
                "key": v.key,
                "status": v.status,
                "applied": v.edit.applied,
                "decision": v.edit.decision,
                "scope": v.scope,
                "title": edit_title(v),
            }
            for _, views, _ in sections
            for v in views
        ]
        return {
            "case_id": case_id,
            "edits": edits,
            "sections": [{"position": s.position, "clean": clean} for s, _, clean in sections],
            "counts": self.counts(case_id),
            "totals": self.totals(),
        }
