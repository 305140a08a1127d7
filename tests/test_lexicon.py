"""The lexicon: hunspell affix expansion (spylls), sources, the disk cache, missing dictionaries."""

from __future__ import annotations

import shutil
import time
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.correct.hunspell import hunspell_forms, read_affixes, read_stems, word_forms
from pipeline.correct.lexicon import HUNSPELL_DIR, Lexicon
from pipeline.rules import load_rules

AFF = """SET UTF-8
NEEDAFFIX X
FORBIDDENWORD F
SFX S Y 2
SFX S   y     ies        [^aeiou]y
SFX S   0     s          [^sxzhy]

SFX D Y 2
SFX D   0     d          e
SFX D   0     ed         [^ey]

SFX N N 1
SFX N   e     ion        e

PFX U Y 1
PFX U   0     un         .

PFX R N 1
PFX R   0     re         .
"""

DIC = (
    "7\n"
    "    This is the dictionary file of a medical word list\n"
    "\t(c) someone\n"
    "lobulate/DNR\n"
    "artery/S\n"
    "mark/DU\n"
    "CT\n"
    "Sj\u00a0gren/S\n"
    "anthropo/XS\n"
    "irregardless/F\n"
)

needs_hunspell = pytest.mark.skipif(
    not (HUNSPELL_DIR / "en_US.aff").exists() or not (HUNSPELL_DIR / "en_med_glut.dic").exists(),
    reason=f"Debian's hunspell-en-us and hunspell-en-med are not installed in {HUNSPELL_DIR}",
)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load(load_rules())  # the shared cache: built once, read by every test


@pytest.fixture()
def small_dictionary(tmp_path: Path) -> tuple[Path, Path]:
    aff, dic = tmp_path / "test.aff", tmp_path / "test.dic"
    aff.write_text(AFF, encoding="utf-8")
    dic.write_text(DIC, encoding="utf-8")
    return aff, dic


def test_affix_expansion_follows_conditions_and_cross_product(
    small_dictionary: tuple[Path, Path],
) -> None:
    aff, context = read_affixes(small_dictionary[0])
    words = {w.stem: w for w in read_stems(small_dictionary[1], aff, context)}
    # no "lobulateion": N strips the e; no "relobulated": R is not cross-product
    assert word_forms(words["lobulate"], aff) == {
        "lobulate",
        "lobulated",
        "lobulation",
        "relobulate",
    }
    assert word_forms(words["artery"], aff) == {"artery", "arteries"}
    assert word_forms(words["mark"], aff) == {"mark", "marked", "unmark", "unmarked"}
    assert word_forms(words["anthropo"], aff) == {"anthropos"}  # NEEDAFFIX: no bare stem
    assert word_forms(words["irregardless"], aff) == set()  # FORBIDDENWORD


def test_dic_count_line_header_comments_and_broken_entries_give_no_forms(
    small_dictionary: tuple[Path, Path],
) -> None:
    aff, context = read_affixes(small_dictionary[0])
    forms = hunspell_forms(small_dictionary[1], aff, context)
    # the header reads as entries with spaces; "Sj\u00a0gren" (a lost ö) is not cut to "Sj"
    assert forms == {
        "lobulate",
        "lobulated",
        "lobulation",
        "relobulate",
        "artery",
        "arteries",
        "mark",
        "marked",
        "unmark",
        "unmarked",
        "CT",
        "anthropos",
    }


def test_without_an_aff_file_stems_stay_bare(
    small_dictionary: tuple[Path, Path], tmp_path: Path
) -> None:
    aff, context = read_affixes(tmp_path / "absent.aff")
    assert {"lobulate", "artery", "mark", "CT"} <= hunspell_forms(small_dictionary[1], aff, context)
    assert "lobulated" not in hunspell_forms(small_dictionary[1], aff, context)


@needs_hunspell
def test_en_us_flags_give_plural_past_and_prefixed_forms() -> None:
    aff, context = read_affixes(HUNSPELL_DIR / "en_US.aff")
    words = {w.stem: w for w in read_stems(HUNSPELL_DIR / "en_US.dic", aff, context)}
    mark = word_forms(words["mark"], aff)  # mark/AMDSG
    assert {"marks", "marked", "marking", "mark's", "remark", "remarked", "remark's"} <= mark
    assert not {"unmarked", "markly", "remarkly"} & mark  # only the affixes its flags name
    assert word_forms(words["artery"], aff) >= {"arteries", "artery's"}
    assert "arterys" not in word_forms(words["artery"], aff)


