"""`python -m utils.site [lessons...]`: the course site, every lesson with its outputs, in build/site/.

`make site` renders each student notebook in notebooks/ (lecture order: 01, 02, ...) from its executed
copy in build/executed/notebooks/, the copy `make bench` keeps. A lesson whose copy is missing or older
than its notebook is executed first, by the same runner (`utils.bench.run_notebook`, a fresh kernel).

build/site/ then holds:
- index.html: the lessons in lecture order (title = the notebook's first heading), each with its page
  and its Colab and Binder links (made by utils/course.py, like the notebooks' own badges);
- NN_name.html: the lesson rendered by nbconvert (JupyterLab's look), outputs and figures embedded in
  the page, with the same links and the previous/next lesson;
- bench.html: the `make bench` table (build/bench.json or bench.md), or a note on how to make it;
- site.json: what was rendered (tests/test_site.py reads it); assets/: the style sheet and badges.

An exercise's check cell fails in a student notebook until the exercise is solved ("not attempted
yet"): the page shows that message as the check's feedback, not as an error. Any other error output
stays an error, is reported, and makes the command exit with status 1 (the site is written anyway).

With lesson numbers (`python -m utils.site 01 03`) only those lessons are rendered, nothing else is
executed, and the index says the build is partial.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .course import BINDER_BADGE_IMAGE, BRANCH, COLAB_BADGE_IMAGE, REPOSITORY_URL, binder_url, colab_url

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
COURSE_TITLE = "Recurrent neural networks and sequence models"
#: What a check cell of an untouched student notebook raises (utils.checks.NotAttempted).
EXPECTED_CHECK_ERRORS = ("NotAttempted",)

# Local copies of the two badges: the pages load no image from elsewhere, and a test can check every one.
COLAB_BADGE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20" role="img" \
aria-label="Open in Colab"><rect width="117" height="20" rx="3" fill="#555"/><rect x="20" width="97" height="20" \
rx="3" fill="#f9ab00"/><rect x="20" width="4" height="20" fill="#f9ab00"/><circle cx="10" cy="10" r="5" \
fill="none" stroke="#f9ab00" stroke-width="2.5"/><text x="68" y="14" fill="#fff" font-family="Verdana,sans-serif" \
font-size="11" text-anchor="middle">Open in Colab</text></svg>
"""
BINDER_BADGE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="109" height="20" role="img" \
aria-label="Launch Binder"><rect width="109" height="20" rx="3" fill="#555"/><rect x="20" width="89" height="20" \
rx="3" fill="#579aca"/><rect x="20" width="4" height="20" fill="#579aca"/><circle cx="10" cy="10" r="5" \
fill="none" stroke="#f5a252" stroke-width="2.5"/><text x="64" y="14" fill="#fff" font-family="Verdana,sans-serif" \
font-size="11" text-anchor="middle">Launch Binder</text></svg>
"""
SITE_CSS = """\
.course-nav { font-family: system-ui, sans-serif; border-bottom: 1px solid #ddd; padding: 0.6em 0 0.8em;
  margin-bottom: 1em; display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; align-items: center; }
.course-nav a { text-decoration: none; }
.course-nav img, .course-lessons img { vertical-align: middle; }
.course-note { font-family: system-ui, sans-serif; background: #fff8e1; border-left: 4px solid #f9ab00;
  padding: 0.5em 0.8em; margin: 0.8em 0; }
.course-check { font-family: system-ui, sans-serif; background: #f3f6fb; border-left: 4px solid #579aca;
  padding: 0.4em 0.8em; margin: 0.2em 0; white-space: pre-wrap; }
