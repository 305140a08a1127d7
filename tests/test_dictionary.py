"""Candidates one slip away and the cost of each kind of slip."""

from __future__ import annotations

from pipeline.correct.slips import CandidateFinder, ChannelCosts, edits1, edits1_strings

COSTS = ChannelCosts()


def test_edits1_kinds() -> None:
    e = edits1("hematopoesis", COSTS)
    assert e["hematopoiesis"] == (COSTS.delete_vowel, "delete")
    assert edits1("vertebrea", COSTS)["vertebrae"] == (COSTS.transpose, "transpose")
    assert edits1("skulll", COSTS)["skull"] == (COSTS.double, "insert")
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
    finder = CandidateFinder(frozenset({"severe", "server", "moreover"}), COSTS)
    assert set(finder.candidates("morever")) == {"moreover"}
    assert set(finder.candidates("sever")) == {"severe", "server"}
    assert finder.candidates("xyzzy") == {}


def test_costs_from_config_ignore_unknown_keys() -> None:
    costs = ChannelCosts.from_mapping({"transpose": -1.5, "nonsense": 3})
    assert costs.transpose == -1.5
    assert costs.sub == COSTS.sub
