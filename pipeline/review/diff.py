"""Diffs of a run's corrections: one model for the terminal, the report and the review app.

A section's diff is its raw text cut into plain runs and *clusters*: spans where one or more
edits (an applied fix and the suggestions that compete with it) change the text. The terminal
(``caseclean diff``), the static report and the review page all render these clusters, so
they agree on what changed. Tables are read once; case ids are looked up in them, never
joined into paths.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.edits import Edit


@dataclass(frozen=True)
class Cluster:
    """A span of raw text changed by one or more overlapping edits (indexes into the section)."""

    start: int
    end: int
    original: str
    members: tuple[int, ...]


Piece = str | Cluster


def clusters(raw: str, edits: Sequence[Edit]) -> list[Piece]:
    """The raw text as plain runs and clusters of overlapping edits, in text order."""
    order = sorted(range(len(edits)), key=lambda i: (edits[i].start, edits[i].end, i))
    groups: list[list[int]] = []
    group_end = -1
    group_start = -1
    for i in order:
        edit = edits[i]
        touches = edit.start < group_end or edit.start == group_start == group_end
        if groups and touches:
            groups[-1].append(i)
            group_end = max(group_end, edit.end)
        else:
            groups.append([i])
            group_start, group_end = edit.start, edit.end
    out: list[Piece] = []
    pos = 0
    for group in groups:
        start = min(edits[i].start for i in group)
        end = max(edits[i].end for i in group)
        if start > pos:
            out.append(raw[pos:start])
        out.append(Cluster(start, end, raw[start:end], tuple(group)))
        pos = max(pos, end)
    if pos < len(raw):
        out.append(raw[pos:])
    return out


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Control characters shown as U+FFFD: page text must not drive the user's terminal."""
    return _CONTROL.sub("\ufffd", text)


def primary_pass(pass_name: str) -> str:
    """The pass an edit is coloured by: the last one that touched it."""
    return pass_name.split("+")[-1] or "other"


def visible(text: str) -> str:
    """Whitespace-only text made visible (a deleted space would otherwise show as nothing)."""
    if text and not text.strip():
        return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")
    return text if text else "∅"


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


def _null(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _text(value: Any) -> str | None:
    return None if _null(value) else str(value)


def row_edit(row: dict[str, Any]) -> Edit:
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
    )


def _row_order(row: dict[str, Any]) -> tuple[str, int, int]:
    return (str(row["case_id"]), int(row["position"]), int(row["edit"]))


def build_cases(
    cases: Iterable[dict[str, Any]],
    sections: Iterable[dict[str, Any]],
    corrections: Iterable[dict[str, Any]],
) -> dict[str, CaseDiff]:
    """Every case's diff from the rows of the three tables, in the cases table's order."""
    out = {
        str(c["case_id"]): CaseDiff(
            str(c["case_id"]), _text(c.get("title")) or "", _text(c.get("status")) or ""
        )
        for c in cases
    }
    by_section: dict[tuple[str, int], SectionDiff] = {}
    for s in sorted(sections, key=lambda s: (str(s["case_id"]), int(s["position"]))):
        case = out.get(str(s["case_id"]))
        if case is None:
            continue
        diff = SectionDiff(
            int(s["position"]),
            str(s["section"]),
            _text(s.get("heading")),
            str(s["raw_text"]),
            str(s["clean_text"]),
            [],
            [],
        )
        case.sections.append(diff)
        by_section[(case.case_id, diff.position)] = diff
    rows = sorted(
        corrections, key=lambda r: (str(r["case_id"]), int(r["position"]), int(r["edit"]))
    )
    for row in rows:
        target = by_section.get((str(row["case_id"]), int(row["position"])))
        if target is not None:
            target.edits.append(row_edit(row))
            target.numbers.append(int(row["edit"]))
            own = row.get("proposed")
            target.proposed.append(None if own is None or own != own else bool(own))
    return out


def records(df: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as plain dicts."""
    return df.to_dict(orient="records")


def load_cases(out_dir: Path) -> dict[str, CaseDiff]:
    """Every case's diff from a finished run's tables."""
    from pipeline.output.tables import read_table

    return build_cases(
        records(read_table(out_dir, "cases")),
        records(read_table(out_dir, "sections")),
        records(read_table(out_dir, "corrections")),
    )


def find_case(cases: dict[str, CaseDiff], case_id: str) -> CaseDiff:
    """The case with this id; a ``KeyError`` naming close ids when there is none."""
    if case_id in cases:
        return cases[case_id]
    close = difflib.get_close_matches(case_id, list(cases), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"no case {case_id!r} in the tables{hint}")


@dataclass(frozen=True)
class EditView:
    """What a web page shows of one edit: its key, its state and what decided it."""

    key: str
    number: int
    edit: Edit
    superseded: bool = False
    scope: str | None = None

    @property
    def status(self) -> str:
        if self.superseded:
            return "superseded"
        return edit_status(self.edit)

    @property
    def pass_class(self) -> str:
        return "pass-" + re.sub(r"[^a-z0-9-]", "", primary_pass(self.edit.pass_name).lower())


@dataclass(frozen=True)
class HtmlPiece:
    """A plain run of text, or a cluster of edits with the raw text they change."""

    text: str
    views: tuple[EditView, ...] = ()

    @property
    def struck(self) -> bool:
        return any(v.edit.applied for v in self.views)


def edit_title(view: EditView) -> str:
    """The tooltip of an edit: what it changes, who made it, how sure, what became of it."""
    edit = view.edit
    by = f" ({view.scope})" if view.scope else ""
    return (
        f"{visible(edit.original)} → {visible(edit.replacement)} · {edit.pass_name} · "
        f"{edit.rule} · {edit.confidence:.2f} · {view.status}{by}"
    )


def edit_key(position: int, number: int) -> str:
    """The id of an edit on its case page: section position and edit number."""
    return f"{position}-{number}"


def table_views(section: SectionDiff) -> list[EditView]:
    """A section's edits as the tables have them."""
    return [
        EditView(edit_key(section.position, n), n, e)
        for n, e in zip(section.numbers, section.edits, strict=True)
    ]


def html_pieces(section: SectionDiff, views: Sequence[EditView]) -> list[HtmlPiece]:
    """A section's inline diff for a template; the template escapes every piece of text."""
    out = []
    for piece in clusters(section.raw, [v.edit for v in views]):
        if isinstance(piece, str):
            out.append(HtmlPiece(piece))
        else:
            out.append(HtmlPiece(piece.original, tuple(views[i] for i in piece.members)))
    return out


def edit_status(edit: Edit) -> str:
    if edit.decision:
        return edit.decision
    return "applied" if edit.applied else "suggested"
