"""Reading the files of ``rules/``: YAML mappings, tab-separated tables and word lists.

Every rules file is read here and nowhere else, with one convention: a file that is missing,
malformed, or lacks a key, has an unknown key or a value of the wrong type is a
:class:`RulesError` whose one-line message names the file, the key (or line) and what was
expected. There are no defaults in code: the files hold every value.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import regex
import yaml

from pipeline.pickling import tuple_state

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


# libyaml's safe loader where PyYAML was built with it: the same data, parsed ten times faster
# (every run and every worker reads the rules first).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RulesError(ValueError):
    """A rules file is missing or malformed: said in one line, naming the file and key."""


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML rules file that must hold a mapping at the top level."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except FileNotFoundError as exc:
        raise RulesError(f"rules file not found: {path}") from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise RulesError(f"{path}: not valid YAML{line}") from exc
    if not isinstance(data, dict):
        raise RulesError(f"{path}: must hold a mapping of keys at the top level")
    return data


def _where(error: Any) -> str:
    return ".".join(str(part) for part in error["loc"]) or "(top level)"


def _describe(error: Any, missing: list[str]) -> str:
    """One pydantic error as plain words: where, then what was expected."""
    where = _where(error)
    kind = error["type"]
    if kind == "missing":
        return f"{where}: missing key"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(where, missing, n=1)
        return f"{where}: unknown key" + (f" (did you mean {close[0]}?)" if close else "")
    return f"{where}: {error['msg'].lower()} (got {error['input']!r})"


def validate(model: type[ModelT], data: Any, path: Path) -> ModelT:
    """Check parsed file content against its schema; the first problem becomes the message.

    An unknown key comes first: it is usually a typo, and it explains the missing key.
    """
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        missing = [_where(e) for e in problems if e["type"] == "missing"]
        hidden = len(problems) - 1 - (1 if problems[0]["type"] == "extra_forbidden" else 0)
        more = f" (and {hidden} more)" if hidden > 0 else ""
        raise RulesError(f"{path}: {_describe(problems[0], missing)}{more}") from None


def load_model(model: type[ModelT], path: Path) -> ModelT:
    """A YAML rules file, read and validated."""
    return validate(model, read_yaml(path), path)


@tuple_state
@dataclass(frozen=True, slots=True)
class TsvRow:
    """One data row of a TSV rules file, by column name; ``line`` for error messages."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        """The stripped value of ``column`` ("" when the row leaves an optional column out)."""
        return self.values.get(column, "").strip()


def read_tsv(path: Path, columns: Sequence[str], required: int) -> list[TsvRow]:
    """The data rows of a TSV file whose header must name ``columns`` in order.

    Comment lines (``#``) and blank lines are skipped; the first ``required`` columns must be
    present on every row, the others may be left out.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise RulesError(f"rules file not found: {path}") from exc
    rows: list[TsvRow] = []
    header_seen = False
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            if [c.strip() for c in cells] != list(columns):
                expected = "\\t".join(columns)
                raise RulesError(f"{path}:{number}: header must be {expected!r}")
            header_seen = True
            continue
        if len(cells) < required or len(cells) > len(columns):
            raise RulesError(
                f"{path}:{number}: expected {required} to {len(columns)} tab-separated "
                f"columns ({', '.join(columns)}), found {len(cells)}"
            )
        rows.append(TsvRow(number, dict(zip(columns, cells, strict=False))))
    return rows


def tsv_number(path: Path, row: TsvRow, column: str, low: float = 0.0, high: float = 1.0) -> float:
    """A number column of a TSV row, checked to lie in ``low..high``."""
    text = row.get(column)
    try:
        value = float(text)
    except ValueError:
        raise RulesError(f"{path}:{row.line}: {column} {text!r} is not a number") from None
    if not low <= value <= high:
        raise RulesError(f"{path}:{row.line}: {column} {value} is outside {low}..{high}")
    return value


def tsv_pattern(path: Path, row: TsvRow, column: str) -> regex.Pattern[str]:
    """A regular-expression column of a TSV row, compiled."""
    try:
        return regex.compile(row.get(column))
    except regex.error as exc:
        raise RulesError(f"{path}:{row.line}: bad pattern in {column}: {exc}") from None


def read_word_list(path: Path) -> tuple[str, ...]:
    """Words of a word-list file: one per line, ``#`` starts a comment."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RulesError(f"rules file not found: {path}") from exc
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(word for word in words if word)


def compile_patterns(patterns: Sequence[str], path: Path, key: str) -> list[regex.Pattern[str]]:
    """Case-insensitive patterns of a YAML rules file; a bad one names its key."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(regex.compile(pattern, regex.IGNORECASE | regex.VERSION1))
        except regex.error as exc:
            raise RulesError(f"{path}: {key}: bad pattern {pattern!r}: {exc}") from None
    return compiled


def rules_digest(directory: Path) -> str:
    """A hash of every file in the rules folder: it keys caches and labels outputs."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
