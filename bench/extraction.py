"""caseclean against trafilatura on a site's real pages: main text, headings, chrome, one table.

Both tools are scored by :func:`pipeline.evaluate.score_extraction`, the definition
``caseclean eval --gold`` uses on a site gold file (bag of words of lowercase ``\\w+`` tokens,
micro-averaged over pages; gold headings found after folding; chrome strings leaked; pages
lost). caseclean is its whole pipeline run in process on the pages folder (reading, structure,
corrections); its kept text is the title plus every section's raw text, its headings the
section headings. trafilatura (the ``peers`` extra, dev only) is run page by page on the raw
bytes with a few settings; its kept text is its whole output, its headings the ``#`` lines of
its markdown output or the ``<head>`` elements of its XML output (plain text output carries no
headings, so that column shows ``-``). Seconds are wall-clock over all pages.

Run from the repository root: ``.venv/bin/python -m bench.extraction``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.evaluate.extraction import (
    Extracted,
    ExtractionScores,
    score_extraction,
    score_site_gold,
)

SITE = Path(__file__).resolve().parents[2] / "shared" / "dev" / "sites" / "pmc"
TOOLS = ("caseclean", "trafilatura")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)


class Unavailable(RuntimeError):
    """A tool that cannot run here; the benchmark says why and goes on with the others."""


@dataclass(frozen=True)
class Variant:
    """One trafilatura set-up: ``extract`` keyword arguments, and whether the page title
    (``extract_metadata``) is put before the body, since the gold content starts with it."""

    options: dict[str, Any] = field(default_factory=dict)
    title: bool = False

    @property
    def output(self) -> str:
        return str(self.options.get("output_format", "txt"))


VARIANTS: dict[str, Variant] = {
    "txt": Variant(),
    "txt favor_recall": Variant({"favor_recall": True}),
    "txt favor_precision": Variant({"favor_precision": True}),
    "txt no tables": Variant({"include_tables": False}),
    "markdown": Variant({"output_format": "markdown"}),
    "markdown favor_recall": Variant({"output_format": "markdown", "favor_recall": True}),
    "xml": Variant({"output_format": "xml"}),
    "txt + title": Variant(title=True),
    "markdown + title": Variant({"output_format": "markdown"}, title=True),
}


@dataclass
class Row:
    """One line of the table: a tool (or a set-up of one) and its figures."""

    tool: str
    scores: ExtractionScores
    seconds: float
    has_headings: bool = True

    def to_record(self) -> dict[str, Any]:
        found, expected = self.scores.headings
        return {
            "tool": self.tool,
            "pages": len(self.scores.pages),
            "lost": self.scores.lost,
            "precision": round(self.scores.precision, 4),
            "recall": round(self.scores.recall, 4),
            "f1": round(self.scores.f1, 4),
            "headings_found": found if self.has_headings else None,
            "headings": expected,
            "chrome_leaked": self.scores.leaks,
            "seconds": round(self.seconds, 2),
        }


# --- the tools ---------------------------------------------------------------------------


def run_caseclean(pages_dir: Path, gold: list[dict]) -> Row:
    """caseclean's pipeline on the whole folder, as ``caseclean eval --gold`` runs it."""
    try:
        from pipeline.output.frames import frame
        from pipeline.run import RunOptions, run
    except ImportError as exc:
        raise Unavailable(f"pipeline not importable: {exc}") from exc
    start = time.perf_counter()
    result = run(RunOptions(pages_dir))
    seconds = time.perf_counter() - start
    records = result.records()
    schemas = {s.name: s for s in result.schemas}
    cases = frame(schemas["cases"], records["cases"])
    sections = frame(schemas["sections"], records["sections"])
    return Row("caseclean", score_site_gold(gold, cases, sections), seconds)


def headings_of(output: str, variant: Variant) -> tuple[str, ...]:
    """The headings trafilatura marked in its output (none in plain text).

    >>> headings_of("## 1. Introduction\\ntext\\n### Case:", Variant({"output_format": "markdown"}))
    ('1. Introduction', 'Case:')
    """
    if variant.output == "markdown":
        return tuple(_MD_HEADING.findall(output))
    if variant.output == "xml":
        from lxml import etree

        root = etree.fromstring(output.encode("utf-8"))
        return tuple("".join(head.itertext()) for head in root.iter("head"))
    return ()


