"""Hunspell dictionaries read with spylls, and every word form their affix rules allow.

spylls parses ``.aff`` and ``.dic`` files and checks words but does not list them; the listing
(stem, each affix its flags allow, prefix x suffix where both are cross-product) is done here
on its parsed rules.
"""

from __future__ import annotations

import gc
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from spylls.hunspell import readers
from spylls.hunspell.data.aff import Aff, Prefix, Suffix
from spylls.hunspell.data.dic import Word
from spylls.hunspell.readers.aff import Context
from spylls.hunspell.readers.file_reader import BaseReader

WORD_RE = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
"""What a lexicon keeps as a word: a letter, then letters, digits, apostrophes, dots, hyphens."""


class _BytesReader(BaseReader):
    """spylls' line reader over a file read whole: its own FileReader leaves its handles open."""

    def __init__(self, path: Path, encoding: str = "Windows-1252") -> None:
        self._raw = path.read_bytes()
        super().__init__(self._decoded(encoding))

    def reset_encoding(self, encoding: str) -> None:
        self.reset_io(self._decoded(encoding))

    def _decoded(self, encoding: str) -> io.StringIO:
        return io.StringIO(self._raw.decode(encoding, errors="surrogateescape"))


def read_affixes(aff_path: Path) -> tuple[Aff, Context]:
    """The affix rules of a hunspell ``.aff`` file, parsed by spylls (no rules without one)."""
    if not aff_path.exists():
        return Aff(SET="UTF-8"), Context(encoding="UTF-8")
    return readers.read_aff(_BytesReader(aff_path))


def read_stems(dic_path: Path, aff: Aff, context: Context) -> list[Word]:
    """The entries of a ``.dic`` file, read by spylls with the flag format of ``aff``.

    en_med_glut.dic has no ``.aff`` of its own; it is read with en_US's, whose flags it uses.
    """
    reader = _BytesReader(dic_path, context.encoding)
    return readers.read_dic(reader, aff=aff, context=context).words


@contextmanager
def _gc_paused() -> Iterator[None]:
    """spylls makes objects per entry; the cyclic collector rescanning them cost a third more."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _add_suffix(stem: str, suffix: Suffix) -> str | None:
    if not stem.endswith(suffix.strip) or not suffix.cond_regexp.search(stem):
        return None
    return stem[: len(stem) - len(suffix.strip)] + suffix.add


def _add_prefix(stem: str, prefix: Prefix) -> str | None:
    if not stem.startswith(prefix.strip) or not prefix.cond_regexp.search(stem):
        return None
    return prefix.add + stem[len(prefix.strip) :]


def word_forms(word: Word, aff: Aff) -> set[str]:
    """Every form hunspell accepts for one entry: the stem, each affix its flags allow, and
    prefix x suffix where both are cross-product.

    spylls checks words but does not list them, so the listing is done here on its parsed rules.
    en_US's affixes carry no continuation flags, so one level of each is the whole set. A
    forbidden or compound-only entry gives nothing; a stem that needs an affix is not a form.
    """
    flags = word.flags
    if aff.FORBIDDENWORD in flags or aff.ONLYINCOMPOUND in flags:
        return set()
    forms = set() if aff.NEEDAFFIX in flags else {word.stem}
    suffixed = []
    for flag in flags:
        for suffix in aff.SFX.get(flag, ()):
            form = _add_suffix(word.stem, suffix)
            if form is not None:
                forms.add(form)
                if suffix.crossproduct:
                    suffixed.append(form)
    for flag in flags:
        for prefix in aff.PFX.get(flag, ()):
            form = _add_prefix(word.stem, prefix)
            if form is not None:
                forms.add(form)
            if not prefix.crossproduct:
                continue
            for base in suffixed:
                both = _add_prefix(base, prefix)
                if both is not None:
                    forms.add(both)
    return forms


def hunspell_forms(dic_path: Path, aff: Aff, context: Context) -> set[str]:
    """The word forms of a ``.dic`` file under ``aff``'s rules.

    Only words are kept: en_med_glut's indented header lines read as entries with spaces, and
    ``1th``-style ordinal pieces are not words.
    """
    forms: set[str] = set()
    with _gc_paused():
        for word in read_stems(dic_path, aff, context):
            forms.update(word_forms(word, aff))
    return {f for f in forms if WORD_RE.fullmatch(f)}
