"""The Colab path of the setup cell: a clear message when the clone fails, only the lesson's pinned extras."""

import json
import os
import pathlib
import shutil
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


# ---- The whole Colab path, imitated ----------------------------------------------------------------------------
# Colab cannot be reached from here. What stands in for it: a fresh Python process whose sys.path holds a fake
# `google.colab` (imported first, as Colab's kernel does), a working directory standing for /content, the lesson's
# extras hidden as if Colab lacked them, and a fake `pip` module that `python -m pip` finds first: it records the
# command and "installs" (un-hides) the packages, so nothing is downloaded and TensorFlow is never touched. The
# clone comes from a file:// URL: a git repository holding this working tree on the configured branch, whose
# default branch is a decoy without the course (a clone of the wrong branch fails).

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLAB_LESSON = "04"  # cheap first cells (synthetic series, one figure, the naive forecast) and two extras
FIRST_CELLS = 5  # the setup cell and the four after it

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "course test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "course test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args, cwd):
    env = {**os.environ, **_GIT_ENV, "HOME": str(cwd)}  # no user git configuration
    result = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode().strip()


def publish_snapshot(folder: pathlib.Path, branch: str = course.BRANCH, decoy: str | None = None) -> pathlib.Path:
    """A git repository in `folder` holding this working tree (tracked and new files, not the ignored ones) as one
    commit on `branch`: the course as it would be published. With `decoy`, the repository's default branch
    (HEAD) is `decoy`, which holds no course."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True
    )
    assert listed.returncode == 0, listed.stderr.decode()
    folder.mkdir(parents=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not published
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    git("init", "--quiet", f"--initial-branch={branch}", cwd=folder)
    git("add", "--all", cwd=folder)
    git("commit", "--quiet", "-m", "the course", cwd=folder)
    if decoy:
        git("checkout", "--quiet", "--orphan", decoy, cwd=folder)
        git("rm", "-r", "--quiet", "--force", ".", cwd=folder)
        (folder / "DECOY.md").write_text("Not the course: the setup cell must clone the configured branch.\n")
        git("add", "DECOY.md", cwd=folder)
        git("commit", "--quiet", "-m", "decoy", cwd=folder)
    return folder


_FAKE_MODULES = {
    # No google/__init__.py: `google` stays a namespace package, so google.protobuf (TensorFlow's) still imports.
    "google/colab/__init__.py": '"""Stands for Colab\'s module: the setup cell only asks if it is imported."""\n',
    # Colab lacks the hidden packages until the fake pip installs them (FAKE_COLAB_INSTALLED lists those).
    "sitecustomize.py": """\
import importlib.machinery
import os
import sys

_HIDDEN = dict(pair.split("=") for pair in os.environ.get("FAKE_COLAB_MISSING", "").split(",") if pair)


def _installed():
    try:
        with open(os.environ["FAKE_COLAB_INSTALLED"]) as handle:
            return set(handle.read().split())
    except FileNotFoundError:
        return set()


class _ColabPathFinder(importlib.machinery.PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        package = _HIDDEN.get(name.partition(".")[0])
        if package is not None and package not in _installed():
            return None
        return super().find_spec(name, path, target)


sys.meta_path[:] = [_ColabPathFinder if f is importlib.machinery.PathFinder else f for f in sys.meta_path]
""",
    # `python -m pip ...` finds this package before the real pip (PYTHONPATH comes first on sys.path).
    "pip/__init__.py": "",
    "pip/__main__.py": """\
import json
import os
import re
import sys

with open(os.environ["FAKE_PIP_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if any("tensorflow" in argument.lower() for argument in sys.argv[1:]):
    sys.exit("fake pip: the Colab path must never install TensorFlow")
with open(os.environ["FAKE_COLAB_INSTALLED"], "a") as installed:
    for argument in sys.argv[1:]:
        if not argument.startswith("-") and argument != "install":
            installed.write(re.split(r"[~=<>!;\\[ ]", argument)[0] + "\\n")
""",
}

