"""Edits: the only way text changes in caseclean.

A section keeps its raw text for ever; every change made to it is an :class:`Edit` with
character offsets into that raw text. Clean text is *derived* by applying the applied edits,
and the raw text can always be rebuilt from the clean text and the same edits. This is what
makes every correction reviewable and reversible.

Passes run one after another, each on the output of the previous one. An :class:`EditTrail`
carries their work: a pass proposes edits in the coordinates of the text it saw, and the trail
maps them back to raw offsets, merging an edit with the earlier edits it overlaps (so that
``sphe- rocltosis`` joined by one pass and fixed by the next is one edit,
``sphe- rocltosis`` → ``spherocytosis``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.pickling import tuple_state


@tuple_state
@dataclass(frozen=True, slots=True)
class Edit:
    """One change of a span of text.

    ``start``/``end`` are offsets in the text the edit was made on (the section's raw text,
    once it has gone through an :class:`EditTrail`). ``applied`` is false for a suggestion:
    recorded, shown to reviewers, never part of the clean text.
    """

    start: int
    end: int
    original: str
    replacement: str
    pass_name: str
    rule: str
    confidence: float = 1.0
    applied: bool = True
    decision: str | None = None
    alternatives: tuple[str, ...] = ()
    """Other readings of the same span the corrector weighed, likeliest first (reviewers may
    choose one instead)."""

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad edit span {self.start}..{self.end}")
        if self.end - self.start != len(self.original):
            raise ValueError(f"edit span {self.start}..{self.end} does not fit {self.original!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} outside 0..1")

    @classmethod
    def rated(
        cls,
        start: int,
        original: str,
        replacement: str,
        pass_name: str,
        rule: str,
        confidence: float,
        threshold: float,
    ) -> Edit:
        """An edit at ``start`` that is applied when its confidence reaches ``threshold``,
        and only suggested otherwise: how every pass turns a judgement into an edit."""
        return cls(
            start,
            start + len(original),
            original,
            replacement,
            pass_name,
            rule,
            confidence,
            confidence >= threshold,
        )

    def to_record(self) -> dict[str, object]:
        """The edit as a row of the ``corrections`` table (``pass`` is a keyword in Python)."""
        return {  # by hand, not asdict: a run makes one per edit, and asdict deep-copies
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "replacement": self.replacement,
            "pass": self.pass_name,
            "rule": self.rule,
            "confidence": self.confidence,
            "applied": self.applied,
            "decision": self.decision,
            "alternatives": list(self.alternatives),
        }


def one_verdict_per_span(edits: Iterable[Edit]) -> list[Edit]:
    """One edit per span of raw text: the applied one, else the likeliest suggestion, with
    the other readings of that span as its alternatives (a suggestion that repeats the
    verdict is dropped). Never an applied edit and a contradicting suggestion on the same
    characters, never one suggestion twice.

    Readings of overlapping spans (``Cys- tercosis`` joined by one pass, ``tercosis`` read
    otherwise by another) are readings of their union: each is widened to it, so a reviewer
    chooses among whole readings. Where two applied edits share such a group (widening would
    merge them), readings are grouped by exact span only.

    >>> joined = Edit(0, 13, "mine- ralized", "mine-realized", "dictionary", "r", 0.9)
    >>> hint = Edit(0, 13, "mine- ralized", "mineralized", "dehyphenate", "r", 0.4, False)
    >>> [(e.replacement, e.alternatives) for e in one_verdict_per_span([hint, joined, hint])]
    [('mine-realized', ('mineralized',))]
    >>> wrap = Edit(0, 13, "Cys- tercosis", "Cystercosis", "dehyphenate", "r", 0.4, False)
    >>> part = Edit(5, 13, "tercosis", "sarcosis", "ocr", "r", 0.6, False)
    >>> [(e.original, e.replacement, e.alternatives) for e in one_verdict_per_span([wrap, part])]
    [('Cys- tercosis', 'Cys- sarcosis', ('Cystercosis',))]
    """
    out: list[Edit] = []
    for group in _overlapping(edits):
        if sum(1 for e in group if e.applied) < 2:
            group = _widened(group)
        spans: dict[tuple[int, int], list[Edit]] = {}
        for edit in group:
            spans.setdefault((edit.start, edit.end), []).append(edit)
        out.extend(_verdict(same) for same in spans.values())
    return sorted(out, key=lambda e: (e.start, e.end))


def _verdict(same: list[Edit]) -> Edit:
    """The verdict of edits on one span: the applied or likeliest, the rest alternatives."""
    ranked = sorted(same, key=lambda e: (not e.applied, -e.confidence))
    head = ranked[0]
    others = dict.fromkeys(e.replacement for e in ranked[1:] if e.replacement != head.replacement)
    alternatives = tuple(dict.fromkeys([*head.alternatives, *others]))
    return replace(head, alternatives=alternatives) if alternatives else head


def _overlapping(edits: Iterable[Edit]) -> list[list[Edit]]:
    """Edits in groups whose spans overlap, one after another; insertions at one offset are
    a group of their own."""
    insertions: dict[int, list[Edit]] = {}
    groups: list[list[Edit]] = []
    end = -1
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start == edit.end:
            insertions.setdefault(edit.start, []).append(edit)
        elif groups and edit.start < end:
            groups[-1].append(edit)
            end = max(end, edit.end)
        else:
            groups.append([edit])
            end = edit.end
    return [*groups, *insertions.values()]


def _widened(group: list[Edit]) -> list[Edit]:
    """Every edit of an overlapping group as an edit of the group's whole span."""
    start, end = min(e.start for e in group), max(e.end for e in group)
    if all((e.start, e.end) == (start, end) for e in group):
        return group
    raw = [""] * (end - start)
    for edit in group:  # the group's spans cover its whole span: its raw text is theirs
        raw[edit.start - start : edit.end - start] = list(edit.original)
    text = "".join(raw)
    return [
        replace(
            e,
            start=start,
            end=end,
            original=text,
            replacement=text[: e.start - start] + e.replacement + text[e.end - start :],
        )
        for e in group
    ]


