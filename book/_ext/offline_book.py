"""A book that reads offline with a clean browser console.

- MathJax from the book itself. Sphinx loads MathJax 3 from a CDN by default; without a
  network the formulas stay raw TeX and the browser logs a failed request. The
  ``django-static-mathjax`` wheel (a dev dependency; it needs no Django) ships MathJax 3.2's
  ``es5`` bundle. The parts a page loads (``tex-mml-chtml.js`` and the components and fonts
  it pulls in) are copied to ``_static/mathjax/``; ``_config.yml`` sets
  ``mathjax_path: mathjax/tex-mml-chtml.js``.
- Each script once. sphinx-thebe (loaded by Jupyter Book 1 even with Thebe off) registers
  its inline ``const THEBE_JS_URL = ...`` script every time the environment is read, and a
  page that declares the constant twice logs a SyntaxError; duplicates are dropped.
- No embedded widget state. myst-nb copies the notebook's saved widget state (base64 images
  of every ipympl canvas, about 0.5 MB a chapter) into the page for a widget manager that the
  book never loads (``nb_ipywidgets_js: {}``); the figures show as their static PNGs.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

ENTRY = "tex-mml-chtml.js"
# Components tex-mml-chtml.js may load at run time (menu, accessibility, TeX extensions, fonts).
SUBDIRS = ("a11y", "adaptors", "input", "output", "sre", "ui")


def mathjax_es5() -> Path:
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "MathJax for the offline book is missing: install the dev extra "
            '(pip install -e ".[dev]", which includes django-static-mathjax)'
        )
    es5 = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    if not (es5 / ENTRY).is_file():
        raise RuntimeError(f"{es5 / ENTRY} not found: is django-static-mathjax installed?")
    return es5


def copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src = mathjax_es5()
    dest = Path(app.outdir) / "_static" / "mathjax"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / ENTRY, dest / ENTRY)
    for sub in SUBDIRS:
        if (src / sub).is_dir():
            shutil.copytree(src / sub, dest / sub, dirs_exist_ok=True)


def _script_key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    # An inline script's filename is None or "" depending on how it was added.
    return (getattr(script, "filename", None) or "", tuple(sorted(attributes.items())))


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def clean_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _script_key(script)
        if (getattr(script, "attributes", None) or {}).get("type") == WIDGET_STATE:
            continue
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    mathjax_es5()  # fail at the start of the build, not after executing every notebook
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", clean_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
