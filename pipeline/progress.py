"""The progress bar of long commands: the stage named, pages done, pages/s and time left.

It goes to stderr and only on a terminal, so scripts that pipe stdout see none of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TimeRemainingColumn,
)
from rich.text import Text

from pipeline.run.executors import Progress as ProgressCallback
from pipeline.run.executors import no_progress


class RateColumn(ProgressColumn):
    """Items per second of the stage (blank until rich has measured a rate)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} pages/s" if speed else "", style="progress.data.speed")


@contextmanager
def progress_bar(enabled: bool) -> Iterator[ProgressCallback]:
    """A rich progress bar, one line per stage, when ``enabled``; silence otherwise."""
    if not enabled:
        yield no_progress
        return
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
