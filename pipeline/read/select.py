"""CSS selection in one walk of the tree, screened by set lookups, confirmed by soupsieve.

soupsieve matches any CSS selector with a generic matcher that visits every element for every
selector of a list: on a page of a few thousand elements the chrome selectors of
``rules/boilerplate.yaml`` cost more than parsing the page. The selectors the rules use name a
tag, an id, a class or an attribute in their last compound, which every element they match
must have; so each element is screened by a set lookup on that, and soupsieve matches only
the few that pass. The result is soupsieve's, in document order. A selector the screen cannot
read (a pseudo-class, ``*``, a namespace) is left to soupsieve alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import soupsieve
from bs4 import Tag

_ATTR = r"""\[\s*[\w-]+\s*(?:[~|^$*]?=\s*(?:'[^']*'|"[^"]*"|[\w-]+)\s*)?\]"""
_PART = rf"(?:#[\w-]+|\.[\w-]+|{_ATTR})"
_COMPOUND = rf"(?:[A-Za-z][\w-]*{_PART}*|{_PART}+)"
_SELECTOR = re.compile(rf"\s*{_COMPOUND}(?:\s*[>+~]\s*{_COMPOUND}|\s+{_COMPOUND})*\s*")
_LAST = re.compile(rf"({_COMPOUND})\s*$")
_FIRST = re.compile(r"([A-Za-z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[\s*([\w-]+)")


@dataclass(frozen=True)
class Screen:
    """What an element needs to be matched by any selector of a list: one of these tag
    names, ids, classes or attribute names (all folded to lower case, so the screen never
    turns away what soupsieve would match). ``keys`` maps each (kind, value) to the positions
    of the selectors that need it (kinds: 0 name, 1 id, 2 class, 3 attribute)."""

    names: frozenset[str]
    ids: frozenset[str]
    classes: frozenset[str]
    attributes: frozenset[str]
    keys: dict[tuple[int, str], tuple[int, ...]] = field(default_factory=dict, compare=False)

    def passes(self, element: Tag) -> bool:
        if element.name.lower() in self.names:
            return True
        attrs = element.attrs
        if not attrs:
            return False
        for name, value in attrs.items():
            name = name.lower()
            if name in self.attributes:
                return True
            if name == "id" and isinstance(value, str) and value.lower() in self.ids:
                return True
            if name == "class" and self.classes:
                tokens = value.split() if isinstance(value, str) else value
                if any(token.lower() in self.classes for token in tokens):
                    return True
        return False

    def which(self, element: Tag) -> tuple[int, ...]:
        """The positions of the selectors whose key the element has (those it passes for);
        only they can match it."""
        keys = self.keys
        found = list(keys.get((0, element.name.lower()), ()))
        for name, value in element.attrs.items():
            name = name.lower()
            found += keys.get((3, name), ())
            if name == "id" and isinstance(value, str):
                found += keys.get((1, value.lower()), ())
            elif name == "class" and self.classes:
                for token in value.split() if isinstance(value, str) else value:
                    found += keys.get((2, token.lower()), ())
        return tuple(sorted(set(found))) if len(found) > 1 else tuple(found)


def screen_of(selectors: Sequence[str]) -> Screen | None:
    """The screen of a selector list, or None when one of them cannot be screened.

    >>> sorted(screen_of(["nav", ".menu", "[role=dialog]", "div.item-page h2[itemprop=x]"]).names)
    ['h2', 'nav']
    >>> screen_of(["p:first-child"]) is None
    True
    """
    found: tuple[set[str], ...] = (set(), set(), set(), set())  # names, ids, classes, attrs
    keys: dict[tuple[int, str], list[int]] = {}
    for position, selector in enumerate(selectors):
        last = _LAST.search(selector) if _SELECTOR.fullmatch(selector) else None
        first = _FIRST.match(last.group(1)) if last else None
        if first is None:
            return None
        kind, value = next((k, v) for k, v in enumerate(first.groups()) if v)
        found[kind].add(value.lower())
        keys.setdefault((kind, value.lower()), []).append(position)
    held = {key: tuple(positions) for key, positions in keys.items()}
    return Screen(*(frozenset(values) for values in found), keys=held)


@functools.lru_cache(maxsize=256)
def _compiled(selectors: tuple[str, ...]) -> tuple[soupsieve.SoupSieve, Screen | None]:
    return soupsieve.compile(", ".join(selectors)), screen_of(selectors)


def select(root: Tag, selectors: Sequence[str]) -> list[Tag]:
    """Every element under ``root`` that any of ``selectors`` matches, in document order
    (what ``root.select(", ".join(selectors))`` gives).

    Each element the screen passes is matched by soupsieve against the selectors it passes
    for, not the whole list: an element matches a list when one of its selectors matches it,
    and a selector whose key the element lacks never does.
    """
    if not selectors:
        return []
    chosen = tuple(selectors)
    sieve, screen = _compiled(chosen)
    if screen is None:
        return list(sieve.select(root))
    candidates: list[Tag] = []
    groups: dict[tuple[int, ...], list[Tag]] = {}
    for element in root.descendants:
        if isinstance(element, Tag):
            which = screen.which(element)
            if which:
                candidates.append(element)
                groups.setdefault(which, []).append(element)
    matched: set[int] = set()
    for which, members in groups.items():
        own = _compiled(tuple(chosen[i] for i in which))[0] if len(which) < len(chosen) else sieve
        matched.update(id(e) for e in own.filter(members))
    return [e for e in candidates if id(e) in matched]


def select_one(root: Tag, selector: str) -> Tag | None:
    """The first element under ``root`` that ``selector`` matches, or None."""
    found = select(root, (selector,))
    return found[0] if found else None
