"""The run stamp: what the last run read and wrote, so an unchanged re-run does nothing.

Like ``make``, a run that finds every input as the last one saw it (the same pages, code,
rules, dictionaries and decisions) and every output as the last one left it has nothing to
do: it says so and prints the last run's summary. Anything else (a page added, a rule edited,
a table deleted) is a real run, which the step cache keeps short.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.atomic import write_atomic
from pipeline.correct.lexicon import Lexicon
from pipeline.read.ingest import case_id_for, inventory
from pipeline.rules import Rules
from pipeline.run.cache import key
from pipeline.run.engine import RunOptions, RunResult
from pipeline.run.fingerprint import code_fingerprint, decisions_fingerprint
from pipeline.run.workers import file_sha256

STAMP_NAME = "run.json"


@dataclass
class Stamp:
    """The inputs' digest of a finished run, the state of its outputs, and its summary."""

    inputs: str
    outputs: dict[str, list[int]] = field(default_factory=dict)
    """File name -> [size, modification time in ns] as the run left it."""
    summary: dict[str, Any] = field(default_factory=dict)
    learned: list[str] = field(default_factory=list)
    errors: list[list[str]] = field(default_factory=list)
    """[case id, stage, message] of every errors row."""
    skipped: list[list[str]] = field(default_factory=list)

    @classmethod
    def of(cls, inputs: str, result: RunResult) -> Stamp:
        """The stamp of a run just finished (outputs are added once they are in place)."""
        return cls(
            inputs,
            summary=dict(result.summary),
            learned=list(result.learned_boilerplate),
            errors=[[e.case_id, e.stage, e.message] for e in result.errors],
            skipped=[list(s) for s in result.skipped],
        )


def inputs_digest(options: RunOptions, rules: Rules, *extra: object) -> str:
    """A digest of everything a run reads: every page's name and bytes, the code, the
    rules, the dictionaries, the decisions, and ``extra`` (options that shape the outputs)."""
    found = inventory(options.raw_dir)
    cap = rules.limits.max_page_bytes
    pages = []
    for path in found.pages:
        try:  # a file past the size limit is named by its size: it is only an errors row
            size = path.stat().st_size
            pages.append(
                (case_id_for(path, options.raw_dir), size, file_sha256(path) if size <= cap else "")
            )
        except OSError as exc:
            pages.append((case_id_for(path, options.raw_dir), -1, type(exc).__name__))
    return key(
        code_fingerprint(),
        rules.digest,
        Lexicon.fingerprint_of(rules),
        decisions_fingerprint(options.decisions),
        pages,
        found.skipped,
        extra,
    )


def outputs_state(folder: Path, names: list[str]) -> dict[str, list[int]]:
    """Size and modification time of each output file present (and of each file of an
    output folder)."""
    state = {}
    for name in names:
        path = folder / name
        parts = sorted(path.iterdir()) if path.is_dir() else [path] if path.is_file() else []
        for part in parts:  # a partitioned Parquet table: each of its files
            info = part.stat()
            state[str(part.relative_to(folder))] = [info.st_size, info.st_mtime_ns]
    return state


def read_stamp(cache_dir: Path) -> Stamp | None:
    """The last run's stamp, or None (no run yet, or an unreadable stamp)."""
    try:
        data = json.loads((cache_dir / STAMP_NAME).read_text(encoding="utf-8"))
        return Stamp(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_stamp(cache_dir: Path, stamp: Stamp) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(cache_dir / STAMP_NAME, json.dumps(asdict(stamp), ensure_ascii=False))


def current(cache_dir: Path, inputs: str, folder: Path, names: list[str]) -> Stamp | None:
    """The last run's stamp when it read these inputs and its outputs are as it left them."""
    stamp = read_stamp(cache_dir)
    if stamp is None or stamp.inputs != inputs:
        return None
    return stamp if outputs_state(folder, names) == stamp.outputs else None
