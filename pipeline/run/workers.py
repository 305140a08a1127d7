"""The work of each parallel step, as picklable objects that hold everything it needs.

An executor runs one of these on every page: in this process, in forked worker processes
(which inherit it without a copy), or on a Dask cluster (which receives it once per worker).
Each step files its page's result in the :class:`~pipeline.run.cache.StepCache` under a key of
everything it read, and sends the parent only the key and what the archive-wide learning needs
(chrome lines, layout evidence, word counts), so the parent reduces counts and never holds the
archive's texts. A result already filed under its key is reused, not recomputed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Protocol, runtime_checkable

from pipeline.correct.damage import Suspicion, Tally, count_words
from pipeline.correct.language_model import TextCounts
from pipeline.correct.lexicon import Lexicon
from pipeline.correct.terms import TermFinder
from pipeline.correct.tokens import scan_words
from pipeline.decisions import DecisionBook
from pipeline.output.rows import ErrorRow, PageRows
from pipeline.read.boilerplate import count_lines, drop_learned
from pipeline.read.document import Document
from pipeline.read.fields import ModalityFinder
from pipeline.read.ingest import PageError, case_id_for
from pipeline.rules import Rules
from pipeline.run.cache import StepCache, key
from pipeline.run.deadline import time_limit
from pipeline.run.page import (
    Cleaner,
    ParsedPage,
    build_rows,
    content_key,
    error_row,
    parse_document,
    read_document,
    section_kind,
    section_texts,
)


def file_sha256(path: Path) -> str:
    """The digest of a file's bytes (what a page's results are keyed by)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def chrome_held(document: Document, learned: frozenset[str]) -> tuple[str, ...]:
    """The learnt chrome lines a page holds: all that dropping chrome reads of the archive's
    learning, so a page's later results depend on these lines and no others."""
    return tuple(sorted({b.text for b in document.blocks if b.text in learned}))


def warm_of(cleaner: object) -> Callable[[], None]:
    """What builds a cleaner's first-use tables (a corrector's ``warm``); nothing for a
    cleaner without any."""
    warm = getattr(cleaner, "warm", None)
    return warm if callable(warm) else _nothing


def _nothing() -> None:
    """A warm-up with nothing to build."""


@runtime_checkable
class Analysing(Protocol):
    """A corrector whose word analyses can be made in advance and handed to another copy of
    it (see :meth:`pipeline.correct.Corrector.analyse`)."""

    def analyse(self, words: list[str]) -> dict[str, object]: ...

    def install(self, analyses: dict[str, object]) -> None: ...


@dataclass(frozen=True)
class ReadInfo:
    """What the parent learns of a read page: its error, or its key and chrome candidates."""

    index: int
    error: ErrorRow | None = None
    key: str = ""
    blocks_key: str = ""
    """A fingerprint of the page's blocks: a page saved twice votes once for chrome."""
    lines: frozenset[str] = frozenset()
    source_format: str = ""
    reused: bool = False


@dataclass(frozen=True)
class Reader:
    """Step 1: a page's file into a document (filed), and its chrome candidates.

    ``base`` is the key of the code and rules: a result filed under another base is stale.
    """

    raw_dir: Path
    rules: Rules
    cache: StepCache
    base: str

    def __call__(self, item: tuple[int, Path]) -> ReadInfo:
        index, path = item
        case_id = case_id_for(path, self.raw_dir)
        try:  # a file past the size limit is not even hashed: reading it says why
            small = path.stat().st_size <= self.rules.limits.max_page_bytes
            digest = key(self.base, "read", case_id, file_sha256(path)) if small else ""
        except OSError:
            digest = ""  # unreadable: read_document says why
        filed = self.cache.get("read", digest) if digest else None
        if filed is not None:
            _, blocks_key, lines, fmt = filed
            return ReadInfo(index, None, digest, blocks_key, lines, fmt, reused=True)
        try:
            with time_limit(self.rules.limits.page_seconds):
                document = read_document(path, self.raw_dir, self.rules)
        except PageError as exc:
            return ReadInfo(index, error_row(case_id, case_id, exc))
        if not isinstance(document, Document):
            return ReadInfo(index, document)
        blocks_key = hashlib.sha256(
            "\0".join(b.text for b in document.blocks).encode("utf-8", "surrogatepass")
        ).hexdigest()
        lines = frozenset(count_lines(document, self.rules))
        fmt = document.page.source_format
        digest = digest or key(self.base, "read", case_id, document.page.source_sha256)
        self.cache.put("read", digest, (document, blocks_key, lines, fmt))
        return ReadInfo(index, None, digest, blocks_key, lines, fmt)


@dataclass(frozen=True)
class LayoutProbe:
    """Step 2: whether a page, its learnt chrome dropped, shows an unlabeled discussion.

    Returns the result's key and the evidence (None: the page shows nothing either way).
    """

    rules: Rules
    learned: frozenset[str]
    cache: StepCache

    def __call__(self, read_key: str) -> tuple[str, bool | None]:
        document: Document = self.cache.get("read", read_key)[0]
        held = chrome_held(document, self.learned)
        digest = key(read_key, "layout", held)
        filed = self.cache.get("layout", digest)
        if filed is not None:
            return digest, filed[0]
        outcome = parse_document(drop_learned(document, held), self.rules)
        shown = outcome.sectioned.evidence if isinstance(outcome, ParsedPage) else None
        self.cache.put("layout", digest, (shown,))
        return digest, shown


