"""The built Jupyter Book, served on 127.0.0.1 and read by chromium.

Reuses book/_build/html when it is newer than every source (notebooks, book pages and
config, the library); otherwise builds it first, as `make book` does (a few minutes).
Every page of the table of contents must load with no console error, no failed request (the
book is offline: MathJax and figures are local), no traceback, rendered figures and
rendered formulas; next/previous links walk through the chapters in order. Solutions and
Think! answers are folded until the reader opens them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from book_toc import toc_pages

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHAPTER_PAGES = [f"notebooks/{c}" for c in CHAPTERS]
# Pages in table-of-contents order (book/_toc.yml: intro, the chapters, the appendix, the lab
# notes, the pages for instructors).
PAGES = toc_pages()
# Chapters in the shape of book/chapter_shape.md (tests/chapters/test_course_shape.py: CONVERTED):
# each has folded solutions and Think! prompts.
SHAPED = CHAPTERS  # every chapter is in the course shape (tests/chapters/test_course_shape.py)
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
    if name in CHAPTER_PAGES:
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


# -- folded solutions and answers -------------------------------------------------------------

# The label a pseudo-element draws (book/_static/book.css swaps "Show code cell source" for it).
LABEL = "el => getComputedStyle(el, '::after').content.replace(/^\"|\"$/g, '')"


@pytest.mark.parametrize("chapter", SHAPED)
def test_solution_is_folded_until_its_toggle_is_clicked(page, book_url, chapter, artifacts):
    open_page(page, f"{book_url}/notebooks/{chapter}.html")
    solutions = page.locator("main div.cell.tag_solution")
    assert solutions.count() >= 1, f"{chapter}: no solution cell (tag 'solution') on the page"
    for k in range(solutions.count()):
        cell = solutions.nth(k)
        code = cell.locator("div.cell_input")
        summary = cell.locator("details.hide > summary")
        assert summary.count() == 1, f"{chapter}: solution {k} has no toggle (tag 'hide-input')"
        assert not code.is_visible(), f"{chapter}: solution {k} is shown before its toggle"
        label = summary.locator("p.collapsed")
        assert label.evaluate(LABEL) == "Show solution", f"{chapter}: solution {k}'s toggle"
        summary.click()
        code.wait_for(state="visible", timeout=5_000)
        assert "def " in code.inner_text(), f"{chapter}: solution {k} shows no function"
        assert summary.locator("p.expanded").evaluate(LABEL) == "Hide solution"
        if k == 0:
            cell.scroll_into_view_if_needed()
            page.wait_for_timeout(500)  # myst-nb fades the code in over 0.3 s
            page.screenshot(path=artifacts / f"book-{chapter}-solution.png", full_page=False)
        summary.click()
        code.wait_for(state="hidden", timeout=5_000)


@pytest.mark.parametrize("chapter", SHAPED)
def test_think_answer_is_folded_until_its_summary_is_clicked(page, book_url, chapter):
    open_page(page, f"{book_url}/notebooks/{chapter}.html")
    # A Think! prompt: a paragraph starting with a bold "Think!", its answer in the <details>
    # that follows it.
    answers = page.locator("main p:has(> strong:text-is('Think!')) + details:not(.hide)")
    assert answers.count() >= 1, f"{chapter}: no Think! prompt with a <details> answer"
    for k in range(answers.count()):
        details = answers.nth(k)
        body = details.locator(":scope > :not(summary)")
        assert body.count() >= 1, f"{chapter}: Think! answer {k} is empty"
        assert details.get_attribute("open") is None
        assert not body.first.is_visible(), f"{chapter}: Think! answer {k} is not folded"
        details.locator(":scope > summary").click()
        body.first.wait_for(state="visible", timeout=5_000)
