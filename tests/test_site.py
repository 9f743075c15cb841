"""The course site (`make site`, utils/site.py): how it is built, then the built site in a real browser.

The first tests build small sites from hand-made notebooks in a temporary folder (no kernel, seconds),
and one runs `utils.bench` on a one-cell notebook to see that it keeps the executed copy `make site`
renders. The browser test opens build/site/ as `make site` left it: it serves the folder on loopback,
opens the index, the benchmark page and every lesson page in headless Chromium (the course's way, as in
tests/test_browser_canvas.py: the `playwright` package driving Debian's `chromium`, never a browser of
its own), checks that every image loaded, that no cell shows an error and that each lesson links to
Colab and Binder, and saves screenshots in build/screenshots/site_*.png. Requests that would leave the
machine (MathJax and require.js from their CDN) are refused, so the test never needs the internet.
Without Chromium, playwright or a built site it is skipped, and says why.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from tests.browser import CHROMIUM_FLAGS, require_chromium
from utils import course, site
from utils.bench import main as bench_main

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "build" / "site"
SCREENSHOTS = ROOT / "build" / "screenshots"


# ---- Building a site (no kernel, no browser) ---------------------------------------------------------


def _lesson_notebook(title: str, check_error: str = "NotAttempted", other_error: bool = False):
    """An 'executed' lesson: title and badges, a figure, a check cell that failed as checks fail."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    badges = course.badges_markdown("notebooks/x.ipynb")
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}\n\n{badges}\n\nSome words."))
    figure = nbformat.v4.new_code_cell("plot()")
    png = (  # a 1x1 PNG
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    figure.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})]
    nb.cells.append(figure)
    check = nbformat.v4.new_code_cell("# Check Exercise 1.1\ncheck(my_answer)")
    check.metadata["tags"] = ["raises-exception"]
    check.outputs = [
        nbformat.v4.new_output(
            "error", ename=check_error, evalue="replace the `...` in `my_answer`", traceback=["\x1b[31m✗\x1b[0m ..."]
        )
    ]
    nb.cells.append(check)
    if other_error:
        broken = nbformat.v4.new_code_cell("1 / 0")
        broken.outputs = [
            nbformat.v4.new_output(
                "error", ename="ZeroDivisionError", evalue="division by zero", traceback=["Traceback ... ZeroDivision"]
            )
        ]
        nb.cells.append(broken)
    return nb


@pytest.fixture
def course_tree(tmp_path):
    """A course folder with three lessons (stored without outputs) and their executed copies."""
    (tmp_path / "notebooks").mkdir()
    executed = tmp_path / "build" / "executed" / "notebooks"
    executed.mkdir(parents=True)
    titles = {"02_second": "Lesson 02: Second", "01_first": "Lesson 01: First", "10_tenth": "Lesson 10: Tenth"}
    for stem, title in titles.items():
        nbformat.write(_lesson_notebook(title), executed / f"{stem}.ipynb")
        stored = _lesson_notebook(title)
        for cell in stored.cells:
            if cell.cell_type == "code":
                cell.outputs = []
        nbformat.write(stored, tmp_path / "notebooks" / f"{stem}.ipynb")
        os.utime(executed / f"{stem}.ipynb")  # executed after the notebook was saved
    return tmp_path


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.images, self.errors = [], [], 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and "href" in attributes:
            self.hrefs.append(attributes["href"])
        if tag == "img":
            self.images.append(attributes.get("src", ""))
        if attributes.get("data-output-type") == "error":
            self.errors += 1


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_lessons_in_lecture_order_with_titles_from_their_first_heading(course_tree):
    lessons = site.find_lessons(course_tree)
    assert [lesson.number for lesson in lessons] == ["01", "02", "10"]
    assert [lesson.title for lesson in lessons] == ["Lesson 01: First", "Lesson 02: Second", "Lesson 10: Tenth"]


