"""Binder (and the hub's single-user image): the binder/ folder as repo2docker reads it.

No image can be built here (no Docker, no internet). What stands in for a real Binder build:
- always: the files repo2docker reads are checked against requirements.txt, environment.yml and the Makefile, and
  binder/postBuild and binder/start are run with stand-ins for the programs they call;
- when repo2docker is importable (in this Python, or in the one R2D_PYTHON names, e.g. a venv holding
  `pip install jupyter-repo2docker`): repo2docker itself picks the build pack in a copy of the repository's
  configuration files, with and without binder/, and renders the Dockerfile it would build.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_environment import environment_pip_lines, requirement_lines

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
#: In requirements.txt for `make test` / `make bench` / lint, not needed by a student: kept out of the image.
TOOLS = {"pytest", "nbval", "ruff", "nbclient", "playwright"}


def _name(requirement: str) -> str:
    return requirement.split("~=")[0].split("==")[0].strip().lower()


def test_binder_installs_the_course_runtime_with_the_pins_of_requirements_txt():
    course = requirement_lines((ROOT / "requirements.txt").read_text())
    binder = requirement_lines((BINDER / "requirements.txt").read_text())
    assert TOOLS <= {_name(line) for line in course}, "TOOLS names a package requirements.txt no longer has"
    assert [line for line in binder if line not in course] == [], "binder/requirements.txt: a pin differs"
    missing = [line for line in course if line not in binder and _name(line) not in TOOLS]
    assert missing == [], "binder/requirements.txt lacks a runtime requirement of requirements.txt"
    assert not [line for line in binder if _name(line) in TOOLS], "test tools do not belong in the image"
    assert "nbgitpuller~=1.3.0" in binder, "the hub's single-user image needs nbgitpuller for the links"


def test_binder_python_is_the_environment_yml_python():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    environment = (ROOT / "environment.yml").read_text()
    assert runtime == "python-3.11" and "python=3.11" in environment
    # Everything environment.yml installs with pip is in requirements.txt (test_environment.py), so Binder matches.
    assert set(environment_pip_lines(environment)) >= set(requirement_lines((BINDER / "requirements.txt").read_text()))


def test_only_binder_is_read_and_its_scripts_are_executable():
    assert not (ROOT / ".binder").exists(), "repo2docker refuses a repository with both binder/ and .binder/"
    for script in ("postBuild", "start"):
        path = BINDER / script
        assert path.read_text().startswith("#!/bin/bash\n"), f"binder/{script} needs its shebang"
        assert os.access(path, os.X_OK), f"binder/{script} must be executable (chmod +x)"


def _stand_ins(folder: Path, names) -> dict:
    """Programs named `names` that only record how they were called, first on PATH."""
    folder.mkdir()
    for name in names:
        (folder / name).write_text(f'#!/bin/bash\necho "{name} $*" >> "{folder}/calls.log"\n')
        (folder / name).chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def test_post_build_prepares_the_data_as_make_data_does(tmp_path):
    # It runs in the repository folder (repo2docker's WORKDIR is $REPO_DIR) and stops the build on a failure.
    env = _stand_ins(tmp_path / "bin", ["python", "jupyter"])
    result = subprocess.run([str(BINDER / "postBuild")], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "bin" / "calls.log").read_text().splitlines()
    assert calls[0] == "python -m utils.data"
    assert calls[1].startswith("jupyter labextension disable")
    assert "$(BIN)/python -m utils.data" in (ROOT / "Makefile").read_text(), "make data no longer runs utils.data"
    failing = _stand_ins(tmp_path / "failing", [])
    (tmp_path / "failing" / "python").write_text("#!/bin/bash\nexit 1\n")
    (tmp_path / "failing" / "python").chmod(0o755)
    assert subprocess.run([str(BINDER / "postBuild")], cwd=ROOT, env=failing, capture_output=True).returncode != 0


def test_start_points_the_lessons_at_the_data_prepared_in_the_image(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("COURSE_DATA_DIR", "PYTHONHASHSEED")}
    probe = [
        sys.executable,
        "-c",
        "from utils.data._cache import data_dir; import os; print(data_dir(), os.environ['PYTHONHASHSEED'])",
    ]
    image = tmp_path / "srv" / "course"  # the image's copy of the course, $REPO_DIR
    student = tmp_path / "home" / "rnn-sequence-models"  # a clone pulled by nbgitpuller
    student.mkdir(parents=True)
    shutil.copytree(ROOT / "utils", student / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run(
        [str(BINDER / "start"), *probe],
        cwd=student,
        env={**env, "REPO_DIR": str(image)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(image / "data" / "cache"), "0"]
    # A hub that mounts a shared cache (COURSE_DATA_DIR in its configuration) wins over the image's copy.
    shared = tmp_path / "shared-cache"
    hub_env = {**env, "REPO_DIR": str(image), "COURSE_DATA_DIR": str(shared)}
    result = subprocess.run([str(BINDER / "start"), *probe], cwd=student, env=hub_env, capture_output=True, text=True)
    assert result.stdout.split()[0] == str(shared), result.stderr


# ---- repo2docker's own reading of the configuration -----------------------------------------------------------

_PROBE = """\
import json, os, sys
from repo2docker.app import Repo2Docker

