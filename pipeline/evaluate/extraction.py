"""Extraction scores (``eval --gold`` on a site gold file): main content and structure kept.

A site gold file (``../shared/dev/sites/pmc/gold.jsonl``) has one page per line with
``case_id``, ``title``, ``sections`` (a list of ``{"heading", "text"}``), ``content`` (title and
every section's text joined: what a main-text extraction must keep) and ``chrome`` (navigation
strings of the site that must reach no text column). The figures are the ones extraction
benchmarks use, so caseclean can be put beside tools such as trafilatura:

- bag of words: a text is the multiset of its lowercase ``\\w+`` tokens (Unicode word
  characters, digits and ``_`` included, punctuation and markup signs such as ``#`` dropped).
  The overlap of a page is the multiset intersection (``Counter &``) of the kept bag and the
  gold ``content`` bag; precision = overlap / kept tokens, recall = overlap / gold tokens.
  Overall figures are micro-averaged: overlaps and token counts are summed over pages first,
  so a long page weighs more than a short one, and a lost page adds its gold tokens to the
  recall denominator;
- kept text of a run: every section row's ``raw_text`` in position order, plus the ``cases``
  title when no section row is the title (so a title is never counted twice). Headings are not
  kept text: the gold ``content`` holds section texts with their headings removed;
- heading recall: a gold heading is found when a heading of the page, folded the same way
  (:func:`fold_heading`), equals it; gold sections without a heading are not counted;
- chrome leaked: a ``chrome`` string found, after whitespace normalisation and with its case,
  in any text column of the page (``cases`` text columns; section heading, raw and clean
  text), counted once per page and string;
- pages lost: gold pages the run has no ``cases`` row for (a tool: no output at all).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from pipeline.evaluate.pairs import pct, ratio

_WORD = re.compile(r"\w+")
_NUMBERING = re.compile(r"^(?:\d{1,2}(?:\.\d+)*[.)]?|[ivxlc]+[.)])\s+")
_NOT_TEXT = frozenset({"case_id", "source_path", "source_sha256", "source_format", "status"})
_SECTION_TEXT = ("heading", "raw_text", "clean_text")


def bag_of_words(text: str) -> Counter[str]:
    """The multiset of lowercase word tokens of ``text``: what the overlap is counted on.

    >>> sorted(bag_of_words("CT: a 2-cm mass, a ## mass").items())
    [('2', 1), ('a', 2), ('cm', 1), ('ct', 1), ('mass', 2)]
    """
    return Counter(_WORD.findall(text.lower()))


def fold_heading(heading: str | None) -> str:
    """A heading as it is compared: case, spacing, numbering and a trailing colon ignored.

    >>> [fold_heading(h) for h in ("2.1. Case  Report:", "CASE REPORT", "IV. Case report")]
    ['case report', 'case report', 'case report']
    >>> fold_heading("2019 novel coronavirus"), fold_heading(None)
    ('2019 novel coronavirus', '')
    """
    text = unicodedata.normalize("NFKC", heading or "").replace("\u2019", "'")
    text = _NUMBERING.sub("", " ".join(text.split()).casefold())
    return text.rstrip(" :.")


def _norm_ws(text: str) -> str:
    """Text with every run of whitespace made one space, so line breaks never hide chrome."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Extracted:
    """What a tool kept of one page: the scored text, its headings, and every text column
    (``(name, text)``) searched for chrome; without columns the kept text is searched."""

    text: str
    headings: tuple[str, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()

    def searched(self) -> tuple[tuple[str, str], ...]:
        return self.columns or (("text", self.text),)


@dataclass
class PageScore:
    """Figures of one gold page; ``missing_headings`` and ``leaks`` keep the evidence."""

    case_id: str
    kept: int = 0
    gold: int = 0
    overlap: int = 0
    headings_expected: int = 0
    headings_found: int = 0
    missing_headings: list[str] = field(default_factory=list)
    leaks: list[tuple[str, str]] = field(default_factory=list)
    lost: bool = False

    @property
    def precision(self) -> float:
        return ratio(self.overlap, self.kept, empty=float(self.gold == 0))

    @property
    def recall(self) -> float:
        return ratio(self.overlap, self.gold, empty=1.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


@dataclass
class ExtractionScores:
    """Figures of a run against a site gold file: per page, and micro-averaged overall."""

    pages: list[PageScore] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.pages)

    @property
    def lost(self) -> int:
        return sum(p.lost for p in self.pages)

    @property
    def precision(self) -> float:
        return ratio(self._sum("overlap"), self._sum("kept"), empty=float(not self._sum("gold")))

    @property
    def recall(self) -> float:
        return ratio(self._sum("overlap"), self._sum("gold"), empty=1.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    @property
    def headings(self) -> tuple[int, int]:
        """(gold headings found, gold headings)."""
        return self._sum("headings_found"), self._sum("headings_expected")

    @property
    def heading_recall(self) -> float:
        return ratio(*self.headings, empty=1.0)

    @property
    def leaks(self) -> int:
        return sum(len(p.leaks) for p in self.pages)

    @property
    def pages_leaking(self) -> int:
        return sum(bool(p.leaks) for p in self.pages)


# --- scoring -----------------------------------------------------------------------------


def _chrome_leaks(chrome: Iterable[str], got: Extracted) -> list[tuple[str, str]]:
    """(column, string) for each chrome string, in the first column that holds it."""
    columns = [(name, _norm_ws(text)) for name, text in got.searched()]
    leaks: list[tuple[str, str]] = []
    for string in chrome:
        needle = _norm_ws(string)
        where = next((name for name, text in columns if needle and needle in text), None)
        if where is not None:
            leaks.append((where, string))
    return leaks


def score_page(page: Mapping, got: Extracted | None) -> PageScore:
    """Score what a tool kept of one page (``None``: the page was lost) against its gold."""
    gold_bag = bag_of_words(page.get("content") or "")
    headings = [s.get("heading") for s in page.get("sections", [])]
    wanted = [h for h in headings if fold_heading(h)]
    score = PageScore(str(page["case_id"]), gold=sum(gold_bag.values()))
    score.headings_expected = len(wanted)
    if got is None:
        score.lost = True
        score.missing_headings = [str(h) for h in wanted]
        return score
    kept_bag = bag_of_words(got.text)
    score.kept = sum(kept_bag.values())
    score.overlap = sum((kept_bag & gold_bag).values())
    have = {fold_heading(h) for h in got.headings}
    score.missing_headings = [str(h) for h in wanted if fold_heading(h) not in have]
    score.headings_found = len(wanted) - len(score.missing_headings)
    score.leaks = _chrome_leaks(page.get("chrome", []), got)
    return score


def score_extraction(
    gold: Iterable[Mapping], extracted: Mapping[str, Extracted]
) -> ExtractionScores:
    """Score a tool's output, keyed by case id, against every page of a site gold file."""
    return ExtractionScores([score_page(p, extracted.get(p["case_id"])) for p in gold])


def _text(value: object) -> str | None:
    """A cell as text, or None for a missing or non-text value."""
    return value if isinstance(value, str) else None


def _page_from_rows(case: Mapping, rows: pd.DataFrame) -> Extracted:
    """The kept text, headings and text columns of one page's ``cases`` row and sections."""
    if "position" in rows:
        rows = rows.sort_values("position", kind="stable")
    columns = [(f"cases.{k}", v) for k, v in case.items() if k not in _NOT_TEXT and _text(v)]
    kept: list[str] = []
    headings: list[str] = []
    for row in rows.to_dict("records"):
        label = f"sections[{row.get('position')}]"
        columns += [(f"{label}.{c}", row[c]) for c in _SECTION_TEXT if _text(row.get(c))]
        if _text(row.get("heading")):
            headings.append(row["heading"])
        if _text(row.get("raw_text")):
            kept.append(row["raw_text"])
    has_title_row = "section" in rows and bool((rows["section"] == "title").any())
    title = _text(case.get("title"))
    if title and not has_title_row:
        kept.insert(0, title)
    return Extracted("\n".join(kept), tuple(headings), tuple(columns))


def extracted_from_tables(cases: pd.DataFrame, sections: pd.DataFrame) -> dict[str, Extracted]:
    """What a caseclean run kept of each page, keyed by case id (pages with a cases row)."""
    if "case_id" not in cases:
        return {}
    by_case = dict(tuple(sections.groupby("case_id", sort=False))) if "case_id" in sections else {}
    empty = sections.iloc[0:0]
    return {
        str(case["case_id"]): _page_from_rows(case, by_case.get(case["case_id"], empty))
        for case in cases.to_dict("records")
    }


def score_site_gold(
    gold: Iterable[Mapping], cases: pd.DataFrame, sections: pd.DataFrame
) -> ExtractionScores:
    """Score the ``cases`` and ``sections`` tables of a run against a site gold file."""
    return score_extraction(gold, extracted_from_tables(cases, sections))


# --- the report --------------------------------------------------------------------------


def _page_line(p: PageScore, width: int) -> str:
    found = f"{p.headings_found}/{p.headings_expected}"
    state = "  LOST" if p.lost else ""
    return (
        f"  {p.case_id:<{width}} {p.precision:9.4f} {p.recall:7.4f} {p.f1:7.4f} "
        f"{found:>9} {len(p.leaks):>6}{state}"
    )


def _worst_lines(scores: ExtractionScores, worst: int) -> list[str]:
    """The ``worst`` pages by F1 (lost pages first), one line each."""
    ranked = sorted(scores.pages, key=lambda p: (not p.lost, p.f1, p.case_id))[:worst]
    if not ranked:
        return []
    width = max(len(p.case_id) for p in ranked)
    return [
        f"worst pages (lowest F1, {len(ranked)} of {len(scores.pages)}):",
        f"  {'page':<{width}} precision  recall      F1  headings  chrome",
        *(_page_line(p, width) for p in ranked),
    ]


def _evidence_lines(scores: ExtractionScores, details: int) -> list[str]:
    """The first ``details`` missing headings and chrome leaks, each list after a blank line."""
    missing = [(p.case_id, "heading", h) for p in scores.pages for h in p.missing_headings]
    leaks = [(p.case_id, col, s) for p in scores.pages for col, s in p.leaks]
    lines: list[str] = []
    for title, items in (("gold headings not found", missing), ("chrome leaked", leaks)):
        if items:
            lines += ["", f"{title} (first {min(details, len(items))} of {len(items)}):"]
            lines += [f"  {case}  {where}: {what!r}" for case, where, what in items[:details]]
    return lines


def extraction_headline(scores: ExtractionScores) -> list[str]:
    """The four headline lines every extraction report ends with."""
    found, expected = scores.headings
    return [
        f"pages: {len(scores.pages)}   lost: {scores.lost}",
        f"bag-of-words F1: {scores.f1:.4f}   precision: {scores.precision:.4f}   "
        f"recall: {scores.recall:.4f}   (micro over pages)",
        f"headings found: {found}/{expected} ({pct(scores.heading_recall).strip()})",
        f"chrome leaked: {scores.leaks} strings on {scores.pages_leaking} pages",
    ]


def format_extraction_scores(scores: ExtractionScores, worst: int = 5, details: int = 10) -> str:
    """The printed extraction report: worst pages, evidence, then the headline figures."""
    lines = [
        "extraction against site gold (bag of words: lowercase \\w+ tokens, multiset overlap)",
        "",
        *_worst_lines(scores, worst),
        *_evidence_lines(scores, details),
        "",
        *extraction_headline(scores),
    ]
    return "\n".join(lines)
