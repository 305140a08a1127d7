"""Candidates one slip away and the cost of each kind of slip."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.correct.slips import CandidateFinder, edits1, edits1_in, edits1_strings
from pipeline.rules import ChannelCosts, RulesError, load_rules
from pipeline.rules.files import validate

COSTS = load_rules().correct.channel


def test_edits1_kinds() -> None:
    e = edits1("hematopoesis", COSTS)
    assert e["hematopoiesis"] == (COSTS.delete_vowel, "delete")
    assert edits1("vertebrea", COSTS)["vertebrae"] == (COSTS.transpose, "transpose")
    assert edits1("skulll", COSTS)["skull"] == (COSTS.double, "double")
    assert edits1("ocur", COSTS)["occur"] == (COSTS.undouble, "delete")
    assert edits1("muskuloskeletal", COSTS)["musculoskeletal"][1] == "substitute"


def test_near_keys_and_phonetic_swaps_are_cheaper_than_arbitrary_ones() -> None:
    assert edits1("cst", COSTS)["cat"][0] > edits1("cpt", COSTS)["cat"][0]
    assert edits1("kat", COSTS)["cat"][0] > edits1("zat", COSTS)["cat"][0]


def test_edits1_strings_is_the_full_neighbourhood() -> None:
    out = edits1_strings("ab")
    assert {"a", "b", "ba", "aab", "abc", "cb"} <= out
    assert "ab" not in out


def test_finder_keeps_targets_only() -> None:
    finder = CandidateFinder(frozenset({"severe", "server", "moreover"}), COSTS, memo_size=10)
    assert set(finder.candidates("morever")) == {"moreover"}
    assert set(finder.candidates("sever")) == {"severe", "server"}
    assert finder.candidates("xyzzy") == {}


def test_costs_with_an_unknown_or_missing_kind_are_refused(tmp_path: Path) -> None:
    values = {**COSTS.model_dump(), "transpose": -1.5}
    assert validate(ChannelCosts, values, tmp_path / "c.yaml").transpose == -1.5
    with pytest.raises(RulesError, match=r"c.yaml: nonsense: unknown key"):
        validate(ChannelCosts, {**values, "nonsense": 3}, tmp_path / "c.yaml")
    del values["sub"]
    with pytest.raises(RulesError, match=r"c.yaml: sub: missing key"):
        validate(ChannelCosts, values, tmp_path / "c.yaml")


@pytest.mark.parametrize("word", ["lesion", "tumuor", "ab", "a", "hematopoiesis", "aa", "thhe"])
def test_edits1_in_finds_the_words_among_all_edits(word: str) -> None:
    words = {"lesion", "lesions", "tumor", "tumour", "b", "ab", "abs", "hematopoiesis", "a", "the"}
    words |= {w[:-1] for w in words} | {"eslion", "lesoin", "aab", "xa"}
    assert edits1_in(word, words) == edits1_strings(word) & words
