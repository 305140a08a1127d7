"""Do no harm on real text: names, drugs, genes, Latin, British spelling and edited prose.

Every example is a kind of word the corrector once changed in professionally edited case
reports; the sentences are written for these tests. The archive they are corrected in is
edited prose too, as a run over such an archive would see it.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.correct import Corrector, clean_text
from pipeline.edits import Edit, one_verdict_per_span
from pipeline.run import RunOptions, run

from .conftest import RAW

EDITED_PROSE = [
    "A 62-year-old woman presented with progressive dyspnoea and a dry cough over three months.",
    "Computed tomography of the chest showed multiple pulmonary nodules and mediastinal "
    "lymphadenopathy; the largest node measured 2.4 cm in short axis.",
    "She was hospitalised for further work-up, and a bronchoscopic biopsy confirmed the "
    "diagnosis of adenocarcinoma harbouring an activating mutation.",
    "Treatment was started and the patient tolerated it well, with a partial response at the "
    "first restaging scan and no new lesions in the brain or the liver.",
    "The differential diagnosis included infection, sarcoidosis and metastatic disease, which "
    "were excluded by the histological and microbiological findings.",
    "Follow-up imaging after six months showed stable disease, and the patient remained "
    "asymptomatic with a good performance status.",
]

UNCHANGED = [
    # surnames in a reference list
    "8. Hidaka T, Chuman H, Nao-I N. A case report of uveitis. Retina. 2015;35:1-5. "
    "[PubMed] [Google Scholar]",
    "5. Graus F, Titulaer MJ, Balu R, et al. A clinical approach to diagnosis. "
    "Lancet Neurol. 2016;15:391-404. [DOI] [PubMed]",
    "8. Murphy BL, Zalewski NL, Degnim AC, et al. Breast cancer related encephalitis. "
    "Neurology. 2018;90:e1-e8. [PubMed] [Google Scholar]",
    "21. Baudin P, Cousyn L, Navarro V. The protein and its partners. Epilepsia. "
    "2021;62:1-12. [DOI] [PubMed]",
    "6. De Velasco G, Je Y, Bossé D, et al. Comprehensive meta-analysis. Cancer Immunol Res. "
    "2017;5:312-8. [PubMed]",
    # journal abbreviations
    "Limbic encephalitis with antibodies. Neuropsychiatr Dis Treat. 2017;13:1589-96. [DOI]",
    "Bevacizumab and its biosimilars. Expert Opin. Biol. Ther. 2024;24:1017-1024. [PubMed]",
    "Lung adenocarcinoma patients, respectively. Diagn. Pathol. 17, 27. [DOI] [PubMed]",
    "Acquired resistance in leukaemia. Ann Hematol. 2019;98:1-9. [PubMed] [Google Scholar]",
    # Latin names
    "The decoction contained Baihe (Lilium brownii) 20 g and Dangshen (Codonopsis pilosula) "
    "15 g, given twice daily.",
    "Atractylodis Macrocephalae Rhizoma 20 g and Saposhnikoviae Radix 10 g were added.",
    # drugs on INN stems, gene and protein symbols
    "She received apatinib and later aumolertinib combined with dabrafenib and trametinib.",
    "A cMet inhibitor and an mTOR inhibitor were considered after trastuzumab deruxtecan.",
    # British spelling
    "Lung cancer harbouring uncommon mutations; the patient was hospitalised with dyspnoea.",
    "The tumour showed haemorrhage and oedema; paediatric patients were not included.",
]

CLEAN_PROSE_RISKS = [
    "Chest CT revealed numerous pulmonary nodules in a miliary pattern.",
    "Metastasis to the pituitary gland or sellar region is the least common site.",
    "Antibodies against leucine-rich glioma inactivated 1 or contactin-associated protein-like 2.",
]


@pytest.fixture(scope="module")
def edited_archive() -> Corrector:
    """The corrector of a run over edited prose (cleanliness near 1)."""
    texts = [*EDITED_PROSE, *UNCHANGED, *CLEAN_PROSE_RISKS] * 3
    return Corrector.load(sections=[(None, text) for text in texts])


@pytest.mark.parametrize("text", UNCHANGED)
def test_names_drugs_genes_latin_and_british_spelling_stay(text: str) -> None:
    assert clean_text(text).text == text  # even without an archive to learn from
    assert not [e for e in clean_text(text).edits if e.applied and e.pass_name != "normalize"]


@pytest.mark.parametrize("text", [*UNCHANGED, *CLEAN_PROSE_RISKS, *EDITED_PROSE])
def test_edited_prose_passes_unchanged(edited_archive: Corrector, text: str) -> None:
    result = edited_archive.clean(text)
    assert result.text == text
    assert not [e for e in result.edits if e.applied]


def test_damaged_text_is_still_repaired() -> None:
    damaged = "A 23 years old man with sever anemia and extrameduullary hematopoesis."
    assert clean_text(damaged).text == (
        "A 23 years old man with severe anemia and extramedullary hematopoiesis."
    )


DRUGS = ["osimertinib", "nivolumab", "ipilimumab", "aflibercept", "remdesivir", "voriconazole"]
SYMBOLS = ["cMet", "mTOR", "pERK", "eNOS", "EGFR", "HER2", "T790M", "ALK"]
BRITISH = ["tumour", "oedema", "haematoma", "hospitalised", "anaemia", "oesophageal"]
SURNAMES = ["Chuman", "Degnim", "Cousyn", "Titulaer", "Addeo", "Scheel", "Lovly", "Suh"]


@given(
    drug=st.sampled_from(DRUGS),
    symbol=st.sampled_from(SYMBOLS),
    british=st.sampled_from(BRITISH),
    surname=st.sampled_from(SURNAMES),
)
def test_clean_text_made_of_terms_passes_unchanged(
    drug: str, symbol: str, british: str, surname: str
) -> None:
    sentence = f"The {british} responded to {drug}; {symbol} status was assessed."
    citation = f"3. {surname} AB, Smith J, et al. Outcomes of therapy. Lancet. 2020;5:1-9."
    for text in (sentence, citation):
        assert clean_text(text).text == text


def test_a_page_saved_twice_counts_once(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    for name in ("case-extramedullary-hematopoiesis.txt", "html/case-osteoid-osteoma.html"):
        target = raw / "copies" / name.replace("/", "-")
        target.parent.mkdir(exist_ok=True)
        shutil.copy(raw / name, target)
    once = run(RunOptions(RAW))
    twice = run(RunOptions(raw))
    copy = next(c for c in twice.cases if c.case_id.startswith("copies/case-extramedullary"))
    assert copy.duplicate_of == "case-extramedullary-hematopoiesis.txt"
    assert [c.duplicate_of for c in once.cases] == [None] * len(once.cases)

    def fixes(result: object, case_id: str) -> list[tuple[str, str, bool]]:
        return [
            (c.change.original, c.change.replacement, c.change.applied)
            for c in result.corrections  # type: ignore[attr-defined]
            if c.case_id == case_id
        ]

    for case_id in ("case-extramedullary-hematopoiesis.txt", "html/case-osteoid-osteoma.html"):
        assert fixes(twice, case_id) == fixes(once, case_id)
    assert twice.learned_boilerplate == once.learned_boilerplate


def test_one_verdict_per_span() -> None:
    text = "the mine- ralized matrix and com- plicatiosn of the procedure"
    edits = clean_text(text).edits
    spans = [(e.start, e.end) for e in edits]
    assert len(spans) == len(set(spans))


@st.composite
def _edits_of(draw: st.DrawFn) -> tuple[str, list[Edit]]:
    raw = draw(st.text(alphabet="abc- ", min_size=1, max_size=30))
    edits = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(raw)))
        end = draw(st.integers(start, len(raw)))
        replacement = draw(st.text(alphabet="xyz", max_size=4))
        confidence = draw(st.floats(0.0, 1.0))
        edits.append(Edit(start, end, raw[start:end], replacement, "ocr", "r", confidence, False))
    return raw, edits


@given(_edits_of())
def test_suggestions_never_overlap_once_each_span_has_its_verdict(
    drawn: tuple[str, list[Edit]],
) -> None:
    raw, edits = drawn
    verdicts = one_verdict_per_span(edits)
    for first, second in itertools.pairwise(verdicts):
        assert first.end <= second.start or first.start == first.end or second.start == second.end
    for verdict in verdicts:
        assert raw[verdict.start : verdict.end] == verdict.original
    for edit in edits:  # every reading survives, as the verdict or an alternative of its span
        widened = [v for v in verdicts if v.start <= edit.start and edit.end <= v.end]
        assert widened or edit.original == edit.replacement


@pytest.mark.parametrize(
    ("text", "damaged"),
    [
        ("The parser nmst see the whole sentence before it decides.", "nmst"),
        ("We pslt every rule of the grammar in one table.", "pslt"),
        ("The tagger uoud fail on such input without a lexicon.", "uoud"),
    ],
)
def test_a_short_repair_is_doubtful_when_a_common_word_is_two_slips_away(
    text: str, damaged: str
) -> None:
    """Real OCR: ``nmst`` is one slip from ``nest`` but two from ``must``; which was meant is
    not certain, so nothing is applied (and the rival two slips away is never applied either)."""
    result = clean_text(text)
    assert damaged in result.text
    assert not [e for e in result.edits if e.applied and damaged in e.original]


def test_a_one_slip_repair_with_no_common_rival_is_still_applied() -> None:
    assert clean_text("Distal obstruction is not uually present.").text == (
        "Distal obstruction is not usually present."
    )


def test_names_in_an_initials_first_reference_stay() -> None:
    text = (
        "J. Huang, B. Kingsbury, L. Mangu, G. Saon, and G. Zweig. 2000. Recent improvements "
        "in speech recognition. In Proc. of the workshop, pages 1-8."
    )
    assert clean_text(text).text == text


def test_a_term_the_archive_inflects_is_a_word() -> None:
    """``synset`` on one page and ``synsets`` on another: a term of the archive, not a slip
    for ``sunset``; a slip the archive inflects beside a far commoner word is still a slip."""
    texts = [
        "The marginals of the synset nodes are summed.",
        "Each of the synsets holds words of one sense.",
        *["The patient is ten years old and was seen a year ago."] * 20,
        "She is one yaer older.",
        "He is two yaers older.",
    ]
    corrector = Corrector.load(sections=[(None, text) for text in texts])
    assert corrector.clean(texts[0]).text == texts[0]
    assert corrector.clean(texts[1]).text == texts[1]
    assert corrector.clean("She is one yaer older.").text == "She is one year older."


@pytest.mark.parametrize(
    "text",
    [
        "Claudio Cau, Department of Radiology, Mater Dei Hospital, 00128 Rome, Italy.",
        "He received consulting fees from Pfizer, Nalo Therapeutics, Puma, Mirati, Dizal, "
        "Chugai and Amgen.",
        "Mostafa Aglan: Writing - original draft. Ercan Kocakaya: Writing - review and editing.",
    ],
)
def test_capitals_of_a_list_or_a_statement_are_names_not_a_heading(text: str) -> None:
    """A line of capitals that lists or holds a sentence's end is an affiliation, a list of
    companies or a contribution statement: its unknown capitalised words are names, even in a
    lone text judged as damaged."""
    assert clean_text(text).text == text


def test_a_name_beside_a_surname_no_dictionary_knows_stays() -> None:
    """``Peize Zhang``: the given name one space from a capitalised word no dictionary knows
    in lowercase is part of a name, not a slip for ``Prize``."""
    text = (
        "Kaihua Pang and Hongjuan Qin: administered chemotherapy for the patient, supervised "
        "writing of the manuscript; Peize Zhang: reviewed and edited the manuscript."
    )
    assert clean_text(text).text == text


def test_a_damaged_capital_beside_a_dictionary_word_is_still_repaired() -> None:
    assert clean_text("The study used Diffution Weighted Imaging and showed restriction.").text == (
        "The study used Diffusion Weighted Imaging and showed restriction."
    )


@pytest.mark.parametrize(
    "text",
    [
        "He cited Les principes des phrases simplea du francais in his thesis.",
        "The mother said the boy was yellow da han blev fcdt (when he was born).",
    ],
)
def test_a_phrase_in_another_language_is_told_by_its_articles_too(text: str) -> None:
    """``des``, ``du``, ``han``: words English knows too, but far commoner in French or Danish,
    mark a foreign phrase, whose unknown words are no English words to repair."""
    assert clean_text(text).text == text


def test_english_with_a_latin_or_french_phrase_is_still_repaired() -> None:
    assert clean_text("A de novo lesion of the lefft kidney was resected en bloc.").text == (
        "A de novo lesion of the left kidney was resected en bloc."
    )


# The fingerprints as one pattern: what ``damage`` finds, pattern by pattern.
FINGERPRINT = (
    r"\p{Ll}\d\p{Ll}|(?<![\p{L}\p{N}])(?=\p{L}{5})\p{Ll}+\p{Lu}\p{Ll}"
    r"|\p{L}''\p{L}|\p{L}[|{}~\\]\p{L}"
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZeIl0 |'{~\\\n\t.-"), max_size=60))
def test_fingerprinted_chunks_are_counted_as_chunk_by_chunk(text: str) -> None:
    """Searching the whole text counts the chunks that one search of each would find."""
    import regex

    from pipeline.correct.damage import fingerprinted_chunks

    each = sum(1 for m in regex.finditer(r"\S+", text) if regex.search(FINGERPRINT, m.group()))
    assert fingerprinted_chunks(text) == each
