"""Every notebook follows CONTRIBUTING.md; and every rule is shown to catch a notebook that breaks it."""

import copy
import importlib

import nbformat
import pytest

from tests import notebook_rules as rules
from utils import course

STUDENT = rules.lesson_notebooks("notebooks")
SOLUTION = rules.lesson_notebooks("solutions")
ALL = [(folder, name) for folder, found in (("notebooks", STUDENT), ("solutions", SOLUTION)) for name in found]


def test_there_are_lessons():
    assert len(STUDENT) >= 1, "notebooks/ holds no lesson"


def test_every_notebook_has_its_twin():
    assert rules.twins_problems(STUDENT, SOLUTION) == []


@pytest.mark.parametrize(("folder", "name"), ALL)
def test_notebook_is_valid_and_stored_without_outputs(folder, name):
    path = rules.ROOT / folder / name
    nbformat.validate(nbformat.read(path, as_version=4))
    assert rules.stored_output_problems(rules.load(path)) == []


@pytest.mark.parametrize(("folder", "name"), ALL)
def test_notebook_opens_with_title_badges_and_setup_cell(folder, name):
    assert rules.opening_problems(rules.load(rules.ROOT / folder / name), f"{folder}/{name}") == []


@pytest.mark.parametrize(("folder", "name"), ALL)
def test_exercises_have_tagged_checks(folder, name):
    nb = rules.load(rules.ROOT / folder / name)
    assert rules.exercise_problems(nb, f"{folder}/{name}", student=folder == "notebooks") == []


@pytest.mark.parametrize("name", sorted(set(STUDENT) & set(SOLUTION)))
def test_twins_share_their_exercises(name):
    student, solution = rules.load(STUDENT[name]), rules.load(SOLUTION[name])
    assert rules.twin_exercise_problems(student, solution) == []


@pytest.mark.parametrize("name", sorted(STUDENT))
def test_every_check_function_exists(name):
    module = importlib.import_module(f"utils.exercises.lesson{name[:2]}")
    for ident in rules.exercises(rules.load(STUDENT[name])):
        function = f"exercise_{ident.replace('.', '_')}"
        assert callable(getattr(module, function, None)), f"utils/exercises/lesson{name[:2]}.py lacks {function}()"


# ---- Each rule catches what it is meant to catch -------------------------------------------------


def _good_notebook(path="notebooks/07_demo.ipynb", *, student=True):
    nb = nbformat.v4.new_notebook()
    check_tags = {"tags": ["raises-exception"]} if student else {}
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            f"# Lesson 07: Demo\n\n{course.badges_markdown(path)}\n\nWhy.\n\nWhat you will learn:\n- it"
        ),
        nbformat.v4.new_code_cell(course.setup_cell("07")),
        nbformat.v4.new_markdown_cell("## Exercises"),
    ]
    for minor in (1, 2, 3):
        nb.cells += [
            nbformat.v4.new_markdown_cell(f"### Exercise 7.{minor}: Task\n\nDo it."),
            nbformat.v4.new_code_cell("answer = ..."),
            nbformat.v4.new_code_cell(
                f"# Check Exercise 7.{minor}\ncheck.exercise_7_{minor}(answer)", metadata=check_tags
            ),
        ]
    return nbformat.from_dict(nb)


def test_rules_accept_a_good_pair():
    student, solution = _good_notebook(), _good_notebook("solutions/07_demo.ipynb", student=False)
    assert rules.opening_problems(student, "notebooks/07_demo.ipynb") == []
    assert rules.exercise_problems(student, "notebooks/07_demo.ipynb", student=True) == []
    assert rules.exercise_problems(solution, "solutions/07_demo.ipynb", student=False) == []
    assert rules.twin_exercise_problems(student, solution) == []
    assert rules.stored_output_problems(student) == []


def test_missing_twin_or_bad_name_is_caught():
    assert rules.twins_problems({"07_demo.ipynb"}, set()) == ["notebooks/07_demo.ipynb has no twin in solutions/"]
    assert rules.twins_problems({"Demo.ipynb"}, {"Demo.ipynb"}) == ["Demo.ipynb: name is not NN_topic.ipynb"]


def test_stored_outputs_are_caught():
    nb = _good_notebook()
    nb.cells[1]["execution_count"] = 3
    assert rules.stored_output_problems(nb)


def test_badge_pointing_elsewhere_is_caught():
    nb = _good_notebook()
    nb.cells[0]["source"] = nb.cells[0]["source"].replace("07_demo", "08_other")
    problems = rules.opening_problems(nb, "notebooks/07_demo.ipynb")
    assert any("does not point at notebooks/07_demo.ipynb" in problem for problem in problems)


def test_edited_setup_cell_is_caught():
    nb = _good_notebook()
    nb.cells[1]["source"] += "\nprint('extra')"
    assert any("setup_cell" in problem for problem in rules.opening_problems(nb, "notebooks/07_demo.ipynb"))


def test_untagged_student_check_is_caught():
    nb = _good_notebook()
    nb.cells[-1]["metadata"] = {}
    problems = rules.exercise_problems(nb, "notebooks/07_demo.ipynb", student=True)
    assert problems == ["the check cell of Exercise 7.3 must carry the 'raises-exception' tag in notebooks/"]


def test_tagged_solution_cell_is_caught():
    nb = _good_notebook("solutions/07_demo.ipynb", student=True)  # tags left in the solution
    assert rules.exercise_problems(nb, "solutions/07_demo.ipynb", student=False)


def test_exercise_without_check_or_with_wrong_number_is_caught():
    nb = _good_notebook()
    del nb.cells[-1]
    nb.cells.append(nbformat.v4.new_markdown_cell("### Exercise 6.9: Misnumbered"))
    problems = rules.exercise_problems(nb, "notebooks/07_demo.ipynb", student=True)
    assert "Exercise 6.9 should be numbered 7.M" in problems
    assert any("Exercise 7.3 needs exactly one check cell" in problem for problem in problems)


def test_exercises_out_of_sync_are_caught():
    student, solution = _good_notebook(), copy.deepcopy(_good_notebook("solutions/07_demo.ipynb", student=False))
    solution.cells[3]["source"] += " Differently."
    del solution.cells[-3:]
    problems = rules.twin_exercise_problems(student, solution)
    assert any("exercise ids differ" in problem for problem in problems)
    assert "the text of Exercise 7.1 differs between notebooks/ and solutions/" in problems


def test_sync_rewrites_badges_and_setup_cell(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    stale = _good_notebook()
    stale.cells[0]["source"] = stale.cells[0]["source"].replace("rnn-course/", "old-owner/")
    stale.cells[1]["source"] = stale.cells[1]["source"].replace("rnn-course/", "old-owner/")
    path = folder / "07_demo.ipynb"
    nbformat.write(stale, path)
    assert rules.opening_problems(rules.load(path), "notebooks/07_demo.ipynb")
    assert course.sync_notebook(path) is True
    assert rules.opening_problems(rules.load(path), "notebooks/07_demo.ipynb") == []
    assert course.sync_notebook(path) is False  # already in sync: nothing to write
