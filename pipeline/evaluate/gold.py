"""Gold scores (``eval --gold``): the tables of a run against a gold file of pages.

Per field, exact match; per section kind, found, spurious and exact text, and whether the raw
text differs from gold only where damage was injected; boilerplate left in any text column;
protected words altered; and pages with the right status. The fields and section kinds scored
are the ones the gold file names, in the order it first names them, so the gold file is the
one list of them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from pipeline.evaluate.align import tokenize
from pipeline.evaluate.damage import (
    differs_only_at_injected,
    first_difference,
    same_text_but_spelling,
)
from pipeline.evaluate.pairs import pct, ratio

AGE_TOLERANCE = 1e-3
_NOT_TEXT = frozenset({"case_id", "source_path", "source_sha256", "source_format", "status"})
_BROKEN_STATUSES = ("errors-table", "error", "warning")
_MAX_EXAMPLES = 20


@dataclass
class SectionTally:
    """How one section kind fared: ``found`` counts expected sections the run filled,
    ``spurious`` sections the run filled where the gold has none, ``exact`` expected sections
    whose clean text equals the gold text after whitespace normalisation; ``raw_injected_only``
    found sections whose raw text differs from gold only at injected damage; ``structure``
    expected sections whose raw text is the page's own text of the section, up to spelling
    (structure alone, before any correction)."""

    expected: int = 0
    found: int = 0
    spurious: int = 0
    exact: int = 0
    raw_compared: int = 0
    raw_injected_only: int = 0
    structure: int = 0


@dataclass
class GoldScores:
    """Figures of a run against a gold file; lists keep the evidence for the report."""

    pages: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)
    sections: dict[str, SectionTally] = field(default_factory=dict)
    leaks: list[tuple[str, str, str]] = field(default_factory=list)
    protected_changed: list[tuple[str, str, str]] = field(default_factory=list)
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    status_right: int = 0
    injected_missing: int = 0
    injected_kinds: set[str] = field(default_factory=set)
    injected_examples: list[tuple[str, str, str]] = field(default_factory=list)

    def field_rate(self, name: str) -> float:
        """Share of gold pages whose value of ``name`` the run got exactly."""
        right, total = self.fields.get(name, [0, 0])
        return ratio(right, total)

    def injected_only(self, kinds: Iterable[str] | None = None) -> tuple[int, int]:
        """(sections whose raw text differs from gold only at injected damage, compared).

        ``kinds`` limits the count to some section kinds: the gold lists injected words only
        for some kinds (``injected_kinds``), and damage in other kinds cannot be explained.
        """
        tallies = [t for k, t in self.sections.items() if kinds is None or k in kinds]
        return sum(t.raw_injected_only for t in tallies), sum(t.raw_compared for t in tallies)


# --- comparing values --------------------------------------------------------------------


def _missing(value: object) -> bool:
    """True for None, NaN and pandas' NA: every way a table says "no value".

    >>> [_missing(v) for v in (None, float("nan"), pd.NA, "", 0)]
    [True, True, True, False, False]
    """
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _norm_ws(text: object) -> str:
    """Text with every run of whitespace made one space, so layout never counts.

    >>> _norm_ws(" CT  shows\\na mass ")
    'CT shows a mass'
    """
    return " ".join(str(text).split())


def _same_field(name: str, got: object, want: object) -> bool:
    """Exact match after whitespace normalisation; ages in years within a tolerance.

    >>> _same_field("patient_age_years", 0.5000001, 0.5), _same_field("title", "A  b", "A b")
    (True, True)
    >>> _same_field("title", None, float("nan")), _same_field("title", None, "x")
    (True, False)
    """
    if _missing(got) or _missing(want):
        return _missing(got) and _missing(want)
    if name == "patient_age_years":
        try:
            return abs(float(got) - float(want)) <= AGE_TOLERANCE
        except (TypeError, ValueError):
            return False
    return _norm_ws(got) == _norm_ws(want)


# --- reading the run's tables ------------------------------------------------------------


def _rows_of(table: pd.DataFrame, case_id: str) -> pd.DataFrame:
    """The rows of one page (none when the table lacks a ``case_id`` column)."""
    if "case_id" not in table:
        return table.iloc[0:0]
    return table.loc[table["case_id"] == case_id]


def _row_for(cases: pd.DataFrame, case_id: str) -> dict | None:
    rows = _rows_of(cases, case_id)
    return None if rows.empty else rows.iloc[0].to_dict()


def _in_errors(errors: pd.DataFrame, case_id: str) -> bool:
    """Broken pages are matched by a source path ending in the gold case id."""
    if errors.empty or "source_path" not in errors:
        return False
    paths = errors["source_path"].astype(str).str.replace("\\", "/", regex=False)
    return bool(paths.map(lambda p: p == case_id or p.endswith("/" + case_id)).any())


def _run_status(row: dict | None, in_errors: bool) -> str:
    if in_errors:
        return "errors-table"
    if row is None:
        return "missing"
    return "missing" if _missing(row.get("status")) else str(row.get("status"))


def _words(text: str) -> set[str]:
    """Words with surrounding punctuation stripped, as protected words are listed.

    >>> sorted(_words("(CT) shows, CT."))
    ['CT', 'shows']
    """
    return {w.strip(".,;:!?()[]{}\"'") for w in tokenize(text)}


def _edited_words(corrections: pd.DataFrame, case_id: str) -> set[str]:
    """Words of the page's applied edits (suggestions that were not applied change nothing)."""
    edits = _rows_of(corrections, case_id)
    edited: set[str] = set()
    if not edits.empty:
        applied = edits.loc[edits["applied"].fillna(False).astype(bool)]
        for original in applied["original"].astype(str):
            edited |= _words(original)
    return edited


