"""The orchestrator: the sample page golden test, do-no-harm rules and the invariants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.correct import CleanResult, Corrector, clean_text
from pipeline.correct.tokens import scan
from pipeline.edits import apply_edits, rebuild_raw
from pipeline.read.boilerplate import build_document
from pipeline.read.ingest import read_page
from pipeline.read.sections import split_sections
from pipeline.rules import load_rules

SAMPLE = (
    Path(__file__).resolve().parent.parent
    / "data"
    / "raw"
    / ("case-extramedullary-hematopoiesis.txt")
)
# The 17 fixes of issue 4 (hematopoesis three times), plus the normalize and dehyphenate passes'
# own work on the same page: "lesion ." and the line-wrapped "hematopoi- etic".
EXPECTED = {
    "title": [("hematopoesis", "hematopoiesis")],
    "body_system": [("Muskuloskeletal", "Musculoskeletal")],
    "clinical_summary": [
        ("sever", "severe"),
        ("extrameduullary", "extramedullary"),
        ("hematopoesis", "hematopoiesis"),
    ],
    "findings": [("vertebrea", "vertebrae"), ("morever", "moreover")],
    "discussion": [
        ("phenom- enon", "phenomenon"),
        ("erythroc''te", "erythrocyte"),
        ("hemolltic", "hemolytic"),
        ("sphe- rocltosis", "spherocytosis"),
        ("ortensive", "extensive"),
        ("hema- topoiesis", "hematopoiesis"),
        ("manifesta- tions", "manifestations"),
        ("Histologi- cally", "Histologically"),
        ("hematopoi- etic", "hematopoietic"),
        ("destruc-tion", "destruction"),
        ("lesion .", "lesion."),
        ("Iobulated", "lobulated"),
    ],
    "diagnosis": [("hematopoesis", "hematopoiesis")],
    "references": [("jet", "et")],
}
PROTECTED = ["Sharam Kahkoueei", "Leila Sourtij"]
UNTOUCHED = ["Haaga", "CT", "IV", "MRI", "T1", "T2", "John"]


def sample_sections() -> dict[str, str]:
    """The sample page's sections as the pipeline's own stages cut them."""
    rules = load_rules()
    page = split_sections(
        build_document(read_page(SAMPLE, SAMPLE.parent, rules.limits), rules), rules.sections
    )
    sections = {"title": page.title or ""}
    sections.update((s.name, s.text(html=False)) for s in page.sections)
    return sections


@pytest.fixture(scope="module")
def sample() -> dict[str, str]:
    return sample_sections()


@pytest.fixture(scope="module")
def corrector(sample: dict[str, str]) -> Corrector:
    return Corrector.load(archive_texts=sample.values())


@pytest.fixture(scope="module")
def cleaned(sample: dict[str, str], corrector: Corrector) -> dict[str, CleanResult]:
    return {
        name: corrector.clean(text, protected=PROTECTED, section=name)
        for name, text in sample.items()
    }


def _expected_text(raw: str, fixes: list[tuple[str, str]]) -> str:
    for wrong, right in fixes:
        assert wrong in raw
        raw = raw.replace(wrong, right, 1)
    return raw


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_sample_page(
    name: str, sample: dict[str, str], cleaned: dict[str, CleanResult]
) -> None:
    result = cleaned[name]
    assert result.text == _expected_text(sample[name], EXPECTED[name])
    applied = [e for e in result.edits if e.applied]
    assert len(applied) == len(EXPECTED[name])


def test_golden_leaves_names_acronyms_and_compounds(
    sample: dict[str, str], cleaned: dict[str, CleanResult]
) -> None:
    everything = " ".join(r.text for r in cleaned.values())
    for word in UNTOUCHED:
        assert re.search(rf"\b{word}\b", everything), word
    assert "well-marginated" in cleaned["discussion"].text
    assert "T1- and T2-weighted" in cleaned["discussion"].text


def test_invariants_on_the_sample(
    sample: dict[str, str], cleaned: dict[str, CleanResult], corrector: Corrector
) -> None:
    for name, result in cleaned.items():
        raw = sample[name]
        assert apply_edits(raw, result.edits) == result.text
        assert rebuild_raw(result.text, result.edits) == raw
        again = corrector.clean(result.text, protected=PROTECTED, section=name)
        assert again.text == result.text
        assert not [e for e in again.edits if e.applied]


def test_never_touches_acronyms_digits_addresses_urls() -> None:
    text = "CT, MRI, T1, C5-6, 3.5cm, jdoe@hospitl.org, http://www.hospitl.org/pagee, SBMU."
    assert clean_text(text).text == text


def test_protected_names_are_never_changed() -> None:
    c = Corrector.load()
    text = "Seen by Dr. Sharam Kahkoueei with Leila Sourtij at the hospitl."
    result = c.clean(text, protected=["Sharam Kahkoueei", "Leila Sourtij"])
    for name in ("Sharam", "Kahkoueei", "Leila", "Sourtij"):
        assert name in result.text


def test_lexicon_words_are_left_alone() -> None:
    text = "The lesion is well-marginated and lobulated, with hyperintense signal."
    assert clean_text(text).text == text


def test_doubtful_corrections_are_only_suggested() -> None:
    c = Corrector.load()
    result = c.clean("The patient had a lesin in the liver.")
    assert all(0 <= e.confidence <= 1 for e in result.edits)
    for e in result.edits:
        threshold = c.rules.correct.apply_threshold
        assert e.applied == (e.confidence >= threshold) or e.pass_name == "context"


def test_scan_skips_untouchables() -> None:
    words = [
        t.word for t in scan("CT of the C5-6 disc, e.g. 3.5cm; see www.x.org and hemolltic", 80)
    ]
    assert words == ["of", "the", "disc", "see", "and", "hemolltic"]


def test_scan_gives_neighbours_only_inside_a_phrase() -> None:
    toks = {t.word: t for t in scan("severe anemia, sever pain. Tho case", 80)}
    assert toks["anemia"].prev == "severe" and toks["anemia"].next is None
    assert toks["pain"].prev == "sever"
    assert toks["Tho"].initial and toks["Tho"].prev is None


def test_clean_text_api_returns_result() -> None:
    result = clean_text("The hemolltic anemia.")
    assert isinstance(result, CleanResult)
    assert result.text == "The hemolytic anemia."
    assert [e.pass_name for e in result.edits] == ["ocr"]


VOCABULARY = (
    "the a of patient tho hemolltic sever anemia CT T1 lesion . , ; ( ) well- marginated "
    "Iobulated jet al. morever rn cl vertebrea x 3.5cm Sharam hema- topoiesis sphe- rocltosis "
    "destruc-tion lias iwo tbe witb e.g. www.x.org a@b.com '' ortensive erythroc''te - Tho aud"
)
WORDS = st.sampled_from(VOCABULARY.split())
SEPARATORS = st.sampled_from([" ", "  ", "\n", " \n", "", "\n\n"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(WORDS, SEPARATORS), max_size=25))
def test_properties(pieces: list[tuple[str, str]]) -> None:
    text = "".join(word + sep for word, sep in pieces)
    result = clean_text(text)
    assert apply_edits(text, result.edits) == result.text
    assert rebuild_raw(result.text, result.edits) == text
    assert clean_text(result.text).text == result.text
    assert clean_text(text) == result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a repair changes its neighbour's context; the neighbour is judged again
        ("Rhabdomyosarcoma lias iwo forms.", "Rhabdomyosarcoma has two forms."),
        # a short dictionary word before a full stop is an abbreviation
        ("See the results, cf. the table.", "See the results, cf. the table."),
        # another inflection of a real word is the writer's choice, not a slip
        ("The cancers were resected.", "The cancers were resected."),
        # an unknown term used twice in a paragraph is a term
        (
            "Each synset is linked; the synsets form a net.",
            "Each synset is linked; the synsets form a net.",
        ),
        # a listed slip between the listed neighbours
        ("There is mass affect on the ventricle.", "There is mass effect on the ventricle."),
        ("They affect the outcome.", "They affect the outcome."),
        # a capital misread as I is no name
        ("smooth or Iobulated margins", "smooth or lobulated margins"),
    ],
)
def test_mechanisms(text: str, expected: str) -> None:
    assert clean_text(text).text == expected


def test_a_doubled_word_is_never_the_repair() -> None:
    result = clean_text("The tho liver is normal.")
    assert "the the" not in result.text.lower()


def test_a_later_round_replaces_its_own_suggestion() -> None:
    result = clean_text("Rhabdomyosarcoma lias iwo forms.")
    spans = [(e.start, e.end, e.replacement) for e in result.edits]
    assert len(spans) == len(set(spans))


def test_without_hunspell_repairs_are_only_suggested(tmp_path: Path) -> None:
    from pipeline.correct.lexicon import Lexicon

    with pytest.warns(RuntimeWarning, match="not found"):
        lexicon = Lexicon.load(load_rules(), hunspell_dir=tmp_path / "none", cache_dir=tmp_path)
    degraded = Corrector.load(lexicon=lexicon)
    text = "The hemolltic anemia with lobulated masses."
    result = degraded.clean(text)
    assert not [e for e in result.edits if e.applied and e.pass_name != "normalize"]
    assert clean_text(text).text != text  # the full lexicon does repair it


def test_the_archive_vouches_for_a_domain_word_english_finds_rare() -> None:
    text = "The left upper lob is collapsed."
    assert Corrector.load().clean(text).text == text  # "lob" and "lobe" are both rare in English
    lobes = ["Consolidation of the right upper lobe.", "The middle lobe is clear."] * 3
    fixed = Corrector.load(archive_texts=[*sample_sections().values(), *lobes]).clean(text)
    assert fixed.text == "The left upper lobe is collapsed."
    assert [(e.original, e.replacement, e.pass_name) for e in fixed.edits] == [
        ("lob", "lobe", "context")
    ]


def test_a_custom_rules_folder_drives_every_pass(tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(SAMPLE.parent.parent.parent / "rules", rules)
    yaml_path = rules / "normalize.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(
        text.replace("space-before-punctuation: 0.9", "space-before-punctuation: 0.3"),
        encoding="utf-8",
    )
    result = Corrector.load(rules).clean("fat within the lesion . The mass")
    assert result.text == "fat within the lesion . The mass"
    assert [(e.original, e.replacement, e.applied) for e in result.edits] == [(" ", "", False)]


def test_a_capital_i_read_for_a_lowercase_l_is_no_name() -> None:
    assert clean_text("a lesion with Iow signal on T1").text == "a lesion with low signal on T1"
    names = "seen in Iowa by Ivan and Iris Ibsen"
    assert clean_text(names).text == names


def test_counts_made_by_the_vocabulary_step_give_the_same_result(
    sample: dict[str, str], corrector: Corrector
) -> None:
    """A run hands the corrector each text's counts and damage tally, made once in its
    vocabulary step: the result is what counting afresh gives (also where an earlier pass
    changed the text, and the word passes count what they see)."""
    from pipeline.correct.damage import count
    from pipeline.correct.language_model import TextCounts

    terms, longest = corrector.judge.terms, corrector.rules.limits.max_token_chars
    texts = [*sample.items(), ("findings", "The  liver is en- larged.\u00a0Teh spleen.")]
    for name, text in texts:
        tally = count(scan(text, longest), text, corrector.lexicon, terms)
        made = corrector.clean(text, section=name, counted=(TextCounts.of(text), tally))
        assert made == corrector.clean(text, section=name)


def test_a_copy_given_the_analyses_judges_alike_and_analyses_nothing_again(
    sample: dict[str, str],
) -> None:
    """A run's workers analyse a share of the archive's words each and every copy of the
    corrector takes them all: the copy's results are the same, and it analyses only the
    words its own repairs made (``Musculoskeletal``), none of those it was given."""
    sections = list(sample.items())
    maker = Corrector.load(sections=sections)
    longest = maker.rules.limits.max_token_chars
    words = sorted({tok.word for text in sample.values() for tok in scan(text, longest)})
    analyses = maker.analyse(words)
    assert set(analyses) == set(words)
    copy = Corrector.load(sections=sections)
    copy.install(analyses)

    own = copy.judge._analyse

    def analysed_again(word: str) -> object:
        assert word not in analyses, f"{word!r} analysed twice"
        return own(word)

    copy.judge._analyse = analysed_again  # type: ignore[method-assign]
    for name, text in sections:
        assert copy.clean(text, section=name) == maker.clean(text, section=name)