body.course-page { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
  line-height: 1.5; color: #222; }
.course-lessons { list-style: none; padding: 0; }
.course-lessons li { padding: 0.7em 0; border-bottom: 1px solid #eee; }
.course-lessons .number { display: inline-block; width: 2.2em; font-weight: bold; color: #666; }
.course-lessons .links { margin-left: 2.2em; margin-top: 0.3em; display: flex; gap: 0.8em; align-items: center; }
.course-lessons .missing { color: #a00; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
"""


@dataclass
class Lesson:
    number: str  # "01"
    source: Path  # notebooks/01_mlp_recap.ipynb
    title: str  # the notebook's first heading

    @property
    def repo_path(self) -> str:
        return f"{self.source.parent.name}/{self.source.name}"

    @property
    def page(self) -> str:
        return f"{self.source.stem}.html"


def notebook_title(notebook: dict, fallback: str) -> str:
    """The text of the notebook's first Markdown heading (any level)."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for line in source.splitlines():
            match = re.match(r"\s*#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                return match.group(1)
    return fallback


def find_lessons(root: Path = ROOT) -> list[Lesson]:
    """The student notebooks in notebooks/, in lecture order (by their two-digit number)."""
    lessons = []
    for path in sorted((Path(root) / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        lessons.append(Lesson(path.name[:2], path, notebook_title(notebook, path.stem)))
    return lessons


def executed_copy(lesson: Lesson, executed_dir: Path) -> Path:
    from .bench import executed_path

    return executed_path(lesson.source, executed_dir)


def is_stale(source: Path, executed: Path) -> bool:
    """True when the executed copy is missing or older than its notebook."""
    return not executed.exists() or executed.stat().st_mtime < source.stat().st_mtime


def ensure_executed(lessons: list[Lesson], executed_dir: Path, force: bool = False) -> list[str]:
    """Execute (fresh kernel, utils.bench's runner) every lesson whose executed copy is stale."""
    from .bench import run_notebook

    ran = []
    for lesson in lessons:
        if force or is_stale(lesson.source, executed_copy(lesson, executed_dir)):
            print(f"site: executing {lesson.repo_path} (no up-to-date copy in {executed_dir}) ...", flush=True)
            result = run_notebook(lesson.source.resolve(), executed_dir=executed_dir)
            print(
                f"site: {lesson.repo_path}: {result['seconds']} s"
                + (f", ERROR {result['error']}" if result["error"] else "")
            )
            ran.append(lesson.number)
    return ran


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def prepare_notebook(notebook, lesson: Lesson) -> list[str]:
    """Adapt an executed notebook for the site, in place; return its unexpected errors (cell: name).

    - the badges load local images (the links stay the notebook's own, made by utils/course.py);
    - a check cell's "not attempted yet" failure becomes the check's feedback, shown as such;
    - every other error output is left alone, and listed in the result.
    """
    errors = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            source = _text(cell.source)
            source = source.replace(COLAB_BADGE_IMAGE, "assets/colab-badge.svg")
            cell.source = source.replace(BINDER_BADGE_IMAGE, "assets/binder-badge.svg")
            continue
        if cell.cell_type != "code":
            continue
        expected = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and expected and output.get("ename") in EXPECTED_CHECK_ERRORS:
                message = html.escape(f"✗ {output.get('evalue', '')}")
                feedback = (
                    '<div class="course-check"><strong>The check, before the exercise is solved:</strong> '
                    f"{message}</div>"
                )
                outputs.append({"output_type": "display_data", "metadata": {}, "data": {"text/html": feedback}})
                continue
            if output.get("output_type") == "error":
                errors.append(
                    f"{lesson.source.name} cell {index}: {output.get('ename')}: {output.get('evalue', '')[:200]}"
                )
            outputs.append(output)
        cell.outputs = outputs
    return errors


_TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{% block extra_css %}<link rel="stylesheet" href="assets/site.css">{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.course_nav }}
{%- endblock body_header -%}
{% block error -%}
<div class="jp-RenderedText jp-OutputArea-output output_error" data-mime-type="application/vnd.jupyter.stderr" \
data-output-type="error">
<pre>
{%- for line in output.traceback -%}{{ line | ansi2html }}
{% endfor -%}
</pre>
</div>
{%- endblock error %}
"""


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"course_site.html.j2": _TEMPLATE})],
        template_file="course_site.html.j2",
        embed_images=True,
    )


def _badge_links(repo_path: str) -> str:
    return (
        f'<a class="colab-link" href="{html.escape(colab_url(repo_path))}">'
        '<img src="assets/colab-badge.svg" alt="Open in Colab" width="117" height="20"></a> '
        f'<a class="binder-link" href="{html.escape(binder_url(repo_path))}">'
        '<img src="assets/binder-badge.svg" alt="Launch Binder" width="109" height="20"></a>'
    )


def _lesson_nav(lessons: list[Lesson], position: int) -> str:
    lesson = lessons[position]
    parts = ['<a href="index.html">&larr; All lessons</a>']
    if position > 0:
        parts.append(
            f'<a rel="prev" href="{lessons[position - 1].page}">&lsaquo; {html.escape(lessons[position - 1].title)}</a>'
        )
    if position + 1 < len(lessons):
        parts.append(
            f'<a rel="next" href="{lessons[position + 1].page}">{html.escape(lessons[position + 1].title)} &rsaquo;</a>'
        )
    parts.append(f"<span>{_badge_links(lesson.repo_path)}</span>")
    parts.append(f'<a href="{html.escape(f"{REPOSITORY_URL}/blob/{BRANCH}/{lesson.repo_path}")}">Source on GitHub</a>')
    return '<nav class="course-nav">' + "\n".join(parts) + "</nav>"


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f'<title>{html.escape(title)}</title>\n<link rel="stylesheet" href="assets/site.css">\n</head>\n'
        f'<body class="course-page">\n{body}\n</body>\n</html>\n'
    )


def _index(lessons: list[Lesson], rendered: dict[str, dict], partial: bool) -> str:
    items = []
    for lesson in lessons:
        row = rendered.get(lesson.number)
        if row is None:
            heading = (
                f'<span class="title">{html.escape(lesson.title)}</span> '
                '<span class="missing">(not rendered in this build)</span>'
            )
        else:
            heading = f'<a class="lesson-link" href="{lesson.page}">{html.escape(lesson.title)}</a>'
            if row["errors"]:
                heading += f' <span class="missing">({len(row["errors"])} cell(s) with an error)</span>'
        items.append(
            f'<li data-lesson="{lesson.number}"><span class="number">{lesson.number}</span>{heading}'
            f'<div class="links">{_badge_links(lesson.repo_path)}'
            + (f'<span class="executed">executed {row["executed"]}</span>' if row else "")
            + "</div></li>"
        )
    note = ""
    if partial:
        note = (
            '<p class="course-note" id="partial-build">A partial build: only some lessons are rendered. '
            "<code>make site</code> renders them all.</p>"
        )
    body = (
        f"<h1>{html.escape(COURSE_TITLE)}</h1>\n"
        "<p>Every lesson below is shown as it runs: executed top to bottom in a fresh kernel, with its outputs "
        "and figures. The exercises' check cells show the feedback a student sees before solving them. "
        "Open a lesson in Colab or Binder to run it yourself.</p>\n"
        f'{note}<ol class="course-lessons">\n' + "\n".join(items) + "\n</ol>\n"
        '<p><a href="bench.html">Benchmark: time, memory and key results of every notebook</a> &middot; '
        f'<a href="{html.escape(REPOSITORY_URL)}">The course on GitHub</a></p>'
    )
    return _page(COURSE_TITLE, body)


def _bench_page(build_dir: Path) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from .bench import markdown_table

    bench_json, bench_md = build_dir / "bench.json", build_dir / "bench.md"
    if bench_json.exists():
        table, source = markdown_table(json.loads(bench_json.read_text())), bench_json
    elif bench_md.exists():
        table, source = bench_md.read_text(), bench_md
    else:
        table, source = None, None
    intro = '<p><a href="index.html">&larr; All lessons</a></p>\n<h1>Benchmark</h1>\n'
    if table is None:
        body = intro + (
            '<p class="course-note" id="no-bench">No benchmark in this build yet. Run <code>make bench</code> '
            "(it executes every notebook in notebooks/ and solutions/ in a fresh kernel and writes "
            "build/bench.json and build/bench.md), then <code>make site</code> again: this page then shows "
            "the table.</p>"
        )
    else:
        when = datetime.fromtimestamp(source.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        body = intro + (
            f"<p>From <code>make bench</code> ({source.name}, {when}): each notebook executed top to bottom in a "
            "fresh kernel; wall seconds against the lesson's budget (measured on a 2-core CPU), the slowest cell, "
            "the kernel's peak memory (Binder allows 2 GB) and the key results each notebook records.</p>\n"
            f'<div id="bench-table">{markdown2html_mistune(table)}</div>'
        )
    return _page(f"Benchmark - {COURSE_TITLE}", body)


def build_site(
    lessons: list[Lesson],
    executed_dir: Path,
    output: Path,
    build_dir: Path = BUILD,
    only: list[str] | None = None,
) -> dict:
    """Render the site from the executed copies (which must exist); return its manifest."""
    import nbformat

    output = Path(output)
    if output.exists():
        if not (output / "site.json").exists() and any(output.iterdir()):
            raise SystemExit(f"site: {output} exists and is not a site this command made; not overwriting it.")
        shutil.rmtree(output)
    (output / "assets").mkdir(parents=True)
    (output / "assets" / "site.css").write_text(SITE_CSS)
    (output / "assets" / "colab-badge.svg").write_text(COLAB_BADGE_SVG)
    (output / "assets" / "binder-badge.svg").write_text(BINDER_BADGE_SVG)

    exporter = _exporter()
    chosen = [lesson for lesson in lessons if only is None or lesson.number in only]
    rendered = {}
    for lesson in chosen:
        executed = executed_copy(lesson, executed_dir)
        notebook = nbformat.read(executed, as_version=4)
        errors = prepare_notebook(notebook, lesson)
        nav = _lesson_nav(chosen, chosen.index(lesson))
        body, _ = exporter.from_notebook_node(
            notebook, resources={"metadata": {"name": lesson.title}, "course_nav": nav}
        )
        (output / lesson.page).write_text(body, encoding="utf-8")
        rendered[lesson.number] = {
            "number": lesson.number,
            "title": lesson.title,
            "page": lesson.page,
            "notebook": lesson.repo_path,
            "colab": colab_url(lesson.repo_path),
            "binder": binder_url(lesson.repo_path),
            "executed": datetime.fromtimestamp(executed.stat().st_mtime).strftime("%Y-%m-%d %H:%M"),
            "errors": errors,
        }
    partial = len(chosen) < len(lessons)
    (output / "index.html").write_text(_index(lessons, rendered, partial), encoding="utf-8")
    (output / "bench.html").write_text(_bench_page(build_dir), encoding="utf-8")
    manifest = {
        "lessons": list(rendered.values()),
        "partial": partial,
        "not_rendered": [lesson.number for lesson in lessons if lesson.number not in rendered],
        "bench": (build_dir / "bench.json").exists() or (build_dir / "bench.md").exists(),
    }
    (output / "site.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.site", description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="two-digit lesson numbers (default: every lesson in notebooks/)")
    parser.add_argument("--executed", default=str(BUILD / "executed"), help="where the executed copies are kept")
    parser.add_argument("--output", default=str(BUILD / "site"), help="the site's folder")
    parser.add_argument("--force", action="store_true", help="execute every lesson again, even up-to-date ones")
    args = parser.parse_args(argv)
    lessons = find_lessons()
    known = [lesson.number for lesson in lessons]
    unknown = [number for number in args.lessons if number not in known]
    if unknown:
        parser.error(f"no lesson {', '.join(unknown)} in notebooks/ (lessons: {', '.join(known)}).")
    only = args.lessons or None
    chosen = [lesson for lesson in lessons if only is None or lesson.number in only]
    ensure_executed(chosen, Path(args.executed), force=args.force)
    manifest = build_site(lessons, Path(args.executed), Path(args.output), only=only)
    errors = [error for row in manifest["lessons"] for error in row["errors"]]
    print(f"site: {len(manifest['lessons'])} lesson page(s), index and benchmark page in {args.output}/index.html")
    if manifest["partial"]:
        print(f"site: partial build; not rendered: {', '.join(manifest['not_rendered'])} (make site renders all)")
    for error in errors:
        print(f"site: ERROR output in {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
