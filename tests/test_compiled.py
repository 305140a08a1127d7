"""Rules prepared once for the read stage answer exactly as the rules asked one by one."""

from __future__ import annotations

from dataclasses import replace

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.boilerplate import clean_blocks, drop_learned
from pipeline.read.compiled import AnyPattern, any_pattern, built_once, joined
from pipeline.read.document import Block, Document
from pipeline.read.ingest import Page
from pipeline.rules import BoilerplateRules, load_rules

_RULES = load_rules()
_LISTS = {
    "line": _RULES.boilerplate.line_patterns,
    "inline": _RULES.boilerplate.inline_patterns,
    "citation": _RULES.sections.citation_patterns,
    "null": [_RULES.fields.null_value],
}
_PIECES = [
    "go to top", "Back to Top", "end faqaq", "You are here: Home", "Copyright 2012",
    "this email address is being protected from spambots", "you need javascript enabled",
    "Print", "Hits: 12", "et al", "2nd ed", "pp. 12", "doi:", "2004 Philadelphia", "Saunders",
    " / ", "/", ".", ":", " ", "  ", "\t", "\n", "x", "N/A", "none", "Ed.", "[edited by]",
]  # fmt: skip
texts = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)


@settings(max_examples=600)
@given(texts, st.sampled_from(sorted(_LISTS)))
def test_any_pattern_answers_as_each_pattern_in_turn(text: str, which: str) -> None:
    patterns = _LISTS[which]
    ask = AnyPattern(patterns)
    assert ask.match(text) == any(p.match(text) for p in patterns)
    for start in range(len(text)):
        assert ask.match(text[start:]) == any(p.match(text[start:]) for p in patterns)


def test_the_rules_lists_are_joined() -> None:
    for patterns in _LISTS.values():
        assert joined(patterns) is not None


def test_patterns_that_could_reach_each_other_are_not_joined() -> None:
    flags = regex.IGNORECASE | regex.VERSION1
    cases = [
        [regex.compile(r"(a)\1", flags), regex.compile("b", flags)],  # a group: renumbered
        [regex.compile("(?i)a", regex.VERSION0), regex.compile("b", regex.VERSION0)],
        [regex.compile("a(?R)?b", flags), regex.compile("c", flags)],  # recursion
        [regex.compile("a", flags), regex.compile("b")],  # other flags
    ]
    for patterns in cases:
        assert joined(patterns) is None
        ask = AnyPattern(patterns)
        for text in ("aa", "ab", "aabb", "b", "B", "c", "", "ca"):
            assert ask.match(text) == any(p.match(text) for p in patterns)
    assert not AnyPattern([]).match("anything")


def test_what_is_built_is_built_once_per_rule() -> None:
    patterns = _RULES.boilerplate.line_patterns
    assert any_pattern(patterns) is any_pattern(patterns)
    assert built_once(patterns, "other", object) is not any_pattern(patterns)


_SPACES = regex.compile(r"[ \t]{2,}")


def plain_clean_blocks(blocks: list[Block], rules: BoilerplateRules) -> list[Block]:
    """clean_blocks as first written: every pattern asked of every block."""
    kept: list[Block] = []
    carry = 0
    for block in blocks:
        if any(p.match(block.text) for p in rules.line_patterns):
            carry = max(carry, block.gap)
            continue
        text = block.text
        for pattern in rules.inline_patterns:
            text = pattern.sub("", text)
        text = _SPACES.sub(" ", text).strip()
        if not text:
            carry = max(carry, block.gap)
            continue
        kept.append(replace(block, text=text, gap=max(block.gap, carry)))
        carry = 0
    return kept


blocks = st.lists(
    st.builds(
        Block,
        texts,
        st.sampled_from(["text", "heading"]),
        st.integers(0, 3),
        st.sampled_from(["", "p", "tr"]),
        st.sampled_from(["", "h2", "bold"]),
    ),
    max_size=8,
)


@settings(max_examples=400)
@given(blocks)
def test_clean_blocks_cuts_what_each_pattern_in_turn_cuts(found: list[Block]) -> None:
    rules = _RULES.boilerplate
    assert clean_blocks(found, rules) == plain_clean_blocks(found, rules)


@given(blocks, st.sets(st.sampled_from(_PIECES), max_size=4))
def test_dropping_learnt_lines_keeps_the_rest_with_their_gaps(
    found: list[Block], learned: set[str]
) -> None:
    page = Page("p", "p", "0", "text", "", "utf-8")
    kept: list[Block] = []
    carry = 0
    for block in found:
        if block.text in learned and block.kind != "heading":
            carry = max(carry, block.gap)
            continue
        kept.append(replace(block, gap=max(block.gap, carry)))
        carry = 0
    expected = Document(page, tuple(kept)) if learned else Document(page, tuple(found))
    assert drop_learned(Document(page, tuple(found)), learned) == expected
