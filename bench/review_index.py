"""How fast the review app answers on a large run: the case list's first page, above all.

Writes a synthetic output folder (``--cases`` pages, 10,000 by default, with sections and
corrections shaped like a real run's: every pass, a few hundred rules, suggestions, applied
edits below the review threshold, alternatives), starts the review app in this process and
times its answers through Starlette's test client (the app's whole work, template included,
no network):

* start: loading the tables and the decisions (``create_app``);
* the case list's first page, cold (the first request) and warm (median of repeats);
* the list sorted by lowest confidence, filtered to undecided suggestions, and on a far page;
* a case page, one step of the queue, the patterns page, a search, and the preview of a
  bulk decision over one rule (every case it covers is resolved again, so it grows with
  the rule, not with the run).

Run from the repository root: ``.venv/bin/python -m bench.review_index``. Not a test: timings
depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.edits import Edit, apply_edits
from pipeline.output import write_tables
from pipeline.output.schema import table_schemas
from pipeline.rules import load_rules

SENTENCE = (
    "the mass lesion shows enhancement of the cortex with edema and a fracture of the distal "
    "femur no effusion is seen contrast study demonstrates a well defined cyst in the liver"
)
WORDS = SENTENCE.split()
PASSES = ("normalize", "dehyphenate", "ocr", "dictionary", "context", "dehyphenate+ocr")
SECTIONS = ("title", "clinical_summary", "findings", "discussion", "diagnosis")


def _section_edits(rng: random.Random, raw: str, words: list[str], n: int) -> list[Edit]:
    """``n`` edits on distinct words of ``raw``, with the confidences a run gives."""
    starts, pos = [], 0
    for word in words:
        starts.append(pos)
        pos += len(word) + 1
    edits = []
    for index in sorted(rng.sample(range(len(words)), min(n, len(words)))):
        original = words[index]
        confidence = rng.choice((0.45, 0.6, 0.7, 0.85, 0.95, 0.99, 1.0))
        alternatives = (original + "s",) if rng.random() < 0.05 else ()
        edits.append(
            Edit(
                starts[index],
                starts[index] + len(original),
                original,
                original + "e",
                rng.choice(PASSES),
                f"rule-{rng.randrange(300)}",
                confidence,
                confidence >= 0.8,
                alternatives=alternatives,
            )
        )
    return edits


def _case(rng: random.Random, number: int) -> dict[str, list[dict[str, Any]]]:
    """One synthetic page: its cases row, sections and corrections."""
    case_id = f"{2010 + number % 6}/case-{number:06d}.txt"
    out: dict[str, list[dict[str, Any]]] = {"sections": [], "corrections": []}
    applied = suggested = 0
    for position, name in enumerate(SECTIONS):
        words = [rng.choice(WORDS) for _ in range(rng.randrange(8, 60))]
        raw = " ".join(words)
        edits = _section_edits(rng, raw, words, rng.randrange(0, 7))
        clean = apply_edits(raw, edits)
        out["sections"].append(
            {"case_id": case_id, "position": position, "section": name, "heading": None,
             "raw_text": raw, "clean_text": clean}
        )  # fmt: skip
        for number_in_section, edit in enumerate(edits):
            record = {"case_id": case_id, "section": name, "position": position,
                      "edit": number_in_section, **edit.to_record(), "proposed": edit.applied,
                      "proposed_replacement": edit.replacement,
                      "to_review": not edit.applied or edit.confidence < 0.9}  # fmt: skip
            out["corrections"].append(record)
            applied += edit.applied
            suggested += not edit.applied
    out["cases"] = [
        {"case_id": case_id, "source_path": case_id, "source_sha256": "0" * 64,
         "source_format": "text", "title": out["sections"][0]["clean_text"][:60],
         "n_edits_applied": applied, "n_suggestions": suggested,
         "status": "ok", "modalities": [], "warnings": []}
    ]  # fmt: skip
    return out


def synthetic_tables(n_cases: int, seed: int = 12) -> dict[str, list[dict[str, Any]]]:
    """The tables of a synthetic run of ``n_cases`` pages (the same for the same seed)."""
    rng = random.Random(seed)
    tables: dict[str, list[dict[str, Any]]] = {
        "cases": [],
        "sections": [],
        "corrections": [],
        "errors": [],
    }
    for number in range(n_cases):
        for name, rows in _case(rng, number).items():
            tables[name].extend(rows)
    return tables


def write_synthetic_run(out: Path, n_cases: int, seed: int = 12) -> dict[str, int]:
    """A synthetic run in ``out``; returns how many rows each table has."""
    tables = synthetic_tables(n_cases, seed)
    write_tables(out, table_schemas(load_rules()), tables)
    return {name: len(rows) for name, rows in tables.items()}


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def _median_ms(call: Callable[[], Any], repeats: int) -> float:
    return statistics.median(_timed(call)[0] for _ in range(repeats))


def measure(out: Path, repeats: int = 20) -> dict[str, float]:
    """Milliseconds of the app's answers on the run in ``out``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from pipeline.review.app import create_app

    start_ms, app = _timed(lambda: create_app(out))
    client = TestClient(app, base_url="http://127.0.0.1:8000")
    first_ms, page = _timed(lambda: client.get("/"))
    assert page.status_code == 200, page.text
    review = app.state.review
    case_id = review.store.case_ids[len(review.store) // 2]
    key = review.store.key(int(review.store.offsets[len(review.store) // 2]))
    urls = {
        "index, warm": "/",
        "index by lowest confidence": "/?sort=confidence",
        "index of undecided suggestions": "/?kind=suggested&decision=undecided&sort=confidence",
        "index, page 100": "/?page=100",
        "case page": f"/case?id={case_id}",
        "queue step": f"/api/step?id={case_id}&at={key}&sort=confidence",
        "patterns": "/patterns",
        "search (first builds its index)": f"/?q={case_id.split('/')[-1]}",
        "bulk preview of one rule": "/bulk?rule=rule-7&cmax=0.7&value=rejected",
    }
    figures = {"app start": start_ms, "index, first page (cold)": first_ms}
    for name, url in urls.items():
        figures[f"{name} (first)"] = _timed(lambda url=url: client.get(url))[0]
        figures[name] = _median_ms(lambda url=url: client.get(url), repeats)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="pages of the synthetic run")
    parser.add_argument(
        "--out", type=Path, default=None, help="keep the run in this folder (reused when there)"
    )
    parser.add_argument("--repeats", type=int, default=20, help="requests per warm figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch) / "run"
        if (out / "cases.parquet").exists():
            print(f"measuring the run kept in {out} (not written again)")
        else:
            started = time.perf_counter()
            rows = write_synthetic_run(out, args.cases)
            print(f"synthetic run: {rows['cases']} cases, {rows['sections']} sections, "
                  f"{rows['corrections']} corrections, written in "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        for name, ms in measure(out, args.repeats).items():
            print(f"  {name:<42} {ms:9.1f} ms")


if __name__ == "__main__":
    main()
