"""summary.html and every feedback.html of a real `grader batch`, opened in headless Chromium.

The browser is Debian's chromium package, driven by playwright (requirements-browser.txt) with
that executable; `make test` installs both. For each page: it loads with no console error, no
uncaught exception and no failed request; every <img> has loaded (naturalWidth > 0, so each
plot's PNG is where the page says); the screenshot is a PNG that is not a single colour. The
class holds a correct file, partial credit, a syntax error, an exception at import, and a
student whose id is HTML that would add an image and log an error if it were not escaped.

Skipped, like the nbgrader extra, where the browser extra is not installed. Time it adds
(measured on 2 shared cores, 2026-12-01): about 60 s, 40 of them the batch, 11 in the browser.
"""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from PIL import Image

from conftest import CORPUS, ROOT, SOLUTION_SOURCE, with_snippet

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
INSTALL = "the browser extra is not installed (`make .venv/.ready-browser` installs chromium and playwright)"
sync_api = pytest.importorskip("playwright.sync_api", reason=INSTALL)
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(INSTALL, allow_module_level=True)

# As the brief for headless runs says: no GPU, no network of its own, a new profile (playwright's
# user_data_dir). Playwright adds --headless itself.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
HOSTILE_ID = "<img src=nothing onerror=console.error(document.domain)>"
PLOTS = 4  # summary.py's PLOTS: scores, per op, per property, mistakes


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """The --out folder of `grader batch` on a small class."""
    folder = tmp_path_factory.mktemp("browser")
    submissions = folder / "submissions"
    submissions.mkdir()
    students = {
        "reference": SOLUTION_SOURCE,
        "partial-matmul": with_snippet(CORPUS / "wrong" / "matmul__no_transpose_grad_a.py"),
        "syntax-error": SOLUTION_SOURCE + "\n\ndef broken(:\n    pass\n",
        "raises-at-import": "raise RuntimeError('no <b>luck</b>')\n" + SOLUTION_SOURCE,
        HOSTILE_ID: SOLUTION_SOURCE,
    }
    for sid, source in students.items():
        (submissions / f"{sid}.py").write_text(source, encoding="utf-8")
    shutil.copy(ROOT / "tests" / "samples" / "broken" / "ops.py", submissions / "sample-broken.py")
    out = folder / "graded"
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(out), "-j", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield context
        finally:
            context.close()


def visit(browser, path: Path) -> dict:
    """Open `path`; what a reader would notice: errors, images, the screenshot, links and text."""
    page = browser.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"exception: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url} {request.failure}"))
    try:
        page.goto(path.as_uri(), wait_until="load")
        images = page.evaluate("Array.from(document.images, i => [i.getAttribute('src'), i.complete, i.naturalWidth])")
        links = page.evaluate("Array.from(document.links, a => a.href)")
        text = page.inner_text("body")
        screenshot = page.screenshot(full_page=True)
    finally:
        page.close()
    return {"problems": problems, "images": images, "links": links, "text": text, "screenshot": screenshot}


def assert_shows_something(screenshot: bytes) -> None:
    image = Image.open(io.BytesIO(screenshot))
    assert image.format == "PNG" and image.width > 0 and image.height > 0
    extrema = image.convert("RGB").getextrema()
    assert any(low != high for low, high in extrema), "the screenshot is a single colour"


def local_file(url: str) -> Path:
    parsed = urlparse(url)
    assert parsed.scheme == "file", url
    return Path(unquote(parsed.path))


def test_summary_loads_cleanly_with_every_plot(graded, browser):
    seen = visit(browser, graded / "summary.html")
    assert seen["problems"] == []
    assert len(seen["images"]) == PLOTS, seen["images"]  # the hostile id added none
    for src, complete, width in seen["images"]:
        assert complete and width > 0, f"plot {src} did not load"
    assert_shows_something(seen["screenshot"])
    assert HOSTILE_ID in seen["text"]  # shown as the text it is


def test_every_feedback_page_opens_from_the_summary_and_links_back(graded, browser):
    summary = visit(browser, graded / "summary.html")
    pages = [local_file(url) for url in summary["links"] if url.endswith("/feedback.html")]
    assert len(pages) == len(list((graded).glob("*/feedback.html"))) == 6
    for page in pages:
        assert page.is_file(), f"summary.html links to {page}, which is not there"
        seen = visit(browser, page)
        assert seen["problems"] == [], page
        for src, complete, width in seen["images"]:
            assert complete and width > 0, f"{page}: image {src} did not load"
        assert_shows_something(seen["screenshot"])
        back = [local_file(url) for url in seen["links"] if url.endswith("/summary.html")]
        assert back and all(path == graded / "summary.html" for path in back), (page, seen["links"])