def _column_words(rows: pd.DataFrame, column: str) -> set[str]:
    """Every word in one text column of some section rows."""
    bag: set[str] = set()
    for text in rows.get(column, ()):
        if isinstance(text, str):
            bag |= _words(text)
    return bag


def _protected_changes(
    case_id: str, protected: Sequence[str], sections: pd.DataFrame, corrections: pd.DataFrame
) -> list[tuple[str, str, str]]:
    """Words of ``must_not_change`` the run altered, with how: an applied edit or a loss."""
    edited = _edited_words(corrections, case_id)
    rows = _rows_of(sections, case_id)
    raw_words, clean_words = _column_words(rows, "raw_text"), _column_words(rows, "clean_text")
    found: list[tuple[str, str, str]] = []
    for word in protected:
        if word in edited:
            found.append((case_id, word, "edited"))
        elif word in raw_words and word not in clean_words:
            found.append((case_id, word, "lost"))
    return found


def _leaks(
    case_id: str, row: dict | None, sections: pd.DataFrame, strings: Sequence[str]
) -> list[tuple[str, str, str]]:
    """(case, column, string) for each boilerplate string found in the page's text."""
    texts: list[tuple[str, str]] = []
    if row is not None:
        texts += [
            (col, str(val))
            for col, val in row.items()
            if col not in _NOT_TEXT and isinstance(val, str)
        ]
    if "clean_text" in sections:
        rows = _rows_of(sections, case_id)
        texts += [
            (f"sections:{sec}", str(txt))
            for sec, txt in zip(rows["section"], rows["clean_text"], strict=True)
            if isinstance(txt, str)
        ]
    return [(case_id, col, s) for s in strings for col, txt in texts if s in txt]


# --- scoring -----------------------------------------------------------------------------


def _names_in(pages: Iterable[dict], key: str) -> list[str]:
    """The keys of every page's ``key`` dict, in the order the gold file first names them.

    >>> _names_in([{"fields": {"b": 1}}, {"status": "error_or_warning"}, {"fields": {"a": 2}}],
    ...           "fields")
    ['b', 'a']
    """
    return list(dict.fromkeys(name for page in pages for name in page.get(key, {})))


