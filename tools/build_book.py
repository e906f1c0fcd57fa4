"""Build the Jupyter Book into book/_build/html, executing each chapter only when needed.

    python tools/build_book.py                     # what `make book` runs
    python tools/build_book.py --executed DIR      # where nbval's executed chapters are
    python tools/build_book.py --execute           # execute every chapter, ignore DIR

`make notebooks` (nbval, with the plugin tools/nbval_executed.py) leaves every chapter that
passed, with its outputs, in build/executed/. When every chapter has such a copy whose cells
have the same sources as the chapter and which is newer than every file of the library, the
book is built from those copies without executing anything (a staged copy of book/ in
build/book-src/, where `notebooks/` holds the executed chapters and the lab notes, and
`execute_notebooks` is off). Otherwise the book executes every chapter itself, as before.
Either way the build runs with `-W -n --keep-going`: a warning or a failing cell fails it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "notebooks"
STAGE = ROOT / "build" / "book-src"


def chapters() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def newest_library_file() -> float:
    files = [*(ROOT / "rnnlab").rglob("*.py"), *(ROOT / "rnnlab" / "data").glob("*")]
    return max(p.stat().st_mtime for p in files)


def _sources(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in nb.cells]


def stale_reason(executed: Path) -> str | None:
    """Why the executed copies cannot stand in for the chapters (None when they can)."""
    library = newest_library_file()
    for chapter in chapters():
        copy = executed / chapter.name
        if not copy.exists():
            return f"no executed copy of {chapter.name} in {executed}"
        if copy.stat().st_mtime < library:
            return f"{copy.name} was executed before the library last changed"
        ran = nbformat.read(copy, as_version=4)
        if _sources(ran) != _sources(nbformat.read(chapter, as_version=4)):
            return f"{copy.name} was executed from an older version of the chapter"
    return None


def stage(executed: Path) -> Path:
    """book/ copied to build/book-src/, its notebooks/ the executed chapters and the lab notes."""
    if STAGE.exists():
        shutil.rmtree(STAGE)
    shutil.copytree(BOOK, STAGE, ignore=shutil.ignore_patterns("_build", "notebooks"))
    (STAGE / "notebooks").mkdir()
    for chapter in chapters():
        shutil.copy2(executed / chapter.name, STAGE / "notebooks" / chapter.name)
    shutil.copytree(NOTEBOOKS / "lab_notes", STAGE / "notebooks" / "lab_notes")
    config = yaml.safe_load((BOOK / "_config.yml").read_text())
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    (STAGE / "_config.yml").write_text(
        "# Staged by tools/build_book.py: the chapters were executed by nbval.\n"
        + yaml.safe_dump(config, sort_keys=False)
    )
    return STAGE


def build(source: Path) -> int:
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", "--all", "-W", "-n", "--keep-going", str(source)]
    if source != BOOK:
        cmd += ["--path-output", str(BOOK)]
    print("tools/build_book.py:", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executed", type=Path, default=ROOT / "build" / "executed")
    parser.add_argument("--execute", action="store_true", help="execute every chapter")
    args = parser.parse_args(argv)
    reason = "--execute given" if args.execute else stale_reason(args.executed)
    if reason is None:
        print(f"tools/build_book.py: building from the chapters nbval executed ({args.executed})")
        return build(stage(args.executed))
    print(f"tools/build_book.py: executing every chapter ({reason})")
    return build(BOOK)


if __name__ == "__main__":
    sys.exit(main())
