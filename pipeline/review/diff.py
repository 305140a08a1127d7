"""Diffs of a run's corrections: one model for the terminal, the report and the review app.

A section's diff is its raw text cut into plain runs and *clusters*: spans where one or more
edits (an applied fix and the suggestions that compete with it) change the text. The terminal
(``caseclean diff``), the static report and the review page all render these clusters, so
they agree on what changed. Tables are read once; case ids are looked up in them, never
joined into paths.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.edits import Edit
from pipeline.review.rows import read_rows

Row = dict[str, Any]


@dataclass(frozen=True)
class Cluster:
    """A span of raw text changed by one or more overlapping edits (indexes into the section)."""

    start: int
    end: int
    original: str
    members: tuple[int, ...]


Piece = str | Cluster


def _groups(edits: Sequence[Edit]) -> list[tuple[int, int, list[int]]]:
    """(start, end, indexes) of each group of edits that overlap, or insert at one point, in
    text order."""
    order = sorted(range(len(edits)), key=lambda i: (edits[i].start, edits[i].end, i))
    groups: list[tuple[int, int, list[int]]] = []
    start = end = -1
    for i in order:
        edit = edits[i]
        if groups and (edit.start < end or edit.start == start == end):
            groups[-1][2].append(i)
            if edit.end > end:
                end = edit.end
                groups[-1] = (start, end, groups[-1][2])
        else:
            start, end = edit.start, edit.end
            groups.append((start, end, [i]))
    return groups


def spans(raw: str, edits: Sequence[Edit]) -> list[tuple[int, int, list[int]]]:
    """The raw text as (start, end, indexes of the edits there) in text order: plain runs,
    with no edits, between clusters of overlapping edits."""
    out: list[tuple[int, int, list[int]]] = []
    pos = 0
    for start, end, members in _groups(edits):
        if start > pos:
            out.append((pos, start, []))
        out.append((start, end, members))
        pos = end
    if pos < len(raw):
        out.append((pos, len(raw), []))
    return out


def clusters(raw: str, edits: Sequence[Edit]) -> list[Piece]:
    """The raw text as plain runs and clusters of overlapping edits, in text order."""
    return [
        Cluster(start, end, raw[start:end], tuple(members)) if members else raw[start:end]
        for start, end, members in spans(raw, edits)
    ]


def primary_pass(pass_name: str) -> str:
    """The pass an edit is coloured by: the last one that touched it."""
    return pass_name.split("+")[-1] or "other"


def visible(text: str) -> str:
    """Whitespace-only text made visible (a deleted space would otherwise show as nothing)."""
    if text and not text.strip():
        return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")
    return text if text else "∅"


def edit_status(edit: Edit) -> str:
    """What became of an edit, in the words every view uses: a decision wins over the
    corrector's verdict."""
    if edit.decision:
        return edit.decision
    return "applied" if edit.applied else "suggested"


@dataclass
class SectionDiff:
    """One section of a case: its texts and its edits as the corrections table has them."""

    position: int
    section: str
    heading: str | None
    raw: str
    clean: str
    edits: list[Edit]
    numbers: list[int]
    proposed: list[bool | None] = field(default_factory=list)
    """The corrector's verdict on each edit (None when the table does not say)."""
    readings: list[str | None] = field(default_factory=list)
    """The corrector's replacement of each edit (None when the table does not say)."""

    @property
    def pieces(self) -> list[Piece]:
        return clusters(self.raw, self.edits)


@dataclass
class CaseDiff:
    """A case: its row of the cases table and its sections in page order."""

    case_id: str
    title: str
    status: str
    sections: list[SectionDiff] = field(default_factory=list)

    @property
    def edits(self) -> list[Edit]:
        return [e for s in self.sections for e in s.edits]

    @property
    def n_edits(self) -> int:
        return sum(len(s.edits) for s in self.sections)

    @property
    def n_applied(self) -> int:
        """How many of its edits are applied; the others are suggestions."""
        return sum(e.applied for s in self.sections for e in s.edits)


def _text(value: Any) -> str | None:
    """A table cell as text; an empty cell (None, NaN or NA, as pandas reads it) as None."""
    if value is None or isinstance(value, str):  # most cells: no need to ask pandas
        return value
    return None if pd.isna(value) else str(value)


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return None if pd.isna(value) else bool(value)


def _strings(value: Any) -> tuple[str, ...]:
    """A list cell (a list, an array, or null) as a tuple of strings."""
    if value is None or isinstance(value, float | str):
        return ()
    return tuple(map(str, value))


def row_edit(row: Row) -> Edit:
    """A corrections row as an :class:`Edit`."""
    return Edit(
        int(row["start"]),
        int(row["end"]),
        str(row["original"]),
        str(row["replacement"]),
        str(row["pass"]),
        str(row["rule"]),
        float(row["confidence"]),
        bool(row["applied"]),
        _text(row.get("decision")),
        _strings(row.get("alternatives")),
    )


def _section_diff(row: Row) -> SectionDiff:
    return SectionDiff(
        int(row["position"]),
        str(row["section"]),
        _text(row.get("heading")),
        str(row["raw_text"]),
        str(row["clean_text"]),
        [],
        [],
    )


def _where(row: Row) -> tuple[str, int]:
    """The (case id, section position) a sections or corrections row belongs to."""
    return (str(row["case_id"]), int(row["position"]))


def build_cases(
    cases: Iterable[Row], sections: Iterable[Row], corrections: Iterable[Row]
) -> dict[str, CaseDiff]:
    """Every case's diff from the rows of the three tables, in the cases table's order.

    Sections and corrections whose case is not in the cases table are left out.
    """
    out = {
        str(c["case_id"]): CaseDiff(
            str(c["case_id"]), _text(c.get("title")) or "", _text(c.get("status")) or ""
        )
        for c in cases
    }
    by_section: dict[tuple[str, int], SectionDiff] = {}
    for row in sorted(sections, key=_where):
        case = out.get(str(row["case_id"]))
        if case is not None:
            diff = _section_diff(row)
            case.sections.append(diff)
            by_section[_where(row)] = diff
    rows = list(corrections)
    keys = [(str(r["case_id"]), int(r["position"]), int(r["edit"])) for r in rows]
    for i in sorted(range(len(rows)), key=keys.__getitem__):
        row, (case_id, position, number) = rows[i], keys[i]
        target = by_section.get((case_id, position))
        if target is not None:
            target.edits.append(row_edit(row))
            target.numbers.append(number)
            target.proposed.append(_flag(row.get("proposed")))
            target.readings.append(_text(row.get("proposed_replacement")))
    return out


def load_cases(out_dir: Path) -> dict[str, CaseDiff]:
    """Every case's diff from a finished run's tables."""
    return build_cases(
        read_rows(out_dir, "cases"),
        read_rows(out_dir, "sections"),
        read_rows(out_dir, "corrections"),
    )


def find_case(cases: dict[str, CaseDiff], case_id: str, where: str = "the tables") -> CaseDiff:
    """The case with this id; a ``KeyError`` naming where it looked and close ids when
    there is none."""
    if case_id in cases:
        return cases[case_id]
    close = difflib.get_close_matches(case_id, list(cases), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"no case {case_id!r} in {where}{hint}")
