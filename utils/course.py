"""Facts about the course itself, defined once.

Badges, the Colab set-up cell and the tests all read these constants; `python -m utils.course`
rewrites every notebook's badges and setup cell from them.
"""

import json
import pathlib
import re

#: Where the course lives on GitHub (owner/name). Colab clones it from here.
GITHUB_REPOSITORY = "rnn-course/rnn-sequence-models"
#: The branch the badges point at.
BRANCH = "main"

REPOSITORY_URL = f"https://github.com/{GITHUB_REPOSITORY}"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"


def colab_url(notebook_path: str) -> str:
    """The 'Open in Colab' link for a notebook given by its path in the repository."""
    return f"https://colab.research.google.com/github/{GITHUB_REPOSITORY}/blob/{BRANCH}/{notebook_path}"


def binder_url(notebook_path: str) -> str:
    """The 'Launch Binder' link that opens this very notebook in JupyterLab."""
    return f"https://mybinder.org/v2/gh/{GITHUB_REPOSITORY}/{BRANCH}?urlpath=lab/tree/{notebook_path}"


def badges_markdown(notebook_path: str) -> str:
    """The two badges, as the Markdown line every notebook opens with."""
    return (
        f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({colab_url(notebook_path)}) "
        f"[![Binder]({BINDER_BADGE_IMAGE})]({binder_url(notebook_path)})"
    )


#: Where Colab keeps its clone of the course.
COLAB_CLONE_DIR = "/content/rnn-course"

#: The first code cell of every notebook, word for word but for the lesson number
#: (tests/test_notebooks.py checks it). On Colab it clones the configured branch, says what went
#: wrong if it cannot, and runs utils/colab.py to install the lesson's missing extras *before*
#: anything imports NumPy.
SETUP_CELL_TEMPLATE = """\
# Setup: make the course's `utils` importable (here, on Binder or on Colab), then seed and configure.
import pathlib
import subprocess
import sys

here = pathlib.Path.cwd()
if "google.colab" in sys.modules:  # Colab: fetch the course, then the few packages this lesson adds
    here, url = pathlib.Path("{clone_dir}"), "{url}"
    if not here.exists():
        command = ["git", "clone", "--quiet", "--depth=1", "--branch={branch}", url, str(here)]
        cloned = subprocess.run(command, capture_output=True, text=True)
        if cloned.returncode != 0:
            raise RuntimeError(f"Could not clone the course from {{url}}: {{cloned.stderr.strip()}}")
    subprocess.run([sys.executable, str(here / "utils" / "colab.py"), "{lesson}"], check=True)
course_root = next((p for p in (here, *here.parents) if (p / "utils" / "__init__.py").exists()), None)
if course_root is None:
    raise RuntimeError(f"No utils/ folder in {{here}} or above: open this notebook from the course folder.")
if str(course_root) not in sys.path:
    sys.path.insert(0, str(course_root))

import utils

utils.setup()"""


def setup_cell(lesson: str) -> str:
    """The setup cell of lesson `lesson` ('04'), as every notebook of that lesson must hold it."""
    if not (isinstance(lesson, str) and re.fullmatch(r"\d\d", lesson)):
        raise ValueError(f"lesson must be two digits such as '04', got {lesson!r}.")
    return SETUP_CELL_TEMPLATE.format(clone_dir=COLAB_CLONE_DIR, branch=BRANCH, url=REPOSITORY_URL, lesson=lesson)


_BADGES_LINE = re.compile(r"^\[!\[Open In Colab\]\(.*$", re.MULTILINE)


def sync_notebook(path) -> bool:
    """Rewrite a notebook's badges line and setup cell from the constants above; True if it changed.

    Run `python -m utils.course` after changing GITHUB_REPOSITORY or BRANCH.
    """
    path = pathlib.Path(path)
    repo_path = f"{path.parent.name}/{path.name}"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = notebook["cells"]
    first_code = next((cell for cell in cells if cell["cell_type"] == "code"), None)
    if not cells or cells[0]["cell_type"] != "markdown" or first_code is None:
        raise ValueError(f"{path}: expected a Markdown title cell and a setup code cell.")
    title = "".join(cells[0]["source"])
    if not _BADGES_LINE.search(title):
        raise ValueError(f"{path}: no badges line ('[![Open In Colab]...') in the first cell.")
    new_title = _BADGES_LINE.sub(lambda _: badges_markdown(repo_path), title, count=1)
    cell = setup_cell(path.name[:2])
    changed = new_title != title or "".join(first_code["source"]) != cell
    cells[0]["source"] = new_title.splitlines(keepends=True)
    first_code["source"] = cell.splitlines(keepends=True)
    if changed:
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


if __name__ == "__main__":
    root = pathlib.Path(__file__).resolve().parents[1]
    for notebook_path in sorted([*root.glob("notebooks/*.ipynb"), *root.glob("solutions/*.ipynb")]):
        if sync_notebook(notebook_path):
            print(f"updated {notebook_path.relative_to(root)}")
