"""The correction passes, one module each, found by name.

A module of this package that exposes ``PASS`` (an object with ``name`` and
``find_edits(text, context)``, see :class:`~pipeline.correct.passes.base.Pass`) is a pass;
``rules/correct.yaml`` says which run and in what order. A new pass is one file here and one
line there.
"""

from __future__ import annotations

import importlib
import pkgutil

from pipeline.correct.passes.base import Pass, PassContext

_NOT_PASSES = frozenset({"base", "words"})


def available_passes() -> dict[str, Pass]:
    """Every pass of this package by name, in name order."""
    found: dict[str, Pass] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _NOT_PASSES:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        entry = getattr(module, "PASS", None)
        if entry is not None:
            found[entry.name] = entry
    return found


__all__ = ["Pass", "PassContext", "available_passes"]
