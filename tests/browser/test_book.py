"""The built Jupyter Book, served on 127.0.0.1 and read by chromium.

Reuses book/_build/html when it is newer than every source (notebooks, book pages and
config, the library); otherwise builds it first, as `make book` does (a few minutes).
Every page of the table of contents must load with no console error, no failed request (the
book is offline: MathJax and figures are local), no traceback, rendered figures and
rendered formulas; next/previous links walk through the chapters in order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Pages in table-of-contents order (book/_toc.yml: intro, the chapters, errata, references).
PAGES = ["intro", *(f"notebooks/{c}" for c in CHAPTERS), "errata", "references"]
TRACEBACK = re.compile(r"Traceback \(most recent call last\)")


def page_problems(page) -> list[str]:
    """Console errors, failed requests, tracebacks and broken figures of a loaded page."""
    problems = list(page.console_log.errors)
    text = page.inner_text("main")
    if TRACEBACK.search(text):
        problems.append("traceback text on the page")
    n_tracebacks = page.locator("main .output.traceback, main .output.error").count()
    if n_tracebacks:
        problems.append(f"{n_tracebacks} error output(s)")
    broken = page.evaluate(
        "() => Array.from(document.querySelectorAll('main img'))"
        ".filter(i => !(i.complete && i.naturalWidth > 0 && i.naturalHeight > 0))"
        ".map(i => (i.getAttribute('src') || '').slice(0, 60))"
    )
    problems += [f"image not rendered: {src}" for src in broken]
    return problems


def open_page(page, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    # MathJax typesets after loading; wait for it (pages without math have nothing to wait for).
    page.evaluate(
        "async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise)"
        " await MathJax.startup.promise; }"
    )


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_clean(page, book_url, name, artifacts):
    open_page(page, f"{book_url}/{name}.html")
    assert page.title(), name
    problems = page_problems(page)
    assert problems == [], f"{name}: " + "; ".join(problems)
    if name.startswith("notebooks/"):
        n_figures = page.locator("main img").count()
        assert n_figures >= 1, f"{name}: no figure on a chapter page"
        n_math = page.locator("main mjx-container").count()
        assert n_math >= 1, f"{name}: no formula typeset by MathJax"
        # The view at the chapter's first figure: what a reader of the book sees.
        page.locator("main img").first.scroll_into_view_if_needed()
        page.screenshot(path=artifacts / f"book-{Path(name).name}.png", full_page=False)


def test_every_chapter_has_a_page(book_url):
    html = ROOT / "book" / "_build" / "html" / "notebooks"
    missing = [c for c in CHAPTERS if not (html / f"{c}.html").exists()]
    assert not missing, f"chapters missing from the built book: {missing}"


def test_navigation_walks_the_chapters_in_order(page, book_url):
    # The pages this build has, in table-of-contents order (a missing chapter fails above).
    html = ROOT / "book" / "_build" / "html"
    pages = [p for p in PAGES if (html / f"{p}.html").exists()]
    open_page(page, f"{book_url}/intro.html")
    visited = ["intro"]
    for _ in range(len(pages) - 1):
        page.locator("a.right-next").first.click()
        page.wait_for_load_state("load")
        visited.append(page.url.removeprefix(book_url + "/").removesuffix(".html"))
    assert visited == pages
    assert page.locator("a.right-next").count() == 0, "the last page has a next link"
    for expected in reversed(pages[:-1]):
        page.locator("a.left-prev").first.click()
        page.wait_for_load_state("load")
        assert page.url == f"{book_url}/{expected}.html"
    sidebar = page.locator("nav.bd-docs-nav a.reference.internal")
    assert sidebar.count() >= len(pages) - 1, "the sidebar does not list every page"


def test_index_redirects_to_intro(page, book_url):
    page.goto(f"{book_url}/index.html")
    page.wait_for_url(re.compile(r".*/intro\.html$"), timeout=10_000)
