"""Pickling the small frozen records a run sends between processes by the million.

Edits, rows, blocks and counts are frozen dataclasses with ``__slots__``. For such a class,
Python's ``dataclasses`` pickles the fields' values and, on loading, asks ``fields()`` for
their names again for every object: about a third of the time a run's parent spent loading
its workers' results, and the workers loading the step cache. :func:`tuple_state` looks the
names up once per class.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def tuple_state(cls: type[T]) -> type[T]:
    """Give a frozen, slotted dataclass a pickled state of its field values in field order,
    restored without looking the fields up again.

    >>> from dataclasses import dataclass
    >>> import copy
    >>> @tuple_state
    ... @dataclass(frozen=True, slots=True)
    ... class Point:
    ...     x: int
    ...     y: int = 0
    >>> Point(1, 2).__getstate__(), copy.deepcopy(Point(1, 2)) == Point(1, 2)
    ((1, 2), True)
    """
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    assign = object.__setattr__

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in names])

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            assign(self, name, value)

    cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
    return cls
