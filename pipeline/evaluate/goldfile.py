"""Which kind of gold file ``eval --gold`` was given, and the report that scores it.

Two formats share the command. The teaching-archive gold (``../shared/dev/gold.jsonl``) has
``fields`` and ``sections`` dicts, ``must_not_change``, and broken pages with only ``case_id``
and ``status``: :mod:`~pipeline.evaluate.gold` scores it. A site gold
(``../shared/dev/sites/*/gold.jsonl``) has ``content``, ``chrome`` and ``sections`` as a list:
:mod:`~pipeline.evaluate.extraction` scores it. The file says which by its keys, so nobody has
to name the format, and a file mixing both is refused rather than half scored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from pipeline.evaluate.extraction import format_extraction_scores, score_site_gold
from pipeline.evaluate.gold import format_gold_scores, score_gold

ARCHIVE = "archive"
SITE = "site"


class GoldFormatError(ValueError):
    """A gold file whose pages are of neither known format, or of both."""


def page_format(page: Mapping) -> str:
    """The format one gold page is written in.

    >>> page_format({"case_id": "a", "content": "x", "chrome": [], "sections": []})
    'site'
    >>> page_format({"case_id": "b", "status": "error_or_warning"})
    'archive'
    """
    sections = page.get("sections")
    site = isinstance(sections, list) or "content" in page or "chrome" in page
    archive = isinstance(sections, dict) or any(k in page for k in ("fields", "must_not_change"))
    archive = archive or "status" in page
    if site == archive:
        what = "both the archive and the site format" if site else "neither known format"
        raise GoldFormatError(f"gold page {page.get('case_id')!r} is in {what}")
    return SITE if site else ARCHIVE


def gold_format(pages: Iterable[Mapping]) -> str:
    """The format of a whole gold file; an empty file is an archive gold, as it always was."""
    kinds = {page_format(page) for page in pages}
    if len(kinds) > 1:
        raise GoldFormatError("gold file mixes archive pages and site pages")
    return kinds.pop() if kinds else ARCHIVE


def gold_report(
    pages: list[dict],
    tables: Mapping[str, pd.DataFrame],
    kind: str | None = None,
    canonical: Mapping[str, Callable[[str], str | None]] | None = None,
) -> str:
    """The report of a run's tables (by table name) against a gold file of either format;
    ``canonical`` names the fields the run writes canonical (see :func:`score_gold`)."""
    if (kind or gold_format(pages)) == SITE:
        return format_extraction_scores(score_site_gold(pages, tables["cases"], tables["sections"]))
    scores = score_gold(
        pages,
        tables["cases"],
        tables["sections"],
        tables["corrections"],
        tables["errors"],
        canonical,
    )
    return format_gold_scores(scores)
