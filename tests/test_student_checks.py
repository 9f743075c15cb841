"""Every student check cell fails until its exercise is solved (tests/student_run.py says how)."""

import nbformat
import pytest

from tests import notebook_rules as rules
from tests import student_run

STUDENT = rules.lesson_notebooks("notebooks")


@pytest.mark.parametrize("name", sorted(STUDENT))
def test_every_check_fails_until_solved(name):
    runs, lesson_errors = student_run.run_student_notebook(STUDENT[name])
    assert lesson_errors == [], "lesson cells (not exercises) failed"
    exercises = set(rules.exercises(rules.load(STUDENT[name])))
    assert {run.exercise for run in runs} == exercises and len(runs) == 2 * len(exercises)
    assert student_run.problems(runs) == []


def _tiny_lesson(tmp_path, check_body, lesson_code="lesson_answer = 3"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            f"import sys, types\nsys.path.insert(0, {str(rules.ROOT)!r})\nfrom utils.checks import exercise, require\n"
            f"def _check(answer):\n    with exercise('7.1'):\n{check_body}\n"
            f"check = types.SimpleNamespace(exercise_7_1=_check)\n{lesson_code}"
        ),
        nbformat.v4.new_markdown_cell("## Exercises"),
        nbformat.v4.new_markdown_cell("### Exercise 7.1: Add\n\nAdd one and two."),
        nbformat.v4.new_code_cell("answer = ..."),
        nbformat.v4.new_code_cell("# Check Exercise 7.1\ncheck.exercise_7_1(answer)"),
    ]
    path = tmp_path / "07_tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_proper_check_is_accepted(tmp_path):
    runs, errors = student_run.run_student_notebook(_tiny_lesson(tmp_path, "        require(answer, 'answer')"))
    assert errors == [] and len(runs) == 2 and student_run.problems(runs) == []
    assert runs[0].error_name == "NameError"  # before the starter cell: `answer` does not exist yet


def test_a_check_that_passes_unsolved_is_caught(tmp_path):
    runs, _ = student_run.run_student_notebook(_tiny_lesson(tmp_path, "        pass"))
    found = student_run.problems(runs)
    assert any("passed after starter" in problem for problem in found)


def test_a_check_passed_by_a_name_the_lesson_defined_is_caught(tmp_path):
    # The lesson already defined the name the check cell passes, as lesson 04 once imported `mae`.
    path = _tiny_lesson(tmp_path, "        require(answer, 'answer')", lesson_code="answer = 3")
    runs, _ = student_run.run_student_notebook(path)
    assert any("passed before starter" in problem for problem in student_run.problems(runs))