_KERNEL = """\
import google.colab  # Colab's kernel has imported it before the first cell runs
import importlib.util
import json
import sys

cells = json.loads(open(sys.argv[1]).read())
missing_before = [m for m in sys.argv[2].split(",") if importlib.util.find_spec(m) is None]
namespace = {"__name__": "__main__"}
for number, source in enumerate(cells):
    exec(compile(source, f"<cell {number}>", "exec"), namespace)
print("RESULT", json.dumps({"missing_before": missing_before, "course_root": str(namespace["course_root"]),
                            "utils": namespace["utils"].__file__, "where": namespace["utils"].where_am_i()}))
"""


def test_colab_imitation_clones_the_branch_installs_only_missing_pinned_extras_and_runs_the_lesson(tmp_path):
    upstream = publish_snapshot(tmp_path / "github" / "rnn-sequence-models", decoy="decoy")
    url = upstream.as_uri()
    content = tmp_path / "content"  # Colab's working directory, /content
    content.mkdir()
    fake = tmp_path / "fake-colab"
    for name, text in _FAKE_MODULES.items():
        (fake / name).parent.mkdir(parents=True, exist_ok=True)
        (fake / name).write_text(text)

    # The setup cell exactly as the released notebook holds it; only Colab's addresses are replaced.
    released = next(ROOT.glob(f"notebooks/{COLAB_LESSON}_*.ipynb")).relative_to(ROOT).as_posix()
    notebook = json.loads(git("show", f"{course.BRANCH}:{released}", cwd=upstream))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    cells = ["".join(cell["source"]) for cell in code[:FIRST_CELLS]]
    assert cells[0] == course.setup_cell(COLAB_LESSON)
    for address, stand_in in ((course.REPOSITORY_URL, url), ("/content", str(content))):
        assert cells[0].count(address) == 1, address
        cells[0] = cells[0].replace(address, stand_in)
    # A restarted kernel runs the setup cell again: no second clone, nothing left to install.
    cells.append(cells[0])
    (tmp_path / "cells.json").write_text(json.dumps(cells))

    extras = colab.LESSON_EXTRAS[COLAB_LESSON]
    env = {
        **os.environ,
        "PYTHONPATH": str(fake),
        "FAKE_COLAB_MISSING": ",".join(f"{module}={package}" for module, package in extras.items()),
        "FAKE_COLAB_INSTALLED": str(tmp_path / "installed.txt"),
        "FAKE_PIP_LOG": str(tmp_path / "pip.log"),
        "MPLBACKEND": "Agg",
        "COURSE_DATA_DIR": str(tmp_path / "colab-data"),  # an empty cache: the first cells need no download
    }
    env.pop("COURSE_RECORD_FILE", None)
    kernel = subprocess.run(
        [sys.executable, "-c", _KERNEL, str(tmp_path / "cells.json"), ",".join(extras)],
        cwd=content,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert kernel.returncode == 0, kernel.stdout[-2000:] + kernel.stderr[-4000:]
    result = json.loads(kernel.stdout.split("RESULT ", 1)[1])
    clone = content / "rnn-course"

    assert result["missing_before"] == list(extras), "the imitation must start without the lesson's extras"
    assert result["where"] == "Colab"
    assert result["course_root"] == str(clone) and result["utils"] == str(clone / "utils" / "__init__.py")
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=clone) == course.BRANCH
    assert not (clone / "DECOY.md").exists()
    assert git("rev-parse", "--is-shallow-repository", cwd=clone) == "true"  # --depth=1

    calls = [json.loads(line) for line in (tmp_path / "pip.log").read_text().splitlines()]
    assert calls == [["install", "--quiet", *(colab.pinned(package) for package in extras.values())]]
    assert not any("tensorflow" in argument for argument in calls[0])
