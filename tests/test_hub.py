"""A class on JupyterHub: the nbgitpuller link `python -m utils.course hub-link` prints, and nbgitpuller's own pull.

No hub can be reached from here. What stands in for one: nbgitpuller's GitPuller (the code a hub user's server
runs when the link is opened) pulling from a file:// clone of this working tree on the configured branch into a
"student" home, with the folder and branch the link names.
"""

import json
import subprocess
import sys
import urllib.parse

import pytest

from tests.test_colab import ROOT, git, publish_snapshot
from utils import course

HUB = "https://hub.example.edu"
LESSON = "04"


def link_parts(link: str) -> tuple[str, dict[str, str]]:
    base, _, query = link.partition("?")
    parameters = urllib.parse.parse_qs(query, strict_parsing=True)
    assert all(len(values) == 1 for values in parameters.values()), parameters
    return base, {name: values[0] for name, values in parameters.items()}


def lesson_notebook(lesson: str = LESSON) -> str:
    return next(ROOT.glob(f"notebooks/{lesson}_*.ipynb")).relative_to(ROOT).as_posix()


def target_folder(repo_url: str) -> str:
    """The folder nbgitpuller clones into when the link names none (nbgitpuller/handlers.py: targetpath)."""
    return repo_url.rstrip("/").split("/")[-1]


def test_the_link_pulls_the_configured_repository_and_branch_and_opens_the_lesson_in_jupyterlab():
    base, parameters = link_parts(course.hub_link(HUB, LESSON))
    assert base == f"{HUB}/hub/user-redirect/git-pull"
    assert parameters == {
        "repo": course.REPOSITORY_URL,
        "branch": course.BRANCH,
        "urlpath": f"lab/tree/{target_folder(course.REPOSITORY_URL)}/{lesson_notebook()}",
    }
    assert (ROOT / lesson_notebook()).is_file()


def test_the_link_without_a_lesson_opens_the_course_folder_and_tolerates_the_hub_prefix():
    for hub in (HUB, HUB + "/", HUB + "/hub", HUB + "/hub/"):
        base, parameters = link_parts(course.hub_link(hub))
        assert base == f"{HUB}/hub/user-redirect/git-pull", hub
        assert parameters["urlpath"] == f"lab/tree/{target_folder(course.REPOSITORY_URL)}"
    # A hub served under a path of its own keeps it.
    assert course.hub_link("https://uni.example.edu/jupyter").startswith("https://uni.example.edu/jupyter/hub/")


def test_the_link_rejects_what_it_cannot_hand_out():
    with pytest.raises(ValueError, match="http"):
        course.hub_link("hub.example.edu", LESSON)
    with pytest.raises(ValueError, match="two digits"):
        course.hub_link(HUB, "4")
    with pytest.raises(ValueError, match="no lesson 99 in notebooks/ .lessons: 01"):
        course.hub_link(HUB, "99")


def test_the_command_line_prints_the_link():
    result = subprocess.run(
        [sys.executable, "-m", "utils.course", "hub-link", "--hub", HUB, "--lesson", LESSON],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == course.hub_link(HUB, LESSON) + "\n"
    wrong = subprocess.run(
        [sys.executable, "-m", "utils.course", "hub-link", "--hub", HUB, "--lesson", "99"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert wrong.returncode == 2 and "no lesson 99" in wrong.stderr and not wrong.stdout


def _pull(url: str, folder, branch: str) -> str:
    """What the link does on the student's server: nbgitpuller's GitPuller, clone on the first click, merge after."""
    pull = pytest.importorskip("nbgitpuller.pull", reason="nbgitpuller is in requirements.txt: run `make install`")
    return "".join(pull.GitPuller(url, str(folder), branch=branch).pull())


def _replace_line(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_nbgitpuller_keeps_the_students_work_and_brings_the_new_upstream_files(tmp_path):
    _, parameters = link_parts(course.hub_link(HUB, LESSON))
    folder = target_folder(parameters["repo"])
    upstream = publish_snapshot(tmp_path / "github" / folder)  # stands for the GitHub repository
    url = upstream.as_uri()
    student = tmp_path / "home" / folder
    notebook = parameters["urlpath"].removeprefix(f"lab/tree/{folder}/")

    # First click: the course arrives, on the link's branch, and the lesson the link opens is there.
    _pull(url, student, parameters["branch"])
    assert (student / notebook).is_file()
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=student) == course.BRANCH

    # The student works: changes a line of the lesson and saves a notebook of their own.
    answer_line = '"n_steps = 50\\n",'
    _replace_line(student / notebook, answer_line, '"n_steps = 64  # my experiment\\n",')
    (student / "notebooks" / "my_notes.ipynb").write_text('{"cells": [], "nbformat": 4, "nbformat_minor": 5}\n')
    spoiled = lesson_notebook("01")
    (student / spoiled).unlink()  # "I broke lesson 01, give me a fresh copy"

    # Meanwhile the instructor publishes: a new lesson file, a fix to the title of the same notebook, and a change
    # to the very line the student edited.
    title_line = '"# Lesson 04: Forecasting time series\\n",'
    _replace_line(upstream / notebook, title_line, '"# Lesson 04: Forecasting time series (revised)\\n",')
    _replace_line(upstream / notebook, answer_line, '"n_steps = 55\\n",')
    (upstream / "notebooks" / "99_new_lesson.ipynb").write_text('{"cells": [], "nbformat": 4, "nbformat_minor": 5}\n')
    git("add", "--all", cwd=upstream)
    git("commit", "--quiet", "-m", "a new lesson and a revised lesson 04", cwd=upstream)

    # Second click: the new upstream work arrives and the student's work survives.
    output = _pull(url, student, parameters["branch"])
    assert (student / "notebooks" / "99_new_lesson.ipynb").is_file(), output
    assert (student / "notebooks" / "my_notes.ipynb").is_file(), output
    text = (student / notebook).read_text(encoding="utf-8")
    assert "Forecasting time series (revised)" in text, "the upstream fix elsewhere in the notebook must arrive"
    assert "n_steps = 64  # my experiment" in text and "n_steps = 55" not in text, "the student's line must win"
    json.loads(text)  # still a valid notebook file
    assert (student / spoiled).read_bytes() == (upstream / spoiled).read_bytes(), "a deleted lesson comes back fresh"
    assert git("status", "--porcelain", "--untracked-files=no", cwd=student) == ""  # merged, no conflict left
