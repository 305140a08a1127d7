"""Scoring: corrections against clean text (``eval --pairs``), pages against gold (``--gold``).

:mod:`~pipeline.evaluate.align` holds the words, error rates and alignment both share;
:mod:`~pipeline.evaluate.pairs` and :mod:`~pipeline.evaluate.gold` the two kinds of figures;
:mod:`~pipeline.evaluate.damage` tells injected damage from parsing slips for the gold;
:mod:`~pipeline.evaluate.extraction` scores main content and headings against a site gold, and
:mod:`~pipeline.evaluate.goldfile` tells which of the two gold formats a file is in.
"""

from pipeline.evaluate.extraction import (
    Extracted,
    format_extraction_scores,
    score_extraction,
    score_site_gold,
)
from pipeline.evaluate.gold import format_gold_scores, score_gold
from pipeline.evaluate.goldfile import GoldFormatError, gold_format, gold_report
from pipeline.evaluate.pairs import fold_of, format_pair_scores, score_pairs, section_kind

__all__ = [
    "Extracted",
    "GoldFormatError",
    "fold_of",
    "format_extraction_scores",
    "format_gold_scores",
    "format_pair_scores",
    "gold_format",
    "gold_report",
    "score_extraction",
    "score_gold",
    "score_pairs",
    "score_site_gold",
    "section_kind",
]
