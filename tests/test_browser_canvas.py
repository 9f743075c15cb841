"""The lesson-07 canvas in a real browser: JupyterLab in headless Chromium, a shape drawn with pointer events.

The test starts JupyterLab from the course's environment on a free loopback port, opens
tests/fixtures/canvas_demo.ipynb (the lesson's canvas, `utils.sketching.draw_and_guess`, with a small
model trained in the notebook), runs it, draws a circle on the canvas with simulated pointer events and
waits for the guesses: first while the pen is still down, then after it is lifted. It saves a screenshot
to build/screenshots/lesson07_canvas.png.

It needs Chromium (Debian: `apt-get install chromium`) and the `playwright` Python package, which drives
that Chromium and never downloads a browser of its own; without either it is skipped, and says why.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import CHROMIUM_FLAGS, require_chromium

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "canvas_demo.ipynb"
SCREENSHOT = ROOT / "build" / "screenshots" / "lesson07_canvas.png"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def chromium() -> str:
    return require_chromium("the lesson-07 canvas")


@pytest.fixture
def lab(tmp_path):
    """JupyterLab serving a copy of the fixture notebook; yields its base URL."""
    port = free_port()
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(FIXTURE, served / FIXTURE.name)
    home = tmp_path / "jupyter"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    log_path = tmp_path / "lab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.allow_root=True",
             f"--ServerApp.root_dir={served}", "--LabApp.expose_app_in_browser=True"],
            cwd=served, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"JupyterLab did not start within 60 s:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def circle_points(box: dict, n_points: int = 40, turns: float = 1.05):
    """Screen positions of a circle drawn counter-clockwise on screen, inside the canvas's bounding box."""
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    radius = 0.35 * min(box["width"], box["height"])
    return [(cx + radius * math.cos(2 * math.pi * turns * k / n_points),
             cy - radius * math.sin(2 * math.pi * turns * k / n_points)) for k in range(n_points + 1)]  # fmt: skip


def test_drawing_on_the_canvas_shows_guesses(chromium, lab):
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1200, "height": 900},
        )  # fmt: skip
        try:
            page = browser.new_page()
            page.goto(f"{lab}/lab/tree/{FIXTURE.name}")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=60_000)
            # Wait for the kernel, then run every cell (the model trains in the notebook, in seconds).
            page.wait_for_function(
                "() => { const w = window.jupyterapp.shell.currentWidget;"
                " return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
                " && w.sessionContext.session.kernel.status === 'idle'; }",
                timeout=60_000,
            )
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            canvas = page.locator(".sketch-canvas canvas")
            canvas.wait_for(state="visible", timeout=240_000)  # generous: CI machines can be busy
            canvas.scroll_into_view_if_needed()
            guesses = page.locator(".sketch-canvas .sketch-guesses li")
            assert guesses.count() == 0, "guesses before anything was drawn"

            points = circle_points(canvas.bounding_box())
            page.mouse.move(*points[0])
            page.mouse.down()
            for point in points[: len(points) // 2]:
                page.mouse.move(*point)
            guesses.first.wait_for(timeout=30_000)  # guesses appear while the pen is still down
            for point in points[len(points) // 2 :]:
                page.mouse.move(*point)
            page.mouse.up()
            status = page.locator(".sketch-canvas .sketch-status")
            status.filter(has_text="1 stroke(s)").wait_for(timeout=30_000)
            page.wait_for_function(
                "() => document.querySelectorAll('.sketch-canvas .sketch-guesses li').length === 3", timeout=30_000
            )
            ranked = guesses.all_text_contents()
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
        finally:
            browser.close()
    assert len(ranked) == 3 and all(": " in guess and guess.endswith("%") for guess in ranked), ranked
    assert ranked[0].startswith("circle:"), f"the small model should call a drawn circle a circle, got {ranked}"
    print(f"browser test: guesses {ranked}, {time.monotonic() - started:.0f} s; screenshot {SCREENSHOT}")