def overlaps_any(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether ``start..end`` shares a character with one of ``spans``.

    >>> overlaps_any(3, 5, [(0, 3), (5, 9)]), overlaps_any(3, 5, [(4, 6)])
    (False, True)
    """
    return any(s < end and start < e for s, e in spans)


def overlaps(a: Edit, b: Edit) -> bool:
    """The overlap :func:`check_edits` forbids between applied edits.

    Two edits overlap when they share a character, or when both are insertions at one offset
    (their order would be undefined).
    """
    if a.start == a.end == b.start == b.end:
        return True
    return overlaps_any(a.start, a.end, [(b.start, b.end)])


def _applied_sorted(edits: Iterable[Edit]) -> list[Edit]:
    return sorted((e for e in edits if e.applied), key=lambda e: (e.start, e.end))


def check_edits(raw: str, edits: Iterable[Edit]) -> None:
    """Raise ``ValueError`` unless the applied edits fit ``raw`` and do not overlap."""
    _check_sorted(raw, _applied_sorted(edits))


def _check_sorted(raw: str, applied: Sequence[Edit]) -> None:
    """:func:`check_edits` of applied edits already in text order."""
    last_end = -1
    last_start = -1
    for edit in applied:
        if raw[edit.start : edit.end] != edit.original:
            raise ValueError(f"edit {edit.original!r} does not match raw text at {edit.start}")
        overlaps = edit.start < last_end or (edit.start == last_start == edit.end)
        if overlaps:
            raise ValueError(f"edits overlap at {edit.start}")
        last_end = edit.end
        last_start = edit.start


def apply_edits(raw: str, edits: Iterable[Edit]) -> str:
    """The clean text: ``raw`` with every applied edit substituted.

    >>> fix = Edit(6, 11, "sever", "severe", "context", "r", 0.95)
    >>> hint = Edit(12, 18, "anemia", "anaemia", "dictionary", "r", 0.4, applied=False)
    >>> apply_edits("A man sever anemia", [fix, hint])
    'A man severe anemia'
    """
    return _apply_sorted(raw, _applied_sorted(edits))


def _apply_sorted(raw: str, applied: Sequence[Edit]) -> str:
    """:func:`apply_edits` of applied edits already in text order."""
    _check_sorted(raw, applied)
    out: list[str] = []
    pos = 0
    for edit in applied:
        out.append(raw[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.end
    out.append(raw[pos:])
    return "".join(out)


def rebuild_raw(clean: str, edits: Iterable[Edit]) -> str:
    """Undo every applied edit: the raw text, rebuilt from the clean text alone.

    >>> rebuild_raw("A man severe anemia", [Edit(6, 11, "sever", "severe", "context", "r")])
    'A man sever anemia'
    """
    out: list[str] = []
    pos = 0
    delta = 0
    for edit in _applied_sorted(edits):
        clean_start = edit.start + delta
        clean_end = clean_start + len(edit.replacement)
        if clean[clean_start:clean_end] != edit.replacement:
            raise ValueError(f"clean text does not hold {edit.replacement!r} at {clean_start}")
        out.append(clean[pos:clean_start])
        out.append(edit.original)
        pos = clean_end
        delta += len(edit.replacement) - len(edit.original)
    out.append(clean[pos:])
    return "".join(out)


def _join(first: str, second: str) -> str:
    parts = first.split("+")
    return first if second in parts else f"{first}+{second}"


class EditTrail:
    """The raw text of one section plus the edits of every pass so far, in raw offsets."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self._applied: list[Edit] = []
        self._suggested: list[Edit] = []
        self._text = raw

    @property
    def text(self) -> str:
        """The current clean text: what the next pass sees."""
        return self._text

    @property
    def edits(self) -> list[Edit]:
        """Applied edits and suggestions, in raw offsets, in text order."""
        return sorted(
            self._applied + self._suggested, key=lambda e: (e.start, e.end, not e.applied)
        )

    def _clean_spans(self) -> list[tuple[int, int]]:
        spans = []
        delta = 0
        for edit in self._applied:
            start = edit.start + delta
            spans.append((start, start + len(edit.replacement)))
            delta += len(edit.replacement) - len(edit.original)
        return spans

    def _touches(self, cs: int, ce: int, s: int, e: int, i: int) -> bool:
        """Whether an edit at ``cs..ce`` must merge with the applied edit ``i`` (at ``s..e``).

        Overlap merges; so does a zero-width edit at the edge of an insertion or at a deletion,
        since both would otherwise sit at one raw offset.
        """
        if s < ce and cs < e:
            return True
        prior = self._applied[i]
        zero_width = s == e or prior.start == prior.end
        return cs == ce and zero_width and s <= cs <= e

    def _to_raw(self, edit: Edit, spans: Sequence[tuple[int, int]]) -> tuple[Edit, list[int]]:
        """Map one edit in current-text offsets to raw offsets; also return merged indexes."""
        cs, ce = edit.start, edit.end
        if cs < ce:  # only overlap merges an edit that spans something (see _touches)
            merged = [i for i, (s, e) in enumerate(spans) if s < ce and cs < e]
        else:
            merged = [i for i, (s, e) in enumerate(spans) if self._touches(cs, ce, s, e, i)]
        delta_start = 0
        delta_end = 0
        for (s, e), prior in zip(spans, self._applied, strict=True):
            change = len(prior.replacement) - len(prior.original)
            if e <= cs:
                delta_start += change
            if e < ce or (e == ce and s < e):
                delta_end += change
        if not merged:
            rs, re_ = cs - delta_start, ce - delta_end
            mapped = Edit(
                rs,
                re_,
                self.raw[rs:re_],
                edit.replacement,
                edit.pass_name,
                edit.rule,
                edit.confidence,
                edit.applied,
                edit.decision,
                edit.alternatives,
            )
            return mapped, merged
        first, last = self._applied[merged[0]], self._applied[merged[-1]]
        u0 = min(cs, spans[merged[0]][0])
        u1 = max(ce, spans[merged[-1]][1])
        rs = first.start if u0 == spans[merged[0]][0] else cs - delta_start
        re_ = last.end if u1 == spans[merged[-1]][1] else ce - delta_end
        replacement = self._text[u0:cs] + edit.replacement + self._text[ce:u1]
        pass_name, rule = edit.pass_name, edit.rule
        confidence = edit.confidence
        for i in reversed(merged):
            prior = self._applied[i]
            pass_name = _join(prior.pass_name, pass_name)
            rule = _join(prior.rule, rule)
            confidence = min(confidence, prior.confidence)
        mapped = Edit(
            rs, re_, self.raw[rs:re_], replacement, pass_name, rule, confidence, edit.applied
        )
        return mapped, merged

    def add(self, edits: Iterable[Edit]) -> None:
        """Record one pass's edits, given in offsets of :attr:`text`.

        The edits of one pass must not overlap each other. An applied edit that touches an
        earlier one is merged with it into a single edit of the raw text; if the result
        changes nothing (a later pass undid an earlier one) it is dropped.
        """
        batch = sorted(edits, key=lambda e: (e.start, e.end))
        if not batch:
            return  # most passes find nothing in most sections
        check_edits(self._text, batch)
        for edit in batch:
            if self._text[edit.start : edit.end] != edit.original:
                raise ValueError(f"suggestion {edit.original!r} does not match the text")
        # Suggestions first, against the text the batch was found in: an applied edit of
        # the same batch may overlap one and would shift the offsets under it.
        before = self._clean_spans()
        for edit in reversed(batch):
            if not edit.applied:
                mapped, _ = self._to_raw(edit, before)
                if mapped.original != mapped.replacement:
                    self._suggested.append(mapped)
        applied = [e for e in batch if e.applied]
        if self._add_apart(applied, before):
            return
        for edit in reversed(applied):  # back to front: offsets hold
            mapped, merged = self._to_raw(edit, self._clean_spans())
            gone = set(merged)
            kept = [e for i, e in enumerate(self._applied) if i not in gone]
            if mapped.original != mapped.replacement:
                kept.append(mapped)
            self._applied = sorted(kept, key=lambda e: (e.start, e.end))
            self._text = _apply_sorted(self.raw, self._applied)  # every one applied, in order

    def _add_apart(self, applied: list[Edit], before: Sequence[tuple[int, int]]) -> bool:
        """Record a batch's applied edits at once when none touches an earlier applied edit
        and each stands apart from the next (the common case): then each maps to raw offsets
        by the earlier edits alone, and the text is rebuilt once, not once per edit. False,
        recording nothing, when they must be merged one by one.
        """
        if not applied:
            return True
        if any(a.end >= b.start for a, b in itertools.pairwise(applied)):
            return False
        mapped = []
        for edit in applied:
            raw_edit, merged = self._to_raw(edit, before)
            if merged:
                return False
            if raw_edit.original != raw_edit.replacement:
                mapped.append(raw_edit)
        self._applied = sorted(self._applied + mapped, key=lambda e: (e.start, e.end))
        self._text = _apply_sorted(self.raw, self._applied)
        return True
