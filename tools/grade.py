"""Grade a class's notebooks: run each submission headless and check every exercise.

    python tools/grade.py SUBMISSIONS [--out build/grades] [--timeout 900]
    make grade SUBMISSIONS=DIR

Every ``.ipynb`` under ``SUBMISSIONS`` (sub-folders too, e.g. one per student) is copied to a
temporary folder and executed there cell by cell with nbclient, in this environment's
``python3`` kernel; errors do not stop it, and the submission itself is never touched.

The exercises come from the course's own chapters (``notebooks/NN_*.ipynb``, option
``--reference``): a code cell tagged ``exercise`` is a stub, identified by its metadata
``rnnlab.exercise.{id, points}`` (without metadata: id ``NN-function-name``, 1 point). Its
*check* is the run of code cells after the stub and its solution that call ``check.``; its
*hidden checks* are code cells tagged ``grader`` (for the exercise before them) or with the
metadata ``rnnlab.grader_for: <id>``; student versions do not contain them.

In the student's kernel, right after the last submission cell that belongs to the exercise
(the stub, a cell defining its function, or the copy of its check), the grader runs the
course's check cells and then the hidden ones. An exercise passes when all of them pass;
it then earns its points, otherwise 0. ``NotImplementedError`` reads as "not attempted",
``AnswerError`` as a wrong answer with the check's own message.

Output in ``--out`` (default ``build/grades``):

- ``grades.csv``: one row per submission and exercise, columns ``submission, chapter,
  exercise, passed, points, max_points, feedback``;
- ``scores.csv``: one row per submission, ``submission, chapter, points, max_points``;
- ``feedback/<submission>.md``: a page per submission to hand back.

A submission that is not a course chapter, cannot be read, crashes its kernel or runs out of
time still gets its rows, with the reason. The grader runs the students' code with your
permissions: grade untrusted work inside a container or a throw-away account.
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_FILE = re.compile(r"^(\d\d)_.*\.ipynb$")
CHAPTER_IN_NAME = re.compile(r"(?<!\d)(\d\d)_")
CHECK_CALL = re.compile(r"\bcheck\.(?:\w+\.)*\w+\s*\(")
HEADING = re.compile(r"^\s*#{1,6}\s")
COLUMNS = ["submission", "chapter", "exercise", "passed", "points", "max_points", "feedback"]
GRADER_TAG = "grader"
DEFAULT_TIMEOUT = 900  # seconds per notebook; the slowest chapter runs in a few minutes
DEFAULT_CHECK_TIMEOUT = 60  # seconds per check cell run by the grader


# -- the course's exercises ---------------------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    """One exercise of a course chapter, as the grader needs it.

    Attributes
    ----------
    chapter : str
        Two-digit chapter number, "01".
    id : str
        Stable id from the stub's metadata (``rnnlab.exercise.id``), or ``NN-function-name``.
    points : int
        What the exercise counts (metadata ``rnnlab.exercise.points``, default 1).
    functions : tuple of str
        Names of the functions the stub defines.
    checks : tuple of str
        Sources of the visible check cells (the code cells that call ``check.``).
    hidden : tuple of str
        Sources of the instructor-only check cells.
    """

    chapter: str
    id: str
    points: int
    functions: tuple[str, ...]
    checks: tuple[str, ...]
    hidden: tuple[str, ...] = ()


def tags(cell) -> set[str]:
    """The cell's tags."""
    return set(cell.get("metadata", {}).get("tags", []))


