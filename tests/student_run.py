"""Run a student notebook so as to prove that every check cell fails until its exercise is solved.

In one fresh kernel, cells run in order, except that each exercise's check cell also runs *before*
its starter cells. Afterwards each exercise has two outcomes: the check before the starter cells
(it must fail: nothing of the student's exists yet, and no name defined earlier in the lesson may
pass it) and the check after the untouched starter cells (it must fail with "not attempted yet").
nbval's `raises-exception` tag only tolerates an error; this proves one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from tests import notebook_rules as rules


@dataclass
class CheckRun:
    exercise: str
    stage: str  # "before starter" or "after starter"
    error_name: str | None  # None: the check passed
    error_value: str


def _error(outputs) -> tuple[str | None, str]:
    for output in outputs:
        if output.get("output_type") == "error":
            return output.get("ename"), output.get("evalue", "")
    return None, ""


def exercise_layout(nb) -> dict[int, tuple[str, int]]:
    """heading cell index -> (exercise id, check cell index)."""
    checks = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            match = rules.CHECK_FIRST_LINE.match(rules.source(cell).split("\n", 1)[0])
            if match:
                checks[f"{match.group(1)}.{match.group(2)}"] = index
    layout = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            match = rules.EXERCISE_HEADING.search(rules.source(cell))
            if match:
                ident = f"{match.group(1)}.{match.group(2)}"
                if ident in checks:
                    layout[index] = (ident, checks[ident])
    return layout


def run_student_notebook(path: Path, *, timeout: int = 600) -> tuple[list[CheckRun], list[str]]:
    """Execute `path` as described above; return the check runs and the lesson cells that failed."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    layout = exercise_layout(nb)
    check_indices = {check for _, check in layout.values()}
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    runs, lesson_errors = [], []
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if index in layout:
                ident, check_index = layout[index]
                early = nbformat.v4.new_code_cell(nb.cells[check_index].source)
                client.execute_cell(early, check_index)
                runs.append(CheckRun(ident, "before starter", *_error(early.outputs)))
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, index)
            name, value = _error(cell.outputs)
            if index in check_indices:
                ident = next(i for i, c in layout.values() if c == index)
                runs.append(CheckRun(ident, "after starter", name, value))
            elif name is not None:
                lesson_errors.append(f"cell {index} raised {name}: {value[:200]}")
    return runs, lesson_errors


def problems(runs: list[CheckRun]) -> list[str]:
    """What is wrong: a check that passed, or that failed after the starter for another reason."""
    found = []
    for run in runs:
        if run.error_name is None:
            found.append(f"Exercise {run.exercise}: the check passed {run.stage} cells, with nothing solved")
        elif run.stage == "after starter" and "not attempted yet" not in run.error_value:
            found.append(
                f"Exercise {run.exercise}: after the untouched starter the check should say 'not attempted yet', "
                f"it raised {run.error_name}: {run.error_value[:160]}"
            )
    return found
