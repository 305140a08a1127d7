"""Tokens: the words of a text that the word passes may look at, with their neighbours.

The word passes (ocr, dictionary, context) judge words, never other chunks: numbers, codes,
e-mail addresses, URLs, acronyms and single letters are left out here, once, so no pass can
change them. A neighbour is only given when nothing but space separates it, so no bigram is
read across a comma or a full stop.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import regex

from pipeline.spaces import WHITE_SPACE

_CHUNK = re.compile(f"[^{WHITE_SPACE}]+")
"""A run between spaces, as ``regex``'s ``\\S+`` finds it: ``re`` finds it in three fifths
of the time, and every text is cut into chunks by each pass that scans it."""
_EDGE = regex.compile(r"^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$", regex.DOTALL)
_PART_SPLIT = regex.compile(r"[-\u2010\u2013\u2014]")
_WORDLIKE = regex.compile(r"[\p{L}]+(?:(?:'|’|'')[\p{L}]+)*")
_UNTOUCHABLE = regex.compile(
    r"\d|[@~\\{}<>=^*|#$%&+/_\p{Cc}]|^www\.|\.(?:com|org|net|edu|gov|html?)\b",
    regex.IGNORECASE,
)
_SENTENCE_END = frozenset(".!?:•")
_INNER_END = regex.compile(r"\p{Ll}[.!?;]\s+\S")
_LONG_WORD = regex.compile(r"\p{L}{4,}")


class Token(NamedTuple):
    """A word of the current text that a spelling pass may look at.

    A named tuple rather than a dataclass: a text has one per word and every pass scans it
    anew, and a tuple is made several times faster (its key is then a slice).
    """

    start: int
    end: int
    word: str
    prev: str | None
    next: str | None
    initial: bool
    title_line: bool
    dotted: bool = False
    citation: bool = False
    """Inside a reference or citation (set by :mod:`pipeline.correct.terms`)."""
    term: bool = False
    """Part of a term its neighbours show (a Latin binomial)."""
    name: bool = False
    """Beside another capitalised word inside a sentence (``Peize Zhang``): part of a name."""

    @property
    def key(self) -> tuple[object, ...]:
        """What a verdict on this token depends on, besides the word's section: every field
        but the offsets (word, prev, next, initial, title_line, dotted, citation, term, name)."""
        return self[2:]


def _title_ratio(line: str) -> bool:
    """A Title Case line (a heading, a body system): capitals there are no sign of names.

    A reference list is Title Case too, because of its names: a citation's capitals are told
    apart by :mod:`pipeline.correct.terms`, not here. A line that lists (two commas or more) or
    holds a sentence's end is no heading, whatever its capitals: an affiliation, a list of
    companies, an author-contribution statement, whose capitals are names.

    >>> _title_ratio("Musculoskeletal System"), _title_ratio("the Musculoskeletal system")
    (True, False)
    >>> _title_ratio("Claudio Cau, Department of Radiology, Mater Dei Hospital, Rome, Italy")
    False
    """
    if line.count(",") >= 2 or _INNER_END.search(line):
        return False
    words = _LONG_WORD.findall(line)
    if len(words) < 2:
        return bool(words) and words[0][:1].isupper()
    caps = sum(1 for w in words if w[:1].isupper())
    return caps / len(words) >= 0.6


_new_tuple = tuple.__new__
_UNMARKED = (False, False, False)
"""A scanned token's ``citation``, ``term`` and ``name``: set by marking, not by the scan."""

_Piece = tuple[int, str, bool, bool, bool, bool]
"""(start, word, usable, joined, initial, dotted) of a word-ish piece of a chunk; ``joined``
when only space separates it from the piece before. Plain tuples: a text has one per word."""


def _hyphen_parts(piece: _Piece) -> list[_Piece]:
    """A hyphenated chunk as its parts: each is judged, the hyphen is never touched."""
    offset, core, usable, joined, initial, dotted = piece
    parts = _PART_SPLIT.split(core)
    out = []
    pos = 0
    last = len(parts) - 1
    for i, part in enumerate(parts):
        out.append(
            (offset + pos, part, usable, joined or i > 0, initial and i == 0, dotted and i == last)
        )
        pos += len(part) + 1
    return out


_State = tuple[str, int]
"""(trail, end) of the chunk before: what the next chunk's ``initial`` and ``joined`` read."""
_START: _State = (".", 0)


