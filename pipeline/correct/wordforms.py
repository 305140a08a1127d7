"""Word forms the judge reads: case patterns, inflections and a word's singular or plural.

Plain string tests, kept apart from the judgement that weighs them.
"""

from __future__ import annotations

from collections.abc import Mapping

import regex

_PLAIN = regex.compile(r"\p{Ll}+|\p{Lu}\p{Ll}+")
_ENDINGS = frozenset({"s", "es", "d", "ed", "r", "er", "ing", "ly", "y", "e", "al", "a", "n"})


def recase(candidate: str, like: str) -> str | None:
    """``candidate`` in the case pattern of ``like`` (lowercase or Capitalised), else None.

    >>> recase("severe", "Sever"), recase("severe", "SeVer")
    ('Severe', None)
    """
    if like.islower():
        return candidate
    if like[:1].isupper() and like[1:].islower():
        return candidate[:1].upper() + candidate[1:]
    return None


def odd_case(word: str) -> bool:
    """Mixed case inside a word (``faShion``): OCR noise or a brand, never a plain word.

    >>> odd_case("faShion"), odd_case("Fashion"), odd_case("CT")
    (True, False, False)
    """
    return not (_PLAIN.fullmatch(word) or word.isupper())


def inflection_of(word: str, cand: str) -> bool:
    """One is the other plus an ending: a real word's other inflection is no slip to repair.

    Plural, tense and degree are the writer's choice, and OCR drops letters rather than adds
    them, so only the candidate's extra final ``s`` (a dropped plural) or ``e`` stays.

    >>> inflection_of("tumors", "tumor"), inflection_of("lob", "lobe")
    (True, False)
    """
    if cand.startswith(word):
        return cand[len(word) :] in _ENDINGS and cand[len(word) :] not in ("s", "e")
    return word.startswith(cand) and word[len(cand) :] in _ENDINGS


def family_count(word: str, own: Mapping[str, int]) -> int:
    """Occurrences in the text of the word and its plural or singular.

    A writer repeats a term (``synset``, ``synsets``); a slip is rarely made twice the same way
    in one paragraph, so a recurring unknown word is taken to be a word.

    >>> family_count("synset", {"synset": 1, "synsets": 2})
    3
    """
    count = own.get(word, 0) + own.get(word + "s", 0)
    if word.endswith("s"):
        count += own.get(word[:-1], 0)
    return count


def number_sibling(word: str) -> str:
    """The word's plural, or its singular when it ends in ``s`` (the sibling it is seen with).

    >>> number_sibling("synset"), number_sibling("synsets")
    ('synsets', 'synset')
    """
    return word[:-1] if word.endswith("s") else word + "s"
