"""The set-up files agree with each other and with what the README promises."""

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def environment_pip_lines(text: str) -> list[str]:
    """The entries of the `- pip:` list in environment.yml (quotes removed)."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.strip() == "- pip:":
            inside = True
        elif inside and line.startswith("      - "):
            entry = line.strip()[2:].strip()
            quoted = len(entry) > 1 and entry[0] == entry[-1] and entry[0] in "'\""
            lines.append(entry[1:-1] if quoted else entry)
        elif inside and line.strip():
            inside = False
    return lines


def drift_problems(requirements_text: str, environment_text: str) -> list[str]:
    wanted, listed = requirement_lines(requirements_text), environment_pip_lines(environment_text)
    problems = [f"in requirements.txt, not in environment.yml: {line}" for line in wanted if line not in listed]
    problems += [f"in environment.yml, not in requirements.txt: {line}" for line in listed if line not in wanted]
    if "python=3.11" not in environment_text:
        problems.append("environment.yml must pin python=3.11")
    return problems


def test_environment_yml_installs_exactly_requirements_txt():
    requirements = (ROOT / "requirements.txt").read_text()
    environment = (ROOT / "environment.yml").read_text()
    assert drift_problems(requirements, environment) == []


def test_drift_is_caught():
    requirements = "# why\npandas~=3.1.1\n# why\nnbval~=0.11.0\n"
    assert drift_problems(requirements, "  - python=3.11\n  - pip:\n      - pandas~=3.1.1\n") == [
        "in requirements.txt, not in environment.yml: nbval~=0.11.0"
    ]
    assert drift_problems("# why\npandas~=3.1.1\n", "  - pip:\n      - pandas~=3.1.2\n") == [
        "in requirements.txt, not in environment.yml: pandas~=3.1.1",
        "in environment.yml, not in requirements.txt: pandas~=3.1.2",
        "environment.yml must pin python=3.11",
    ]


def test_every_requirement_is_compatible_release_pinned_and_explained():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    for number, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        assert "~=" in line, f"requirements.txt line {number + 1}: pin with ~= ({line})"
        previous = [text for text in lines[:number] if text.strip()]
        explained = previous and (previous[-1].startswith("#") or "~=" in previous[-1])
        assert explained, f"requirements.txt line {number + 1}: say which lessons need it in a comment above"


def test_tensorflow_is_cpu_only_on_linux_x86_and_regular_elsewhere():
    lines = requirement_lines((ROOT / "requirements.txt").read_text())
    assert any(line.startswith("tensorflow-cpu~=") and 'platform_machine == "x86_64"' in line for line in lines)
    assert any(line.startswith("tensorflow~=") and 'sys_platform != "linux"' in line for line in lines)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"```(?:bash|sh)?\n(make test)\n```", readme)
    assert match, "README.md must show the test command in a code block of its own"
    ci_commands = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    # Besides the README's command, CI may only install the optional system packages the README names.
    assert ci_commands[-1] == match.group(1), f".ci/run must end with the README's command: {ci_commands}"
    assert ci_commands[:-1] in ([], ["bash .ci/system-packages"]), f".ci/run runs something else: {ci_commands}"
    assert "bash .ci/system-packages" not in ci_commands or ".ci/system-packages" in readme


def _make_question(folder: Path) -> int:
    """`make -q install`: 0 when the set-up is up to date (nothing would run), 1 otherwise."""
    return subprocess.run(["make", "-q", "install"], cwd=folder, capture_output=True).returncode


def test_setup_is_idempotent_and_reinstalls_when_requirements_change(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path)
    shutil.copy(ROOT / "requirements.txt", tmp_path)
    assert _make_question(tmp_path) == 1, "with no .venv, make install must have work to do"
    digest = hashlib.sha256((tmp_path / "requirements.txt").read_bytes()).hexdigest()[:16]
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / f".installed-{digest}").touch()
    assert _make_question(tmp_path) == 0, "a second run with the same requirements must install nothing"
    with (tmp_path / "requirements.txt").open("a") as requirements:
        requirements.write("# a new lesson needs\nsix~=1.16\n")
    assert _make_question(tmp_path) == 1, "a change of requirements.txt must re-install"


def test_the_course_venv_is_up_to_date():
    if not (ROOT / ".venv").exists():
        pytest.skip("no .venv here (tests run outside make)")
    assert _make_question(ROOT) == 0, "make install would re-install: .venv does not match requirements.txt"
