"""CSS selection in one walk of the tree, screened by set lookups, confirmed by soupsieve.

soupsieve matches any CSS selector with a generic matcher that visits every element for every
selector of a list: on a page of a few thousand elements the chrome selectors of
``rules/boilerplate.yaml`` cost more than parsing the page. The selectors the rules use name a
tag, an id, a class or an attribute in their last compound, which every element they match
must have; so each element is screened by a dictionary lookup on that, and soupsieve matches
only the few that pass, each against the selectors it passes for. The result is soupsieve's,
in document order. A selector the screen cannot
read (a pseudo-class, ``*``, a namespace) is left to soupsieve alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import soupsieve
from bs4 import Tag

_ATTR = r"""\[\s*[\w-]+\s*(?:[~|^$*]?=\s*(?:'[^']*'|"[^"]*"|[\w-]+)\s*)?\]"""
_PART = rf"(?:#[\w-]+|\.[\w-]+|{_ATTR})"
_COMPOUND = rf"(?:[A-Za-z][\w-]*{_PART}*|{_PART}+)"
_SELECTOR = re.compile(rf"\s*{_COMPOUND}(?:\s*[>+~]\s*{_COMPOUND}|\s+{_COMPOUND})*\s*")
_LAST = re.compile(rf"({_COMPOUND})\s*$")
_FIRST = re.compile(r"([A-Za-z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[\s*([\w-]+)")


Positions = tuple[int, ...]
"""Positions of selectors in their list."""


@dataclass(frozen=True)
class Screen:
    """What an element needs to be matched by a selector of a list: the tag name, id, class
    or attribute name its last compound names (folded to lower case, so the screen never
    turns away what soupsieve would match), with the positions of the selectors that need
    each."""

    names: dict[str, Positions]
    ids: dict[str, Positions]
    classes: dict[str, Positions]
    attributes: dict[str, Positions]

    def which(self, element: Tag) -> Positions:
        """The positions of the selectors whose key the element has: only they can match it
        (none: the element is not a candidate)."""
        found = self.names.get(element.name.lower(), ())
        attrs = element.attrs
        if not attrs or not (self.ids or self.classes or self.attributes):
            return found
        more: list[int] = []
        for name, value in attrs.items():
            name = name.lower()
            more += self.attributes.get(name, ())
            if name == "id" and isinstance(value, str):
                more += self.ids.get(value.lower(), ())
            elif name == "class" and self.classes:
                for token in value.split() if isinstance(value, str) else value:
                    more += self.classes.get(token.lower(), ())
        return tuple(sorted({*found, *more})) if more else found


def screen_of(selectors: Sequence[str]) -> Screen | None:
    """The screen of a selector list, or None when one of them cannot be screened.

    >>> screen = screen_of(["nav", ".menu", "[role=dialog]", "div.item-page h2[itemprop=x]"])
    >>> screen.names, screen.classes, screen.attributes
    ({'nav': (0,), 'h2': (3,)}, {'menu': (1,)}, {'role': (2,)})
    >>> screen_of(["p:first-child"]) is None
    True
    """
    found: tuple[dict[str, list[int]], ...] = ({}, {}, {}, {})  # names, ids, classes, attrs
    for position, selector in enumerate(selectors):
        last = _LAST.search(selector) if _SELECTOR.fullmatch(selector) else None
        first = _FIRST.match(last.group(1)) if last else None
        if first is None:
            return None
        kind, value = next((k, v) for k, v in enumerate(first.groups()) if v)
        found[kind].setdefault(value.lower(), []).append(position)
    return Screen(*({key: tuple(at) for key, at in kind.items()} for kind in found))


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


def select_each(root: Tag, selectors: Sequence[str]) -> list[list[Tag]]:
    """What each of ``selectors`` selects under ``root`` (``select(root, [selector])`` for
    each), in one walk of the tree."""
    chosen = tuple(selectors)
    screen = _compiled(chosen)[1] if chosen else None
    if screen is None:
        return [select(root, (selector,)) for selector in chosen]
    found: list[list[Tag]] = [[] for _ in chosen]
    for element in root.descendants:
        if isinstance(element, Tag):
            for position in screen.which(element):
                if _compiled((chosen[position],))[0].match(element):
                    found[position].append(element)
    return found


def select_one(root: Tag, selector: str) -> Tag | None:
    """The first element under ``root`` that ``selector`` matches, or None."""
    found = select(root, (selector,))
    return found[0] if found else None
