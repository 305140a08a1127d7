"""A run's tables as the review app reads them: every edit as columns of arrays, every case
built only when a page shows it.

The case list, the queue and the counts are questions over all edits of a run (100,000 cases
hold millions), so each edit is one position in a few numpy arrays: its case, section
position and number, confidence, the corrector's verdict, whether it waits for review, and
codes for its rule, pass and pattern (original -> the corrector's replacement). A case's
texts and :class:`~pipeline.edits.Edit` objects are built from the tables' rows when a page
needs them, and kept for a while.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.output import read_table
from pipeline.review.diff import CaseDiff, build_cases, primary_pass

CACHED_CASES = 256


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each value as the index of its name in a sorted list of the distinct names."""
    codes, names = pd.factorize(values.astype(str), sort=True)
    return codes.astype(np.int32), [str(n) for n in names]


def _column(df: pd.DataFrame, name: str, default: pd.Series) -> pd.Series:
    return df[name] if name in df.columns else default


def _verdicts(corrections: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The corrector's verdict, replacement and review flag of every edit; older tables
    without those columns get them guessed from ``applied`` and ``decision``."""
    decided = corrections["decision"].notna() if "decision" in corrections else None
    applied = corrections["applied"].astype(bool)
    guessed = applied if decided is None else applied.where(~decided, ~applied)
    proposed = _column(corrections, "proposed", guessed).astype(bool)
    reading = _column(corrections, "proposed_replacement", corrections["replacement"])
    reading = reading.where(reading.notna(), corrections["replacement"]).astype(str)
    to_review = _column(corrections, "to_review", ~proposed).astype(bool)
    return proposed, reading, to_review


@dataclass
class Store:
    """The tables of one output folder, for questions over all edits and pages of one case."""

    case_ids: list[str]
    titles: list[str]
    statuses: list[str]
    sections: pa.Table
    corrections: pa.Table
    """The rows of both tables sorted by case: Arrow tables, since a slice of one is free
    and reads back as rows far faster than a slice of a DataFrame."""
    arrays: dict[str, np.ndarray]
    rules: list[str]
    passes: list[str]
    primaries: list[str]
    pairs: list[tuple[str, str]]
    offsets: np.ndarray
    section_offsets: np.ndarray
    index_of: dict[str, int] = field(default_factory=dict)
    orders: dict[str, np.ndarray] = field(default_factory=dict)
    """Orders of all edits and ranks of all cases that depend on nothing a reviewer changes,
    by sort (each computed at its first use)."""
    _cases: OrderedDict[int, CaseDiff] = field(default_factory=OrderedDict)
    _search: list[str] | None = None

    def __post_init__(self) -> None:
        self.index_of = {cid: i for i, cid in enumerate(self.case_ids)}

    def __len__(self) -> int:
        return len(self.case_ids)

    @property
    def n_edits(self) -> int:
        return int(self.offsets[-1])

    def edits_of(self, case: int) -> range:
        """The positions of one case's edits in the arrays."""
        return range(int(self.offsets[case]), int(self.offsets[case + 1]))

    def key(self, edit: int) -> str:
        """The key of an edit on its case page: section position and edit number."""
        return f"{self.arrays['position'][edit]}-{self.arrays['number'][edit]}"

    def find(self, case: int, key: str) -> int | None:
        """The position of the edit with this key in a case, or None."""
        for edit in self.edits_of(case):
            if self.key(edit) == key:
                return edit
        return None

    def case(self, index: int) -> CaseDiff:
        """One case with its sections and edits as the tables have them (kept a while)."""
        cached = self._cases.get(index)
        if cached is not None:
            self._cases.move_to_end(index)
            return cached
        row = {"case_id": self.case_ids[index], "title": self.titles[index]}
        row["status"] = self.statuses[index]
        lo, hi = self.section_offsets[index], self.section_offsets[index + 1]
        sections = self.sections.slice(lo, hi - lo).to_pylist()
        start, stop = self.offsets[index], self.offsets[index + 1]
        edits = self.corrections.slice(start, stop - start).to_pylist()
        built = build_cases([row], sections, edits)[self.case_ids[index]]
        self._cases[index] = built
        if len(self._cases) > CACHED_CASES:
            self._cases.popitem(last=False)
        return built

    def raw_text(self, case: int, position: int) -> str:
        """The raw text of one section of a case ("" when there is none)."""
        lo, hi = self.section_offsets[case], self.section_offsets[case + 1]
        found = np.flatnonzero(self.arrays["section_position"][lo:hi] == position)
        return str(self.sections["raw_text"][int(lo + found[0])]) if len(found) else ""

    def search_texts(self) -> list[str]:
        """What the search looks in, per case: id, title, raw text and every edit's two
        sides, casefolded (built at the first search)."""
        if self._search is None:
            pairs = zip(self.case_ids, self.titles, strict=True)
            parts: list[list[str]] = [[cid, title] for cid, title in pairs]
            raw = self.sections["raw_text"].to_pylist()
            texts = zip(self.arrays["section_case"], raw, strict=True)
            for case, text in texts:
                parts[case].append(str(text))
            sides = zip(
                self.arrays["case"],
                self.corrections["original"].to_pylist(),
                self._readings(),
                strict=True,
            )
            for case, original, reading in sides:
                parts[case].append(f"{original} {reading}")
            self._search = [" ".join(p).casefold() for p in parts]
        return self._search

    def _readings(self) -> list[str]:
        return [self.pairs[p][1] for p in self.arrays["pair"]]


def _case_codes(df: pd.DataFrame, case_ids: list[str]) -> np.ndarray:
    """Each row's case index (-1 for a case the cases table does not have)."""
    return pd.Categorical(df["case_id"].astype(str), categories=case_ids).codes.astype(np.int64)


def _sorted_rows(
    df: pd.DataFrame, case_ids: list[str], order: list[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of known cases, sorted by case then ``order``, and each row's case index."""
    case = _case_codes(df, case_ids)
    df = df[case >= 0].assign(_case=case[case >= 0])
    df = df.sort_values(["_case", *order], kind="stable").reset_index(drop=True)
    return df.drop(columns="_case"), df["_case"].to_numpy(np.int64)


WHITESPACE = r"[\s\x{0B}\x{1C}-\x{1F}\x{85}\p{Z}]+"
r"""What Python's ``\s`` matches, in the RE2 syntax of pyarrow."""


def _folded(values: pd.Series) -> pd.Series:
    r"""Whitespace runs folded to one space, as :func:`pipeline.decisions.norm` folds them.

    >>> from pipeline.decisions import norm
    >>> text = "a\u00a0 b\n\tc\u2009d\x1ce"
    >>> _folded(pd.Series([text])).iloc[0] == norm(text) == "a b c d e"
    True
    """
    folded = pc.replace_substring_regex(pa.array(values.astype(str)), WHITESPACE, " ")
    return pd.Series(pd.array(folded, dtype="string[pyarrow]"), index=values.index)


def _offsets(case_of_row: np.ndarray, n_cases: int) -> np.ndarray:
    """Where each case's rows start in rows sorted by case (one more entry for the end)."""
    return np.searchsorted(case_of_row, np.arange(n_cases + 1)).astype(np.int64)


def _edit_arrays(corrections: pd.DataFrame, case_of_row: np.ndarray) -> dict[str, np.ndarray]:
    """The static columns of every edit as arrays."""
    proposed, _, to_review = _verdicts(corrections)
    return {
        "case": case_of_row,
        "position": corrections["position"].to_numpy(np.int64),
        "number": corrections["edit"].to_numpy(np.int64),
        "start": corrections["start"].to_numpy(np.int64),
        "end": corrections["end"].to_numpy(np.int64),
        "confidence": corrections["confidence"].to_numpy(np.float64),
        "proposed": proposed.to_numpy(bool),
        "to_review": to_review.to_numpy(bool),
    }


def _sections_in_place(
    corrections: pd.DataFrame, sections: pd.DataFrame, case_ids: list[str]
) -> pd.DataFrame:
    """Only the edits whose section is in the sections table (a case page draws no other)."""
    span = int(max(sections["position"].max(), corrections["position"].max(), 0)) + 1
    have = _case_codes(sections, case_ids) * span + sections["position"].to_numpy(np.int64)
    where = _case_codes(corrections, case_ids) * span + corrections["position"].to_numpy(np.int64)
    return corrections[np.isin(where, have)]


def load_store(out_dir: Path) -> Store:
    """The tables of a finished run in ``out_dir``."""
    cases = read_table(out_dir, "cases")
    case_ids = cases["case_id"].astype(str).tolist()
    sections, section_case = _sorted_rows(read_table(out_dir, "sections"), case_ids, ["position"])
    corrections = _sections_in_place(read_table(out_dir, "corrections"), sections, case_ids)
    corrections, edit_case = _sorted_rows(corrections, case_ids, ["position", "edit"])
    arrays = _edit_arrays(corrections, edit_case)
    arrays["section_case"] = section_case
    arrays["section_position"] = sections["position"].to_numpy(np.int64)
    arrays["rule"], rules = _codes(corrections["rule"])
    pass_codes, pass_names = _codes(corrections["pass"])
    passes = sorted({p for name in pass_names for p in name.split("+")})
    bits = [sum(1 << passes.index(p) for p in name.split("+")) for name in pass_names]
    arrays["pass_bits"] = np.array(bits, dtype=np.int64)[pass_codes]
    primaries = sorted({primary_pass(name) for name in pass_names})
    primary_of = [primaries.index(primary_pass(name)) for name in pass_names]
    arrays["primary"] = np.array(primary_of, dtype=np.int32)[pass_codes]
    _, readings, _ = _verdicts(corrections)
    joined = corrections["original"].astype(str) + "\0" + readings
    arrays["pair"], pair_names = _codes(_folded(joined))
    pairs = [(a, b) for a, b in (name.split("\0", 1) for name in pair_names)]
    return Store(
        case_ids=case_ids,
        titles=["" if pd.isna(t) else str(t) for t in cases["title"]],
        statuses=cases["status"].astype(str).tolist(),
        sections=pa.Table.from_pandas(sections, preserve_index=False),
        corrections=pa.Table.from_pandas(corrections, preserve_index=False),
        arrays=arrays,
        rules=rules,
        passes=passes,
        primaries=primaries,
        pairs=pairs,
        offsets=_offsets(edit_case, len(case_ids)),
        section_offsets=_offsets(section_case, len(case_ids)),
    )
