"""Facts about the course itself, defined once.

Badges, the Colab set-up cell and the tests all read these constants.
"""

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
