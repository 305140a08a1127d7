"""A finished run's cases one at a time, each with its sections and edits, in bounded memory.

The report shows every case's diff; built all at once, they held every section's text twice
over (85 MB of HTML for 10,000 pages, and the rows behind it). A run writes its tables in case
order, so the three tables can be read side by side, a batch at a time, and each case built
when its turn comes. Tables in another order (edited by hand, say) are read whole instead: the
cases come out the same either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from pipeline.review.diff import CaseDiff, Row, build_cases, load_cases
from pipeline.review.rows import row_batches

CASE_COLUMNS = ("case_id", "title", "status")


def _case_ids(out_dir: Path, name: str) -> list[str]:
    """The case id of every row of a table, in table order."""
    return [
        str(row["case_id"]) for batch in row_batches(out_dir, name, ["case_id"]) for row in batch
    ]


def in_case_order(index: dict[str, int], ids: list[str]) -> bool:
    """Whether rows with these case ids come a case at a time, in the cases table's order
    (rows of cases the table does not hold are left out, wherever they are).

    >>> index = {"a": 0, "b": 1}
    >>> in_case_order(index, ["a", "a", "x", "b"]), in_case_order(index, ["b", "a"])
    (True, False)
    """
    last = -1
    for case_id in ids:
        at = index.get(case_id)
        if at is None:
            continue
        if at < last:
            return False
        last = at
    return True


class _Rows:
    """One table's rows in order, taken a case at a time."""

    def __init__(self, rows: Iterator[Row], index: dict[str, int]) -> None:
        self._rows = rows
        self._index = index
        self._next: Row | None = next(rows, None)

    def take(self, at: int) -> list[Row]:
        """The rows of the case at index ``at``; rows of earlier or unknown cases are
        passed over."""
        out: list[Row] = []
        while self._next is not None:
            where = self._index.get(str(self._next["case_id"]), -1)
            if where > at:
                break
            if where == at:
                out.append(self._next)
            self._next = next(self._rows, None)
        return out


class CaseStream:
    """Every case's diff of a finished run, in the cases table's order, built as it is
    read: iterating twice reads the tables twice, and holds one case at a time."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        ids = _case_ids(self.out_dir, "cases")
        self.index = {case_id: i for i, case_id in enumerate(ids)}
        self.ordered = len(self.index) == len(ids) and all(
            in_case_order(self.index, _case_ids(self.out_dir, name))
            for name in ("sections", "corrections")
        )

    def __len__(self) -> int:
        return len(self.index)

    def __iter__(self) -> Iterator[CaseDiff]:
        if not self.ordered:
            yield from load_cases(self.out_dir).values()
            return
        sections = _Rows(self._rows("sections"), self.index)
        corrections = _Rows(self._rows("corrections"), self.index)
        for at, case in enumerate(self._rows("cases", CASE_COLUMNS)):
            case_id = str(case["case_id"])
            built = build_cases([case], sections.take(at), corrections.take(at))
            yield built[case_id]

    def _rows(self, name: str, columns: tuple[str, ...] | None = None) -> Iterator[Row]:
        return chain.from_iterable(row_batches(self.out_dir, name, columns))