def _xml_text(output: str) -> str:
    """Every text node of trafilatura's XML output, the markup dropped."""
    from lxml import etree

    return " ".join(etree.fromstring(output.encode("utf-8")).itertext())


def trafilatura_page(html: bytes, variant: Variant) -> Extracted | None:
    """What trafilatura keeps of one page, or None when it extracts nothing."""
    import trafilatura

    output = trafilatura.extract(html, **variant.options)
    if not output:
        return None
    text = _xml_text(output) if variant.output == "xml" else output
    if variant.title:
        metadata = trafilatura.extract_metadata(html)
        text = f"{metadata.title or ''}\n{text}" if metadata is not None else text
    return Extracted(text, headings_of(output, variant))


def run_trafilatura(pages_dir: Path, gold: list[dict], name: str, variant: Variant) -> Row:
    """trafilatura with one set-up on every gold page, read as raw bytes."""
    try:
        import trafilatura  # noqa: F401
    except ImportError as exc:
        raise Unavailable("not installed (pip install -e '.[peers]')") from exc
    extracted: dict[str, Extracted] = {}
    start = time.perf_counter()
    for page in gold:
        got = trafilatura_page((pages_dir / page["case_id"]).read_bytes(), variant)
        if got is not None:
            extracted[page["case_id"]] = got
    seconds = time.perf_counter() - start
    scores = score_extraction(gold, extracted)
    return Row(f"trafilatura ({name})", scores, seconds, variant.output != "txt")


# --- the table ---------------------------------------------------------------------------


def format_table(rows: Iterable[Row]) -> str:
    """All rows as one plain-text table."""
    rows = list(rows)
    width = max([len(r.tool) for r in rows] + [4])
    lines = [
        f"{'tool':<{width}} {'pages':>5} {'lost':>4} {'BoW P':>6} {'BoW R':>6} {'BoW F1':>6} "
        f"{'headings':>9} {'chrome':>6} {'seconds':>7}"
    ]
    for row in rows:
        r = row.to_record()
        found = "-" if r["headings_found"] is None else f"{r['headings_found']}/{r['headings']}"
        lines.append(
            f"{r['tool']:<{width}} {r['pages']:>5} {r['lost']:>4} {r['precision']:6.4f} "
            f"{r['recall']:6.4f} {r['f1']:6.4f} {found:>9} {r['chrome_leaked']:>6} "
            f"{r['seconds']:7.2f}"
        )
    return "\n".join(lines)


def read_gold(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=SITE / "gold.jsonl", help="site gold file")
    parser.add_argument("--pages", type=Path, help="pages folder (default: beside --gold)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="subset of " + ",".join(TOOLS))
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help="trafilatura set-ups, comma-separated, of: " + ", ".join(VARIANTS),
    )
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    return parser.parse_args(argv)


def _jobs(args: argparse.Namespace, pages: Path, gold: list[dict]) -> list[Callable[[], Row]]:
    """One callable per table row, in the order of the table."""
    tools = {n.strip() for n in args.tools.split(",") if n.strip()}
    jobs: list[Callable[[], Row]] = []
    if "caseclean" in tools:
        jobs.append(lambda: run_caseclean(pages, gold))
    if "trafilatura" in tools:
        for name in (n.strip() for n in args.variants.split(",") if n.strip()):
            variant = VARIANTS[name]
            jobs.append(lambda n=name, v=variant: run_trafilatura(pages, gold, n, v))
    return jobs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    unknown = sorted({n.strip() for n in args.variants.split(",") if n.strip()} - set(VARIANTS))
    unknown += sorted({n.strip() for n in args.tools.split(",") if n.strip()} - set(TOOLS))
    if unknown:
        print(f"unknown tools or variants: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if not args.gold.exists():
        print(f"gold file not found: {args.gold}", file=sys.stderr)
        return 2
    gold = read_gold(args.gold)
    pages = args.pages or args.gold.parent / "pages"
    rows: list[Row] = []
    for job in _jobs(args, pages, gold):
        try:
            rows.append(job())
        except Unavailable as exc:
            print(f"skipping: {exc}", file=sys.stderr)
    if not rows:
        print("no tool could run", file=sys.stderr)
        return 1
    print(f"{args.gold} ({len(gold)} pages)")
    print(format_table(rows))
    if args.json:
        records = [row.to_record() for row in rows]
        args.json.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
