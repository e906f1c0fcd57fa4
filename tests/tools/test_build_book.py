"""Each chapter is executed once per test run: nbval's outputs are kept for the book.

tools/nbval_executed.py (a pytest plugin) writes the chapters nbval ran, with their outputs;
tools/build_book.py builds the book from them only when they are current.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bb = _load("build_book")
ne = _load("nbval_executed")


def _fresh_copies(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for chapter in bb.chapters():
        shutil.copy(chapter, folder / chapter.name)
    later = time.time() + 60
    for p in folder.iterdir():
        os.utime(p, (later, later))


def test_current_copies_are_used(tmp_path):
    _fresh_copies(tmp_path)
    assert bb.stale_reason(tmp_path) is None


def test_a_missing_an_edited_or_an_old_copy_is_not_used(tmp_path):
    _fresh_copies(tmp_path)
    first = bb.chapters()[0].name
    (tmp_path / first).unlink()
    assert "no executed copy of " + first in bb.stale_reason(tmp_path)

    _fresh_copies(tmp_path)
    nb = nbformat.read(tmp_path / first, as_version=4)
    nb.cells[0].source += "\nedited"
    nbformat.write(nb, tmp_path / first)
    os.utime(tmp_path / first, (time.time() + 60,) * 2)
    assert "older version of the chapter" in bb.stale_reason(tmp_path)

    _fresh_copies(tmp_path)
    os.utime(tmp_path / first, (0, 0))
    assert "before the library last changed" in bb.stale_reason(tmp_path)


def test_executed_notebook_places_and_numbers_outputs():
    nb = new_notebook(
        cells=[new_markdown_cell("# t"), new_code_cell("print(1)"), new_code_cell("2")]
    )
    outputs = {
        id(nb.cells[1]): [{"output_type": "stream", "name": "stdout", "text": "1\n"}],
        id(nb.cells[2]): [
            {"output_type": "execute_result", "data": {"text/plain": "2"}, "execution_count": 9}
        ],
    }
    out = ne.executed_notebook(nb, outputs)
    assert [c.get("execution_count") for c in out.cells] == [None, 1, 2]
    assert out.cells[1].outputs[0].text == "1\n"
    assert out.cells[2].outputs[0].execution_count == 2
    nbformat.validate(out)
    assert nb.cells[1].outputs == []  # the original is not touched


def _run_nbval(folder: Path, notebook: nbformat.NotebookNode, keep: Path):
    path = folder / "98_tiny.ipynb"
    nbformat.write(notebook, path)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tools"))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "nbval_executed", "--keep-executed"]
    cmd += [str(keep), "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider", str(path)]
    return subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True)


def test_plugin_keeps_a_passing_chapter_and_drops_a_failing_one(tmp_path):
    keep = tmp_path / "executed"
    good = new_notebook(cells=[new_code_cell("x = 6 * 7"), new_code_cell("print(x)")])
    run = _run_nbval(tmp_path, good, keep)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "chapter execution times (nbval)" in run.stdout
    kept = nbformat.read(keep / "98_tiny.ipynb", as_version=4)
    assert kept.cells[1].outputs[0].text == "42\n"
    assert kept.cells[1].execution_count == 2

    bad = new_notebook(cells=[new_code_cell("print(1)"), new_code_cell("1 / 0")])
    run = _run_nbval(tmp_path, bad, keep)
    assert run.returncode != 0
    assert not (keep / "98_tiny.ipynb").exists(), "a failing chapter must not be kept"
