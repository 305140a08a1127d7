"""Normalize: unicode repair and spacing, as small recorded edits.

The first pass over every section. It fixes what is wrong with the characters rather than the
words: text decoded with the wrong charset (``Ã©`` for ``é``, repaired by ftfy), ligatures and
full-width forms, CRLF line ends, runs of spaces and stray spaces before punctuation
(``lesion .``). Each repair is a local edit (one token, or one run of spaces), so a reviewer sees
exactly what changed and the raw text can always be rebuilt. Line breaks are never removed:
paragraph structure belongs to the page, not to this pass.

Tunables (punctuation marks, confidences) are data in ``rules/normalize.yaml``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import ftfy
import regex

from pipeline.correct.passes.base import PassContext
from pipeline.edits import Edit, EditTrail
from pipeline.rules import NormalizeRules

PASS_NAME = "normalize"

# ftfy as a repair tool only: curly quotes, HTML entities and line breaks are not its business
# here (quotes are the author's, entities were resolved by the page parser, breaks are handled
# below as their own rule).
_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False, unescape_html=False, fix_line_breaks=False, explain=True
)
# Tokens end at any space, so ftfy sees the same token before and after spacing is repaired.
_TOKEN = regex.compile(r"\S+")
_HSPACE = "[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"


@functools.lru_cache(maxsize=8)
def _spacing(closing: str) -> regex.Pattern[str]:
    """Line ends, and the runs of spaces a rule may change: every run but a lone plain space
    between words, which is most of a text's spaces and never changes (a lone space counts
    only before a line end, the text's end or a closing mark of ``closing``).

    >>> [m.group() for m in _spacing(",.").finditer("a b  c .d \\u00a0e\\u00a0f \\n")]
    ['  ', ' ', ' \\xa0', '\\xa0', ' ']
    """
    marks = "".join(regex.escape(c) for c in closing)
    lone = rf" (?=[\r\n]|\Z{f'|[{marks}]' if marks else ''})"
    return regex.compile(rf"(?P<space>{_HSPACE}{{2,}}|(?! ){_HSPACE}|{lone})|(?P<crlf>\r\n?)")


_CLOSING_QUOTES = "\"'’”]"
_WORD_END = regex.compile(r"[\w\"'’”)\]%°]")
_MOJIBAKE_STEPS = {"encode", "decode", "transcode"}
_CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FORMULA_LOOKBACK = 24
# A soft hyphen is an invisible break point: with a line break after it, a line-wrap join.
_SOFT_HYPHEN = regex.compile(r"(?<=\w)\u00ad[ \t]*\n?[ \t]*(?=\w)|\u00ad")


def _edit(start: int, original: str, replacement: str, rule: str, rules: NormalizeRules) -> Edit:
    confidence = rules.confidence[rule]
    return Edit.rated(
        start, original, replacement, PASS_NAME, rule, confidence, rules.apply_threshold
    )


def _needs_ftfy(token: str) -> bool:
    """Plain printable ASCII has nothing for ftfy to repair; skipping it keeps the pass fast."""
    return not (token.isascii() and token.isprintable())


def unicode_edits(text: str, rules: NormalizeRules) -> Iterator[Edit]:
    """ftfy's repairs, one token at a time so that each edit stays local.

    Most texts are printable ASCII between tabs and line breaks, which never fall in a
    token: then no token needs ftfy, and none is looked at.
    """
    if text.isascii() and _CONTROL.search(text) is None:
        return
    for m in _TOKEN.finditer(text):
        token = m.group()
        if not _needs_ftfy(token):
            continue
        fixed, steps = ftfy.fix_and_explain(token, config=_FTFY)
        if fixed == token:
            continue
        if any(step in _MOJIBAKE_STEPS for step, _ in steps or ()):
            rule = "unicode-mojibake"
        elif {name for _, name in steps or ()} == {"remove_control_chars"}:
            rule = "control-characters"
        else:
            rule = "unicode-repair"
        yield _edit(m.start(), token, fixed, rule, rules)


def soft_hyphen_edits(text: str, rules: NormalizeRules) -> Iterator[Edit]:
    """Soft hyphens removed, with the line break a wrap left after one."""
    for m in _SOFT_HYPHEN.finditer(text):
        yield _edit(m.start(), m.group(), "", "soft-hyphen", rules)


def _open_paren_spaced(text: str, close: int) -> bool | None:
    """For the ``)`` at ``close``: whether its ``(`` has a space after it; None when unmatched."""
    depth = 0
    for i in range(close - 1, -1, -1):
        char = text[i]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return i + 1 < len(text) and text[i + 1].isspace()
            depth -= 1
    return None


def _in_formula(text: str, start: int) -> bool:
    """Whether the words before ``start`` are a formula's: control characters (OCR of math
    glyphs) or a bracket left open in the chunk, whose spacing is layout, not a typo.

    >>> _in_formula("T(t . fA)", 3), _in_formula("the lesion .", 10)
    (True, False)
    """
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - _FORMULA_LOOKBACK) : start]
    if _CONTROL.search(before):
        return True
    chunk = before.rsplit(None, 1)[-1] if before.strip() else ""
    return chunk.count("(") > chunk.count(")") or chunk.count("[") > chunk.count("]")


def _space_before_mark(text: str, start: int, end: int, rules: NormalizeRules) -> str | None:
    """The rule for dropping the spaces ``text[start:end]`` before a mark, or None to keep them.

    Only between the end of a word and a mark that itself ends a word group: ``lesion .`` but
    not `` .5 mm``, `` ...``, ``- ,`` or ``( Fig. 1 )`` (symmetric spacing is a style).
    """
    mark = text[end]
    if mark not in rules.closing_punctuation or not _WORD_END.match(text[start - 1]):
        return None
    if _in_formula(text, start):
        return None
    after = text[end + 1] if end + 1 < len(text) else ""
    if after and not (after.isspace() or after in _CLOSING_QUOTES or after in ".,;:)"):
        return None
    if mark == "." and after == ".":
        return None
    if mark == ")" and _open_paren_spaced(text, end) is not False:
        return None
    return "space-before-colon" if mark == ":" else "space-before-punctuation"


def _space_rule(text: str, start: int, end: int, rules: NormalizeRules) -> tuple[str, str] | None:
    """(replacement, rule) for the horizontal spaces at ``text[start:end]``, or None."""
    run = text[start:end]
    if end == len(text) or text[end] in "\r\n":
        return "", "trailing-space"
    if start == 0 or text[start - 1] in "\r\n":
        return None  # indentation belongs to the layout
    mark_rule = _space_before_mark(text, start, end, rules)
    if mark_rule is not None:
        return "", mark_rule
    if run == " " or "\t" in run:
        return None  # tabs may align columns
    return " ", "space-run" if len(run) > 1 else "odd-space"


def spacing_edits(text: str, rules: NormalizeRules) -> Iterator[Edit]:
    """Line ends, runs of spaces, spaces at line ends and before punctuation."""
    for m in _spacing(rules.closing_punctuation).finditer(text):
        if m.group("crlf"):
            yield _edit(m.start(), m.group(), "\n", "line-break", rules)
            continue
        decided = _space_rule(text, m.start(), m.end(), rules)
        if decided is not None:
            replacement, rule = decided
            yield _edit(m.start(), m.group(), replacement, rule, rules)


def find_edits(text: str, rules: NormalizeRules) -> list[Edit]:
    """The normalize edits of ``text``, in its offsets, non-overlapping, in text order.

    Soft hyphens go first (ftfy then sees whole tokens), unicode repair next, and spacing sees
    its result (a full-width comma becomes a comma before the space in front of it is judged);
    an :class:`EditTrail` maps every step back to ``text``.
    """
    trail = EditTrail(text)
    trail.add(soft_hyphen_edits(text, rules))
    trail.add(unicode_edits(trail.text, rules))
    trail.add(spacing_edits(trail.text, rules))
    return trail.edits


class NormalizePass:
    """The pass object: :func:`find_edits` with the rules of ``normalize.yaml``."""

    name = PASS_NAME

    def find_edits(self, text: str, context: PassContext) -> list[Edit]:
        return find_edits(text, context.rules.normalize)


PASS = NormalizePass()
