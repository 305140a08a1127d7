"""The spill: each page's intermediate results on disk, between the steps of a run.

A run reads every page, learns from all of them (chrome, layout, vocabulary), then corrects
every page. Holding the documents of a whole archive in memory between those steps would make
memory grow with the archive; instead each step's worker writes its page's result here, the
parent keeps only counts, and the next step's worker reads the page back. Files are pickles,
one per page and step, named by the page's index in the run.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Spill:
    """A folder of per-page pickles (on storage every worker sees)."""

    folder: Path

    def path(self, index: int, kind: str) -> Path:
        return self.folder / f"{index:08d}.{kind}.pickle"

    def put(self, index: int, kind: str, value: Any) -> None:
        """Keep one page's result of one step."""
        self.path(index, kind).write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def get(self, index: int, kind: str) -> Any:
        """A page's result of an earlier step."""
        return pickle.loads(self.path(index, kind).read_bytes())
