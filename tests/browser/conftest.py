"""Browser tests: Debian's chromium driven by Playwright (never `playwright install`).

Every test in this folder is marked ``browser`` and SKIPPED, with the reason printed, when
the ``chromium`` executable or the ``playwright`` package is missing (`.ci/run` installs
chromium with apt; `make browser` runs only these tests). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from book_toc import toc_pages  # tests/ is on the path (pyproject.toml)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - dev extra not installed
    sync_playwright = None


def skip_reason() -> str | None:
    if CHROMIUM is None:
        return (
            "browser tests SKIPPED: no `chromium` on PATH "
            "(install it with `apt-get install -y chromium`; .ci/run does this)"
        )
    if sync_playwright is None:
        return 'browser tests SKIPPED: playwright is not installed (pip install -e ".[dev]")'
    return None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = skip_reason()
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_url(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before {url} answered")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server this session started (by its own handle, never by name)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class ConsoleLog:
    """Console errors and uncaught page errors of one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on(
            "console",
            lambda m: (
                self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on(
            "requestfailed",
            lambda r: self.errors.append(f"request failed: {r.url} ({r.failure})"),
        )


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.console_log = ConsoleLog(pg)
    yield pg
    context.close()


def python_server(directory: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_url(url + "/", 30, proc)
    return proc, url


def env_for_subprocess() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return env


# -- the built book -------------------------------------------------------------------------

BOOK = ROOT / "book"
HTML = BOOK / "_build" / "html"


BOOK_PAGES = toc_pages()


def newest_source() -> float:
    sources = [
        *(ROOT / "notebooks").glob("*.ipynb"),
        *BOOK.glob("*.md"),
        *BOOK.glob("_static/*"),
        *(ROOT / "studies").glob("*.md"),
        *BOOK.glob("*.yml"),
        *(BOOK / "_ext").glob("*.py"),
        *(ROOT / "rnnlab").rglob("*.py"),
    ]
    return max(p.stat().st_mtime for p in sources)


def book_is_fresh() -> bool:
    # Every page of the table of contents, and a lab note for every record (the notes are
    # generated before a build, so a new record may not have its page yet).
    pages = [HTML / f"{p}.html" for p in BOOK_PAGES]
    pages += [
        HTML / "notebooks" / "lab_notes" / f"{md.stem}.html"
        for md in (ROOT / "studies").glob("*.md")
    ]
    if not all(p.exists() for p in pages):
        return False
    return min(p.stat().st_mtime for p in pages) > newest_source()


@pytest.fixture(scope="session")
def book_url():
    """The built book served on 127.0.0.1 (built first unless fresh); yields its URL."""
    # RNNLAB_REUSE_BOOK=1 serves whatever book/_build/html holds (for iterating on these tests).
    reuse = os.environ.get("RNNLAB_REUSE_BOOK") == "1" and (HTML / "intro.html").exists()
    if not (reuse or book_is_fresh()):
        for tool in ("collect_errata.py", "collect_lab_notes.py"):
            subprocess.run([sys.executable, str(ROOT / "tools" / tool)], check=True, cwd=ROOT)
        # From the chapters `make notebooks` (nbval) executed, when they are current;
        # otherwise the book executes every chapter itself (tools/build_book.py).
        build = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "build_book.py")],
            cwd=ROOT,
            env=env_for_subprocess(),
            capture_output=True,
            text=True,
        )
        assert build.returncode == 0, "book build failed:\n" + build.stdout[-4000:] + build.stderr
    proc, url = python_server(HTML)
    yield url
    stop(proc)


# -- a live JupyterLab ----------------------------------------------------------------------

SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # Keep every cell in the DOM, so a widget far down the notebook can be found.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab serving copies of every chapter; yields its URL."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    root.mkdir()
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(nb, root)
    settings = tmp / "settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = env_for_subprocess()
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp / "workspaces")
    port = free_port()
    log = (tmp / "lab.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            "--LabApp.expose_app_in_browser=True",
            f"--ServerApp.root_dir={root}",
            "--allow-root",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_url(f"{url}/api/status", 120, proc)
        yield url
    finally:
        stop(proc)
        log.close()
