"""Correct: the spelling passes over one section's text, every change an edit.

:class:`Corrector` holds a run's rules, lexicon and archive vocabulary; ``clean(text)`` gives
the corrected text and every edit. :func:`clean_text` corrects with the default rules.
"""

from __future__ import annotations

import functools

from pipeline.correct.corrector import CleanResult, Corrector


@functools.cache
def default_corrector() -> Corrector:
    """The corrector of the default rules, no archive vocabulary; built once a process, since
    building it takes a second and :func:`clean_text` is called in loops."""
    return Corrector.load()


def clean_text(text: str) -> CleanResult:
    """Correct ``text`` with the default rules and no archive vocabulary."""
    return default_corrector().clean(text)


__all__ = ["CleanResult", "Corrector", "clean_text", "default_corrector"]
