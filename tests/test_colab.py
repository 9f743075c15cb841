"""The Colab path of the setup cell: a clear message when the clone fails, only the lesson's pinned extras."""

import subprocess
import sys

import pytest

from utils import colab, course


def _colab_cell(tmp_path, url):
    cell = course.setup_cell("04").replace(course.REPOSITORY_URL, url)
    return cell.replace(course.COLAB_CLONE_DIR, str(tmp_path / "clone")).replace("import utils\n\nutils.setup()", "")


def test_a_failed_clone_says_so_clearly(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    with pytest.raises(RuntimeError, match="Could not clone the course from file:///nowhere"):
        exec(_colab_cell(tmp_path, "file:///nowhere/course.git"), {})


def test_the_clone_takes_the_configured_branch():
    assert f'"--branch={course.BRANCH}"' in course.setup_cell("04")


def test_setup_cell_is_per_lesson_and_validates():
    assert '"colab.py"), "04"]' in course.setup_cell("04")
    with pytest.raises(ValueError, match="two digits"):
        course.setup_cell("4")


def test_extras_are_pinned_as_in_requirements():
    requirements = colab.REQUIREMENTS.read_text()
    for extras in colab.LESSON_EXTRAS.values():
        for package in extras.values():
            line = colab.pinned(package)
            assert line in requirements and "~=" in line
    assert not any("tensorflow" in package for extras in colab.LESSON_EXTRAS.values() for package in extras.values())


def test_only_missing_extras_are_installed(monkeypatch):
    monkeypatch.setitem(colab.LESSON_EXTRAS, "99", {"json": "json-is-builtin", "no_such_module_xyz": "statsmodels"})
    assert colab.missing_extras("99") == [colab.pinned("statsmodels")]
    assert colab.missing_extras("01") == []


def test_the_script_runs_without_the_course_package(tmp_path):
    # Run by path, from elsewhere: it must not import utils (and so not NumPy) before installing.
    script = (
        f"import runpy, sys\nnamespace = runpy.run_path({str(colab.__file__)!r})\n"
        "assert namespace['main'](['04', '--dry-run']) == 0\n"
        "assert 'numpy' not in sys.modules and 'utils' not in sys.modules\nprint('clean')"
    )
    check = script
    result = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip().endswith("clean"), result.stderr
