"""Write student and instructor versions of the chapters.

    python tools/student_versions.py                 # every notebooks/NN_*.ipynb
    python tools/student_versions.py notebooks/03_esn_flipflop.ipynb --out build

The course's one exercise convention (enforced by tests/chapters/test_notebooks_clean.py): a code cell
tagged ``exercise`` holds a stub function that raises ``NotImplementedError`` with a hint; the
next code cell, tagged ``solution``, defines the same function; a later cell checks it with
``rnnlab.course.check``.

- ``build/student/NN_name.ipynb``: every cell tagged ``solution`` removed, together with a
  one-line "Solution:" label just before it; the stubs stay, so a check run before the
  exercise is done says "not implemented yet" rather than "wrong".
  Hidden checks (code cells tagged ``grader`` or with metadata ``rnnlab.grader_for``, run by
  ``tools/grade.py``) are removed too.
- ``build/instructor/NN_name.ipynb``: the full chapter with its solutions and hidden checks.

Both are written without outputs, with a note under the title saying which version it is.
Stub and solution must have the same signature; :func:`signature_problems` checks it.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = re.compile(r"^\d\d_.*\.ipynb$")
# A short markdown cell that only announces the solution ("Solution:", "One solution:").
SOLUTION_LABEL = re.compile(
    r"^\s*\**\s*(one|a|possible|the|example|our)?\s*solutions?\b[^\n]{0,40}$", re.IGNORECASE
)

STUDENT_NOTE = (
    "*Student version.* The solutions are removed. Each exercise is a function that raises "
    "`NotImplementedError` until you write it; the check after it then tells you whether it "
    "is right. A later cell that uses an unsolved exercise stops with the same "
    "`NotImplementedError`: solve the exercise, or skip that cell."
)
INSTRUCTOR_NOTE = (
    "*Instructor version.* This copy includes the solutions (code cells tagged `solution`); "
    "`make student` writes the version without them to `build/student/`."
)


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _clear(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)


def _with_note(nb: nbformat.NotebookNode, note: str) -> nbformat.NotebookNode:
    at = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
    nb.cells.insert(at, new_markdown_cell(note, metadata={"tags": ["version-note"]}))
    return nb


def is_grader(cell) -> bool:
    """A hidden check for the grader: tagged ``grader`` or with ``rnnlab.grader_for``."""
    meta = cell.get("metadata", {}).get("rnnlab", {})
    return "grader" in tags(cell) or (isinstance(meta, dict) and "grader_for" in meta)


def is_solution_label(cell) -> bool:
    return cell.cell_type == "markdown" and bool(SOLUTION_LABEL.match(cell.source.strip()))


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without solution cells (and their "Solution:" labels), hidden checks or outputs."""
    out = copy.deepcopy(nb)
    keep = []
    for i, cell in enumerate(out.cells):
        if "solution" in tags(cell) or is_grader(cell):
            continue
        nxt = out.cells[i + 1] if i + 1 < len(out.cells) else None
        if nxt is not None and "solution" in tags(nxt) and is_solution_label(cell):
            continue
        keep.append(cell)
    out.cells = keep
    _clear(out)
    return _with_note(out, STUDENT_NOTE)


def instructor_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy with everything, solutions included, and no outputs."""
    out = copy.deepcopy(nb)
    _clear(out)
    return _with_note(out, INSTRUCTOR_NOTE)


# -- stub and solution signatures ---------------------------------------------------------------


def functions(source: str) -> dict[str, ast.FunctionDef]:
    """The top-level functions a cell defines, by name (IPython magics are skipped)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def signature(fn: ast.FunctionDef) -> str:
    """The signature as written: parameter kinds, names, defaults and annotations."""
    a = fn.args

    def param(arg: ast.arg, default: ast.expr | None = None) -> str:
        text = arg.arg
        if arg.annotation is not None:
            text += f": {ast.unparse(arg.annotation)}"
        if default is not None:
            text += f" = {ast.unparse(default)}"
        return text

    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    parts = [param(p, d) for p, d in zip(positional, defaults, strict=True)]
    if a.posonlyargs:
        parts.insert(len(a.posonlyargs), "/")
    if a.vararg is not None:
        parts.append("*" + param(a.vararg))
    elif a.kwonlyargs:
        parts.append("*")
    parts += [param(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)]
    if a.kwarg is not None:
        parts.append("**" + param(a.kwarg))
    returns = f" -> {ast.unparse(fn.returns)}" if fn.returns is not None else ""
    return f"{fn.name}({', '.join(parts)}){returns}"


def exercise_pairs(nb: nbformat.NotebookNode) -> list[tuple[int, int | None]]:
    """(exercise cell index, index of the next code cell if tagged solution else None)."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    pairs = []
    for k, i in enumerate(code):
        if "exercise" not in tags(nb.cells[i]):
            continue
        j = code[k + 1] if k + 1 < len(code) else None
        pairs.append((i, j if j is not None and "solution" in tags(nb.cells[j]) else None))
    return pairs


def signature_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Every stub whose solution is missing or has a different signature."""
    problems = []
    for i, j in exercise_pairs(nb):
        stubs = functions(nb.cells[i].source)
        if not stubs:
            problems.append(f"cell {i}: the exercise defines no function")
        if j is None:
            problems.append(f"cell {i}: the exercise is not followed by a solution cell")
            continue
        solved = functions(nb.cells[j].source)
        for name, stub in stubs.items():
            if name not in solved:
                problems.append(f"cell {j}: the solution does not define {name}()")
            elif signature(stub) != signature(solved[name]):
                problems.append(
                    f"cell {i}: stub {signature(stub)} but solution {signature(solved[name])}"
                )
    return problems


# -- writing ------------------------------------------------------------------------------------


def chapter_paths(folder: Path = ROOT / "notebooks") -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if CHAPTER.match(p.name))


def write_versions(paths: list[Path], out: Path) -> list[Path]:
    """Write out/student/<name> and out/instructor/<name> for each notebook; return students."""
    students = []
    for kind in ("student", "instructor"):
        (out / kind).mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        problems = signature_problems(nb)
        if problems:
            raise SystemExit(f"{path}: " + "; ".join(problems))
        student = out / "student" / path.name
        nbformat.write(student_version(nb), student)
        nbformat.write(instructor_version(nb), out / "instructor" / path.name)
        students.append(student)
    return students


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="default: every notebooks/NN_*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "build", help="default: build/")
    args = parser.parse_args()
    paths = args.paths or chapter_paths()
    if not paths:
        sys.exit("no notebooks found")
    if not args.paths:  # a full run replaces the folders, so a renamed chapter leaves no copy
        for kind in ("student", "instructor"):
            for old in (args.out / kind).glob("*.ipynb"):
                old.unlink()
    for student in write_versions(paths, args.out):
        print(f"wrote {student} and {args.out / 'instructor' / student.name}")


if __name__ == "__main__":
    main()