def score_gold(
    gold: Iterable[dict],
    cases: pd.DataFrame,
    sections: pd.DataFrame,
    corrections: pd.DataFrame,
    errors: pd.DataFrame,
    canonical: Mapping[str, Callable[[str], str | None]] | None = None,
) -> GoldScores:
    """Score the tables of a run (CONTRACT.md columns) against gold pages.

    ``canonical`` maps a field to the function that names its canonical value (the run writes
    ``body_system`` canonical; the gold holds the page's spelling, compared by its canonical
    name).

    Only the gold's pages are scored, on the fields and section kinds the gold names. Broken
    pages (gold status ``error_or_warning``) count as right when they are in ``errors`` or
    their row has status error/warning; a gold ``ok`` page is right only with status ``ok``.
    """
    pages = list(gold)
    scores = GoldScores()
    scores.fields = {name: [0, 0] for name in _names_in(pages, "fields")}
    scores.sections = {kind: SectionTally() for kind in _names_in(pages, "sections")}
    for page in pages:
        case_id, want_status = page["case_id"], page["status"]
        scores.pages += 1
        row = _row_for(cases, case_id)
        got_status = _run_status(row, _in_errors(errors, case_id))
        scores.statuses[want_status, got_status] += 1
        if want_status == "error_or_warning":
            scores.status_right += got_status in _BROKEN_STATUSES
            continue
        scores.status_right += got_status == want_status
        _score_fields(scores, page, row, canonical or {})
        _score_sections(scores, page, row, sections)
        scores.leaks += _leaks(case_id, row, sections, page.get("must_be_absent", []))
        scores.protected_changed += _protected_changes(
            case_id, page.get("must_not_change", []), sections, corrections
        )
    return scores


def _score_fields(
    scores: GoldScores,
    page: dict,
    row: dict | None,
    canonical: Mapping[str, Callable[[str], str | None]],
) -> None:
    for name, tally in scores.fields.items():
        want = page.get("fields", {}).get(name)
        if name in canonical and isinstance(want, str):
            want = canonical[name](want) or want
        got = None if row is None else row.get(name)
        tally[1] += 1
        tally[0] += row is not None and _same_field(name, got, want)


def _score_sections(
    scores: GoldScores, page: dict, row: dict | None, sections: pd.DataFrame
) -> None:
    injected = page.get("injected", {})
    scores.injected_kinds |= set(injected)
    raw_rows = _rows_of(sections, page["case_id"])
    for kind, tally in scores.sections.items():
        want = page.get("sections", {}).get(kind)
        got = None if row is None else row.get(kind)
        if _missing(want):
            tally.spurious += not _missing(got)
            continue
        tally.expected += 1
        if _missing(got):
            continue
        tally.found += 1
        tally.exact += _norm_ws(got) == _norm_ws(want)
        raws = raw_rows.loc[raw_rows["section"] == kind, "raw_text"]
        raw = None if len(raws) == 0 else "\n\n".join(str(r) for r in raws)
        _score_raw(scores, page["case_id"], kind, raw, want, injected.get(kind, []))


def _score_raw(
    scores: GoldScores,
    case_id: str,
    kind: str,
    raw: object,
    want: str,
    injected: Sequence[Sequence[str]],
) -> None:
    """Whether a found section's raw text differs from gold only at injected damage."""
    scores.sections[kind].raw_compared += 1
    if not _missing(raw):
        scores.sections[kind].structure += same_text_but_spelling(str(raw), want, injected)
    if _missing(raw):
        scores.injected_missing += 1
    elif differs_only_at_injected(str(raw), want, injected):
        scores.sections[kind].raw_injected_only += 1
    elif len(scores.injected_examples) < _MAX_EXAMPLES:
        scores.injected_examples.append((case_id, kind, first_difference(str(raw), want)))