def _pieces(
    text: str, max_chars: int, begin: int = 0, end: int | None = None, state: _State = _START
) -> tuple[list[_Piece], _State]:
    """Chunks between spaces, stripped of edge punctuation, hyphenated ones in parts; a chunk
    longer than ``max_chars`` is no word (and its candidates would cost without bound).

    Only the chunks of ``begin..end`` (chunk edges), after a chunk that left ``state``; the
    state the last one leaves is returned with them.
    """
    pieces: list[_Piece] = []
    keep = pieces.append
    prev_trail, prev_end = state
    for m in _CHUNK.finditer(text, begin, len(text) if end is None else end):
        start, stop = m.span()
        chunk = text[start:stop]
        if stop - start > max_chars:
            prev_trail, prev_end = ".", stop
            continue
        initial = (prev_trail != "" and prev_trail[-1] in _SENTENCE_END) or (
            start - prev_end > 1 and "\n\n" in text[prev_end:start]
        )
        prev_end = stop
        if chunk.isalpha():  # most chunks: a plain word, nothing to strip or split
            keep((start, chunk, True, not prev_trail, initial, False))
            prev_trail = ""
            continue
        lead, core, trail = _EDGE.fullmatch(chunk).groups()  # type: ignore[union-attr]
        joined = not lead and not prev_trail
        prev_trail = trail if core else "."
        if not core:
            continue
        usable = _UNTOUCHABLE.search(chunk) is None
        piece = (start + len(lead), core, usable, joined, initial, trail.startswith("."))
        if "-" in core or "\u2010" in core or "\u2013" in core or "\u2014" in core:
            pieces.extend(_hyphen_parts(piece))
        else:
            keep(piece)
    return pieces, (prev_trail, prev_end)


def scan(text: str, max_chars: int) -> list[Token]:
    """The words of ``text`` a spelling pass may consider, with their neighbours.

    Skipped outright: chunks with digits, e-mail addresses and URLs, all-caps tokens, single
    letters, and pieces with punctuation inside (``e.g.``, ``usu.illy``).

    >>> [(t.word, t.prev, t.next) for t in scan("A sever anemia, CT 3 mm.", 80)]
    [('sever', 'a', 'anemia'), ('anemia', 'sever', None), ('mm', '3', None)]
    """
    pieces, _ = _pieces(text, max_chars)
    return _tokens(text, pieces, 0, len(pieces))


def scan_words(text: str, max_chars: int) -> list[str]:
    """The words of :func:`scan`'s tokens, without the tokens: what counting a text needs.

    A run counts every section of the archive before it corrects any; a token's neighbours,
    offsets and line are read only by the passes. Most chunks are plain words, kept as they
    are; the others go the way :func:`_pieces` takes them.

    >>> scan_words("A sever anemia, CT 3 mm.", 80)
    ['sever', 'anemia', 'mm']
    """
    words: list[str] = []
    keep = words.append
    for chunk in _CHUNK.findall(text):
        if chunk.isalpha():
            if 2 <= len(chunk) <= max_chars and not chunk.isupper():
                keep(chunk)
            continue
        if len(chunk) > max_chars:
            continue
        core = _EDGE.fullmatch(chunk).group(2)  # type: ignore[union-attr]
        if not core or _UNTOUCHABLE.search(chunk) is not None:
            continue
        parts = _PART_SPLIT.split(core) if _PART_SPLIT.search(core) else (core,)
        for word in parts:
            if len(word) < 2 or word.isupper():
                continue
            if word.isalpha() or _WORDLIKE.fullmatch(word):
                keep(word)
    return words


