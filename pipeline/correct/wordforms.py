"""Word forms the judge reads: case patterns and inflections.

Plain string tests, kept apart from the judgement that weighs them.
"""

from __future__ import annotations

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
