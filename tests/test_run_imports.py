"""What a run loads, and when: a forked worker holds everything its parent had loaded, in
its resident memory, whether it uses it or not.

A run loads neither pandas nor pyarrow until the sink first writes Parquet, which is after
the last step's workers have forked (pyarrow then loads pandas in the parent, to check what
it converts). Each test runs in a fresh interpreter: the test session loaded both long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import RAW, REPO

_SINK = """
import json, sys
from pathlib import Path
from pipeline.output.schema import table_schemas
from pipeline.output.sink import TableSink
from pipeline.rules import load_rules
seen = {"made": sorted(m for m in ("pandas", "pyarrow") if m in sys.modules)}
sink = TableSink(Path(sys.argv[1]), table_schemas(load_rules()), batch_rows=10)
seen["open"] = sorted(m for m in ("pandas", "pyarrow") if m in sys.modules)
sink.close()
seen["closed"] = sorted(m for m in ("pandas", "pyarrow") if m in sys.modules)
print(json.dumps(seen))
"""

_RUN = """
import json, sys
import pipeline.cli as cli
from pipeline.run.executors import LocalExecutor
steps = []
plain_map = LocalExecutor.map
def map(self, step, items, progress, name):
    steps.append([name, sorted(m for m in ("pandas", "pyarrow") if m in sys.modules)])
    yield from plain_map(self, step, items, progress, name)
LocalExecutor.map = map
code = cli.main(["run", sys.argv[1], "--out", sys.argv[2], "--workers", "2", "--no-report"])
print(json.dumps({"code": code, "steps": steps}))
"""


def _python(script: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "CASECLEAN_NO_PROGRESS": "1", "PATH": "/usr/bin:/bin"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_sink_loads_pyarrow_when_it_first_writes(tmp_path: Path) -> None:
    seen = _python(_SINK, str(tmp_path))
    assert seen["made"] == seen["open"] == []
    assert "pyarrow" in seen["closed"]
    assert sorted(p.name for p in tmp_path.glob("*.parquet"))  # closing wrote every table


def test_no_step_forks_with_pandas_or_pyarrow_loaded(tmp_path: Path) -> None:
    seen = _python(_RUN, str(RAW), str(tmp_path / "clean"))
    assert seen["code"] == 0
    assert [name for name, _ in seen["steps"]][-1] == "correcting and writing"
    assert all(loaded == [] for _, loaded in seen["steps"]), seen["steps"]
    assert (tmp_path / "clean" / "cases.parquet").exists()
