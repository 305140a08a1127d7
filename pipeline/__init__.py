"""caseclean: radiology teaching archives in, a tidy and reviewable dataset out.

The entry points of the contract: :func:`clean_text` (correct one text), :func:`process_page`
(one page into table rows) and :func:`load_tables` (a finished run's tables as DataFrames);
``caseclean run`` processes whole archives. They are imported lazily: loading the lexicon is
work that ``import pipeline`` should not do.

The stages, one subpackage each, data flowing one way: :mod:`pipeline.read` (page ->
document -> sections and fields), :mod:`pipeline.correct` (sections -> edits),
:mod:`pipeline.output` (rows -> tables), with :mod:`pipeline.run` driving them over an
archive, :mod:`pipeline.review` showing the edits and :mod:`pipeline.evaluate` scoring them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.correct import CleanResult
    from pipeline.output.rows import PageRows


def clean_text(text: str) -> CleanResult:
    """Correct one text with the default rules: the result has ``.text`` and ``.edits``."""
    from pipeline.correct import clean_text as _clean_text

    return _clean_text(text)


def process_page(path: Path | str, raw_dir: Path | str | None = None) -> PageRows:
    """Process one page on its own: its case row, sections, corrections or error."""
    from pipeline.run import process_page as _process_page

    return _process_page(path, raw_dir)


def load_tables(out_dir: Path | str) -> dict[str, pd.DataFrame]:
    """The tables of a finished run (``cases``, ``sections``, ``corrections``, ``errors``)."""
    from pipeline.output import load_tables as _load_tables

    return _load_tables(out_dir)


__all__ = ["__version__", "clean_text", "load_tables", "process_page"]
