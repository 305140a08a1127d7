"""The language model: unigram priors, bigram association, known misspellings."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.correct.language_model import (
    ArchiveCounts,
    LanguageModel,
    general_bigrams,
    posterior,
    words_of,
)
from pipeline.correct.lexicon import Lexicon
from pipeline.rules import Rules, load_rules
from pipeline.rules.spelling import misspellings


@pytest.fixture(scope="module")
def lm(rules: Rules) -> LanguageModel:
    lexicon = Lexicon.load(load_rules())
    archive = ArchiveCounts(
        ["The patient had severe anemia.", "Severe anemia was treated.", "severe pain"]
    )
    params = rules.correct.language_model
    return LanguageModel(lexicon, archive, params, general_bigrams(params.bigram_coverage))


def test_bigrams_come_from_the_installed_symspellpy() -> None:
    table = general_bigrams(0.5)
    assert table.counts[("of", "the")] > table.counts[("zoom", "lens")]
    assert 0 < table.floor < 1e-5


def test_words_of() -> None:
    assert words_of("The patient's CT, 3 cm!") == ["the", "patient's", "ct", "cm"]


def test_common_pairs_associate_and_impossible_ones_do_not(lm: LanguageModel) -> None:
    assert lm.pmi("of", "the") > 0
    assert lm.pmi("of", "tho") < 0
    assert lm.pmi("severe", "anemia") > lm.pmi("sever", "anemia")
    assert lm.pmi(None, "the") == 0.0


def test_leave_one_out_removes_the_words_own_evidence(lm: LanguageModel) -> None:
    assert lm.pmi("severe", "pain", loo=1) <= lm.pmi("severe", "pain")


def test_prior_prefers_common_and_medical_words(lm: LanguageModel) -> None:
    assert lm.logp("the", curated=True) > lm.logp("tho", curated=True)
    assert lm.logp("lobulated", curated=True) > lm.logp("xqzvbn", curated=False)


def test_posterior_normalises() -> None:
    post = posterior({"a": -1.0, "b": -2.0})
    assert post["a"] == pytest.approx(10 / 11)
    assert sum(post.values()) == pytest.approx(1.0)


def test_misspellings_file_with_context(tmp_path: Path) -> None:
    path = tmp_path / "known.tsv"
    path.write_text(
        "# comment\nwrong\tright\tcontext\tconfidence\n"
        "recieve\treceive\n"
        "form\tfrom\t_ the|a\t0.9\n",
        encoding="utf-8",
    )
    table = misspellings(path)
    assert table["recieve"][0].fits(None, None)
    rule = table["form"][0]
    assert rule.fits("came", "the") and not rule.fits("came", "of")
    assert rule.confidence == 0.9


def test_the_bigram_table_is_cached_and_read_again_when_its_file_changes(tmp_path: Path) -> None:
    source = tmp_path / "bigrams.txt"
    source.write_text("of the 100\nzoom lens 5\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = general_bigrams(0.5, cache, source)
    assert first == general_bigrams(0.5, None, source)  # the cache changes nothing
    assert len(list(cache.glob("bigrams-*.pickle"))) == 1
    assert general_bigrams(0.5, cache, source) == first
    source.write_text("of the 100\nzoom lens 7\n", encoding="utf-8")
    again = general_bigrams(0.5, cache, source)
    assert again.counts[("zoom", "lens")] == 7
    assert len(list(cache.glob("bigrams-*.pickle"))) == 2


def test_the_cached_bigram_table_equals_the_parsed_one(tmp_path: Path) -> None:
    parsed = general_bigrams(0.5)
    general_bigrams(0.5, tmp_path)
    assert general_bigrams(0.5, tmp_path) == parsed
