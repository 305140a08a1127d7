"""The evaluation figures, on examples small enough to count by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.evaluate.align import align_groups, cer, triple_groups, wer
from pipeline.evaluate.damage import differs_only_at_injected
from pipeline.evaluate.gold import format_gold_scores, score_gold
from pipeline.evaluate.pairs import (
    Counts,
    fold_of,
    format_pair_scores,
    score_pair,
    score_pairs,
    section_of,
)


def lookup(table: dict[str, str]):
    """A corrector that answers from a table and leaves other text alone."""
    return lambda text: table.get(text, text)


# --- WER and CER -------------------------------------------------------------------------


def test_wer_counts_word_edits_over_reference_length():
    assert wer(["the", "cat", "sat"], ["the", "cat", "sat"]) == 0.0
    assert wer(["the", "cat", "sat"], ["tbe", "cat", "sat"]) == pytest.approx(1 / 3)
    assert wer(["the", "cat"], ["the", "big", "cat"]) == pytest.approx(1 / 2)


def test_cer_counts_character_edits_over_reference_length():
    assert cer("the cat", "tbe cat") == pytest.approx(1 / 7)
    assert cer("", "") == 0.0
    assert cer("", "x") == 1.0


# --- alignment ---------------------------------------------------------------------------


def test_a_line_wrap_split_is_one_group():
    noisy = ["a", "phenom-", "enon", "is"]
    clean = ["a", "phenomenon", "is"]
    assert align_groups(noisy, clean) == [(0, 1, 0, 1), (1, 3, 1, 2), (3, 4, 2, 3)]


def test_an_inserted_word_joins_the_group_before_it():
    assert align_groups(["the", "cat"], ["the", "big", "cat"]) == [(0, 1, 0, 2), (1, 2, 2, 3)]


def test_an_inserted_word_at_the_start_joins_the_first_group():
    assert align_groups(["the", "cat"], ["a", "the", "cat"]) == [(0, 1, 0, 2), (1, 2, 2, 3)]


def test_a_deleted_word_is_a_group_of_its_own_with_nothing_opposite():
    assert align_groups(["big", "the", "cat"], ["the", "cat"]) == [
        (0, 1, 0, 0),
        (1, 2, 0, 1),
        (2, 3, 1, 2),
    ]


def test_groups_are_coarsened_to_boundaries_both_alignments_share():
    # clean joins "lesion ." but the corrector left it split: still one unit of comparison.
    triples = triple_groups(
        ["the", "lesion", ".", "tbe"], ["the", "lesion.", "the"], ["the", "lesion", ".", "the"]
    )
    assert triples == [
        (("the",), ("the",), ("the",)),
        (("lesion", "."), ("lesion.",), ("lesion", ".")),
        (("tbe",), ("the",), ("the",)),
    ]


# --- counts ------------------------------------------------------------------------------


def test_fixed_missed_and_broken_by_hand():
    # groups: A | phenom- enon -> phenomenon (error, fixed) | tbe -> the (error, wrongly
    # changed to tile) | lesion | . (clean "lesion." -> groups "lesion ." error, fixed)
    c = score_pair(
        noisy="A phenom- enon tbe lesion .",
        clean="A phenomenon the lesion.",
        corrected="A phenomenon tile lesion.",
    )
    assert (c.errors, c.changed, c.fixed, c.broken) == (3, 3, 2, 0)
    assert c.precision == pytest.approx(2 / 3)
    assert c.recall == pytest.approx(2 / 3)
    # WER: noisy has 6 tokens vs 4 clean; distance 5 before, 1 after ("tile").
    assert (c.word_dist_before, c.word_dist_after, c.ref_words) == (5, 1, 4)


def test_changing_a_correct_word_is_broken_and_costs_precision():
    c = score_pair(noisy="sever anemia", clean="sever anemia", corrected="severe anemia")
    assert (c.errors, c.changed, c.fixed, c.broken) == (0, 1, 0, 1)
    assert c.precision == 0.0
    assert c.recall == 1.0  # nothing to find


def test_joining_two_correct_words_is_one_broken_group():
    c = score_pair(noisy="x of the y", clean="x of the y", corrected="x ofthe y")
    assert (c.errors, c.changed, c.broken) == (0, 1, 1)


def test_untouched_text_is_all_zeros_with_vacuous_precision():
    c = score_pair("the cat", "the cat", "the cat")
    assert (c.errors, c.changed, c.fixed, c.broken) == (0, 0, 0, 0)
    assert (c.precision, c.recall) == (1.0, 1.0)


def test_whitespace_layout_is_not_an_error():
    c = score_pair("the\ncat  sat", "the cat sat", "the cat sat")
    assert (c.errors, c.changed, c.word_dist_before, c.char_dist_before) == (0, 0, 0, 0)


def test_f1_is_the_harmonic_mean():
    c = Counts(errors=4, changed=2, fixed=1)
    assert c.precision == 0.5
    assert c.recall == 0.25
    assert c.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)


# --- score_pairs -------------------------------------------------------------------------

PAIRS = [
    {"id": "a.txt#title", "noisy": "Sever anemia", "clean": "Severe anemia"},
    {"id": "a.txt#discussion", "noisy": "tbe cat sat", "clean": "the cat sat"},
    {"id": "b.txt#discussion", "noisy": "a dog ran", "clean": "a dog ran"},
]


def test_score_pairs_pools_totals_and_splits_by_section():
    fix = lookup({"tbe cat sat": "the cat sat", "a dog ran": "a dig ran"})
    scores = score_pairs(PAIRS, fix)
    t = scores.total
    assert (t.pairs, t.errors, t.changed, t.fixed, t.broken) == (3, 2, 2, 1, 1)
    assert scores.precision == 0.5 and scores.recall == 0.5
    # 2 word errors before over 8 clean words; after: "Sever" unfixed, "dig" broken.
    assert scores.wer_before == pytest.approx(2 / 8)
    assert scores.wer_after == pytest.approx(2 / 8)
    assert set(scores.by_section) == {"title", "discussion"}
    disc = scores.by_section["discussion"]
    assert (disc.pairs, disc.errors, disc.fixed, disc.broken) == (2, 1, 1, 1)
    assert scores.top_broken == {("dog", "dig"): 1}
    assert scores.top_missed == {("Sever", "Severe"): 1}


def test_score_pairs_accepts_a_result_object_with_text():
    class Result:
        def __init__(self, text: str) -> None:
            self.text = text

    scores = score_pairs(PAIRS[1:2], lambda s: Result("the cat sat"))
    assert scores.total.fixed == 1


def test_section_of_reads_the_part_after_the_last_hash():
    assert section_of("2013/case.txt#findings") == "findings"
    assert section_of("acl-dev-0001") == ""


def test_report_ends_with_the_headline_figures():
    scores = score_pairs(PAIRS, lookup({"tbe cat sat": "the cat sat"}))
    text = format_pair_scores(scores, by_section=True, top=5)
    last = text.splitlines()[-6:]
    assert last[1] == "WER: 25.00% -> 12.50%"
    assert last[3] == "errors: 2   changed: 1   fixed: 1   broken: 0"
    assert last[4] == "precision: 1.000   recall: 0.500   F1: 0.667"
    assert "discussion" in text and "title" in text
    assert "'Sever' -> 'Severe'" in text


def test_folds_keep_a_document_together_and_add_up_to_the_total():
    """A fold is text the other folds never saw: both sections of a.txt land in one fold, and
    the folds' tallies are the total's (a rule tuned on one fold is checked on another)."""
    fix = lookup({"tbe cat sat": "the cat sat", "a dog ran": "a dig ran"})
    scores = score_pairs(PAIRS, fix, folds=2)
    assert fold_of(PAIRS[0], 2) == fold_of(PAIRS[1], 2)
    assert sum(c.pairs for c in scores.by_fold.values()) == 3
    assert sum(c.fixed for c in scores.by_fold.values()) == scores.total.fixed
    assert sum(c.broken for c in scores.by_fold.values()) == scores.total.broken
    assert fold_of({"id": "x", "doc": "P05-1001"}, 2) == fold_of({"id": "y", "doc": "P05-1001"}, 2)
    text = format_pair_scores(scores)
    assert text.splitlines()[0].startswith("fold ")
    assert not score_pairs(PAIRS, fix).by_fold  # no folds unless asked


def test_speed_is_measured_inside_the_corrector_only():
    scores = score_pairs(PAIRS, lambda s: s)
    assert scores.correct_seconds >= 0.0
    assert scores.words_per_second > 0 or math.isinf(scores.words_per_second)


# --- gold scores -------------------------------------------------------------------------

GOLD = [
    {
        "case_id": "2013/a.txt",
        "status": "ok",
        "fields": {
            "title": "Severe anemia",
            "author_name": "Ramhe Khasha",
            "author_affiliation": None,
            "author_degree": None,
            "resident_name": "Zazad Haram",
            "patient_gender": "female",
            "patient_age": "6 months",
            "patient_age_years": 0.5,
            "body_system": "Chest",
        },
        "sections": {
            "clinical_summary": "Pain.",
            "findings": "CT shows a mass.",
            "discussion": "The hematopoiesis is well-marginated.",
            "differential_diagnosis": None,
            "diagnosis": "Anemia",
            "references": None,
        },
        "must_not_change": ["CT", "Khasha"],
        "must_be_absent": ["Go to top", "end faqaq"],
        "injected": {"discussion": [["Tho", "The"]], "findings": []},
    },
    {"case_id": "broken/empty.txt", "status": "error_or_warning"},
    {"case_id": "broken/binary.html", "status": "error_or_warning"},
]


def run_tables():
    """A run that gets most of GOLD right, with one slip of each kind to find."""
    cases = pd.DataFrame(
        [
            {
                "case_id": "2013/a.txt",
                "status": "ok",
                "title": "Severe anemia",
                "author_name": "Ramhe Khasha",
                "author_affiliation": None,
                "author_degree": None,
                "resident_name": "Zazad Haram",
                "patient_gender": "female",
                "patient_age": "6 months",
                "patient_age_years": 0.5000001,  # within tolerance
                "body_system": "Chest Go to top",  # leaked boilerplate, wrong field
                "clinical_summary": "Pain.",
                "findings": "CT shows  a mass.",  # whitespace differs only
                "discussion": "The hematopoiesis is well-marginated.",
                "differential_diagnosis": "Leukemia",  # gold has none: spurious
                "diagnosis": None,  # expected, not found
                "references": None,
            }
        ]
    )
    sections = pd.DataFrame(
        [
            {
                "case_id": "2013/a.txt",
                "section": "clinical_summary",
                "raw_text": "Pain.",
                "clean_text": "Pain.",
            },
            # "CT" is in the raw text but lost from the clean text.
            {
                "case_id": "2013/a.txt",
                "section": "findings",
                "raw_text": "CT shows a mass.",
                "clean_text": "C shows a mass.",
            },
            # only injected damage and a line-wrap split: counts for issue 3
            {
                "case_id": "2013/a.txt",
                "section": "discussion",
                "raw_text": "Tho hema- topoiesis is well- marginated.",
                "clean_text": "The hematopoiesis is well-marginated.",
            },
        ]
    )
    corrections = pd.DataFrame(
        [
            {
                "case_id": "2013/a.txt",
                "original": "Khasha",
                "replacement": "Kasha",
                "applied": False,
            },  # a suggestion only: no harm done
        ]
    )
    errors = pd.DataFrame(
        [
            {
                "source_path": "/data/archive/broken/empty.txt",
                "stage": "ingest",
                "error": "EmptyPage",
                "message": "no text",
            }
        ]
    )
    return cases, sections, corrections, errors


def test_gold_fields_match_exactly_with_age_tolerance():
    scores = score_gold(GOLD, *run_tables())
    assert scores.fields["patient_age_years"] == [1, 1]
    assert scores.fields["author_affiliation"] == [1, 1]  # null on both sides is a match
    assert scores.fields["body_system"] == [0, 1]
    assert scores.field_rate("title") == 1.0


def test_gold_sections_found_spurious_and_exact():
    scores = score_gold(GOLD, *run_tables())
    s = scores.sections
    assert (s["findings"].expected, s["findings"].found, s["findings"].exact) == (1, 1, 1)
    assert (s["diagnosis"].expected, s["diagnosis"].found) == (1, 0)
    assert (s["differential_diagnosis"].expected, s["differential_diagnosis"].spurious) == (0, 1)


def test_gold_finds_leaks_and_protected_words():
    scores = score_gold(GOLD, *run_tables())
    assert scores.leaks == [("2013/a.txt", "body_system", "Go to top")]
    assert scores.protected_changed == [("2013/a.txt", "CT", "lost")]


def test_an_applied_edit_of_a_protected_word_counts():
    cases, sections, corrections, errors = run_tables()
    corrections.loc[0, "applied"] = True
    scores = score_gold(GOLD, cases, sections, corrections, errors)
    assert ("2013/a.txt", "Khasha", "edited") in scores.protected_changed


def test_gold_statuses_broken_pages_in_errors_or_flagged():
    scores = score_gold(GOLD, *run_tables())
    # the ok page and broken/empty.txt (in errors) are right; binary.html is missing.
    assert scores.status_right == 2
    assert scores.statuses[("error_or_warning", "errors-table")] == 1
    assert scores.statuses[("error_or_warning", "missing")] == 1


def test_gold_share_of_raw_sections_differing_only_at_injected_words():
    scores = score_gold(GOLD, *run_tables())
    # found sections compared: clinical_summary, findings, discussion; all three differ
    # from gold at most by injected damage and hyphen splits.
    assert scores.injected_only() == (3, 3)
    # the gold lists injected words for discussion and findings only
    assert scores.injected_only(scores.injected_kinds) == (2, 2)


def test_gold_share_of_raw_sections_that_are_the_pages_own_text():
    cases, sections, corrections, errors = run_tables()
    tally = score_gold(GOLD, cases, sections, corrections, errors).sections
    # raw text equal up to spelling and injected damage; diagnosis was not found at all
    assert [tally[k].structure for k in ("clinical_summary", "findings", "discussion")] == [1, 1, 1]
    assert tally["diagnosis"].structure == 0
    findings = sections["section"] == "findings"
    sections.loc[findings, "raw_text"] = "CT shws a mas."  # misspelt: structure is right
    assert score_gold(GOLD, cases, sections, corrections, errors).sections["findings"].structure
    sections.loc[findings, "raw_text"] = "CT shows a mass. The hematopoiesis is well-marginated."
    swallowed = score_gold(GOLD, cases, sections, corrections, errors).sections["findings"]
    assert swallowed.structure == 0  # the findings took the discussion in: structure is wrong
    assert "raw-is-page-text" in format_gold_scores(score_gold(GOLD, *run_tables()))


def test_gold_scores_the_fields_and_sections_its_pages_name_in_first_seen_order():
    first = {**GOLD[0], "fields": {"body_system": "Chest"}, "sections": {"diagnosis": "Anemia"}}
    second = {**GOLD[0], "fields": {"title": "Severe anemia", "body_system": "Chest"}}
    scores = score_gold([first, GOLD[1], second], *run_tables())
    assert list(scores.fields) == ["body_system", "title"]
    assert scores.fields["title"] == [1, 2]  # the first page has no title: null vs a title
    # the second page names all six kinds: the five new ones follow in its order
    assert list(scores.sections) == [
        "diagnosis",
        "clinical_summary",
        "findings",
        "discussion",
        "differential_diagnosis",
        "references",
    ]
    text = format_gold_scores(scores)
    assert text.index("  body_system") < text.index("  title")


def test_a_gold_file_of_broken_pages_only_has_no_lowest_field():
    text = format_gold_scores(score_gold(GOLD[1:], *run_tables()))
    assert "fields at >= 99% exact match: 0/0   lowest: none" in text.splitlines()


def test_differs_only_at_injected_words():
    injected = [["Tho", "The"], ["sidod", "sided"]]
    assert differs_only_at_injected("Tho cat", "The cat", injected)
    assert differs_only_at_injected("right-sidod lesion .", "right-sided lesion.", injected)
    assert differs_only_at_injected("destruc-tion", "destruction", injected)
    assert not differs_only_at_injected("Tho dog", "The cat", injected)
    assert not differs_only_at_injected("Thx cat", "The cat", injected)


def test_gold_report_ends_with_headline():
    text = format_gold_scores(score_gold(GOLD, *run_tables()))
    last = text.splitlines()[-6:]
    assert last[0] == "pages: 3   right status: 2/3"
    assert last[3] == "boilerplate leaked: 1"
    assert last[4] == "protected words changed: 1"
    assert last[5] == (
        "raw sections differing only at injected words: 100.00% (3/3) of all, "
        "100.00% (2/2) where gold lists them; 0 without raw text"
    )


# --- properties --------------------------------------------------------------------------

words = st.lists(st.sampled_from(["the", "tbe", "cat", "c", "at", "phenom-", "enon", "."]))


@given(words, words)
def test_groups_cover_both_sides_in_order(src, dst):
    groups = align_groups(src, dst)
    assert [t for i1, i2, _, _ in groups for t in src[i1:i2]] == src
    assert [t for _, _, j1, j2 in groups for t in dst[j1:j2]] == dst
    assert all(i1 < i2 for i1, i2, _, _ in groups) or not src


@given(words, words, words)
def test_triples_rebuild_all_three_texts(noisy, clean, corrected):
    triples = triple_groups(noisy, clean, corrected)
    for side, text in enumerate((noisy, clean, corrected)):
        assert [t for triple in triples for t in triple[side]] == text


@given(words, words)
def test_a_perfect_corrector_fixes_every_error_and_breaks_nothing(noisy, clean):
    c = score_pair(" ".join(noisy), " ".join(clean), " ".join(clean))
    assert c.fixed == c.errors == c.changed
    assert c.broken == 0
    assert c.word_dist_after == 0


@given(words, words)
def test_doing_nothing_changes_nothing(noisy, clean):
    c = score_pair(" ".join(noisy), " ".join(clean), " ".join(noisy))
    assert (c.changed, c.fixed, c.broken) == (0, 0, 0)
    assert c.word_dist_after == c.word_dist_before


def test_the_report_counts_harm_per_thousand_words():
    clean = [{"id": "a", "noisy": "the cat sat on the mat", "clean": "the cat sat on the mat"}]
    scores = score_pairs(clean, lookup({"the cat sat on the mat": "the cat set on the mat"}))
    report = format_pair_scores(scores)
    assert "harm: 1 correct words changed, 166.67 per 1,000 words" in report
