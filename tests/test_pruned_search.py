"""The pruned candidate searches find exactly what the full searches find among the targets."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct.ocr_model import OcrModel
from pipeline.correct.prefixes import CommonPools, Pool, Prefixes
from pipeline.correct.slips import edits1_in, edits1_strings
from pipeline.rules import Confusion
from pipeline.rules.spelling import confusions

RULES = Path(__file__).resolve().parent.parent / "rules"
MODEL = OcrModel(confusions(RULES / "ocr_confusions.tsv"), max_steps=2, memo_size=0)
# Letters the confusion table reads most, so that random words reach many candidates.
LETTERS = "rnmilhcdoeaItu1'"
WORDS = st.text(LETTERS, min_size=1, max_size=9)


def _targets(word: str, pick: st.DataObject) -> frozenset[str]:
    """Some of the word's own readings (lowercased) and some strings that are none."""
    readings = sorted({c.lower() for c in MODEL.candidates(word)})
    chosen = pick.draw(st.lists(st.sampled_from(readings))) if readings else []
    noise = pick.draw(st.lists(WORDS, max_size=5))
    return frozenset(chosen) | frozenset(n.lower() for n in noise)


@settings(max_examples=300, deadline=None)
@given(WORDS, st.integers(0, 3), st.data())
def test_ocr_readings_are_the_full_search_among_the_targets(
    word: str, steps: int, data: st.DataObject
) -> None:
    targets = _targets(word, data)
    full = {c: w for c, w in MODEL.candidates(word, steps).items() if c.lower() in targets}
    found = MODEL.readings(word, steps, Pool(targets, Prefixes.of(targets)))
    assert list(found.items()) == list(full.items())  # same order, same weights


def test_ocr_readings_of_a_non_ascii_word_are_searched_in_full() -> None:
    pairs = [Confusion("lı", "h", 0.5), Confusion("é", "e", 0.5)]
    model = OcrModel(pairs, max_steps=2, memo_size=9)
    targets = frozenset({"the", "thé"})
    found = model.readings("tlıé", 2, Pool(targets, Prefixes.of(targets)))
    assert set(found) == {"the", "thé"}
    assert found == {c: w for c, w in model.candidates("tlıé").items() if c in targets}


@settings(max_examples=300, deadline=None)
@given(st.text("abelnost", max_size=8), st.lists(st.text("abelnost", max_size=8), max_size=30))
def test_slips_with_prefixes_are_all_slips_into_the_words(word: str, words: list[str]) -> None:
    near = sorted(edits1_strings(word))[:: max(1, len(words))]  # some hits, not all
    pool = frozenset(words) | frozenset(near)
    assert edits1_in(word, pool, Prefixes.of(pool)) == edits1_strings(word) & pool


@given(st.text("abc", max_size=6), st.lists(st.text("abc", max_size=6), min_size=1))
def test_reach_is_the_longest_beginning_some_word_shares(text: str, words: list[str]) -> None:
    best = max(n for w in words for n in range(len(text) + 1) if w.startswith(text[:n]))
    assert Prefixes.of(words).reach(text) == best


ZIPFS = st.dictionaries(st.text("abc", min_size=1, max_size=4), st.floats(0, 8), min_size=1)


@settings(max_examples=300, deadline=None)
@given(ZIPFS, st.floats(-1, 3), st.integers(0, 4), st.floats(0, 8), st.data())
def test_a_common_pool_holds_every_target_a_dictionary_word_may_become(
    zipfs: dict[str, float], gain: float, floor: int, zipf: float, data: st.DataObject
) -> None:
    order = sorted(zipfs)
    archive = data.draw(st.dictionaries(st.sampled_from(order), st.integers(0, 6)))
    pool = CommonPools(order, lambda w: zipfs.get(w, 0.0), archive, gain, floor).of(zipf)
    if pool is None:
        return
    assert pool.words <= set(order)
    for word in order:  # Judge._plausible_real_word_fixes, in its own arithmetic, and the
        # archive's test at its weakest (the word itself never seen there)
        if zipfs[word] - zipf >= gain or archive.get(word, 0) >= floor:
            assert word in pool.words
    assert all(Prefixes.of(pool.words).reach(w) == pool.prefixes.reach(w) for w in order)


@settings(max_examples=200, deadline=None)
@given(ZIPFS, st.floats(-1, 3), st.integers(0, 4), st.lists(st.floats(0, 9), max_size=5))
def test_warm_pools_are_the_pools_built_on_first_use(
    zipfs: dict[str, float], gain: float, floor: int, asked: list[float]
) -> None:
    """A run builds every pool before its workers fork; each is the one ``of`` would build."""
    order, archive = sorted(zipfs), dict.fromkeys(sorted(zipfs)[::2], floor)
    warm = CommonPools(order, lambda w: zipfs.get(w, 0.0), archive, gain, floor)
    warm.warm()
    built = dict(warm._pools)
    for zipf in [*asked, *zipfs.values()]:
        lazy = CommonPools(order, lambda w: zipfs.get(w, 0.0), archive, gain, floor).of(zipf)
        found = warm.of(zipf)
        assert (found and found.words) == (lazy and lazy.words)
        if zipf <= max(zipfs.values()):  # a target's level or below: built beforehand
            assert found is None or built.get(found.name) is found


def test_dictionary_words_are_judged_alike_with_and_without_pools() -> None:
    """The candidates of every word of the sample page and of the listed misspellings' words
    are the same when dictionary words search all the targets."""
    from pipeline.correct import Corrector

    raw = Path(__file__).resolve().parent.parent / "data" / "raw"
    text = (raw / "case-extramedullary-hematopoiesis.txt").read_text(encoding="utf-8")
    words = sorted(set(text.split()) | {"lob", "sever", "renal", "lesion", "upper", "thc"})
    pooled = Corrector.load(archive_texts=[text]).judge
    full = Corrector.load(archive_texts=[text]).judge
    full.pools.of = lambda zipf: None  # type: ignore[method-assign]
    for word in words:
        assert repr(pooled._analyse(word)) == repr(full._analyse(word)), word
    assert pooled.pools._pools  # the pools were used
