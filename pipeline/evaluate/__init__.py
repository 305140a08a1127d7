"""Scoring: corrections against clean text (``eval --pairs``), pages against gold (``--gold``)."""

from pipeline.evaluate.scores import (
    format_gold_scores,
    format_pair_scores,
    score_gold,
    score_pairs,
)

__all__ = ["format_gold_scores", "format_pair_scores", "score_gold", "score_pairs"]