@needs_hunspell
def test_en_med_stems_expand_with_en_us_flags() -> None:
    aff, context = read_affixes(HUNSPELL_DIR / "en_US.aff")
    words = {w.stem: w for w in read_stems(HUNSPELL_DIR / "en_med_glut.dic", aff, context)}
    assert word_forms(words["lobulate"], aff) == {"lobulate", "lobulated", "lobulation"}
    assert {"ablated", "ablating", "ablation"} <= word_forms(words["ablate"], aff)
    forms = hunspell_forms(HUNSPELL_DIR / "en_med_glut.dic", aff, context)
    assert {"lobulated", "hemangioblastoma", "arteries"} <= forms
    assert not {"Sch", "Sj"} & forms  # fragments of "Sch\u00a0nberg", "Sj\u00a0gren"
    assert not any(" " in f for f in forms)


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
    first = Lexicon.load(load_rules(), cache_dir=tmp_path)
    assert len(list(tmp_path.glob("lexicon-*.pickle"))) == 1
    started = time.perf_counter()
    again = Lexicon.load(load_rules(), cache_dir=tmp_path)
    assert time.perf_counter() - started < 2.0
    assert again.fingerprint == first.fingerprint
    assert again.known("lobulated")


def test_the_rules_word_lists_take_effect_without_a_rebuild() -> None:
    rules = load_rules()
    lex = Lexicon.load(replace(rules, lexicon_additions=("zzyzxoma",)))
    assert lex.known("zzyzxoma")
    lex2 = Lexicon.load(replace(rules, lexicon_additions=("zzyzxoma", "qqplexia")))
    assert lex2.fingerprint != lex.fingerprint and lex2.data is not lex.data
    assert lex2.known("qqplexia") and not lex.known("qqplexia")
    protected = Lexicon.load(replace(rules, protected=("Kahkoueei",)))
    assert protected.is_protected("kahkoueei")


def test_missing_hunspell_warns_and_shrinks(tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lex = Lexicon.load(load_rules(), hunspell_dir=tmp_path / "nowhere", cache_dir=tmp_path)
    assert any("not found" in str(w.message) for w in caught)
    assert not lex.in_hunspell("lobulated")
    assert lex.known("the")


def test_names_in_lowercase_and_medical_derivations(lexicon: Lexicon) -> None:
    assert lexicon.proper_only("chang")  # listed only as the name Chang
    assert not lexicon.proper_only("change")
    assert not lexicon.proper_only("Chang")
    assert lexicon.in_medical("hemangioblastomas")


def test_british_spellings_are_variants_never_slips(lexicon: Lexicon) -> None:
    if not (HUNSPELL_DIR / "en_GB.dic").exists():
        pytest.skip("hunspell-en-gb is not installed (the Makefile installs it)")
    for british, american in [
        ("harbouring", "harboring"),
        ("hospitalised", "hospitalized"),
        ("dyspnoea", "dyspnea"),
        ("haematoma", "hematoma"),
    ]:
        assert lexicon.variant_of(british) == american
        assert lexicon.known(british)
    assert lexicon.variant_of("harboring") is None
    assert "harbouring" not in lexicon.targets(4.0)  # no correction produces a variant


def test_targets_are_cached_beside_the_lexicon_and_equal_the_built_ones(
    lexicon: Lexicon, tmp_path: Path
) -> None:
    cached = Lexicon(lexicon.data, load_rules(), "base", cache_dir=tmp_path)
    built = Lexicon(lexicon.data, load_rules())  # no cache folder: built every time
    first = cached.targets(4.0)
    assert len(list(tmp_path.glob("targets-*.pickle"))) == 1
    assert cached.targets(4.0) == first == built.targets(4.0)
    assert cached.targets(3.0) != first  # another threshold, another entry
    assert len(list(tmp_path.glob("targets-*.pickle"))) == 2


def test_the_fingerprint_is_known_without_loading_the_lexicon(
    lexicon: Lexicon, tmp_path: Path
) -> None:
    rules = load_rules()
    assert Lexicon.fingerprint_of(rules) == lexicon.fingerprint
    edited = tmp_path / "rules"
    shutil.copytree(rules.directory, edited)
    with (edited / "protected.txt").open("a", encoding="utf-8") as handle:
        handle.write("Zyxwq\n")
    assert Lexicon.fingerprint_of(load_rules(edited)) != lexicon.fingerprint


def test_languages_of_a_text_s_words_are_their_foreign_languages(lexicon: Lexicon) -> None:
    words = [
        "Der",
        "Patient",
        "und",
        "le",
        "malade",
        "de",
        "la",
        "clinique",
        "with",
        "a",
        "mass",
        "the",
        "lesion",
        "Die",
    ]
    expected = {i: langs for i, w in enumerate(words) if (langs := lexicon.foreign_languages(w))}
    assert lexicon.languages(words) == expected
    assert expected  # some of them are
