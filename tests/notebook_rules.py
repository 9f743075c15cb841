"""The notebook conventions of CONTRIBUTING.md as functions that list what is wrong.

Each rule takes notebooks as parsed JSON dicts and returns a list of problems (empty when the
rule holds), so tests/test_notebooks.py can apply them to the course and also show that each
one catches a notebook that breaks it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from utils import course

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("notebooks", "solutions")
NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
EXERCISE_HEADING = re.compile(r"^### Exercise (\d+)\.(\d+): \S", re.MULTILINE)
CHECK_FIRST_LINE = re.compile(r"^# Check Exercise (\d+)\.(\d+)\s*$")
# A badge's link target (not its image): ](https://colab... or ](https://mybinder...
BADGE_URL = re.compile(r"\]\((https://(?:colab\.research\.google\.com|mybinder\.org)/[^)\s]+)\)")
RAISES = "raises-exception"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def lesson_notebooks(folder: str) -> dict[str, Path]:
    return {path.name: path for path in sorted((ROOT / folder).glob("*.ipynb"))}


def twins_problems(student_names, solution_names) -> list[str]:
    problems = [
        f"{name}: name is not NN_topic.ipynb"
        for name in sorted(set(student_names) | set(solution_names))
        if not NAME.match(name)
    ]
    problems += [
        f"notebooks/{name} has no twin in solutions/" for name in sorted(set(student_names) - set(solution_names))
    ]
    problems += [
        f"solutions/{name} has no twin in notebooks/" for name in sorted(set(solution_names) - set(student_names))
    ]
    return problems


def stored_output_problems(nb: dict) -> list[str]:
    return [
        f"code cell {index} has stored outputs or an execution count"
        for index, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]


def opening_problems(nb: dict, repo_path: str) -> list[str]:
    """Title, badges for this very file, then the setup cell as the first code cell."""
    problems = []
    lesson = NAME.match(Path(repo_path).name).group(1)
    first = nb["cells"][0] if nb["cells"] else {"cell_type": "none", "source": ""}
    if first["cell_type"] != "markdown" or not source(first).startswith(f"# Lesson {lesson}: "):
        problems.append(f"the first cell must be Markdown starting with '# Lesson {lesson}: '")
    if course.badges_markdown(repo_path) not in source(first):
        problems.append(f"the first cell must hold the badges for {repo_path} (utils.course.badges_markdown)")
    links = [url for cell in nb["cells"] if cell["cell_type"] == "markdown" for url in BADGE_URL.findall(source(cell))]
    for url in (url for url in links if not url.endswith(".svg")):  # .svg: the badge images themselves
        if not url.endswith(repo_path) and not url.endswith(f"lab/tree/{repo_path}"):
            problems.append(f"badge link {url} does not point at {repo_path}")
    code_cells = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    if not code_cells or source(code_cells[0]) != course.setup_cell(lesson):
        problems.append(f"the first code cell must be utils.course.setup_cell('{lesson}'), word for word")
    if "What you will learn" not in source(first):
        problems.append("the first cell must say what the student will learn ('What you will learn')")
    return problems


def exercises(nb: dict) -> dict[str, str]:
    """Exercise id -> the text of its Markdown cell."""
    found = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for major, minor in EXERCISE_HEADING.findall(source(cell)):
                found[f"{major}.{minor}"] = source(cell)
    return found


def check_cells(nb: dict) -> list[tuple[str, dict]]:
    """(exercise id, cell) for every check cell."""
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            match = CHECK_FIRST_LINE.match(source(cell).split("\n", 1)[0])
            if match:
                found.append((f"{match.group(1)}.{match.group(2)}", cell))
    return found


def exercise_problems(nb: dict, repo_path: str, *, student: bool, minimum: int = 3) -> list[str]:
    problems = []
    lesson = int(NAME.match(Path(repo_path).name).group(1))
    found = exercises(nb)
    if len(found) < minimum:
        problems.append(f"{len(found)} exercises; at least {minimum} expected")
    if not any(cell["cell_type"] == "markdown" and source(cell).startswith("## Exercises") for cell in nb["cells"]):
        problems.append("no '## Exercises' section")
    problems += [
        f"Exercise {ident} should be numbered {lesson}.M" for ident in found if int(ident.split(".")[0]) != lesson
    ]
    checked = check_cells(nb)
    checked_ids = [ident for ident, _ in checked]
    for ident in found:
        if checked_ids.count(ident) != 1:
            problems.append(
                f"Exercise {ident} needs exactly one check cell ('# Check Exercise {ident}'), "
                f"found {checked_ids.count(ident)}"
            )
    for ident, cell in checked:
        call = f"check.exercise_{ident.replace('.', '_')}("
        if call not in source(cell):
            problems.append(f"the check cell of Exercise {ident} must call {call}...)")
        if student and RAISES not in tags(cell):
            problems.append(f"the check cell of Exercise {ident} must carry the '{RAISES}' tag in notebooks/")
    if not student:
        problems += [
            f"cell {index} carries '{RAISES}'; no cell may in solutions/"
            for index, cell in enumerate(nb["cells"])
            if RAISES in tags(cell)
        ]
    return problems


def twin_exercise_problems(student_nb: dict, solution_nb: dict) -> list[str]:
    student, solution = exercises(student_nb), exercises(solution_nb)
    problems = []
    if sorted(student) != sorted(solution):
        problems.append(f"exercise ids differ: notebooks/ has {sorted(student)}, solutions/ has {sorted(solution)}")
    problems += [
        f"the text of Exercise {ident} differs between notebooks/ and solutions/"
        for ident in sorted(set(student) & set(solution))
        if student[ident] != solution[ident]
    ]
    return problems