os.chdir(sys.argv[1])
app = Repo2Docker()
picked = next((bp for bp in (BP(base_image=app.base_image) for BP in app.buildpacks) if bp.detect()), None)
if picked is None:
    picked = app.default_buildpack(base_image=app.base_image)
picked.platform = "linux/amd64"
print(json.dumps({
    "buildpack": type(picked).__name__,
    "binder_dir": picked.binder_dir,
    "python": getattr(picked, "python_version", None),
    "environment_file": getattr(picked, "environment_yaml_path", None),
    "post_build": picked.get_post_build_scripts(),
    "start": picked.get_start_script(),
    "dockerfile": picked.render({"NB_USER": "jovyan", "NB_UID": "1000"}),
}))
"""


def _repo2docker_python() -> str:
    local_venv = Path(__file__).resolve().parents[1] / "build" / "r2d-venv" / "bin" / "python"  # .ci/system-packages
    candidates = [os.environ.get("R2D_PYTHON"), sys.executable, str(local_venv) if local_venv.exists() else None]
    for python in filter(None, candidates):
        if subprocess.run([python, "-c", "import repo2docker"], capture_output=True).returncode == 0:
            return python
    pytest.skip(
        "repo2docker is not installed: `python3 -m venv build/r2d-venv && build/r2d-venv/bin/pip install "
        "jupyter-repo2docker` (what .ci/system-packages does), or name another Python in R2D_PYTHON "
        "(the static checks above ran anyway)"
    )


def _repo2docker_reads(folder: Path, python: str) -> dict:
    result = subprocess.run([python, "-c", _PROBE, str(folder)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _configuration_copy(folder: Path, with_binder: bool) -> Path:
    """The repository's configuration files (what repo2docker looks at), without the lessons."""
    folder.mkdir()
    for name in ("requirements.txt", "environment.yml", "pyproject.toml", "Makefile"):
        shutil.copy2(ROOT / name, folder / name)
    if with_binder:
        shutil.copytree(BINDER, folder / "binder")
    return folder


def test_repo2docker_picks_binder_requirements_python_3_11_post_build_and_start(tmp_path):
    python = _repo2docker_python()
    read = _repo2docker_reads(_configuration_copy(tmp_path / "repo", with_binder=True), python)
    assert read["buildpack"] == "PythonBuildPack" and read["binder_dir"] == "binder"
    assert read["python"] == "3.11"
    assert read["environment_file"] is None, "the root environment.yml (test tools included) must not be read"
    assert read["post_build"] == ["binder/postBuild"]
    assert read["start"] == "${REPO_DIR}/binder/start"
    lines = read["dockerfile"].splitlines()
    install = lines.index('RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"')
    copy_course = next(
        n for n, line in enumerate(lines) if line.startswith("COPY") and line.endswith("src/ ${REPO_DIR}/")
    )
    run_post_build = lines.index("RUN ./binder/postBuild")
    # Packages first, then the course is copied in, then the data is prepared in it: all at build time.
    assert install < copy_course < run_post_build
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in lines
    assert not any("environment.yml" in line and "binder" not in line for line in lines if line.startswith("COPY"))


def test_without_binder_repo2docker_would_build_the_root_environment_yml_instead(tmp_path):
    # Which file wins: binder/ hides the root's configuration; without it, conda's environment.yml (tests and all).
    python = _repo2docker_python()
    read = _repo2docker_reads(_configuration_copy(tmp_path / "repo", with_binder=False), python)
    assert read["buildpack"] == "CondaBuildPack" and read["binder_dir"] == ""
    assert read["environment_file"] == "environment.yml" and read["post_build"] == [] and read["start"] is None
