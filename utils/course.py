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

#: The first code cell of every notebook, word for word (tests/test_notebooks.py checks it).
SETUP_CELL = f"""\
# Setup: make the course's `utils` importable (here, on Binder or on Colab), then seed and configure.
import pathlib
import sys

if "google.colab" in sys.modules and not pathlib.Path("{COLAB_CLONE_DIR}").exists():
    !git clone --quiet --depth 1 {REPOSITORY_URL} {COLAB_CLONE_DIR}
here = pathlib.Path("{COLAB_CLONE_DIR}" if "google.colab" in sys.modules else ".").resolve()
course_root = next(p for p in (here, *here.parents) if (p / "utils" / "__init__.py").exists())
if str(course_root) not in sys.path:
    sys.path.insert(0, str(course_root))

import utils

utils.setup()"""


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
    changed = new_title != title or "".join(first_code["source"]) != SETUP_CELL
    cells[0]["source"] = new_title.splitlines(keepends=True)
    first_code["source"] = SETUP_CELL.splitlines(keepends=True)
    if changed:
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


if __name__ == "__main__":
    root = pathlib.Path(__file__).resolve().parents[1]
    for notebook_path in sorted([*root.glob("notebooks/*.ipynb"), *root.glob("solutions/*.ipynb")]):
        if sync_notebook(notebook_path):
            print(f"updated {notebook_path.relative_to(root)}")
