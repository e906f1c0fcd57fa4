"""pytest plugin: keep the chapters as nbval executed them, and time each chapter.

    PYTHONPATH=tools pytest -p nbval_executed --keep-executed build/executed \\
        --nbval-lax --nbval-current-env notebooks

nbval runs every code cell of a chapter in a fresh kernel and compares the checked ones. This
plugin records what each cell printed and displayed (the same iopub messages a notebook
client stores) and, when every code cell of a chapter ran and passed, writes the chapter with
those outputs to ``--keep-executed DIR``. ``tools/build_book.py`` builds the book from these
copies instead of executing every chapter a second time. A chapter with a failing or skipped
cell, or one only partly run (``-k``), is not written, and an older copy of it is removed.

At the end of the run it prints a table of each chapter's execution time (the sum of its
cells' test durations).
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import nbformat
import pytest

_FILES: dict[str, object] = {}  # notebook path -> nbval's IPyNbFile
_PASSED: dict[str, dict[int, bool]] = {}  # notebook path -> {id(cell): passed}
_OUTPUTS: dict[int, list] = {}  # id(cell) -> outputs recorded by nbval
_SECONDS: dict[str, float] = {}  # notebook path -> seconds


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--keep-executed",
        metavar="DIR",
        default=None,
        help="write each chapter whose cells all passed, with their outputs, to DIR",
    )


def _is_nbval_cell(item: pytest.Item) -> bool:
    return hasattr(item, "test_outputs") and hasattr(item, "cell") and hasattr(item, "cell_num")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    if not _is_nbval_cell(item):
        return
    report = outcome.get_result()
    path = str(item.parent.fspath)
    _FILES[path] = item.parent
    _SECONDS[path] = _SECONDS.get(path, 0.0) + report.duration
    if report.when == "call" or (report.when == "setup" and report.skipped):
        _PASSED.setdefault(path, {})[id(item.cell)] = report.passed
        if report.passed and item.test_outputs is not None:
            _OUTPUTS[id(item.cell)] = copy.deepcopy(list(item.test_outputs))


def executed_notebook(nb: nbformat.NotebookNode, outputs: dict[int, list]) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose code cells hold ``outputs[id(cell)]``, numbered 1, 2, ..."""
    out = copy.deepcopy(nb)
    count = 0
    for original, cell in zip(nb.cells, out.cells, strict=True):
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = [nbformat.from_dict(dict(o)) for o in outputs.get(id(original), [])]
        for o in cell.outputs:
            if o.get("output_type") == "execute_result":
                o["execution_count"] = count
            if o.get("output_type") in ("display_data", "execute_result"):
                o.setdefault("metadata", {})
    return out


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    folder = session.config.getoption("keep_executed")
    if not folder:
        return
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for path, nbfile in _FILES.items():
        target = folder / Path(path).name
        nb = nbfile.nb
        code = [c for c in nb.cells if c.cell_type == "code"]
        passed = _PASSED.get(path, {})
        complete = len(code) > 0 and all(passed.get(id(c)) is True for c in code)
        if not complete:
            target.unlink(missing_ok=True)
            continue
        executed = executed_notebook(nb, _OUTPUTS)
        executed.metadata["rnnlab_executed"] = {
            "by": "nbval (tools/nbval_executed.py)",
            "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        nbformat.write(executed, target)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not _SECONDS:
        return
    tr = terminalreporter
    tr.section("chapter execution times (nbval)")
    total = 0.0
    for path in sorted(_SECONDS):
        seconds = _SECONDS[path]
        total += seconds
        passed = _PASSED.get(path, {})
        failed = sum(1 for ok in passed.values() if not ok)
        note = f"  ({failed} cell(s) failed or skipped)" if failed else ""
        tr.write_line(f"{Path(path).name:<40} {seconds:7.1f} s{note}")
    tr.write_line(f"{'total':<40} {total:7.1f} s  ({total / 60:.1f} min)")
