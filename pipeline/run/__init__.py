"""Run: the stages over a whole archive (or one page), on this machine or a Dask cluster."""

from pipeline.run.engine import RunOptions, RunResult, process_page, run

__all__ = ["RunOptions", "RunResult", "process_page", "run"]