def defined_functions(source: str) -> list[str]:
    """Names of the top-level functions a cell defines (also when it does not parse)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return re.findall(r"^def\s+([A-Za-z_]\w*)\s*\(", source, re.M)
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def exercise_meta(cell) -> dict:
    """The ``rnnlab.exercise`` metadata of a stub cell ({} without it)."""
    meta = cell.get("metadata", {}).get("rnnlab", {})
    return dict(meta.get("exercise", {})) if isinstance(meta, dict) else {}


def grader_target(cell) -> str | None:
    """The exercise id a hidden-check cell names (metadata ``rnnlab.grader_for``), if any."""
    meta = cell.get("metadata", {}).get("rnnlab", {})
    target = meta.get("grader_for") if isinstance(meta, dict) else None
    return str(target) if target else None


def is_grader_cell(cell) -> bool:
    """A hidden, instructor-only check: tagged ``grader`` or with ``rnnlab.grader_for``."""
    return cell.cell_type == "code" and (
        GRADER_TAG in tags(cell) or grader_target(cell) is not None
    )


def _fallback_id(chapter: str, name: str) -> str:
    return f"{chapter}-{name.replace('_', '-')}"


def reference_exercises(nb: nbformat.NotebookNode, chapter: str) -> list[Exercise]:
    """The exercises of a course notebook, in order, with their check and hidden cells.

    The check of a stub is the first run of consecutive code cells calling ``check.`` after
    the stub (and its solution), before the next stub or heading; a hidden cell tagged
    ``grader`` belongs to the last stub above it, one with ``rnnlab.grader_for`` to that id.
    """
    cells = nb.cells
    stubs = [i for i, c in enumerate(cells) if c.cell_type == "code" and "exercise" in tags(c)]
    found: list[dict] = []
    for k, i in enumerate(stubs):
        names = defined_functions(cells[i].source)
        meta = exercise_meta(cells[i])
        if not names and "id" not in meta:
            raise ValueError(f"chapter {chapter}, cell {i}: the exercise defines no function")
        ex_id = str(meta.get("id") or _fallback_id(chapter, names[0]))
        points = meta.get("points", 1)
        if not isinstance(points, int) or isinstance(points, bool) or points < 0:
            raise ValueError(f"{ex_id}: points must be a non-negative int, got {points!r}")
        end = stubs[k + 1] if k + 1 < len(stubs) else len(cells)
        checks: list[str] = []
        hidden: list[str] = []
        for j in range(i + 1, end):
            cell = cells[j]
            if cell.cell_type == "markdown" and HEADING.match(cell.source) and checks:
                break
            if cell.cell_type != "code" or "solution" in tags(cell):
                continue
            if is_grader_cell(cell):
                if grader_target(cell) in (None, ex_id):
                    hidden.append(cell.source)
                continue
            if CHECK_CALL.search(cell.source):
                checks.append(cell.source)
            elif checks:
                break
        found.append(
            {
                "id": ex_id,
                "points": points,
                "functions": tuple(names),
                "checks": tuple(checks),
                "hidden": hidden,
            }
        )
    # Hidden cells that name their exercise may sit anywhere in the notebook.
    by_id = {f["id"]: f for f in found}
    for cell in cells:
        target = grader_target(cell) if cell.cell_type == "code" else None
        if target is None:
            continue
        if target not in by_id:
            raise ValueError(f"chapter {chapter}: a grader cell names unknown exercise {target!r}")
        if cell.source not in by_id[target]["hidden"]:
            by_id[target]["hidden"].append(cell.source)
    ids = [f["id"] for f in found]
    duplicates = sorted({x for x in ids if ids.count(x) > 1})
    if duplicates:
        raise ValueError(f"chapter {chapter}: exercise ids used twice: {duplicates}")
    return [Exercise(chapter=chapter, **{**f, "hidden": tuple(f["hidden"])}) for f in found]


def load_reference(folder: Path = ROOT / "notebooks") -> dict[str, list[Exercise]]:
    """The exercises of every ``NN_*.ipynb`` in ``folder``, by two-digit chapter."""
    reference = {}
    for path in sorted(folder.glob("*.ipynb")):
        match = CHAPTER_FILE.match(path.name)
        if match:
            nb = nbformat.read(path, as_version=4)
            reference[match.group(1)] = reference_exercises(nb, match.group(1))
    if not reference:
        raise ValueError(f"no course chapters (NN_*.ipynb) in {folder}")
    return reference


# -- one submission -----------------------------------------------------------------------------


@dataclass
class Row:
    """One line of grades.csv."""

    submission: str
    chapter: str
    exercise: str
    passed: bool
    points: int
    max_points: int
    feedback: str

    @property
    def result(self) -> str:
        """The feedback's first clause: 'passed', 'wrong answer', 'not attempted', ..."""
        return re.split(r"[:;] ", self.feedback, maxsplit=1)[0]

    def as_list(self) -> list:
        """The values in the order of :data:`COLUMNS`."""
        return [getattr(self, c) for c in COLUMNS]


