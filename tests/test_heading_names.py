"""The indexed heading matcher names every line as the rules' own tolerant matching does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.headings import heading_names
from pipeline.rules import Rules, SectionRules, load_rules

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


def _agree(rules: SectionRules, line: str) -> None:
    names = heading_names(rules)
    for tolerant in (True, False):
        assert names.canonical(line, tolerant) == rules.canonical(line, tolerant), line


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


def test_the_matcher_is_built_once_per_rules(rules: Rules) -> None:
    assert heading_names(rules.sections) is heading_names(rules.sections)
    assert heading_names(load_rules().sections).rules is not rules.sections
