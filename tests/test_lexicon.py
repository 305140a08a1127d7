"""The lexicon: hunspell affix expansion, sources, the disk cache and missing dictionaries."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

from pipeline.correct.lexicon import Lexicon, expand, parse_aff, read_dic

AFF = """SET UTF-8
SFX S Y 2
SFX S   y     ies        [^aeiou]y
SFX S   0     s          [^sxzhy]

SFX D Y 2
SFX D   0     d          e
SFX D   0     ed         [^ey]

PFX U Y 1
PFX U   0     un         .
"""


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory: pytest.TempPathFactory) -> Lexicon:
    return Lexicon.load(cache_dir=tmp_path_factory.mktemp("cache"))


def test_affix_expansion_with_cross_product() -> None:
    rules = parse_aff(AFF)
    assert expand("lobulate", "D", rules) == {"lobulate", "lobulated"}
    assert expand("artery", "S", rules) == {"artery", "arteries"}
    assert "unmarked" in expand("mark", "DU", rules)


def test_medical_dic_comments_and_count_line_are_skipped() -> None:
    text = "    This is the dictionary\n    \n\t(c) someone\n12\nlobulate/DN\nCT\n"
    assert list(read_dic(text)) == [("lobulate", "DN"), ("CT", "")]


def test_known_is_case_aware_and_uses_every_source(lexicon: Lexicon) -> None:
    assert lexicon.known("lobulated")  # en_med_glut with en_US's D flag
    assert lexicon.known("Hematopoiesis")
    assert lexicon.known("phenomenon")
    assert lexicon.known("well-marginated")
    assert lexicon.known("patient's")
    assert not lexicon.known("hematopoesis")
    assert not lexicon.known("Iobulated")
    assert not lexicon.known("rght")  # wordfreq's long tail of web typos is not a lexicon


def test_zipf(lexicon: Lexicon) -> None:
    assert lexicon.zipf("the") > 7
    assert lexicon.zipf("The") == lexicon.zipf("the")
    assert lexicon.zipf("hematopoesis") == 0.0


def test_regular_derivations_of_medical_stems_are_accepted(lexicon: Lexicon) -> None:
    assert lexicon.accepts("fibroplasias")
    assert lexicon.accepts("retrotympanic")
    assert not lexicon.accepts("hematopoesis")


def test_cache_is_reused_and_fast(tmp_path: Path) -> None:
    first = Lexicon.load(cache_dir=tmp_path)
    assert len(list(tmp_path.glob("lexicon-*.pickle"))) == 1
    started = time.perf_counter()
    again = Lexicon.load(cache_dir=tmp_path)
    assert time.perf_counter() - started < 2.0
    assert again.fingerprint == first.fingerprint
    assert again.known("lobulated")


def test_cache_key_follows_the_rules_files(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "lexicon_additions.txt").write_text("# header\nzzyzxoma\n", encoding="utf-8")
    cache = tmp_path / "cache"
    lex = Lexicon.load(rules, cache_dir=cache)
    assert lex.known("zzyzxoma")
    (rules / "lexicon_additions.txt").write_text("zzyzxoma\nqqplexia\n", encoding="utf-8")
    lex2 = Lexicon.load(rules, cache_dir=cache)
    assert lex2.fingerprint != lex.fingerprint
    assert lex2.known("qqplexia")


def test_missing_hunspell_warns_and_shrinks(tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lex = Lexicon.load(hunspell_dir=tmp_path / "nowhere", cache_dir=tmp_path)
    assert any("not found" in str(w.message) for w in caught)
    assert not lex.in_hunspell("lobulated")
    assert lex.known("the")


def test_names_in_lowercase_and_medical_derivations(lexicon: Lexicon) -> None:
    assert lexicon.proper_only("chang")  # listed only as the name Chang
    assert not lexicon.proper_only("change")
    assert not lexicon.proper_only("Chang")
    assert lexicon.in_medical("hemangioblastomas")
