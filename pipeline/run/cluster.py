"""Run a step on a Dask cluster (``caseclean run --engine dask``).

The step object is pickled once and its bytes scattered to every worker, which unpickles it
once (scattering the object itself took twice as long: 3 s for a step that holds a
corrector); pages travel in batches (:func:`batch_size`), and results are put back in page
order, so the tables do not depend on the cluster.
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

from pipeline.run.executors import Progress, Step


def _fresh_offload_executor() -> None:
    """In a forked child, give ``distributed`` a new thread for the large messages it
    (de)serialises off its event loop.

    ``distributed.utils`` keeps one ``ThreadPoolExecutor`` for the whole process. A child
    forked after the parent has used it (a second LocalCluster in the same process) inherits
    the executor but not its thread, so the first large message its worker receives (a step
    holding the lexicon) waits for ever, and so does the run. A new executor starts its own
    thread when first used.
    """
    utils = sys.modules.get("distributed.utils")
    if utils is not None:
        utils._offload_executor = ThreadPoolExecutor(  # type: ignore[attr-defined]
            max_workers=1, thread_name_prefix="Dask-Offload"
        )


os.register_at_fork(after_in_child=_fresh_offload_executor)


class SchedulerError(OSError):
    """The Dask scheduler named by ``--scheduler`` cannot be reached."""


# The step this worker process last unpickled, by its token: each step is unpickled once per
# worker, and only the current one is kept.
_steps: dict[str, Step] = {}
_steps_lock = threading.Lock()


def _run_batch(batch: list[Any], blob: bytes, token: str) -> list[Any]:
    from distributed.protocol import pickle as dask_pickle

    with _steps_lock:
        step = _steps.get(token)
        if step is None:
            _steps.clear()
            step = _steps[token] = dask_pickle.loads(blob)
    return [step(item) for item in batch]


def batch_size(total: int, workers: int, most: int = 64) -> int:
    """Items per task: up to ``most``, since every task costs the scheduler, in the parent,
    a millisecond or more (batches of 16 against 64 over 10,000 pages: the parent's CPU
    22.1 -> 18.3 s); fewer for a short list, so that each worker gets four tasks or so.

    >>> batch_size(10_000, 2), batch_size(1_000, 2), batch_size(6, 2), batch_size(0, 2)
    (64, 64, 1, 1)
    """
    return max(1, min(most, -(-total // (4 * max(1, workers)))))


class DaskExecutor:
    """A Dask client for one run: a scheduler given by address, or a LocalCluster."""

    def __init__(self, workers: int, scheduler: str | None = None, batch_most: int = 64) -> None:
        from dask.distributed import Client, LocalCluster

        self._cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise SchedulerError(
                    f"cannot reach the Dask scheduler at {scheduler}: {exc}"
                ) from None
        else:
            import dask

            # Workers forked from this process start in a tenth of the time spawned ones take
            # (0.3 s against 2-3 s here) and close at once; they inherit the imported modules,
            # so a step unpickles without importing caseclean again.
            with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}):
                self._cluster = LocalCluster(
                    n_workers=max(1, workers),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            self.client = Client(self._cluster)
        self.batch_most = batch_most
        found = self.client.scheduler_info().get("workers", {})
        self.workers = len(found) or max(1, workers)

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def map(self, step: Step, items: Sequence[Any], progress: Progress, name: str) -> Iterator[Any]:
        """Run ``step`` on every item on the cluster; results in item order, as they come."""
        total = len(items)
        if not total:
            return
        from distributed.protocol import pickle as dask_pickle

        blob = self.client.scatter(dask_pickle.dumps(step), broadcast=True, hash=False)
        token = uuid.uuid4().hex
        size = batch_size(total, self.workers, self.batch_most)
        batches = [list(items[i : i + size]) for i in range(0, total, size)]
        futures = [self.client.submit(_run_batch, b, blob, token, pure=False) for b in batches]
        done = 0
        for future in futures:
            batch = future.result()
            future.release()
            done += len(batch)
            yield from batch
            progress(name, done, total)
