"""The edit model: every change is an Edit, clean text is derived, raw text is rebuilt."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.edits import Edit, EditTrail, apply_edits, check_edits, rebuild_raw

ALPHABET = "ab -.\n"


def edit(start: int, original: str, replacement: str, applied: bool = True, **kw) -> Edit:
    """An edit of a test pass."""
    return Edit(
        start,
        start + len(original),
        original,
        replacement,
        kw.pop("pass_name", "test"),
        kw.pop("rule", "r"),
        kw.pop("confidence", 1.0),
        applied,
    )


# --- Edit ------------------------------------------------------------------------------------


def test_edit_rejects_a_span_that_does_not_fit_its_original() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        Edit(0, 3, "ab", "x", "p", "r")


def test_edit_rejects_a_reversed_span_and_a_bad_confidence() -> None:
    with pytest.raises(ValueError, match="bad edit span"):
        Edit(3, 1, "", "x", "p", "r")
    with pytest.raises(ValueError, match="confidence"):
        Edit(0, 1, "a", "b", "p", "r", confidence=1.5)


def test_to_record_names_the_pass_column_pass() -> None:
    row = edit(0, "a", "b", pass_name="ocr").to_record()
    assert row["pass"] == "ocr"
    assert "pass_name" not in row
    assert row["applied"] is True


def test_to_record_holds_every_field_of_the_edit() -> None:
    """The record is written out by hand (fast), so a field added to Edit must be added there."""
    made = Edit(3, 4, "a", "b", "ocr", "r", 0.5, False, "accepted", ("c", "d"))
    row = made.to_record()
    expected = asdict(made)
    expected["pass"] = expected.pop("pass_name")
    expected["alternatives"] = ["c", "d"]
    assert row == expected


# --- apply / rebuild -------------------------------------------------------------------------


def test_apply_and_rebuild_a_join() -> None:
    raw = "a phenom- enon here"
    edits = [edit(2, "phenom- enon", "phenomenon")]
    clean = apply_edits(raw, edits)
    assert clean == "a phenomenon here"
    assert rebuild_raw(clean, edits) == raw


def test_suggestions_do_not_change_the_clean_text() -> None:
    raw = "sever anemia"
    edits = [edit(0, "sever", "severe", applied=False)]
    assert apply_edits(raw, edits) == raw
    assert rebuild_raw(raw, edits) == raw


def test_overlapping_edits_are_refused() -> None:
    raw = "abcdef"
    with pytest.raises(ValueError, match="overlap"):
        check_edits(raw, [edit(0, "abc", "x"), edit(2, "cd", "y")])
    with pytest.raises(ValueError, match="overlap"):
        check_edits(raw, [edit(2, "", "x"), edit(2, "", "y")])


def test_adjacent_edits_are_fine() -> None:
    raw = "abcdef"
    edits = [edit(0, "abc", "X"), edit(3, "", "-"), edit(3, "def", "Y")]
    assert apply_edits(raw, edits) == "X-Y"
    assert rebuild_raw("X-Y", edits) == raw


def test_an_edit_that_does_not_match_the_raw_text_is_refused() -> None:
    with pytest.raises(ValueError, match="does not match"):
        apply_edits("abc", [edit(0, "x", "y")])


def test_rebuild_notices_a_clean_text_that_does_not_hold_the_edit() -> None:
    with pytest.raises(ValueError, match="does not hold"):
        rebuild_raw("zzz", [edit(0, "a", "b")])


# --- EditTrail -------------------------------------------------------------------------------


def test_trail_merges_a_later_pass_into_the_earlier_edit() -> None:
    raw = "hereditary sphe- rocltosis, or"
    trail = EditTrail(raw)
    trail.add([edit(11, "sphe- rocltosis", "spherocltosis", pass_name="dehyphenate")])
    start = trail.text.index("spherocltosis")
    trail.add([edit(start, "spherocltosis", "spherocytosis", pass_name="ocr", confidence=0.8)])
    assert trail.text == "hereditary spherocytosis, or"
    [merged] = trail.edits
    assert (merged.original, merged.replacement) == ("sphe- rocltosis", "spherocytosis")
    assert merged.pass_name == "dehyphenate+ocr"
    assert merged.confidence == 0.8


def test_trail_drops_an_edit_a_later_pass_undoes() -> None:
    trail = EditTrail("a b")
    trail.add([edit(1, " ", "")])
    trail.add([edit(0, "ab", "a b")])
    assert trail.text == "a b"
    assert trail.edits == []


def test_trail_maps_later_edits_to_raw_offsets() -> None:
    raw = "x  y  z"
    trail = EditTrail(raw)
    trail.add([edit(1, "  ", " ")])
    trail.add([edit(3, "  ", " ")])
    assert trail.text == "x y z"
    assert [(e.start, e.end) for e in trail.edits] == [(1, 3), (4, 6)]


def test_trail_records_suggestions_in_raw_offsets() -> None:
    trail = EditTrail("aa  sever")
    trail.add([edit(2, "  ", " ")])
    trail.add([edit(3, "sever", "severe", applied=False)])
    [applied, suggested] = trail.edits
    assert suggested.applied is False
    assert raw_span(trail.raw, suggested) == "sever"
    assert trail.text == "aa sever"
    assert applied.applied


def raw_span(raw: str, e: Edit) -> str:
    return raw[e.start : e.end]


def test_trail_refuses_a_pass_whose_edits_do_not_fit_its_text() -> None:
    trail = EditTrail("abc")
    with pytest.raises(ValueError):
        trail.add([edit(0, "x", "y")])
    with pytest.raises(ValueError):
        trail.add([edit(0, "z", "y", applied=False)])


# --- properties ------------------------------------------------------------------------------


@st.composite
def pass_edits(draw: st.DrawFn, text: str) -> list[Edit]:
    """Random non-overlapping edits of ``text`` (insertions, deletions, replacements)."""
    edits: list[Edit] = []
    pos = 0
    while pos <= len(text) and draw(st.booleans()):
        start = pos + draw(st.integers(0, 3))
        if start > len(text):
            break
        end = min(len(text), start + draw(st.integers(0, 3)))
        replacement = draw(st.text(ALPHABET, max_size=3))
        applied = draw(st.booleans()) or draw(st.booleans())
        edits.append(edit(start, text[start:end], replacement, applied=applied))
        pos = end if end > start else end + 1
    return edits


@st.composite
def text_and_edits(draw: st.DrawFn) -> tuple[str, list[Edit]]:
    text = draw(st.text(ALPHABET, max_size=20))
    return text, draw(pass_edits(text))


@settings(max_examples=150, deadline=None)
@given(text_and_edits())
def test_rebuild_inverts_apply(case: tuple[str, list[Edit]]) -> None:
    raw, edits = case
    clean = apply_edits(raw, edits)
    assert rebuild_raw(clean, edits) == raw


@settings(max_examples=150, deadline=None)
@given(st.text(ALPHABET, max_size=20), st.data())
def test_a_trail_of_random_passes_keeps_both_invariants(raw: str, data: st.DataObject) -> None:
    trail = EditTrail(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        before = trail.text
        batch = data.draw(pass_edits(before))
        trail.add(batch)
        assert trail.text == apply_edits(before, batch)
        check_edits(raw, trail.edits)
        assert apply_edits(raw, trail.edits) == trail.text
        assert rebuild_raw(trail.text, trail.edits) == raw
    for e in trail.edits:
        assert raw[e.start : e.end] == e.original


def test_a_suggestion_overlapping_an_applied_edit_of_its_batch_maps_onto_the_raw_text() -> None:
    # Found by hypothesis: a soft hyphen removed (applied) inside control characters whose
    # removal is only suggested, both in one pass's batch.
    batch = [
        Edit(1, 2, "\xad", "", "normalize", "soft-hyphen", 1.0, True),
        Edit(0, 3, "\x1f\xad\x1f", "", "normalize", "control-characters", 0.5, False),
    ]
    outer = EditTrail("\x1f\xad\x1f")
    outer.add(batch)
    assert outer.text == "\x1f\x1f"
    for edit in outer.edits:
        assert outer.raw[edit.start : edit.end] == edit.original
    assert {(e.start, e.end, e.applied) for e in outer.edits} == {(1, 2, True), (0, 3, False)}


# --- a batch recorded at once equals the batch merged edit by edit ---------------------------


@st.composite
def _batches(draw: st.DrawFn) -> tuple[str, list[list[tuple[int, int, str, bool]]]]:
    """A text and a few passes over it: each a batch of non-overlapping (start, end,
    replacement, applied) in the offsets of the text the batch sees (resolved in the test)."""
    text = draw(st.text(alphabet="ab c", min_size=1, max_size=16))
    passes = []
    for _ in range(draw(st.integers(1, 4))):
        cuts = sorted(draw(st.lists(st.integers(0, 40), max_size=6)))
        spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
        spans = [s for i, s in enumerate(spans) if i == 0 or s[0] >= spans[i - 1][1]]
        edits = [(a, b, draw(st.text(alphabet="xy ", max_size=3)), draw(st.booleans()))
                 for a, b in spans]  # fmt: skip
        passes.append(edits)
    return text, passes


def _replay(text: str, passes: list[list[tuple[int, int, str, bool]]], at_once: bool) -> list[Edit]:
    trail = EditTrail(text)
    if not at_once:
        trail._add_apart = lambda applied, before: False  # type: ignore[method-assign]
    for batch in passes:
        now = trail.text
        edits, last = [], -1
        for start, end, replacement, applied in batch:
            start, end = min(start, len(now)), min(end, len(now))
            if start < last or (start == end == last) or now[start:end] == replacement:
                continue
            edits.append(Edit(start, end, now[start:end], replacement, "p", "r", 0.9, applied))
            last = end
        trail.add(edits)
    assert apply_edits(text, trail.edits) == trail.text
    return trail.edits


@settings(max_examples=400, deadline=None)
@given(_batches())
def test_a_batch_of_edits_apart_is_recorded_as_if_one_by_one(case) -> None:
    text, passes = case
    assert _replay(text, passes, at_once=True) == _replay(text, passes, at_once=False)
