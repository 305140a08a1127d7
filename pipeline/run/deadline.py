"""A page's time limit: work on one page that runs past ``page_seconds`` is stopped.

The limit is a real stop, not a check between steps: an interval timer interrupts whatever
the page's work is doing and raises a :class:`~pipeline.read.ingest.PageError`, so the page
becomes an ``errors`` row and the batch goes on. Timers reach only a process's main thread,
which is where pages run in this process and in forked workers; Dask runs them in threads,
where the limit cannot be enforced (``rules/limits.yaml`` says so).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from pipeline.read.ingest import PageError


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise a ``limits`` page error in the enclosed work once ``seconds`` have passed."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds <= 0 or not usable:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise PageError(
            "limits",
            "page-seconds",
            f"the page took over {seconds:g} s (page_seconds in limits.yaml)",
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