@dataclass
class CellError:
    """An error a submission cell raised while the notebook ran."""

    index: int  # from 0, markdown cells included; shown counted from 1
    ename: str
    evalue: str
    first_line: str

    def describe(self) -> str:
        """'cell 8 (`def f(x):`) raised SyntaxError: ...' (cells counted from 1)."""
        value = _short(self.evalue)
        return f"cell {self.index + 1} (`{self.first_line}`) raised {self.ename}" + (
            f": {value}" if value else ""
        )


@dataclass
class Located:
    """Where an exercise is in a submission."""

    stub: int | None
    definers: list[int] = field(default_factory=list)
    anchor: int | None = None


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith("# NBVAL"):
            return _short(line.strip(), 60).replace("`", "'")
    return ""


def _normal(source: str) -> str:
    return "\n".join(ln.rstrip() for ln in source.strip().splitlines())


def chapter_of(nb: nbformat.NotebookNode, name: str, reference: dict) -> str | None:
    """The chapter a submission belongs to: from its exercise ids, else its file name."""
    for cell in nb.cells:
        ex_id = str(exercise_meta(cell).get("id", ""))
        if re.match(r"^\d\d-", ex_id) and ex_id[:2] in reference:
            return ex_id[:2]
    for match in CHAPTER_IN_NAME.finditer(Path(name).name):
        if match.group(1) in reference:
            return match.group(1)
    return None


def locate(nb: nbformat.NotebookNode, ex: Exercise) -> Located:
    """Find an exercise in a submission: its stub, the cells defining its function, anchor.

    The stub is the code cell whose metadata carries the exercise id, else a cell tagged
    ``exercise`` defining its function. The anchor, after which the grader checks, is the
    last cell that is the stub, defines one of its functions or is a copy of its check.
    """
    stub = None
    definers: list[int] = []
    copies: list[int] = []
    checks = {_normal(s) for s in ex.checks}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        names = defined_functions(cell.source)
        if str(exercise_meta(cell).get("id", "")) == ex.id:
            stub = i
        elif stub is None and "exercise" in tags(cell) and set(names) & set(ex.functions):
            stub = i
        if set(names) & set(ex.functions):
            definers.append(i)
        if _normal(cell.source) in checks:
            copies.append(i)
    candidates = [*definers, *copies] + ([stub] if stub is not None else [])
    return Located(stub=stub, definers=definers, anchor=max(candidates) if candidates else None)


def locate_all(nb: nbformat.NotebookNode, exercises: Sequence[Exercise]) -> dict[str, Located]:
    """:func:`locate` for each exercise of a chapter, by id.

    A stub found by neither its id nor its function (an exercise without metadata whose
    function was renamed) is taken by position when the submission has as many cells tagged
    ``exercise`` as the chapter has exercises.
    """
    found = {ex.id: locate(nb, ex) for ex in exercises}
    tagged = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "exercise" in tags(c)]
    if len(tagged) == len(exercises):
        claimed = {loc.stub for loc in found.values()}
        for ex, i in zip(exercises, tagged, strict=True):
            loc = found[ex.id]
            if loc.stub is None and i not in claimed:
                loc.stub = i
                loc.anchor = i if loc.anchor is None else max(loc.anchor, i)
    return found


