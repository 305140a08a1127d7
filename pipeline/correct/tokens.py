"""Tokens: the words of a text that the word passes may look at, with their neighbours.

The word passes (ocr, dictionary, context) judge words, never other chunks: numbers, codes,
e-mail addresses, URLs, acronyms and single letters are left out here, once, so no pass can
change them. A neighbour is only given when nothing but space separates it, so no bigram is
read across a comma or a full stop.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

_CHUNK = regex.compile(r"\S+")
_EDGE = regex.compile(r"^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$", regex.DOTALL)
_PART_SPLIT = regex.compile(r"[-\u2010\u2013\u2014]")
_WORDLIKE = regex.compile(r"[\p{L}]+(?:(?:'|’|'')[\p{L}]+)*")
_UNTOUCHABLE = regex.compile(
    r"\d|[@~\\{}<>=^*|#$%&+/_\p{Cc}]|^www\.|\.(?:com|org|net|edu|gov|html?)\b",
    regex.IGNORECASE,
)
_SENTENCE_END = frozenset(".!?:•")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the current text that a spelling pass may look at."""

    start: int
    end: int
    word: str
    prev: str | None
    next: str | None
    initial: bool
    title_line: bool
    dotted: bool = False


def _title_ratio(line: str) -> bool:
    """A Title Case line (a heading, a body system): capitals there are no sign of names."""
    words = regex.findall(r"\p{L}{4,}", line)
    if len(words) < 2:
        return bool(words) and words[0][:1].isupper()
    caps = sum(1 for w in words if w[:1].isupper())
    return caps / len(words) >= 0.6


@dataclass(frozen=True, slots=True)
class _Piece:
    """A word-ish piece of a chunk; ``joined`` when only space separates it from the last."""

    start: int
    word: str
    usable: bool
    joined: bool
    initial: bool
    dotted: bool


def _hyphen_parts(offset: int, core: str, piece: _Piece) -> list[_Piece]:
    """A hyphenated chunk as its parts: each is judged, the hyphen is never touched."""
    parts = _PART_SPLIT.split(core)
    out = []
    pos = 0
    for i, part in enumerate(parts):
        final = i == len(parts) - 1
        out.append(
            _Piece(
                offset + pos,
                part,
                piece.usable,
                piece.joined or i > 0,
                piece.initial and i == 0,
                piece.dotted and final,
            )
        )
        pos += len(part) + 1
    return out


def _pieces(text: str) -> list[_Piece]:
    """Chunks between spaces, stripped of edge punctuation, hyphenated ones in parts."""
    pieces: list[_Piece] = []
    prev_trail = "."
    prev_end = 0
    for m in _CHUNK.finditer(text):
        chunk = m.group()
        start = m.start()
        plain = chunk.isalpha()
        if plain:
            lead, core, trail = "", chunk, ""
        else:
            lead, core, trail = _EDGE.fullmatch(chunk).groups()  # type: ignore[union-attr]
        initial = prev_trail[-1:] in _SENTENCE_END or (
            start - prev_end > 1 and "\n\n" in text[prev_end:start]
        )
        joined = not lead and not prev_trail
        prev_trail = trail if core else "."
        prev_end = m.end()
        if not core:
            continue
        usable = plain or _UNTOUCHABLE.search(chunk) is None
        offset = start + len(lead)
        piece = _Piece(offset, core, usable, joined, initial, trail.startswith("."))
        if "-" in core or "\u2010" in core or "\u2013" in core or "\u2014" in core:
            pieces.extend(_hyphen_parts(offset, core, piece))
        else:
            pieces.append(piece)
    return pieces


def scan(text: str) -> list[Token]:
    """The words of ``text`` a spelling pass may consider, with their neighbours.

    Skipped outright: chunks with digits, e-mail addresses and URLs, all-caps tokens, single
    letters, and pieces with punctuation inside (``e.g.``, ``usu.illy``).

    >>> [(t.word, t.prev, t.next) for t in scan("A sever anemia, CT 3 mm.")]
    [('sever', 'a', 'anemia'), ('anemia', 'sever', None), ('mm', '3', None)]
    """
    pieces = _pieces(text)
    tokens: list[Token] = []
    lines: dict[int, bool] = {}
    last = len(pieces) - 1
    for idx, piece in enumerate(pieces):
        word, start = piece.word, piece.start
        if not piece.usable or len(word) < 2 or word.isupper():
            continue
        if not word.isalpha() and not _WORDLIKE.fullmatch(word):
            continue
        prev = pieces[idx - 1].word.lower() if idx and piece.joined else None
        nxt = pieces[idx + 1].word.lower() if idx < last and pieces[idx + 1].joined else None
        title = False
        if not piece.initial and word[0].isupper():
            line_start = text.rfind("\n", 0, start) + 1
            title = lines.get(line_start)  # type: ignore[assignment]
            if title is None:
                line_end = text.find("\n", start)
                line = text[line_start : line_end if line_end >= 0 else len(text)]
                title = lines[line_start] = _title_ratio(line)
        tokens.append(
            Token(start, start + len(word), word, prev, nxt, piece.initial, title, piece.dotted)
        )
    return tokens
