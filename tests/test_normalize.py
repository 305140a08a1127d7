"""Normalize: unicode repair and spacing, each as a small recorded edit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct.passes import normalize
from pipeline.edits import apply_edits, check_edits, rebuild_raw
from pipeline.rules import load_rules

RULES = load_rules().normalize


def fix(text: str) -> str:
    """The text with the pass's applied edits."""
    return apply_edits(text, normalize.find_edits(text, RULES))


def only_edit(text: str) -> normalize.Edit:
    [edit] = normalize.find_edits(text, RULES)
    return edit


@pytest.mark.parametrize(
    ("noisy", "clean"),
    [
        ("fat within the lesion . The", "fat within the lesion. The"),
        ("foreign bodies . In older", "foreign bodies. In older"),
        ("anemia , and", "anemia, and"),
        ("the end of the text .", "the end of the text."),
        ("spaces  before   words", "spaces before words"),
        ("two spaces  , then a comma", "two spaces, then a comma"),
        ("(as noted ) and", "(as noted) and"),
        ("thalassemia ; sickle", "thalassemia; sickle"),
        ("size (5 mm) .", "size (5 mm)."),
        ("no\u00a0break", "no break"),
        ("line end   \nnext", "line end\nnext"),
        ("windows\r\nline\rends", "windows\nline\nends"),
    ],
)
def test_spacing_is_repaired(noisy: str, clean: str) -> None:
    assert fix(noisy) == clean


@pytest.mark.parametrize(
    "text",
    [
        "about .5 mm thick",
        "accounting for about .2% of cases",
        "and so on ... and on",
        "in ( Fig. 1-358 ) the",
        "interstitial changes and ?RLL nodule",
        "MRI :T2 weighted",
        "complications .Intervention",
        "Film .3 is a small",
        "first paragraph.\n\nSecond paragraph.\n",
        "  indented line",
        "tab\tseparated\t\tcolumns",
        "Barrett’s esophagus and “quoted” text",
        "erythroc''te production",
        "- , dash then comma",
    ],
)
def test_what_is_not_damage_is_left_alone(text: str) -> None:
    assert normalize.find_edits(text, RULES) == []


def test_a_soft_hyphen_is_removed_with_the_line_break_after_it() -> None:
    assert fix("hema\u00adtopoiesis and x\u00ad\ny and z\u00ad") == "hematopoiesis and xy and z"
    assert {e.rule for e in normalize.find_edits("x\u00ady", RULES)} == {"soft-hyphen"}


def test_a_spaced_colon_is_only_a_suggestion() -> None:
    edit = only_edit("Progression : slow growth")
    assert edit.rule == "space-before-colon"
    assert not edit.applied


def test_space_before_a_full_stop_is_one_local_edit() -> None:
    edit = only_edit("within the lesion . The")
    assert (edit.start, edit.end, edit.original, edit.replacement) == (17, 18, " ", "")
    assert edit.pass_name == "normalize"
    assert edit.rule == "space-before-punctuation"
    assert edit.applied


def test_mojibake_is_repaired_in_the_token_it_damaged() -> None:
    text = "a cafÃ© and naÃ¯ve reader"
    edits = normalize.find_edits(text, RULES)
    assert [(e.original, e.replacement, e.rule) for e in edits] == [
        ("cafÃ©", "café", "unicode-mojibake"),
        ("naÃ¯ve", "naïve", "unicode-mojibake"),
    ]
    assert fix(text) == "a café and naïve reader"


def test_ligatures_and_full_width_forms_are_repaired() -> None:
    assert fix("ﬁbrosis on Ｔ１") == "fibrosis on T1"
    assert {e.rule for e in normalize.find_edits("ﬁbrosis", RULES)} == {"unicode-repair"}


def test_a_full_width_comma_is_repaired_before_its_space_is_judged() -> None:
    text = "anemia ， and"
    edits = normalize.find_edits(text, RULES)
    check_edits(text, edits)
    assert fix(text) == "anemia, and"
    assert rebuild_raw(fix(text), edits) == text


def test_edits_do_not_overlap_and_rebuild_the_raw_text() -> None:
    text = "cafÃ©  ,  lesion .\r\nﬁbrosis   ( a )  .  "
    edits = normalize.find_edits(text, RULES)
    check_edits(text, edits)
    assert rebuild_raw(fix(text), edits) == text


def test_a_higher_threshold_turns_edits_into_suggestions() -> None:
    strict = RULES.model_copy(update={"apply_threshold": 0.95})
    edits = normalize.find_edits("lesion . The", strict)
    assert [e.applied for e in edits] == [False]


def test_control_characters_in_garbled_tokens_are_only_suggested() -> None:
    edits = normalize.find_edits("the formula Xd\x07feg holds", RULES)
    assert [(e.original, e.replacement, e.rule, e.applied) for e in edits] == [
        ("Xd\x07feg", "Xdfeg", "control-characters", False)
    ]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab. ,;:)(\n\r\t\u00a0\u2009\"'"), max_size=30))
def test_spacing_looks_only_at_runs_a_rule_may_change(text: str) -> None:
    """Lone spaces between words are skipped unseen: the edits are those of judging every
    run of spaces."""
    import regex

    from pipeline.correct.passes.normalize import _HSPACE, _edit, _space_rule, spacing_edits

    rules = RULES
    every: list[object] = []
    for m in regex.finditer(rf"(?P<space>{_HSPACE}+)|(?P<crlf>\r\n?)", text):
        if m.group("crlf"):
            every.append(_edit(m.start(), m.group(), "\n", "line-break", rules))
        elif (decided := _space_rule(text, m.start(), m.end(), rules)) is not None:
            every.append(_edit(m.start(), m.group(), decided[0], decided[1], rules))
    assert list(spacing_edits(text, rules)) == every


def _token_by_token(text: str) -> list[normalize.Edit]:
    """The definition ``unicode_edits`` skips for plain text: every token that is not
    printable ASCII goes through ftfy."""
    edits = []
    for m in normalize._TOKEN.finditer(text):
        token = m.group()
        if token.isascii() and token.isprintable():
            continue
        fixed, _ = normalize.ftfy.fix_and_explain(token, config=normalize._FTFY)
        if fixed != token:
            edits.append((m.start(), token, fixed))
    return edits


_PIECES = [*"ab Z.\t\n\r\x0b\x0c\x00\x1b\x1c\x1f\x7f\u00a0", "Ã©", "ﬁ"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join))
def test_plain_text_skips_no_token_ftfy_would_repair(text: str) -> None:
    found = [(e.start, e.original, e.replacement) for e in normalize.unicode_edits(text, RULES)]
    assert found == _token_by_token(text)