def test_the_site_has_an_index_a_page_per_lesson_and_the_benchmark(course_tree):
    lessons = site.find_lessons(course_tree)
    output = course_tree / "build" / "site"
    manifest = site.build_site(lessons, course_tree / "build" / "executed", output, build_dir=course_tree / "build")
    assert not manifest["partial"] and [row["page"] for row in manifest["lessons"]] == [
        "01_first.html",
        "02_second.html",
        "10_tenth.html",
    ]
    index = _parse(output / "index.html")
    pages = [href for href in index.hrefs if href.endswith(".html") and href[:2].isdigit()]
    assert pages == ["01_first.html", "02_second.html", "10_tenth.html"], "the index is not in lecture order"
    for lesson in lessons:
        assert course.colab_url(lesson.repo_path) in index.hrefs and course.binder_url(lesson.repo_path) in index.hrefs
        page = _parse(output / lesson.page)
        assert course.colab_url(lesson.repo_path) in page.hrefs and course.binder_url(lesson.repo_path) in page.hrefs
        assert page.errors == 0, "a check's 'not attempted yet' should be shown as feedback, not as an error"
        assert any(src.startswith("data:image/png;base64,") for src in page.images), "the figure is not embedded"
        assert not [src for src in page.images if src.startswith("http")], "the badges should be local images"
        text = (output / lesson.page).read_text(encoding="utf-8")
        assert "course-check" in text and "replace the `...` in `my_answer`" in text
    assert (
        "make bench" in (output / "bench.html").read_text() and 'id="no-bench"' in (output / "bench.html").read_text()
    )
    for asset in ("site.css", "colab-badge.svg", "binder-badge.svg"):
        assert (output / "assets" / asset).stat().st_size > 0


def test_the_benchmark_page_shows_the_bench_table(course_tree):
    build = course_tree / "build"
    row = {"notebook": "notebooks/01_first.ipynb", "seconds": 12.5, "budget_seconds": 90}
    row |= {"slowest_cell_seconds": 3.0, "peak_memory_mb": 700, "error": None, "metrics": {"test_mae": 0.25}}
    (build / "bench.json").write_text(json.dumps([row]))
    site.build_site(site.find_lessons(course_tree), build / "executed", build / "site", build_dir=build)
    page = (build / "site" / "bench.html").read_text()
    assert "<table>" in page and "notebooks/01_first.ipynb" in page and "test_mae=0.25" in page
    assert 'id="no-bench"' not in page


def test_unexpected_errors_stay_errors_and_are_reported(course_tree):
    executed = course_tree / "build" / "executed" / "notebooks"
    nbformat.write(_lesson_notebook("Lesson 01: First", other_error=True), executed / "01_first.ipynb")
    nbformat.write(_lesson_notebook("Lesson 02: Second", check_error="TypeError"), executed / "02_second.ipynb")
    output = course_tree / "build" / "site"
    manifest = site.build_site(site.find_lessons(course_tree), executed.parent, output, build_dir=course_tree / "build")
    errors = {row["number"]: row["errors"] for row in manifest["lessons"]}
    assert len(errors["01"]) == 1 and "ZeroDivisionError" in errors["01"][0]
    assert len(errors["02"]) == 1 and "TypeError" in errors["02"][0], "a check that crashed is not a 'not attempted'"
    assert errors["10"] == []
    assert _parse(output / "01_first.html").errors == 1 and _parse(output / "02_second.html").errors == 1
    assert "cell(s) with an error" in (output / "index.html").read_text()


def test_a_partial_build_says_so(course_tree):
    output = course_tree / "build" / "site"
    lessons = site.find_lessons(course_tree)
    manifest = site.build_site(lessons, course_tree / "build" / "executed", output, only=["02"])
    assert manifest["partial"] and manifest["not_rendered"] == ["01", "10"]
    assert [row["number"] for row in manifest["lessons"]] == ["02"]
    index = (output / "index.html").read_text()
    assert 'id="partial-build"' in index and "not rendered in this build" in index


def test_the_site_never_overwrites_a_folder_it_did_not_make(course_tree):
    foreign = course_tree / "precious"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit, match="not a site"):
        site.build_site(site.find_lessons(course_tree), course_tree / "build" / "executed", foreign)
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_stale_copies_are_executed_again(course_tree, monkeypatch):
    lessons = site.find_lessons(course_tree)
    executed_dir = course_tree / "build" / "executed"
    first = executed_dir / "notebooks" / "01_first.ipynb"
    (executed_dir / "notebooks" / "02_second.ipynb").unlink()  # missing
    old = time.time() - 3600
    os.utime(first, (old, old))  # older than its notebook
    ran = []

    def fake_run(path, executed_dir=None):
        ran.append(Path(path).name)
        return {"seconds": 0.0, "error": None}

    monkeypatch.setattr("utils.bench.run_notebook", fake_run)
    assert site.ensure_executed(lessons, executed_dir) == ["01", "02"]
    assert ran == ["01_first.ipynb", "02_second.ipynb"]
    ran.clear()
    assert site.ensure_executed(lessons, executed_dir, force=True) == ["01", "02", "10"]


