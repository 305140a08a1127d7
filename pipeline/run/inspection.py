"""Inspection: what the structure stage sees in an archive, before any correction is run.

``caseclean inspect RAW_DIR`` is how a user writes rules for a new archive: it reads every
page as a run would (chrome learnt, layout learnt, sections cut) and reports the headings found
with how often each occurs and the canonical section it maps to (unmapped ones marked), the
chrome lines learnt, the site profiles matched, and the pages without any known section.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.output.rows import ErrorRow
from pipeline.read.boilerplate import count_lines, drop_learned, learn_repeated
from pipeline.read.document import Document
from pipeline.read.ingest import discover
from pipeline.read.unlabeled import carries
from pipeline.rules import Rules, section_key
from pipeline.run.engine import RunResult
from pipeline.run.page import ParsedPage, content_key, parse_document, read_document


def learn_layout(documents: Sequence[Document], rules: Rules) -> frozenset[str]:
    """The page formats whose pages, by what they show, carry an unlabeled discussion."""
    evidence: dict[str, list[bool | None]] = {}
    for document in documents:
        outcome = parse_document(document, rules)
        if isinstance(outcome, ParsedPage):
            fmt = document.page.source_format
            evidence.setdefault(fmt, []).append(outcome.sectioned.evidence)
    unlabeled = rules.sections.unlabeled
    return frozenset(fmt for fmt, shown in evidence.items() if carries(shown, unlabeled))


def learn_and_parse(documents: list[Document], rules: Rules, result: RunResult) -> list[ParsedPage]:
    """As a run does, in memory: drop the chrome the archive repeats, learn its layout, cut
    every page."""
    # A page saved twice is one page: its lines repeating across the copies are no chrome.
    distinct = {tuple(b.text for b in d.blocks): d for d in documents}
    counts: Counter[str] = Counter()
    for document in distinct.values():
        counts.update(count_lines(document, rules))
    result.learned_boilerplate = learn_repeated(counts, len(distinct), rules.boilerplate)
    learned = result.learned_boilerplate
    layout = learn_layout([drop_learned(d, learned) for d in distinct.values()], rules)
    result.carried_formats = sorted(layout)
    parsed: list[ParsedPage] = []
    first: dict[str, str] = {}
    for document in documents:
        carried = document.page.source_format in layout
        outcome = parse_document(drop_learned(document, learned), rules, carried)
        if isinstance(outcome, ErrorRow):
            result.errors.append(outcome)
            continue
        original = first.setdefault(content_key(outcome), outcome.page.case_id)
        if original != outcome.page.case_id:
            outcome = replace(outcome, duplicate_of=original)
        parsed.append(outcome)
    return parsed


NO_PROFILE = "(no profile)"
_KNOWN_NONE = frozenset({"body", "title"})


@dataclass
class Inspection:
    """What one archive looks like to the structure stage."""

    raw_dir: Path
    pages: int = 0
    headings: Counter[tuple[str, str]] = field(default_factory=Counter)
    spellings: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    learned: list[str] = field(default_factory=list)
    carried_formats: list[str] = field(default_factory=list)
    sites: Counter[str] = field(default_factory=Counter)
    without_sections: list[tuple[str, str]] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)

    def add_heading(self, heading: str, name: str) -> None:
        """Count a heading under its folded form and section, and how it was spelt."""
        key = (section_key(heading), name)
        self.headings[key] += 1
        self.spellings.setdefault(key, Counter())[" ".join(heading.split())] += 1

    def written(self, key: tuple[str, str]) -> str:
        """The most common spelling of a heading (the first of equals, alphabetically)."""
        counts = self.spellings[key]
        return min(counts, key=lambda s: (-counts[s], s))


def _known(name: str) -> bool:
    return not name.startswith("other:") and name not in _KNOWN_NONE


def inspect_archive(raw_dir: Path, rules: Rules) -> Inspection:
    """Read and cut every page of an archive as ``caseclean run`` would, and tally it."""
    found = Inspection(raw_dir)
    documents: list[Document] = []
    paths = discover(raw_dir)
    found.pages = len(paths)
    for path in paths:
        item = read_document(path, raw_dir, rules)
        (documents if isinstance(item, Document) else found.errors).append(item)
    for document in documents:
        found.sites[document.site or NO_PROFILE] += 1
    result = RunResult(rules)
    parsed = learn_and_parse(documents, rules, result)
    found.learned = result.learned_boilerplate
    found.carried_formats = result.carried_formats
    found.errors = sorted(found.errors + result.errors, key=lambda e: e.case_id)
    for page in parsed:
        for heading, name in page.sectioned.headings:
            found.add_heading(heading, name)
        names = [s.name for s in page.sectioned.sections]
        if not any(_known(n) for n in names):
            found.without_sections.append((page.page.case_id, ", ".join(names) or "(title only)"))
    return found


def _heading_lines(found: Inspection, top: int) -> list[str]:
    ranked = sorted(found.headings.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ranked[:top] if top else ranked
    width = max([len(found.written(k)) for k, _ in shown] + [7])
    lines = [f"headings ({len(ranked)} distinct; * = maps to no known section):"]
    for key, count in shown:
        mark = "*" if key[1].startswith("other:") else " "
        lines.append(f"  {count:>6}  {found.written(key):<{width}}  {mark} {key[1]}")
    if len(shown) < len(ranked):
        lines.append(f"  ... {len(ranked) - len(shown)} more (--top 0 lists them all)")
    return lines


def format_inspection(found: Inspection, top: int = 50) -> str:
    """The printed report of :func:`inspect_archive`."""
    carried = ", ".join(found.carried_formats) or "none"
    lines = [
        f"caseclean inspect {found.raw_dir}: {found.pages} pages, {len(found.errors)} errors",
        "",
        "site profiles matched:",
        *(f"  {count:>6}  {name}" for name, count in sorted(found.sites.items())),
        f"pages laid out with an unlabeled discussion: {carried}",
        "",
        *_heading_lines(found, top),
        "",
        f"learned chrome lines ({len(found.learned)}):",
        *(f"  {line!r}" for line in found.learned),
        "",
        f"pages without a known section ({len(found.without_sections)}):",
        *(f"  {case_id}  ({names})" for case_id, names in found.without_sections),
        "",
        f"errors ({len(found.errors)}):",
        *(f"  {e.case_id}  {e.stage}: {e.message}" for e in found.errors),
    ]
    return "\n".join(lines)
