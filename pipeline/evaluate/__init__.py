"""Scoring: corrections against clean text (``eval --pairs``), pages against gold (``--gold``).

:mod:`~pipeline.evaluate.align` holds the words, error rates and alignment both share;
:mod:`~pipeline.evaluate.pairs` and :mod:`~pipeline.evaluate.gold` the two kinds of figures;
:mod:`~pipeline.evaluate.damage` tells injected damage from parsing slips for the gold.
"""

from pipeline.evaluate.gold import format_gold_scores, score_gold
from pipeline.evaluate.pairs import format_pair_scores, score_pairs

__all__ = ["format_gold_scores", "format_pair_scores", "score_gold", "score_pairs"]