def _errors(cell, index: int, source: str) -> list[CellError]:
    return [
        CellError(index, out.get("ename", "Error"), out.get("evalue", ""), _first_line(source))
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def _stdout(cell) -> str:
    return "".join(
        out.get("text", "")
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stdout"
    )


class _Stop(Exception):
    """The notebook cannot go on (out of time, dead kernel): the reason for what is left."""


@dataclass
class _Run:
    """One submission being executed: the client, the time budget, what went wrong."""

    client: NotebookClient
    limit: int  # seconds for the whole notebook
    check_timeout: int
    errors: list[CellError] = field(default_factory=list)
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.limit

    def run(self, source: str, index: int, *, budget: bool) -> tuple[list[CellError], str]:
        """Execute ``source`` in the kernel; return its errors and stdout.

        ``budget``: a notebook cell, limited by what is left of the notebook's time; else a
        grader check, limited by ``check_timeout``. Raises :class:`_Stop` when the notebook
        is out of time or the kernel died.
        """
        where = f"cell {index + 1} (`{_first_line(source)}`)" if budget else "a check"
        if budget:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise _Stop(f"the notebook ran out of time ({self.limit} s) before {where}")
            timeout = max(1, int(left))
        else:
            timeout = self.check_timeout
        self.client.timeout = timeout
        cell = new_code_cell(source)
        start = time.monotonic()
        try:
            self.client.execute_cell(cell, index)
        except DeadKernelError:
            raise _Stop(f"the kernel died (crashed) while running {where}") from None
        if time.monotonic() - start >= timeout - 0.5:
            if budget:
                raise _Stop(
                    f"the notebook ran out of time ({self.limit} s) in {where}: an endless "
                    "loop, or a computation much longer than the chapter's"
                )
            return [CellError(index, "Timeout", f"no answer within {timeout} s", "")], ""
        return _errors(cell, index, source), _stdout(cell)


def _explain(ex: Exercise, ename: str, evalue: str, loc: Located, errors: list[CellError]) -> str:
    """Feedback for a check that raised ``ename: evalue``."""
    if ename == "NotImplementedError":
        return f"not attempted: the stub still raises NotImplementedError ({_short(evalue)})"
    if ename == "AnswerError":
        return f"wrong answer: {_short(evalue)}"
    if ename == "Timeout":
        return f"the check got {evalue}: does your function loop forever?"
    missing = [n for n in ex.functions if re.search(rf"\b{re.escape(n)}\b", evalue)]
    if ename == "NameError" and missing:
        parts = [f"function {missing[0]} not defined"]
        if loc.stub is None:
            parts.append(f"exercise cell missing (no cell of the notebook is the stub of {ex.id})")
        elif loc.stub not in loc.definers:
            parts.append(
                f"the exercise cell (cell {loc.stub + 1}) no longer defines {missing[0]}: "
                "was the function renamed?"
            )
        parts += [e.describe() for e in errors if e.index in {loc.stub, *loc.definers}]
        return "; ".join(parts)
    text = f"the check raised {ename}: {_short(evalue)}"
    earlier = [e for e in errors if e.ename not in ("NotImplementedError", "AnswerError")]
    if ename == "NameError" and earlier:
        text += "; an earlier cell failed: " + earlier[0].describe()
    return text


def _grade_exercise(run: _Run, ex: Exercise, loc: Located, index: int) -> tuple[bool, str]:
    """Run the visible checks, then the hidden ones; (passed, feedback)."""
    if not ex.checks and not ex.hidden:
        return False, "not graded: the course notebook has no check for this exercise"
    said = []
    for hidden, source in [(False, s) for s in ex.checks] + [(True, s) for s in ex.hidden]:
        errors, out = run.run(source, index, budget=False)
        if errors:
            e = errors[-1]
            text = _explain(ex, e.ename, e.evalue, loc, run.errors)
            return False, ("instructor's check: " if hidden else "") + text
        said += [ln.strip() for ln in out.splitlines() if ln.strip()]
    if ex.hidden:
        said.append(f"and {len(ex.hidden)} instructor check(s) passed")
    return True, "passed" + (": " + _short(" ".join(said)) if said else "")


def grade_notebook(
    path: Path,
    name: str,
    reference: dict[str, list[Exercise]],
    timeout: int = DEFAULT_TIMEOUT,
    check_timeout: int = DEFAULT_CHECK_TIMEOUT,
) -> tuple[list[Row], list[CellError]]:
    """Grade one submission; return its rows and the errors its cells raised.

    Never raises for a bad submission: an unreadable file, an unknown chapter, a crash or a
    timeout become rows that say so.
    """
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:
        return [Row(name, "", "", False, 0, 0, f"could not read the notebook: {_short(exc)}")], []
    chapter = chapter_of(nb, name, reference)
    if chapter is None:
        chapters = ", ".join(sorted(reference))
        return [Row(name, "", "", False, 0, 0, f"not a course chapter (known: {chapters})")], []
    exercises = reference[chapter]
    located = locate_all(nb, exercises)
    at: dict[int | None, list[Exercise]] = {}
    for ex in exercises:
        at.setdefault(located[ex.id].anchor, []).append(ex)
    results: dict[str, tuple[bool, str]] = {}
    stop = "the grader stopped early"
    cell_errors: list[CellError] = []
    with tempfile.TemporaryDirectory(prefix="rnnlab-grade-") as tmp:
        copy = Path(tmp) / Path(name).name
        shutil.copyfile(path, copy)
        client = NotebookClient(
            nbformat.read(copy, as_version=4),
            kernel_name="python3",
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": "Timeout", "evalue": "interrupted", "traceback": []},
            iopub_timeout=10,
            resources={"metadata": {"path": tmp}},
        )
        run = _Run(client, timeout, check_timeout, cell_errors)
        try:
            with client.setup_kernel():
                for i, cell in enumerate(nb.cells):
                    if cell.cell_type == "code" and cell.source.strip():
                        errors, _ = run.run(cell.source, i, budget=True)
                        run.errors += errors
                    for ex in at.get(i, []):
                        results[ex.id] = _grade_exercise(run, ex, located[ex.id], i)
                for ex in at.get(None, []):
                    results[ex.id] = _grade_exercise(run, ex, located[ex.id], len(nb.cells) - 1)
        except _Stop as exc:
            stop = str(exc)
        except Exception as exc:  # a grader bug or a kernel that would not start
            stop = f"grader error: {type(exc).__name__}: {_short(exc)}"
    rows = []
    for ex in exercises:
        passed, text = results.get(ex.id, (False, f"not graded: {stop}"))
        rows.append(Row(name, chapter, ex.id, passed, ex.points if passed else 0, ex.points, text))
    return rows, cell_errors


# -- a class ------------------------------------------------------------------------------------


def submissions(folder: Path) -> list[Path]:
    """Every notebook under ``folder`` (or ``folder`` itself), checkpoints left out."""
    if folder.is_file():
        return [folder]
    return sorted(
        p
        for p in folder.rglob("*.ipynb")
        if not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def feedback_page(name: str, rows: Sequence[Row], errors: Sequence[CellError]) -> str:
    """The markdown page handed back to the student."""
    got = sum(r.points for r in rows)
    total = sum(r.max_points for r in rows)
    chapter = rows[0].chapter if rows else ""
    lines = [f"# Feedback: {name}" + (f" (chapter {chapter})" if chapter else ""), ""]
    lines += [f"**Score: {got} / {total} points**", ""]
    graded = [r for r in rows if r.exercise]
    if graded:
        lines += ["| exercise | result | points |", "|---|---|---|"]
        for r in graded:
            lines.append(f"| `{r.exercise}` | {r.result} | {r.points} / {r.max_points} |")
        lines.append("")
    for r in rows:
        title = f"## `{r.exercise}`" if r.exercise else "## The notebook"
        lines += [title, "", r.feedback, ""]
    others = [e for e in errors if e.ename != "NotImplementedError"]
    if others:
        lines += [
            "## Errors while your notebook ran",
            "",
            "(Cells counted from 1, text cells included.)",
            "",
        ]
        lines += [f"- {e.describe()}" for e in others]
        lines.append("")
    if any(not r.passed for r in graded):
        lines += [
            "Run the notebook top to bottom in a fresh kernel (Kernel > Restart and run all): "
            "a check that says no tells you where the answer goes wrong.",
            "",
        ]
    return "\n".join(lines)


def _feedback_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "__", name.removesuffix(".ipynb")) + ".md"


def write_outputs(
    out: Path, rows: Iterable[Row], pages: dict[str, str], scores: list[list]
) -> Path:
    """Write grades.csv, scores.csv and feedback/*.md to ``out``; return the grades path."""
    out.mkdir(parents=True, exist_ok=True)
    feedback = out / "feedback"
    feedback.mkdir(exist_ok=True)
    for old in feedback.glob("*.md"):
        old.unlink()
    grades = out / "grades.csv"
    with grades.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(r.as_list() for r in rows)
    with (out / "scores.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", "chapter", "points", "max_points"])
        writer.writerows(scores)
    for name, page in pages.items():
        (feedback / _feedback_name(name)).write_text(page, encoding="utf-8")
    return grades


