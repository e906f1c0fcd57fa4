"""The grader (tools/grade.py) on a small synthetic chapter and a class of made-up submissions.

One module-scoped run grades a folder of submissions (each starts its own kernel, one or two
seconds each; the endless loop waits for its 4-second budget); the tests then read its rows.
Grading real chapters is marked ``slow`` and limited to chapter 01.
"""

import copy
import csv
import hashlib
import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


grade = _load("grade")
sv = _load("student_versions")

TIMEOUT = 4  # seconds per synthetic notebook: ample for these cells, short for the endless loop
CHECK_TIMEOUT = 3  # seconds per check the grader runs
# The synthetic chapter brings its own tiny check (same names as rnnlab.course.check), so these tests
# exercise the grader alone; the slow test grades a real chapter with rnnlab.course.check.
MINI_CHECK = """\
import types


class AnswerError(AssertionError):
    pass


def check_value(answer, reference, name):
    if answer != reference:
        raise AnswerError(f"{name} is {answer}, expected {reference}")
    print(f"ok: {name} = {reference}")


check = types.SimpleNamespace(check_value=check_value)
"""


def stub(name: str, hint: str, ex_id: str | None = None, points: int = 1):
    meta = {"tags": ["exercise"]}
    if ex_id is not None:
        meta["rnnlab"] = {"exercise": {"id": ex_id, "kind": "implement", "points": points}}
    return new_code_cell(f"def {name}(x):\n    raise NotImplementedError({hint!r})", metadata=meta)


def solution(name: str, body: str):
    return new_code_cell(
        f"def {name}(x):\n    return {body}",
        metadata={"tags": ["solution", "hide-input"], "jupyter": {"source_hidden": True}},
    )


def course_notebook() -> nbformat.NotebookNode:
    """Chapter 99: square (id in metadata, 2 points, one hidden check), cube (no metadata)."""
    return new_notebook(
        cells=[
            new_markdown_cell("# 99 — A mini chapter\n\n**Learning goals.** squares."),
            new_code_cell(MINI_CHECK),
            new_markdown_cell("## 1. Squares"),
            stub("square", "Exercise 1: return x squared", "99-square", points=2),
            new_markdown_cell("Solution:"),
            solution("square", "x**2"),
            new_code_cell("# NBVAL_CHECK_OUTPUT\ncheck.check_value(square(3.0), 9.0, 'square(3)')"),
            new_code_cell(
                "check.check_value(square(-1.5), 2.25, 'square(-1.5)')",
                metadata={"tags": ["grader", "remove-cell"]},
            ),
            new_markdown_cell("## 2. Cubes"),
            stub("cube", "Exercise 2: return x cubed"),
            new_markdown_cell("Solution:"),
            solution("cube", "x**3"),
            new_code_cell("check.check_value(cube(2.0), 8.0, 'cube(2)')"),
            new_code_cell("print(square(2.0) + cube(1.0))"),
            new_markdown_cell("## Summary\n\nDone."),
        ]
    )


def student(nb):
    """The student version, without the hidden checks (what `make student` should write)."""
    out = sv.student_version(nb)
    out.cells = [c for c in out.cells if not grade.is_grader_cell(c)]
    return out


def replace(nb, old: str, new: str):
    """A copy with the first code cell whose source contains ``old`` rewritten."""
    out = copy.deepcopy(nb)
    cell = next(c for c in out.cells if c.cell_type == "code" and old in c.source)
    cell.source = cell.source.replace(old, new)
    return out


def index_of(nb, text: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if text in c.source)


