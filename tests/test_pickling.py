"""Pickling: the frozen records a run sends between processes come back equal."""

from __future__ import annotations

import dataclasses
import importlib
import pickle
import pkgutil

import pipeline
from pipeline.run import process_page

from .conftest import SAMPLE


def _frozen_slotted() -> list[type]:
    """Every frozen dataclass with ``__slots__`` the pipeline defines."""
    found = []
    for info in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and dataclasses.is_dataclass(value)
                and "__slots__" in vars(value)
                and value.__dataclass_params__.frozen  # type: ignore[attr-defined]
            ):
                found.append(value)
    return found


def test_every_frozen_slotted_record_pickles_its_fields_as_a_tuple() -> None:
    """A new record class without it would pickle by the slow path again."""
    classes = _frozen_slotted()
    assert len(classes) >= 10
    for cls in classes:
        names = [f.name for f in dataclasses.fields(cls)]
        assert cls.__setstate__.__qualname__.startswith("tuple_state"), cls  # type: ignore[attr-defined]
        assert cls.__getstate__.__code__.co_freevars == ("names",), (cls, names)  # type: ignore[attr-defined]


def test_a_pages_rows_come_back_equal_from_a_pickle() -> None:
    rows = process_page(SAMPLE)
    assert rows.corrections and rows.sections
    again = pickle.loads(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == rows
    edit = rows.corrections[0].change
    assert pickle.loads(pickle.dumps(edit)) == edit
    assert edit.__getstate__() == tuple(getattr(edit, f.name) for f in dataclasses.fields(edit))