def grade_folder(
    folder: Path,
    out: Path = ROOT / "build" / "grades",
    reference: dict[str, list[Exercise]] | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    check_timeout: int = DEFAULT_CHECK_TIMEOUT,
    log=print,
) -> list[Row]:
    """Grade every submission under ``folder`` and write the outputs to ``out``."""
    if reference is None:
        reference = load_reference()
    paths = submissions(folder)
    if not paths:
        raise ValueError(f"no .ipynb files in {folder}")
    rows: list[Row] = []
    pages: dict[str, str] = {}
    scores: list[list] = []
    for path in paths:
        name = path.name if folder.is_file() else path.relative_to(folder).as_posix()
        start = time.monotonic()
        mine, errors = grade_notebook(path, name, reference, timeout, check_timeout)
        rows += mine
        pages[name] = feedback_page(name, mine, errors)
        got, total = sum(r.points for r in mine), sum(r.max_points for r in mine)
        scores.append([name, mine[0].chapter, got, total])
        log(f"{name}: {got} / {total} points ({time.monotonic() - start:.0f} s)")
    grades = write_outputs(out, rows, pages, scores)
    log(f"wrote {grades}, {out / 'scores.csv'} and {len(pages)} pages in {out / 'feedback'}")
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python tools/grade.py SUBMISSIONS [--out DIR] [--timeout S]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="a folder of .ipynb files (or one file)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "grades", help="default: build/grades"
    )
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per notebook")
    parser.add_argument(
        "--check-timeout", type=int, default=DEFAULT_CHECK_TIMEOUT, help="seconds per check"
    )
    parser.add_argument(
        "--reference",
        type=Path,
        default=ROOT / "notebooks",
        help="the course's chapters, with solutions and hidden checks (default: notebooks/)",
    )
    args = parser.parse_args(argv)
    if not args.submissions.exists():
        sys.exit(f"grade: {args.submissions} does not exist")
    if args.timeout < 1 or args.check_timeout < 1:
        sys.exit("grade: --timeout and --check-timeout must be at least 1 second")
    try:
        reference = load_reference(args.reference)
        grade_folder(args.submissions, args.out, reference, args.timeout, args.check_timeout)
    except ValueError as exc:
        sys.exit(f"grade: {exc}")


if __name__ == "__main__":
    main()