def _tokens(text: str, pieces: list[_Piece], first: int, stop: int) -> list[Token]:
    """The tokens of ``pieces[first:stop]``; the pieces around them are their neighbours."""
    tokens: list[Token] = []
    keep = tokens.append
    line_end, line_title = -1, False  # the line of the last capital judged, and its kind
    last = len(pieces) - 1
    for idx in range(first, stop):
        start, word, usable, joined, initial, dotted = pieces[idx]
        if not usable or len(word) < 2 or word.isupper():
            continue
        if not word.isalpha() and not _WORDLIKE.fullmatch(word):
            continue
        prev = pieces[idx - 1][1].lower() if joined and idx else None
        nxt = None
        if idx < last:
            after = pieces[idx + 1]
            if after[3]:
                nxt = after[1].lower()
        title = False
        if not initial and word[0].isupper():
            if start > line_end:  # pieces come in order: a line is measured once
                line_start = text.rfind("\n", 0, start) + 1
                line_end = text.find("\n", start)
                line_end = line_end if line_end >= 0 else len(text)
                line_title = _title_ratio(text[line_start:line_end])
            title = line_title
        # tuple.__new__ itself: a named tuple's own __new__ is a Python call per token
        scanned = (start, start + len(word), word, prev, nxt, initial, title, dotted)
        keep(_new_tuple(Token, scanned + _UNMARKED))
    return tokens


Change = tuple[int, int, str]
"""(start, end, replacement) of one applied edit, in offsets of the text it was made on."""


def rescan(
    old: str, tokens: list[Token], new: str, changes: list[Change], max_chars: int
) -> list[Token]:
    """``scan(new)``, given ``tokens = scan(old)`` and the ``changes`` (sorted, apart) that
    turn ``old`` into ``new``: only the chunks around a change are scanned again.

    A token reads its own chunk, the chunk on either side and its line, so each change is
    scanned again with two whole chunks on either side (the outer ones unchanged); every
    other token is the old one, moved by the changes before it, its line measured anew.
    """
    out: list[Token] = []
    lines: dict[int, bool] = {}
    at, delta = 0, 0
    for begin, end, change in _windows(old, changes):
        while at < len(tokens) and tokens[at].start < begin:
            out.append(_moved(tokens[at], delta, new, lines))
            at += 1
        while at < len(tokens) and tokens[at].start < end:
            at += 1
        out.extend(_window(new, begin + delta, end + delta + change, max_chars))
        delta += change
    out.extend(_moved(tok, delta, new, lines) for tok in tokens[at:])
    return out


_CHUNK_BEFORE = regex.compile(r"(?r)\S+")


def _windows(old: str, changes: list[Change]) -> list[tuple[int, int, int]]:
    """(begin, end, length change) in ``old`` of the stretches to scan again: from the start
    of the second chunk before a change to the end of the second chunk after it, merged."""
    out: list[tuple[int, int, int]] = []
    for start, end, replacement in changes:
        begin = start
        for _ in range(2):
            m = _CHUNK_BEFORE.search(old, 0, begin)
            begin = m.start() if m else 0
        stop = end
        for _ in range(2):
            m = _CHUNK.search(old, stop)
            stop = m.end() if m else len(old)
        change = len(replacement) - (end - start)
        if out and begin <= out[-1][1]:
            begin, _, before = out.pop()
            change += before
        out.append((begin, stop, change))
    return out


def _window(text: str, begin: int, end: int, max_chars: int) -> list[Token]:
    """The tokens of the chunks of ``begin..end``, with the chunks on either side as their
    neighbours."""
    head: list[_Piece] = []
    state = _START
    m = _CHUNK_BEFORE.search(text, 0, begin) if begin else None
    if m:
        head, state = _pieces(text, max_chars, m.start(), begin)
    body, state = _pieces(text, max_chars, begin, end, state)
    m = _CHUNK.search(text, end)
    tail = _pieces(text, max_chars, m.start(), m.end(), state)[0] if m else []
    pieces = head[-1:] + body + tail[:1]
    first = len(head[-1:])
    return _tokens(text, pieces, first, first + len(body))


def _moved(tok: Token, delta: int, text: str, lines: dict[int, bool]) -> Token:
    """A token the changes left alone, ``delta`` characters on; its line may have changed."""
    title = tok.title_line
    if not tok.initial and tok.word[0].isupper():
        line_start = text.rfind("\n", 0, tok.start + delta) + 1
        title = lines.get(line_start)
        if title is None:
            line_end = text.find("\n", line_start)
            title = _title_ratio(text[line_start : line_end if line_end >= 0 else len(text)])
            lines[line_start] = title
    if not delta and title == tok.title_line:
        return tok
    start, end, word, prev, nxt, initial, _, dotted, citation, term, name = tok
    moved = (
        start + delta,
        end + delta,
        word,
        prev,
        nxt,
        initial,
        title,
        dotted,
        citation,
        term,
        name,
    )
    return _new_tuple(Token, moved)