@dataclass(frozen=True)
class ParseInfo:
    """What the parent learns of a parsed page: its error, or its key, content and counts."""

    index: int
    case_id: str = ""
    error: ErrorRow | None = None
    key: str = ""
    """The key its parsed page is filed under."""
    content: str = ""
    """A fingerprint of its sections: a page with the same content is a duplicate."""
    texts: list[tuple[str | None, TextCounts, Tally]] = field(default_factory=list)
    """Per section: its kind, its word counts and its damage tally."""
    words: frozenset[str] = frozenset()
    """The words (as written) the corrector will judge: analysed once for the whole run."""
    reused: bool = False


@dataclass(frozen=True)
class Parser:
    """Step 3: a page cut into sections and fields (filed), and its vocabulary counted."""

    rules: Rules
    learned: frozenset[str]
    layout: frozenset[str]
    cache: StepCache
    lexicon: Lexicon
    terms: TermFinder

    def __call__(self, item: tuple[int, str]) -> ParseInfo:
        index, read_key = item
        document: Document = self.cache.get("read", read_key)[0]
        held = chrome_held(document, self.learned)
        carried = document.page.source_format in self.layout
        digest = key(read_key, "parse", held, carried, self.lexicon.fingerprint)
        filed = self.cache.get("parse", digest)
        if filed is not None:
            _, content, texts, words = filed
            case_id = document.page.case_id
            return ParseInfo(index, case_id, None, digest, content, texts, words, reused=True)
        try:
            with time_limit(self.rules.limits.page_seconds):
                parsed = parse_document(drop_learned(document, held), self.rules, carried)
                if isinstance(parsed, ErrorRow):
                    return ParseInfo(index, document.page.case_id, parsed)
                seen: set[str] = set()
                texts = [self._counts(name, text, seen) for name, _, text in section_texts(parsed)]
        except PageError as exc:
            page = document.page
            return ParseInfo(index, page.case_id, error_row(page.source_path, page.case_id, exc))
        content, words = content_key(parsed), frozenset(seen)
        self.cache.put("parse", digest, (parsed, content, texts, words))
        return ParseInfo(index, parsed.page.case_id, None, digest, content, texts, words)

    def _counts(
        self, name: str, text: str, words: set[str]
    ) -> tuple[str | None, TextCounts, Tally]:
        """A section's kind, counts and tally; its words go into ``words``."""
        found = scan_words(text, self.rules.limits.max_token_chars)
        words.update(found)
        tally = count_words(found, text, self.suspicion)
        return section_kind(name), TextCounts.of(text), tally

    @cached_property
    def suspicion(self) -> Suspicion:
        """Which words are suspicious, kept per word for the pages this worker counts."""
        return Suspicion(self.lexicon, self.terms, self.rules.correct.memo_size)


@dataclass(frozen=True)
class BuildItem:
    """One page to correct: where its parsed page is filed, and the key of its rows."""

    parse_key: str
    key: str
    duplicate_of: str | None = None


@dataclass(frozen=True)
class Builder:
    """Step 4: a parsed page corrected into the rows of every table.

    Rows are filed and reused only when ``reuse`` (the cache outlives the run, and the
    corrector is the one the rows' key describes).
    """

    rules: Rules
    cleaner: Cleaner
    modalities: ModalityFinder
    cache: StepCache
    decisions: DecisionBook | None = None
    reuse: bool = False

    def warmup(self) -> Callable[[], None]:
        """What builds this step's first-use parts (the modality matchers, the corrector's
        tables) in a process: a pool runs it before it forks, so the workers share them."""
        warm_cleaner = warm_of(self.cleaner)

        def warm() -> None:
            self.modalities.warm()
            warm_cleaner()

        return warm

    def __call__(self, item: BuildItem) -> tuple[PageRows, bool]:
        """The page's rows, and whether they came from the cache."""
        if self.reuse:
            filed = self.cache.get("rows", item.key)
            if filed is not None:
                return filed, True
        parsed, _, counted, _ = self.cache.get("parse", item.parse_key)
        if item.duplicate_of is not None:
            parsed = replace(parsed, duplicate_of=item.duplicate_of)
        try:
            with time_limit(self.rules.limits.page_seconds):
                rows = build_rows(
                    parsed, self.cleaner, self.rules, self.modalities, self.decisions, counted
                )
        except PageError as exc:  # a limit: not filed, the next run tries again
            page = parsed.page
            return PageRows(errors=[error_row(page.source_path, page.case_id, exc)]), False
        if self.reuse and not rows.errors:
            self.cache.put("rows", item.key, rows)
        return rows, False


@dataclass(frozen=True)
class WordAnalyser:
    """Step 3b: the corrector's analysis of a share of the archive's words, each analysed
    once for the run (rather than once by every worker that meets it); the parent installs
    the analyses in its corrector before the correcting step's workers fork."""

    cleaner: Analysing

    def warmup(self) -> Callable[[], None]:
        """The corrector's first-use tables, built before the pool forks (see Builder)."""
        return warm_of(self.cleaner)

    def __call__(self, words: list[str]) -> dict[str, object]:
        return self.cleaner.analyse(words)
