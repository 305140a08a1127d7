"""caseclean: radiology teaching archives in, a tidy and reviewable dataset out.

The two entry points of the contract are :func:`clean_text` (correct one text) and
:func:`process_page` (one page into table rows); ``caseclean run`` processes whole archives.
They are imported lazily: loading the lexicon is work that ``import pipeline`` should not do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pipeline.correct import CleanResult
    from pipeline.run.engine import PageRows


def clean_text(text: str) -> CleanResult:
    """Correct one text with the default rules: the result has ``.text`` and ``.edits``."""
    from pipeline.correct import clean_text as _clean_text

    return _clean_text(text)


def process_page(path: Any, raw_dir: Any = None) -> PageRows:
    """Process one page on its own: its case row, sections, corrections or error."""
    from pipeline.run.engine import process_page as _process_page

    return _process_page(path, raw_dir)


__all__ = ["__version__", "clean_text", "process_page"]
