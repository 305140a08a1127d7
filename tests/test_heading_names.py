"""The rules' tolerant heading matching, which tries only the listed headings that share a
line's first word, names every line as trying every listed heading does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from pipeline.rules import Rules, SectionRules, load_rules
from pipeline.rules.page import _begins, section_key

from .conftest import DEV, RAW

_RULES = load_rules()
_ALL = [_RULES.sections, *(site.sections for site in _RULES.sites)]
_WORDS = sorted({word for rules in _ALL for alias in rules.aliases for word in alias.split()})
_GLUE = ["and", "of", "&", "/", "for", "range", "list", "x", "", "2.1.", "IV.", ":", "-", "'s"]


def _typo(word: str, draw: st.DrawFn) -> str:
    if len(word) < 2 or not draw(st.booleans()):
        return word
    at = draw(st.integers(0, len(word) - 2))
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


@st.composite
def headings(draw: st.DrawFn) -> str:
    """Lines made of the listed headings' words, typos, joining words and numbering."""
    pool = st.sampled_from(_WORDS + _GLUE)
    words = [_typo(w, draw) for w in draw(st.lists(pool, min_size=1, max_size=6))]
    spaces = draw(st.sampled_from([" ", "  ", " : ", "\t"]))
    line = spaces.join(words)
    return line.upper() if draw(st.booleans()) else line


def _plain(rules: SectionRules, heading: str, tolerant: bool) -> str | None:
    """The definition: exact, then the closest listed heading, then the longest listed heading
    the line starts with, trying every one."""
    key = section_key(heading)
    if key in rules.aliases or not tolerant or len(key) < rules.min_chars:
        return rules.aliases.get(key)
    found = process.extractOne(
        key, rules.aliases.keys(), scorer=fuzz.ratio, score_cutoff=rules.min_score
    )
    if found is not None:
        return rules.aliases[found[0]]
    starts = [a for a in rules.aliases if len(a) >= rules.min_chars and _begins(key, a)]
    return rules.aliases[max(starts, key=len)] if starts else None


def _agree(rules: SectionRules, line: str) -> None:
    for tolerant in (True, False):
        assert rules.canonical(line, tolerant) == _plain(rules, line, tolerant), line


@settings(max_examples=500)
@given(headings(), st.sampled_from(range(len(_ALL))))
def test_the_indexed_matcher_names_what_the_rules_name(line: str, which: int) -> None:
    _agree(_ALL[which], line)


def test_every_listed_heading_and_its_continuations_agree() -> None:
    for rules in _ALL:
        for alias in rules.aliases:
            for line in (alias, f"{alias} and more", f"{alias} range", f"{alias}x", alias[:-1]):
                _agree(rules, line)


def test_the_lines_of_the_sample_and_dev_pages_agree(rules: Rules) -> None:
    paths = sorted(RAW.rglob("*.*")) + sorted((DEV / "archive").rglob("*.txt"))[:40]
    lines = {
        line.strip()
        for path in paths
        if path.suffix in (".txt", ".html")
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
    }
    for line in sorted(lines):
        _agree(rules.sections, line)


def test_the_index_is_built_once_per_rules(rules: Rules) -> None:
    assert rules.sections._by_first_word is rules.sections._by_first_word
    assert load_rules().sections._by_first_word is not rules.sections._by_first_word


def test_answers_are_kept_per_rules_for_short_lines_and_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipeline.rules import page

    rules = load_rules().sections
    long_line = "Findings " + "x" * page.ANSWER_CHARS
    for line in ("FINAL DIAGNOSIS", "Imaging Findings:", "Dicsussion", long_line):
        first = rules.canonical(line)
        assert rules.canonical(line) == first == _plain(rules, line, True)
    assert ("FINAL DIAGNOSIS", True) in rules._answers
    assert all(len(line) <= page.ANSWER_CHARS for line, _ in rules._answers)
    monkeypatch.setattr(page, "ANSWERS_KEPT", len(rules._answers))
    rules.canonical("Clinical History")
    assert ("Clinical History", True) not in rules._answers  # full: answered, not kept
    assert load_rules().sections._answers == {}
