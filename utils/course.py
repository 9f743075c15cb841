"""Facts about the course itself, defined once.

Badges, the Colab set-up cell and the tests all read these constants; `python -m utils.course`
rewrites every notebook's badges and setup cell from them.
"""

import argparse
import json
import pathlib
import re
import sys
import urllib.parse

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


#: The course folder (where notebooks/ and solutions/ live).
ROOT = pathlib.Path(__file__).resolve().parents[1]


def hub_link(hub: str, lesson: str | None = None, root=ROOT) -> str:
    """The nbgitpuller link that pulls the course (configured branch) into a JupyterHub user's home and
    opens lesson `lesson`'s student notebook in JupyterLab (or the course folder when lesson is None).

    nbgitpuller clones into a folder named after the repository, and a second click merges the new
    upstream commits while keeping the student's own edits.
    """
    parsed = urllib.parse.urlsplit(hub.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"the hub must be an http(s) URL such as https://hub.example.edu, got {hub!r}.")
    base = urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, parsed.path.rstrip("/"), "", ""))
    if base.endswith("/hub"):  # the hub's own prefix was included: do not double it
        base = base[: -len("/hub")]
    folder = GITHUB_REPOSITORY.split("/")[-1]  # where nbgitpuller clones it (its default targetpath)
    path = f"lab/tree/{folder}"
    if lesson is not None:
        if not re.fullmatch(r"\d\d", lesson):
            raise ValueError(f"lesson must be two digits such as '04', got {lesson!r}.")
        found = sorted(pathlib.Path(root).glob(f"notebooks/{lesson}_*.ipynb"))
        if not found:
            known = sorted(notebook.name[:2] for notebook in pathlib.Path(root).glob("notebooks/[0-9][0-9]_*.ipynb"))
            raise ValueError(f"no lesson {lesson} in notebooks/ (lessons: {', '.join(known) or 'none'}).")
        path += f"/notebooks/{found[0].name}"
    query = urllib.parse.urlencode({"repo": REPOSITORY_URL, "branch": BRANCH, "urlpath": path})
    return f"{base}/hub/user-redirect/git-pull?{query}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m utils.course",
        description="Without a command: rewrite every notebook's badges and setup cell from the constants "
        "in utils/course.py (run it after changing GITHUB_REPOSITORY or BRANCH).",
    )
    commands = parser.add_subparsers(dest="command")
    link = commands.add_parser("hub-link", help="print the nbgitpuller link that hands a lesson out on a JupyterHub")
    link.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    link.add_argument("--lesson", help="two digits, e.g. 04 (default: open the course folder)")
    args = parser.parse_args(argv)
    if args.command == "hub-link":
        try:
            print(hub_link(args.hub, args.lesson))
        except ValueError as error:
            parser.error(str(error))
        return 0
    for notebook_path in sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("solutions/*.ipynb")]):
        if sync_notebook(notebook_path):
            print(f"updated {notebook_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