# --- the report --------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with the counts behind it.

    >>> _share(3, 4)
    '75.00% (3/4)'
    """
    return f"{pct(ratio(part, whole)).strip()} ({part}/{whole})"


def _field_lines(scores: GoldScores) -> list[str]:
    lines = ["field                      exact-match"]
    for name, (right, total) in scores.fields.items():
        lines.append(f"  {name:<24} {pct(scores.field_rate(name))}  ({right}/{total})")
    return lines


def _section_lines(scores: GoldScores) -> list[str]:
    lines = [
        "section                  expected  found  spurious  exact-text  raw-only-injected"
        "  raw-is-page-text"
    ]
    for kind, t in scores.sections.items():
        listed = "" if kind in scores.injected_kinds else "  (gold lists no injected words)"
        lines.append(
            f"  {kind:<22} {t.expected:>8} {t.found:>6} {t.spurious:>9} "
            f"{pct(ratio(t.exact, t.expected)):>11} "
            f"{pct(ratio(t.raw_injected_only, t.raw_compared)):>18} "
            f"{pct(ratio(t.structure, t.expected)):>17}{listed}"
        )
    lines.append(
        "  (raw-is-page-text: pages whose raw section text is the page's own text of the"
        " section, up to spelling: structure alone, before correction)"
    )
    return lines


def _status_lines(scores: GoldScores) -> list[str]:
    lines = ["statuses (gold -> run):"]
    for (want, got), n in sorted(scores.statuses.items()):
        lines.append(f"  {want:<17} -> {got:<13} {n:>5}")
    return lines


def _evidence_lines(scores: GoldScores, details: int) -> list[str]:
    """The first ``details`` items of each kind of slip, each list after a blank line."""
    examples = sorted(scores.injected_examples, key=lambda e: e[1] not in scores.injected_kinds)
    lines: list[str] = []
    for title, items in (
        ("boilerplate leaked", scores.leaks),
        ("protected words changed", scores.protected_changed),
        ("sections differing beyond injected damage", examples),
    ):
        if items:
            lines += ["", f"{title} (first {min(details, len(items))}):"]
            lines += [f"  {a}  {b}: {c}" for a, b, c in items[:details]]
    return lines


def _lowest_field(scores: GoldScores) -> str:
    """The field with the lowest exact-match rate (the first of equals), with its rate."""
    worst = min(scores.fields, key=scores.field_rate, default=None)
    return "none" if worst is None else f"{worst} {pct(scores.field_rate(worst)).strip()}"


def _gold_headline(scores: GoldScores) -> list[str]:
    """The six headline lines every gold report ends with."""
    tallies = scores.sections.values()
    found = sum(t.found for t in tallies)
    expected = sum(t.expected for t in tallies)
    at_99 = sum(scores.field_rate(name) >= 0.99 for name in scores.fields)
    return [
        f"pages: {scores.pages}   right status: {scores.status_right}/{scores.pages}",
        f"fields at >= 99% exact match: {at_99}/{len(scores.fields)}   "
        f"lowest: {_lowest_field(scores)}",
        f"sections found: {found}/{expected}   "
        f"spurious: {sum(t.spurious for t in tallies)}   "
        f"exact text: {sum(t.exact for t in tallies)}/{expected}",
        f"boilerplate leaked: {len(scores.leaks)}",
        f"protected words changed: {len(scores.protected_changed)}",
        "raw sections differing only at injected words: "
        f"{_share(*scores.injected_only())} of all, "
        f"{_share(*scores.injected_only(scores.injected_kinds))} where gold lists them; "
        f"{scores.injected_missing} without raw text",
    ]


def format_gold_scores(scores: GoldScores, details: int = 10) -> str:
    """The printed page-level report; the last six lines are the headline figures."""
    lines = [
        *_field_lines(scores),
        "",
        *_section_lines(scores),
        "",
        *_status_lines(scores),
        *_evidence_lines(scores, details),
        "",
        *_gold_headline(scores),
    ]
    return "\n".join(lines)
