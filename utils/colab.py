"""Install the few packages a lesson needs that Colab lacks, pinned as in requirements.txt.

Run by the setup cell on Colab *as a script* (`python utils/colab.py 04`), before the notebook
imports NumPy or anything else, so an install can never leave the kernel with a half-replaced
library. It imports nothing from the course, and never installs TensorFlow: Colab's own build
is the one to use there.

    python utils/colab.py 04            # install what lesson 04 needs and is missing
    python utils/colab.py 04 --dry-run  # print the pip command instead
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"

#: lesson -> {module to import: name on PyPI}. Only what Colab does not ship.
LESSON_EXTRAS: dict[str, dict[str, str]] = {
    "02": {"mlxtend": "mlxtend"},
    "04": {"statsmodels": "statsmodels", "pmdarima": "pmdarima"},
    "05": {"mlxtend": "mlxtend"},
    "06": {"statsmodels": "statsmodels", "pmdarima": "pmdarima"},
    "07": {"anywidget": "anywidget"},
}


def pinned(package: str, requirements: Path = REQUIREMENTS) -> str:
    """The requirement line for `package` in requirements.txt (e.g. 'pmdarima~=2.1.1')."""
    pattern = re.compile(rf"^{re.escape(package)}\s*(~=|==|>=)[^;#\s]+", re.IGNORECASE)
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = pattern.match(line.strip())
        if match:
            return match.group(0)
    raise LookupError(f"{package} is not pinned in {requirements}; add it there first.")


def missing_extras(lesson: str) -> list[str]:
    """The pinned requirements of `lesson`'s extras whose module cannot be imported here."""
    if not re.fullmatch(r"\d\d", lesson):
        raise ValueError(f"lesson must be two digits such as '04', got {lesson!r}.")
    extras = LESSON_EXTRAS.get(lesson, {})
    return [pinned(package) for module, package in extras.items() if importlib.util.find_spec(module) is None]


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 2
    lesson, dry_run = argv[0], "--dry-run" in argv[1:]
    wanted = missing_extras(lesson)
    if not wanted:
        return 0
    command = [sys.executable, "-m", "pip", "install", "--quiet", *wanted]
    print(f"Installing for lesson {lesson} on Colab: {' '.join(wanted)}")
    if dry_run:
        print(" ".join(command))
        return 0
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