def test_bench_keeps_each_executed_notebook(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("6 * 7"))
    nbformat.write(nb, folder / "99_tiny.ipynb")
    output = tmp_path / "build"
    assert bench_main([str(folder / "99_tiny.ipynb"), "--output", str(output)]) == 0
    assert (output / "bench.json").exists() and (output / "bench.md").exists()
    executed = nbformat.read(output / "executed" / "notebooks" / "99_tiny.ipynb", as_version=4)
    assert len(executed.cells) == 1, "the benchmark's own memory cell should not be kept"
    assert executed.cells[0].outputs[0]["data"]["text/plain"] == "42"


# ---- The built site in Chromium ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_site() -> dict:
    if not (SITE / "index.html").exists() or not (SITE / "site.json").exists():
        pytest.skip("browser test of the course site skipped: build/site/ is missing (run `make site` first)")
    return json.loads((SITE / "site.json").read_text())


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium("the course site")


@pytest.fixture(scope="module")
def server(built_site):
    """build/site served on a free loopback port, from a thread; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def test_the_index_lists_every_lesson_in_lecture_order(built_site):
    lessons = site.find_lessons(ROOT)
    rendered = [row["number"] for row in built_site["lessons"]]
    index = _parse(SITE / "index.html")
    for lesson in lessons:
        assert course.colab_url(lesson.repo_path) in index.hrefs, f"lesson {lesson.number}: no Colab link"
        assert course.binder_url(lesson.repo_path) in index.hrefs, f"lesson {lesson.number}: no Binder link"
    pages = [href for href in index.hrefs if href.endswith(".html") and href[:2].isdigit()]
    assert pages == [f"{lesson.source.stem}.html" for lesson in lessons if lesson.number in rendered]
    if built_site["partial"]:
        pytest.skip(
            f"partial site (built with `python -m utils.site NN ...`): lessons {', '.join(built_site['not_rendered'])} "
            "are not rendered; `make site` renders every lesson"
        )
    assert rendered == [lesson.number for lesson in lessons], "run `make site`: the site is older than notebooks/"


def test_every_page_in_chromium(chromium, built_site, server):
    from playwright.sync_api import sync_playwright

    pages = ["index.html", "bench.html"] + [row["page"] for row in built_site["lessons"]]
    lessons = {row["page"]: row for row in built_site["lessons"]}
    problems, blocked = [], set()

    def only_loopback(route):
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.add(host)
            route.abort()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 1000},
        )  # fmt: skip
        try:
            browser.route("**/*", only_loopback)
            page = browser.new_page()
            for name in pages:
                response = page.goto(f"{server}/{name}", wait_until="load", timeout=60_000)
                if response is None or response.status != 200:
                    problems.append(f"{name}: HTTP {response and response.status}")
                    continue
                page.wait_for_function("() => Array.from(document.images).every(img => img.complete)", timeout=30_000)
                images = page.evaluate(
                    "() => Array.from(document.images).map(img => [img.getAttribute('src').slice(0, 60),"
                    " img.naturalWidth])"
                )
                problems += [f"{name}: image {src!r} did not load" for src, width in images if not width > 0]
                errors = page.evaluate(
                    "() => Array.from(document.querySelectorAll('[data-output-type=error], .output_error'))"
                    ".map(node => node.innerText.slice(0, 300))"
                )
                problems += [f"{name}: a cell shows an error: {text}" for text in errors]
                outputs_text = page.evaluate(
                    "() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))"
                    ".map(node => node.innerText).join('\\n')"
                )
                if "Traceback (most recent call last)" in outputs_text:
                    problems.append(f"{name}: an output shows a Python traceback")
                hrefs = set(page.evaluate("() => Array.from(document.links).map(link => link.href)"))
                if name in lessons:
                    row = lessons[name]
                    for kind in ("colab", "binder"):
                        if row[kind] not in hrefs:
                            problems.append(f"{name}: no {kind} link to {row[kind]}")
                    if not any(width > 0 and src.startswith("data:image") for src, width in images):
                        problems.append(f"{name}: no figure on the page")
                stem = Path(name).stem
                page.screenshot(path=str(SCREENSHOTS / f"site_{stem}.png"))
                figure = page.locator(".jp-OutputArea-output img").first
                if name in lessons and figure.count():
                    figure.scroll_into_view_if_needed()
                    page.screenshot(path=str(SCREENSHOTS / f"site_{stem}_figure.png"))
        finally:
            browser.close()
    print(f"site browser test: {len(pages)} pages; refused requests to {sorted(blocked) or 'nothing'}")
    assert not problems, "\n".join(problems)
