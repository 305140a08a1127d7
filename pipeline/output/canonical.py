"""Canonical values: one name per body system, whatever the page called it.

Sites name one body system many ways ("Chest", "Thoracic Imaging", "Cardiothoracic
System"). ``cases.body_system`` holds the canonical name that ``rules/body_systems.yaml``
gives the page's spelling, and ``cases.body_system_raw`` the spelling itself, so nothing the
page said is lost and a spelling the rules do not list is null rather than a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.output.rows import SectionRow
from pipeline.output.schema import BODY_SYSTEM
from pipeline.rules import BodySystems

RAW_COLUMN = f"{BODY_SYSTEM}_raw"


def with_body_system(
    texts: Mapping[str, str | None], sections: Sequence[SectionRow], systems: BodySystems
) -> dict[str, str | None]:
    """A case's text columns with ``body_system`` made canonical (from its cleaned text, else
    its raw text) and ``body_system_raw`` the page's own spelling.

    >>> systems = BodySystems(("Chest",), {"thoracic imaging": "Chest", "chest": "Chest"})
    >>> row = SectionRow("c", 1, "body_system", None, "Thoracic Imagnig", "Thoracic Imaging")
    >>> with_body_system({"body_system": "Thoracic Imaging"}, [row], systems)
    {'body_system': 'Chest', 'body_system_raw': 'Thoracic Imagnig'}
    """
    out = dict(texts)
    if BODY_SYSTEM not in out:
        return out
    raw = "\n\n".join(s.raw_text for s in sections if s.section == BODY_SYSTEM) or None
    out[BODY_SYSTEM] = systems.canonical(out[BODY_SYSTEM], raw)
    out[RAW_COLUMN] = raw
    return out
