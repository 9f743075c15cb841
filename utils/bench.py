"""`python -m utils.bench [folders or notebooks...]`: run each notebook in a fresh kernel and measure it.

Per notebook: wall seconds, the slowest cell's seconds, the kernel's peak memory (MB) and every
value the notebook passed to `utils.record`. Writes build/bench.json and build/bench.md and prints
the table, and keeps each executed notebook, outputs and figures included, as
build/executed/<folder>/<name>.ipynb (`make site` renders the course site from those). A benchmark,
not a test: slow numbers are reported against the lesson's budget, never failed. A notebook that
raises an error is reported as such (and the exit status is 1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from .record import RECORD_FILE_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
# The time budget of each lesson (seconds, top to bottom on a 2-core CPU), from its issue.
BUDGET_SECONDS = {"01": 90, "02": 90, "03": 180, "04": 180}
DEFAULT_BUDGET_SECONDS = 150  # lessons 05 and later

# The kernel's peak resident memory. Windows has no `resource` module: there the peak is reported
# as unknown (None) and everything else is measured as usual.
PEAK_MEMORY_CELL = """\
import json, sys
try:
    import resource
    _peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("BENCH_PEAK_MB", json.dumps(_peak_kb / (1024 * 1024 if sys.platform == "darwin" else 1024)))
except ImportError:
    print("BENCH_PEAK_MB", json.dumps(None))"""


def find_notebooks(targets: list[str]) -> list[Path]:
    paths = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            paths += sorted(path.glob("[0-9][0-9]_*.ipynb"))
        elif path.suffix == ".ipynb" and path.exists():
            paths.append(path)
        else:
            raise SystemExit(f"bench: {target} is neither a folder nor an existing .ipynb file")
    return paths


def _cell_seconds(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return (
        datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))
    ).total_seconds()


def executed_path(path: Path, executed_dir: Path) -> Path:
    """Where the executed copy of `path` is kept: <executed_dir>/<folder>/<name>.ipynb.

    The folder (notebooks or solutions) is part of the path because both hold a 01_mlp_recap.ipynb.
    """
    return Path(executed_dir) / Path(path).parent.name / Path(path).name


def run_notebook(path: Path, timeout: int = 900, executed_dir: Path | None = None) -> dict:
    """Execute one notebook in a fresh kernel; return its measurements.

    With `executed_dir`, also save the executed notebook (with its outputs, without the benchmark's
    own memory cell) at `executed_path(path, executed_dir)`, also when a cell failed.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as records_file:
        records_path = records_file.name
    os.environ[RECORD_FILE_VARIABLE] = records_path
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    error = None
    started = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as failure:
        error = str(failure).strip().splitlines()[-1][:200]
    finally:
        seconds = time.perf_counter() - started
        os.environ.pop(RECORD_FILE_VARIABLE, None)
    records = {}
    for line in Path(records_path).read_text().splitlines():
        row = json.loads(line)
        records[row["name"]] = row["value"]
    os.unlink(records_path)
    peak_mb = None
    for output in nb.cells[-1].get("outputs", []):
        if output.get("name") == "stdout" and "BENCH_PEAK_MB" in output.get("text", ""):
            peak_mb = json.loads(output["text"].split("BENCH_PEAK_MB", 1)[1].strip())
    if executed_dir is not None:
        nb.cells.pop()  # the memory cell belongs to the benchmark, not to the lesson
        target = executed_path(path, executed_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
    lesson = path.name[:2]
    return {
        "notebook": str(path.relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path),
        "seconds": round(seconds, 1),
        "budget_seconds": BUDGET_SECONDS.get(lesson, DEFAULT_BUDGET_SECONDS),
        "slowest_cell_seconds": round(max((_cell_seconds(cell) for cell in nb.cells), default=0.0), 1),
        "peak_memory_mb": None if peak_mb is None else round(peak_mb),
        "error": error,
        "metrics": records,
    }


def _format_metric(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def markdown_table(results: list[dict]) -> str:
    lines = ["| notebook | seconds (budget) | slowest cell s | peak MB | key metrics |", "|---|---|---|---|---|"]
    for row in results:
        over = " **over**" if row["seconds"] > row["budget_seconds"] else ""
        metrics = ", ".join(f"{name}={_format_metric(value)}" for name, value in row["metrics"].items())
        if row["error"]:
            metrics = f"ERROR: {row['error']}"
        lines.append(
            f"| {row['notebook']} | {row['seconds']} ({row['budget_seconds']}){over} | "
            f"{row['slowest_cell_seconds']} | {row['peak_memory_mb']} | {metrics} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=["notebooks", "solutions"])
    parser.add_argument("--output", default=str(ROOT / "build"), help="folder for bench.json, bench.md and executed/")
    args = parser.parse_args(argv)
    results = []
    for path in find_notebooks(args.targets):
        print(f"bench: running {path} ...", flush=True)
        results.append(run_notebook(path.resolve(), executed_dir=Path(args.output) / "executed"))
        row = results[-1]
        print(
            f"bench: {row['notebook']}: {row['seconds']} s, {row['peak_memory_mb']} MB"
            + (f", ERROR {row['error']}" if row["error"] else ""),
            flush=True,
        )
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown_table(results)
    (output / "bench.md").write_text(table + "\n")
    print(table)
    return 1 if any(row["error"] for row in results) else 0


if __name__ == "__main__":
    sys.exit(main())
