"""Grade a class's homework: `python -m utils.grade --lesson 04 [--csv grades.csv] SUBMISSIONS...`

Each submission (a copy of notebooks/NN_topic.ipynb that a student filled in) runs in a fresh kernel,
in a temporary copy, under a time and a memory limit and, where the machine allows, in a sandbox
(bubblewrap: the file system read-only but for the temporary folder, and no network). The checks that
count are the *released* ones: each exercise's check cell is taken from the course's own notebook by
exercise id and re-imports the course's checks, so a check cell that a student edited, deleted, or
whose `check` module they redefined, earns nothing.

For each exercise: passed, failed (with the check's message), not attempted, or not reached (the time
ran out or the kernel died before its check ran). Output: a table on the terminal, a CSV (one row per
submission), and with --gradescope the results file Gradescope's autograder reads. Points per
exercise come from the `points` metadata of the released check cell (default 1).

    python -m utils.grade --lesson 04 --csv grades.csv submissions/
    python -m utils.grade --lesson 04 --gradescope /autograder/results/results.json submission.ipynb
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECK_FIRST_LINE = re.compile(r"^# Check Exercise (\d+)\.(\d+)\s*$")
EXERCISE_HEADING = re.compile(r"^### Exercise (\d+)\.(\d+): ", re.MULTILINE)
STATUSES = ("passed", "failed", "not attempted", "not reached")
DEFAULT_MEMORY_MB = 4096
# Default wall time per submission: a few times the lesson's budget (see utils.bench).
TIME_FACTOR = 4


@dataclass
class ExerciseResult:
    exercise: str
    status: str
    points: float
    max_points: float
    message: str = ""


@dataclass
class SubmissionResult:
    submission: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""
    review: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(result.points for result in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(result.max_points for result in self.exercises)


# ---- The released lesson -----------------------------------------------------------------------------


def _source(cell) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def released_notebook(lesson: str) -> Path:
    """The course's own student notebook of `lesson` ('04')."""
    if not (isinstance(lesson, str) and re.fullmatch(r"\d\d", lesson)):
        raise ValueError(f"--lesson must be two digits such as 04, got {lesson!r}.")
    found = sorted((ROOT / "notebooks").glob(f"{lesson}_*.ipynb"))
    if not found:
        known = ", ".join(sorted(path.name[:2] for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
        raise ValueError(f"there is no lesson {lesson} in {ROOT / 'notebooks'} (lessons: {known}).")
    return found[0]


def released_checks(lesson: str) -> list[dict]:
    """[{id, source, points}] for every check cell of the released notebook, in order."""
    notebook = json.loads(released_notebook(lesson).read_text(encoding="utf-8"))
    checks = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            match = CHECK_FIRST_LINE.match(_source(cell).split("\n", 1)[0])
            if match:
                points = cell.get("metadata", {}).get("points", 1)
                checks.append({"id": f"{match.group(1)}.{match.group(2)}", "source": _source(cell), "points": points})
    return checks


def _grader_setup_cell() -> str:
    return (
        "# Grader: the course's utils, from the course itself\n"
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nimport utils\nutils.setup()"
    )


def _graded_check_cell(lesson: str, check: dict, nonce: str) -> str:
    """The released check, run on a freshly imported copy of the course's checks.

    Whatever a student did to `check`, `utils` or the display of failures earlier is undone first;
    the pass line carries a nonce that the student's notebook cannot know.
    """
    return (
        f"# Grader: Exercise {check['id']}\n"
        "import sys as _grader_sys\n"
        "for _grader_name in [m for m in _grader_sys.modules if m == 'utils' or m.startswith('utils.')]:\n"
        "    del _grader_sys.modules[_grader_name]\n"
        f"_grader_sys.path.insert(0, {str(ROOT)!r})\n"
        "get_ipython().events.callbacks['pre_run_cell'].clear()\n"
        "get_ipython().events.callbacks['post_run_cell'].clear()\n"
        f"from utils.exercises import lesson{lesson} as check\n"
        f"{check['source']}\n"
        f"print({nonce!r}, {check['id']!r})"
    )


def graded_notebook(submission: dict, lesson: str, nonce: str) -> dict:
    """The submission with its setup cell replaced and every check cell replaced by the released one.

    A released check goes at the end of its exercise in the submission (before the next exercise or
    section heading); an exercise whose heading the student deleted is checked at the very end.
    """
    checks = released_checks(lesson)
    by_id = {check["id"]: check for check in checks}
    cells, placed, current = [], set(), None

    def close_current():
        if current is not None and current not in placed:
            cells.append(_grader_cell(lesson, by_id[current], nonce))
            placed.add(current)

    first_code = True
    for cell in submission.get("cells", []):
        text = _source(cell)
        if cell.get("cell_type") == "code":
            if first_code:
                first_code = False
                cells.append(_code_cell(_grader_setup_cell()))
                continue
            if CHECK_FIRST_LINE.match(text.split("\n", 1)[0]):
                continue  # the student's copy of a check never counts
            cells.append(_code_cell(text))
            continue
        heading = EXERCISE_HEADING.search(text) if cell.get("cell_type") == "markdown" else None
        if heading or (cell.get("cell_type") == "markdown" and text.startswith("## ")):
            close_current()
            current = f"{heading.group(1)}.{heading.group(2)}" if heading else None
            if current not in by_id:
                current = None
    close_current()
    for check in checks:
        if check["id"] not in placed:
            cells.append(_grader_cell(lesson, check, nonce))
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _code_cell(text: str, **metadata) -> dict:
    return {"cell_type": "code", "source": text, "metadata": metadata, "outputs": [], "execution_count": None}


def _grader_cell(lesson, check, nonce) -> dict:
    return _code_cell(_graded_check_cell(lesson, check, nonce), grader_exercise=check["id"])


# ---- One submission, inside its sandbox ----------------------------------------------------------------


def _outcome(outputs: list, exercise: str, nonce: str) -> tuple[str, str]:
    for output in outputs:
        if output.get("output_type") == "error":
            name, value = output.get("ename", ""), output.get("evalue", "")
            if name == "NotAttempted" or "not attempted yet" in value:
                return "not attempted", value
            return "failed", f"{name}: {value}" if name not in ("ExerciseCheckFailed", "StudentCodeError") else value
    printed = "".join(output.get("text", "") for output in outputs if output.get("output_type") == "stream")
    if f"{nonce} {exercise}" in printed:
        return "passed", ""
    return "failed", "the check did not finish"


def _signed(row: dict, nonce: str) -> str:
    line = json.dumps(row, sort_keys=True)
    return json.dumps({"row": line, "mac": hmac.new(nonce.encode(), line.encode(), hashlib.sha256).hexdigest()})


def _verified(text: str, nonce: str) -> dict | None:
    """A results line written by the worker (signed with the nonce), or None for anything else."""
    try:
        signed = json.loads(text)
        line, mac = signed["row"], signed["mac"]
    except (ValueError, KeyError, TypeError):
        return None
    expected = hmac.new(nonce.encode(), str(line).encode(), hashlib.sha256).hexdigest()
    return json.loads(line) if hmac.compare_digest(expected, str(mac)) else None


def run_worker(notebook_path: Path, results_path: Path, seconds: float, nonce: str, cell_seconds: float) -> None:
    """Execute a graded notebook cell by cell until `seconds` run out; one signed JSON line per check.

    A cell that runs longer than `cell_seconds` is interrupted (its exercise fails) and the next runs.
    The notebook file (which holds the nonce) is deleted before the student's code starts, and every
    results line is signed with the nonce, so student code that writes to the results file forges nothing.
    """
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    deadline = time.monotonic() + seconds
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook_path.unlink()  # the nonce is in the grader cells: off the disk before any student code runs
    workdir = notebook_path.parent
    # nbclient needs the *async* manager: with a blocking one, waiting for output blocks its event loop,
    # so a cell's timeout never fires and an endless loop holds up every cell after it.
    manager = AsyncKernelManager(kernel_name="python3", transport="ipc")
    manager.ip = str(workdir / "kernel-ipc")  # sockets in the temporary folder: no network needed
    client = NotebookClient(notebook, km=manager, timeout=60, allow_errors=True, interrupt_on_timeout=True)
    with open(results_path, "a", encoding="utf-8") as results, client.setup_kernel(cwd=str(workdir)):
        for index, cell in enumerate(notebook.cells):
            remaining = deadline - time.monotonic()
            if remaining <= 1:
                return
            client.timeout = int(max(1, min(remaining, cell_seconds)))
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                return  # a kernel killed by its memory bomb: what follows is not reached
            exercise = cell.metadata.get("grader_exercise")
            if exercise:
                status, message = _outcome(cell.outputs, exercise, nonce)
                row = {"exercise": exercise, "status": status, "message": message}
                results.write(_signed(row, nonce) + "\n")
                results.flush()


# ---- The sandbox ---------------------------------------------------------------------------------------


def sandbox_prefix(workdir: Path) -> tuple[list[str], str]:
    """The command prefix that isolates a submission, and a sentence saying what it protects."""
    bwrap = shutil.which("bwrap")
    if bwrap and sys.platform.startswith("linux"):
        prefix = [
            bwrap,
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--tmpfs",
            "/dev/shm",
            "--bind",
            str(workdir),
            str(workdir),
            "--unshare-net",
            "--die-with-parent",
            "--chdir",
            str(workdir),
        ]
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix, "sandbox: bubblewrap (read-only files but its own folder, no network)"
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"], "sandbox: no network (install bubblewrap to also make other files read-only)"
    return [], "sandbox: none available here (time and memory limits only)"


def _limit_memory(megabytes: int):
    def apply():
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.setsid()

    return apply


#: Code that a homework has no reason to contain, and that could subvert checks run in the student's own
#: kernel (patching IPython, the import system, builtins, tracing, or reading the grader's files).
SUSPICIOUS = {
    "get_ipython": "IPython internals",
    "sys.modules": "the module table",
    "builtins": "builtins",
    "settrace": "tracing",
    "setprofile": "profiling hooks",
    "importlib": "the import system",
    "__import__": "the import system",
    "graded.ipynb": "the grader's notebook",
    "results.jsonl": "the grader's results",
    "/proc/": "other processes",
}


def _graded_code(notebook: dict) -> str:
    """The code of the cells the grader runs from a notebook: all but the setup cell and the check cells."""
    cells = [_source(cell) for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"][1:]
    return "\n".join(text for text in cells if not CHECK_FIRST_LINE.match(text.split("\n", 1)[0]))


def suspicious_code(submission: dict, lesson: str) -> list[str]:
    """What in a submission's code deserves a human look (the checks run in the student's own kernel).

    Only what the released notebook does not itself contain counts.
    """
    released = _graded_code(json.loads(released_notebook(lesson).read_text(encoding="utf-8")))
    code = _graded_code(submission)
    found = sorted({what for token, what in SUSPICIOUS.items() if token in code and token not in released})
    return [f"uses {what}" for what in found]


def grade_submission(
    path: Path, lesson: str, *, seconds: float, memory_mb: int = DEFAULT_MEMORY_MB, cell_seconds: float = 120
) -> SubmissionResult:
    """Grade one submission in a temporary folder, with limits; the student's file is only read."""
    started = time.monotonic()
    result = SubmissionResult(submission=str(path))
    checks = released_checks(lesson)
    try:
        submission = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(submission, dict) or not isinstance(submission.get("cells"), list):
            raise ValueError("not a notebook (no cells)")
    except (OSError, ValueError) as error:
        result.note = f"could not read the notebook: {error}"
        submission = None
    outcomes = {}
    if submission is not None:
        result.review = suspicious_code(submission, lesson)
        nonce = secrets.token_hex(16)
        with tempfile.TemporaryDirectory(prefix="grade-") as folder:
            workdir = Path(folder)
            graded = workdir / "graded.ipynb"
            graded.write_text(json.dumps(graded_notebook(submission, lesson, nonce)), encoding="utf-8")
            results_path = workdir / "results.jsonl"
            results_path.touch()
            prefix, result.note = sandbox_prefix(workdir)
            environment = {
                **os.environ,
                "HOME": folder,
                "TMPDIR": folder,
                "MPLCONFIGDIR": folder,
                "IPYTHONDIR": folder,
                "JUPYTER_RUNTIME_DIR": folder,
                "PYTHONPATH": str(ROOT),
                "COURSE_RECORD_FILE": "",
            }
            command = [
                *prefix,
                sys.executable,
                "-m",
                "utils.grade",
                "--worker",
                str(graded),
                str(results_path),
                str(seconds),
                str(cell_seconds),
            ]  # the nonce goes through stdin: a process's arguments are readable by its children
            try:
                subprocess.run(
                    command,
                    cwd=folder,
                    env=environment,
                    preexec_fn=_limit_memory(memory_mb),
                    input=nonce + "\n",
                    text=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=seconds + 60,
                )
            except subprocess.TimeoutExpired:
                result.note += "; stopped at the time limit"
            forged = 0
            for line in results_path.read_text(encoding="utf-8").splitlines():
                row = _verified(line, nonce)
                if row is None:
                    forged += 1
                    continue
                outcomes.setdefault(row["exercise"], (row["status"], row["message"]))
            if forged:
                result.review.append(f"{forged} forged line(s) in the results file, ignored")
    for check in checks:
        status, message = outcomes.get(check["id"], ("not reached", ""))
        points = float(check["points"]) if status == "passed" else 0.0
        result.exercises.append(ExerciseResult(check["id"], status, points, float(check["points"]), message))
    result.seconds = round(time.monotonic() - started, 1)
    return result


def grade_all(
    paths: list[Path],
    lesson: str,
    *,
    seconds: float,
    memory_mb: int = DEFAULT_MEMORY_MB,
    cell_seconds: float = 120,
    workers: int | None = None,
    progress=None,
) -> list[SubmissionResult]:
    """Grade every submission, `workers` at a time (default: one per core); results in input order."""
    workers = workers or os.cpu_count() or 1
    results: dict[int, SubmissionResult] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(
                grade_submission, path, lesson, seconds=seconds, memory_mb=memory_mb, cell_seconds=cell_seconds
            ): index
            for index, path in enumerate(paths)
        }
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress:
                progress(done, len(paths))
    return [results[index] for index in range(len(paths))]


# ---- Reports -------------------------------------------------------------------------------------------


def table(results: list[SubmissionResult]) -> str:
    if not results:
        return "(no submissions)"
    ids = [result.exercise for result in results[0].exercises]
    short = {"passed": "ok", "failed": "FAIL", "not attempted": "-", "not reached": "n/r"}
    width = max(len(Path(result.submission).name) for result in results)
    lines = [f"{'submission':<{width}}  " + "  ".join(f"{ident:>5}" for ident in ids) + "  score"]
    for result in results:
        cells = "  ".join(f"{short[r.status]:>5}" for r in result.exercises)
        review = f"  review: {'; '.join(result.review)}" if result.review else ""
        lines.append(f"{Path(result.submission).name:<{width}}  {cells}  {result.score:g}/{result.max_score:g}{review}")
    lines.append("ok passed, FAIL failed, - not attempted, n/r not reached (crashed or out of time earlier)")
    if any(result.review for result in results):
        lines.append(
            "review: code a homework does not need, that could subvert the checks; read it before trusting the score"
        )
    return "\n".join(lines)


def write_csv(results: list[SubmissionResult], path: Path) -> None:
    ids = [result.exercise for result in results[0].exercises] if results else []
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", *[f"exercise {ident}" for ident in ids], "total", "max", "review"])
        for result in results:
            writer.writerow(
                [
                    result.submission,
                    *[f"{r.points:g}" for r in result.exercises],
                    f"{result.score:g}",
                    f"{result.max_score:g}",
                    "; ".join(result.review),
                ]
            )


def gradescope_results(result: SubmissionResult) -> dict:
    """The results.json that Gradescope's autograder reads (tests with name, score, max_score, output)."""
    tests = [
        {
            "name": f"Exercise {r.exercise}",
            "score": r.points,
            "max_score": r.max_points,
            "output": r.status if not r.message else f"{r.status}: {r.message}",
            "status": "passed" if r.status == "passed" else "failed",
        }
        for r in result.exercises
    ]
    review = f"; to review: {'; '.join(result.review)}" if result.review else ""
    return {"score": result.score, "tests": tests, "output": result.note + review}


def _progress(done: int, total: int) -> None:
    bar = "#" * int(30 * done / total)
    print(f"\rgrading [{bar:<30}] {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)


def find_submissions(targets: list[str]) -> list[Path]:
    paths = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            paths += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.is_file():
            paths.append(path)
        else:
            raise SystemExit(f"grade: {target} is neither a notebook nor a folder.")
    if not paths:
        raise SystemExit("grade: no .ipynb submissions found.")
    return paths


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        notebook, results, seconds, cell_seconds = argv[1:5]
        nonce = sys.stdin.readline().strip()
        run_worker(Path(notebook), Path(results), float(seconds), nonce, float(cell_seconds))
        return 0
    from .bench import BUDGET_SECONDS, DEFAULT_BUDGET_SECONDS

    parser = argparse.ArgumentParser(prog="python -m utils.grade", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", help="submitted notebooks, or folders holding them")
    parser.add_argument("--lesson", required=True, help="the lesson number, e.g. 04")
    parser.add_argument("--csv", type=Path, help="write one row per submission here")
    parser.add_argument(
        "--gradescope", type=Path, help="results.json for one submission, or a folder for one file per submission"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="submissions graded at once")
    parser.add_argument("--timeout", type=float, help="seconds per submission (default: 4x the lesson's budget)")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, help="memory limit per submission")
    parser.add_argument("--cell-timeout", type=float, default=120, help="seconds before one cell is interrupted")
    args = parser.parse_args(argv)
    try:
        released_notebook(args.lesson)
    except ValueError as error:
        parser.error(str(error))
    if args.workers < 1 or args.memory_mb < 256 or args.cell_timeout <= 0 or (args.timeout or 1) <= 0:
        parser.error("--workers must be >= 1, --memory-mb >= 256, --timeout and --cell-timeout > 0.")
    seconds = args.timeout or TIME_FACTOR * BUDGET_SECONDS.get(args.lesson, DEFAULT_BUDGET_SECONDS)
    paths = find_submissions(args.submissions)
    started = time.monotonic()
    results = grade_all(
        paths,
        args.lesson,
        seconds=seconds,
        memory_mb=args.memory_mb,
        workers=args.workers,
        cell_seconds=args.cell_timeout,
        progress=_progress,
    )
    print(table(results))
    print(
        f"{len(results)} submissions in {time.monotonic() - started:.0f} s ({args.workers} at a time); "
        f"{results[0].note if results else ''}"
    )
    if args.csv:
        write_csv(results, args.csv)
    if args.gradescope:
        if len(results) == 1 and args.gradescope.suffix == ".json":
            args.gradescope.write_text(json.dumps(gradescope_results(results[0]), indent=2))
        else:
            args.gradescope.mkdir(parents=True, exist_ok=True)
            for result in results:
                target = args.gradescope / f"{Path(result.submission).stem}.json"
                target.write_text(json.dumps(gradescope_results(result), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