def submissions_of(course) -> dict[str, nbformat.NotebookNode]:
    """A class: each submission plants one problem in the student or instructor version."""
    stu = student(course)
    inst = sv.instructor_version(course)
    solved = replace(
        replace(stu, "raise NotImplementedError('Exercise 1: return x squared')", "return x * x"),
        "raise NotImplementedError('Exercise 2: return x cubed')",
        "return x * x * x",
    )
    subs = {
        "student/99_mini.ipynb": stu,
        "instructor/99_mini.ipynb": inst,
        "solved/99_mini.ipynb": solved,
        "wrong/99_mini.ipynb": replace(
            stu, "raise NotImplementedError('Exercise 1: return x squared')", "return 2 * x"
        ),
        # right at the visible test point, wrong for negative x: only the hidden check sees it
        "sneaky/99_mini.ipynb": replace(
            solved, "return x * x", "return abs(x) * x if x > 0 else 1.0"
        ),
        "syntax/99_mini.ipynb": replace(solved, "return x * x", "return x * (x"),
        "renamed/99_mini.ipynb": replace(solved, "def cube(x)", "def my_cube(x)"),
    }
    deleted = copy.deepcopy(solved)
    del deleted.cells[index_of(deleted, "def cube")]
    subs["deleted/99_mini.ipynb"] = deleted
    loop = copy.deepcopy(solved)
    loop.cells.insert(index_of(loop, "## 2. Cubes"), new_code_cell("while True:\n    pass"))
    subs["loop/99_mini.ipynb"] = loop
    crash = copy.deepcopy(solved)
    crash.cells.insert(index_of(crash, "## 2. Cubes"), new_code_cell("import os\nos._exit(1)"))
    subs["crash/99_mini.ipynb"] = crash
    # the solved stub of exercise 1 moved below its check and the cube section
    moved = copy.deepcopy(solved)
    cell = moved.cells.pop(index_of(moved, "def square"))
    moved.cells.insert(index_of(moved, "## Summary"), cell)
    subs["reordered/99_mini.ipynb"] = moved
    # cube loops forever when called; the notebook's own check is deleted, so only the
    # grader's check calls it
    endless = replace(solved, "return x * x * x", "while True:\n        pass")
    del endless.cells[index_of(endless, "cube(2.0)")]
    del endless.cells[index_of(endless, "cube(1.0)")]
    subs["endless/99_mini.ipynb"] = endless
    subs["notes.ipynb"] = new_notebook(cells=[new_code_cell("1 + 1")])
    return subs


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the class once; return (rows by submission, output folder, hashes before/after)."""
    tmp = tmp_path_factory.mktemp("grade")
    course = tmp / "course"
    course.mkdir()
    nbformat.write(course_notebook(), course / "99_mini.ipynb")
    subs = tmp / "submissions"
    for name, nb in submissions_of(course_notebook()).items():
        (subs / name).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, subs / name)
    (subs / "broken.ipynb").write_text("this is not a notebook")
    hashes = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in subs.rglob("*.ipynb")}
    out = tmp / "grades"
    rows = grade.grade_folder(
        subs,
        out,
        grade.load_reference(course),
        timeout=TIMEOUT,
        check_timeout=CHECK_TIMEOUT,
        log=print,
    )
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in subs.rglob("*.ipynb")}
    by_sub: dict[str, dict[str, object]] = {}
    for r in rows:
        by_sub.setdefault(r.submission, {})[r.exercise] = r
    return by_sub, out, hashes, after


# -- the reference --------------------------------------------------------------------------


def test_reference_reads_ids_points_checks_and_hidden_cells():
    square, cube = grade.reference_exercises(course_notebook(), "99")
    assert (square.id, square.points, square.functions) == ("99-square", 2, ("square",))
    assert len(square.checks) == 1 and "square(3.0)" in square.checks[0]
    assert len(square.hidden) == 1 and "square(-1.5)" in square.hidden[0]
    # no metadata: id from the chapter and the function name, 1 point; the later cell that
    # uses both functions is not part of the check
    assert (cube.id, cube.points, cube.hidden) == ("99-cube", 1, ())
    assert cube.checks == ("check.check_value(cube(2.0), 8.0, 'cube(2)')",)


def test_reference_grader_for_names_its_exercise_anywhere():
    nb = course_notebook()
    nb.cells.append(
        new_code_cell("check.check_value(cube(-1.0), -1.0, 'c')", metadata={"rnnlab": {}})
    )
    nb.cells[-1].metadata["rnnlab"]["grader_for"] = "99-cube"
    _, cube = grade.reference_exercises(nb, "99")
    assert cube.hidden == ("check.check_value(cube(-1.0), -1.0, 'c')",)
    nb.cells[-1].metadata["rnnlab"]["grader_for"] = "99-nope"
    with pytest.raises(ValueError, match="unknown exercise '99-nope'"):
        grade.reference_exercises(nb, "99")


def test_reference_rejects_duplicate_ids_and_bad_points():
    nb = course_notebook()
    nb.cells[9].metadata["rnnlab"] = {"exercise": {"id": "99-square", "points": 1}}
    with pytest.raises(ValueError, match="ids used twice"):
        grade.reference_exercises(nb, "99")
    nb = course_notebook()
    nb.cells[3].metadata["rnnlab"]["exercise"]["points"] = "two"
    with pytest.raises(ValueError, match="points must be a non-negative int"):
        grade.reference_exercises(nb, "99")


# -- a class of submissions -----------------------------------------------------------------


def test_student_version_is_not_attempted_everywhere(graded):
    rows = graded[0]["student/99_mini.ipynb"]
    assert set(rows) == {"99-square", "99-cube"}
    for r in rows.values():
        assert (r.passed, r.points) == (False, 0)
        assert r.feedback.startswith("not attempted"), r.feedback
    assert "Exercise 1: return x squared" in rows["99-square"].feedback
    assert rows["99-square"].max_points == 2 and rows["99-cube"].max_points == 1


@pytest.mark.parametrize("name", ["instructor", "solved", "reordered"])
def test_correct_submissions_get_full_marks(graded, name):
    rows = graded[0][f"{name}/99_mini.ipynb"]
    assert [(r.passed, r.points) for r in rows.values()] == [(True, 2), (True, 1)], rows
    assert "instructor check(s) passed" in rows["99-square"].feedback


def test_wrong_answer_gets_the_checks_own_message(graded):
    rows = graded[0]["wrong/99_mini.ipynb"]
    square = rows["99-square"]
    assert (square.passed, square.points) == (False, 0)
    assert square.feedback.startswith("wrong answer: ")
    assert "square(3)" in square.feedback and "6" in square.feedback
    assert rows["99-cube"].feedback.startswith("not attempted")


def test_hidden_check_catches_what_the_visible_one_misses(graded):
    square = graded[0]["sneaky/99_mini.ipynb"]["99-square"]
    assert (square.passed, square.points) == (False, 0)
    assert square.feedback.startswith("instructor's check: wrong answer: ")
    assert "square(-1.5)" in square.feedback


def test_syntax_error_is_named(graded):
    square = graded[0]["syntax/99_mini.ipynb"]["99-square"]
    assert not square.passed
    assert "function square not defined" in square.feedback
    assert "raised SyntaxError" in square.feedback
    assert graded[0]["syntax/99_mini.ipynb"]["99-cube"].passed


def test_renamed_function_and_deleted_cell(graded):
    cube = graded[0]["renamed/99_mini.ipynb"]["99-cube"]
    assert not cube.passed
    assert "function cube not defined" in cube.feedback and "renamed" in cube.feedback
    cube = graded[0]["deleted/99_mini.ipynb"]["99-cube"]
    assert not cube.passed
    assert "function cube not defined" in cube.feedback
    assert "exercise cell missing" in cube.feedback
    assert graded[0]["deleted/99_mini.ipynb"]["99-square"].passed


def test_timeout_keeps_what_was_graded_before(graded):
    rows = graded[0]["loop/99_mini.ipynb"]
    assert rows["99-square"].passed
    cube = rows["99-cube"]
    assert not cube.passed
    assert cube.feedback.startswith("not graded: the notebook ran out of time")
    assert "while True:" in cube.feedback


def test_function_that_never_returns_times_out_in_the_check(graded):
    rows = graded[0]["endless/99_mini.ipynb"]
    assert rows["99-square"].passed
    cube = rows["99-cube"]
    assert not cube.passed
    assert cube.feedback == (
        f"the check got no answer within {CHECK_TIMEOUT} s: does your function loop forever?"
    )


def test_crash_is_named(graded):
    rows = graded[0]["crash/99_mini.ipynb"]
    assert rows["99-square"].passed
    assert rows["99-cube"].feedback.startswith("not graded: the kernel died")


def test_unknown_and_unreadable_notebooks_get_a_row(graded):
    (row,) = graded[0]["notes.ipynb"].values()
    assert row.feedback.startswith("not a course chapter") and row.max_points == 0
    (row,) = graded[0]["broken.ipynb"].values()
    assert row.feedback.startswith("could not read the notebook")


def test_submissions_are_not_modified(graded):
    _, _, before, after = graded
    assert before == after and len(before) == 14


def test_outputs(graded):
    by_sub, out, _, _ = graded
    with (out / "grades.csv").open(newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == grade.COLUMNS
    assert len(table) == sum(len(rows) for rows in by_sub.values())
    row = next(r for r in table if r["submission"] == "wrong/99_mini.ipynb")
    assert (row["chapter"], row["exercise"], row["passed"]) == ("99", "99-square", "False")
    with (out / "scores.csv").open(newline="") as f:
        scores = {r["submission"]: (r["points"], r["max_points"]) for r in csv.DictReader(f)}
    assert scores["instructor/99_mini.ipynb"] == ("3", "3")
    assert scores["student/99_mini.ipynb"] == ("0", "3")
    page = (out / "feedback" / "syntax__99_mini.md").read_text()
    assert "**Score: 1 / 3 points**" in page
    assert "## Errors while your notebook ran" in page and "SyntaxError" in page
    assert len(list((out / "feedback").glob("*.md"))) == len(by_sub)


def test_command_line_errors(tmp_path):
    with pytest.raises(SystemExit, match="does not exist"):
        grade.main([str(tmp_path / "nothing")])
    with pytest.raises(SystemExit, match=r"no \.ipynb files"):
        grade.main([str(tmp_path), "--reference", str(ROOT / "notebooks")])
    with pytest.raises(SystemExit, match="no course chapters"):
        grade.main([str(tmp_path), "--reference", str(tmp_path)])


# -- real chapters --------------------------------------------------------------------------


def test_every_course_exercise_has_a_check_the_grader_finds():
    reference = grade.load_reference()
    assert reference, "no chapters"
    for chapter, exercises in reference.items():
        assert exercises, f"chapter {chapter} has no exercises"
        for ex in exercises:
            assert ex.id.startswith(f"{chapter}-"), ex.id
            assert ex.checks, f"{ex.id}: no code cell calling check. after the solution"
            assert ex.points >= 1, ex.id


@pytest.mark.slow
def test_chapter_01_student_and_instructor_versions(tmp_path):
    path = ROOT / "notebooks" / "01_toy_system.ipynb"
    reference = {"01": grade.reference_exercises(nbformat.read(path, as_version=4), "01")}
    assert len(reference["01"]) >= 3
    sv.write_versions([path], tmp_path / "build")
    for kind in ("student", "instructor"):
        nb = nbformat.read(tmp_path / "build" / kind / path.name, as_version=4)
        nb.cells = (
            [c for c in nb.cells if not grade.is_grader_cell(c)] if kind == "student" else nb.cells
        )
        nbformat.write(nb, tmp_path / "build" / kind / path.name)
    student = grade.grade_folder(
        tmp_path / "build" / "student", tmp_path / "gs", reference, timeout=600
    )
    assert student and all(
        not r.passed and r.feedback.startswith("not attempted") for r in student
    ), [r.feedback for r in student]
    instructor = grade.grade_folder(
        tmp_path / "build" / "instructor", tmp_path / "gi", reference, timeout=600
    )
    assert all(r.passed and r.points == r.max_points for r in instructor), [
        r.feedback for r in instructor
    ]
