"""Student versions: solutions removed, stubs kept, and they still run.

The execution test runs every student notebook top to bottom in one kernel (errors do not
stop it) and accepts only ``NotImplementedError``, the unsolved exercises; any other error is
a cell that breaks when a student has not solved an exercise yet (or a plain bug). It takes
as long as the chapters themselves (about six minutes for the course): marked ``slow``.

So that this does not add up to a second course run after the other tests, the chapters run
in the background while the rest of the suite runs: ``tests/conftest.py`` moves the selected
execution tests to the end of the session and starts their notebooks at once, in
``RNNLAB_STUDENT_JOBS`` kernels side by side (default 1; 0 runs each chapter inside its test,
as before). Each test then checks its chapter's finished run; the checks are the same.
"""

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "student_versions", ROOT / "tools/student_versions.py"
)
sv = importlib.util.module_from_spec(_spec)
sys.modules["student_versions"] = sv
_spec.loader.exec_module(sv)

CHAPTERS = sv.chapter_paths()
PARAMS = [pytest.param(p, id=p.stem) for p in CHAPTERS] or [
    pytest.param(None, marks=pytest.mark.skip(reason="no notebooks/NN_*.ipynb yet"), id="none")
]
# Student versions known to break on an unsolved exercise, until their chapter is fixed.
# strict: once the chapter is fixed the test passes, the xfail turns into a failure, and the
# entry has to go.
KNOWN_BROKEN: dict[str, str] = {}  # chapter id -> why its student version cannot run
RUN_PARAMS = [
    pytest.param(
        *p.values,
        id=p.id,
        marks=[*p.marks, pytest.mark.xfail(strict=True, reason=KNOWN_BROKEN[p.id])]
        if p.id in KNOWN_BROKEN
        else p.marks,
    )
    for p in PARAMS
]


def exercise(name, args="x"):
    return new_code_cell(
        f"def {name}({args}):\n    raise NotImplementedError('hint')",
        metadata={"tags": ["exercise"]},
    )


def solution(name, args="x"):
    return new_code_cell(f"def {name}({args}):\n    return 1", metadata={"tags": ["solution"]})


def small_notebook():
    return new_notebook(
        cells=[
            new_markdown_cell("# 99 — T"),
            exercise("f"),
            new_markdown_cell("Solution:"),
            solution("f"),
            new_code_cell("check.check_value(f(1), 1, 'f')"),
            exercise("g", "a, b=2, *, c: int = 3"),
            new_markdown_cell("One solution:"),
            solution("g", "a, b=2, *, c: int = 3"),
            new_markdown_cell("A solution is only one way to do it; this text stays."),
        ]
    )


# -- the transformation -------------------------------------------------------------------------


def test_student_version_drops_solutions_and_their_labels_only():
    nb = small_notebook()
    student = sv.student_version(nb)
    sources = [c.source for c in student.cells]
    assert not any("solution" in sv.tags(c) for c in student.cells)
    assert "Solution:" not in sources and "One solution:" not in sources
    assert sum("exercise" in sv.tags(c) for c in student.cells) == 2
    assert "check.check_value(f(1), 1, 'f')" in sources
    assert sources[-1].startswith("A solution is only one way")
    assert "Student version" in sources[1]
    assert len(nb.cells) == 9, "the original notebook is not modified"


def test_student_version_drops_hidden_checks_instructor_version_keeps_them():
    nb = small_notebook()
    hidden = new_code_cell("check.check_value(f(2), 1, 'f')", metadata={"tags": ["grader"]})
    nb.cells.insert(5, hidden)
    nb.cells.append(new_code_cell("g(0)", metadata={"rnnlab": {"grader_for": "99-g"}}))
    student = sv.student_version(nb)
    assert not any(sv.is_grader(c) for c in student.cells)
    assert sum(sv.is_grader(c) for c in sv.instructor_version(nb).cells) == 2
    assert sum("exercise" in sv.tags(c) for c in student.cells) == 2


def test_instructor_version_keeps_everything_and_clears_outputs():
    nb = small_notebook()
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", name="stdout", text="ok\n")]
    nb.cells[4].execution_count = 3
    nb.metadata["widgets"] = {"state": {}}
    inst = sv.instructor_version(nb)
    assert len(inst.cells) == len(nb.cells) + 1
    assert "Instructor version" in inst.cells[1].source
    assert all(c.get("outputs", []) == [] for c in inst.cells)
    assert inst.cells[5].execution_count is None
    assert "widgets" not in inst.metadata


def test_real_chapters_student_versions_keep_every_stub():
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        student = sv.student_version(nb)
        n_solutions = sum("solution" in sv.tags(c) for c in nb.cells)
        assert n_solutions >= 2, path.name
        assert not any("solution" in sv.tags(c) for c in student.cells), path.name
        stubs = [c.source for c in nb.cells if "exercise" in sv.tags(c)]
        assert stubs == [c.source for c in student.cells if "exercise" in sv.tags(c)]


def test_exercise_metadata_survives_in_both_versions():
    nb = small_notebook()
    meta = {"exercise": {"id": "99-f", "kind": "predict", "points": 3}}
    nb.cells[1].metadata["rnnlab"] = meta
    nb.cells[3].metadata["jupyter"] = {"source_hidden": True}
    nb.cells[3].metadata["tags"].append("hide-input")
    for version in (sv.student_version(nb), sv.instructor_version(nb)):
        (stub,) = [c for c in version.cells if "exercise" in sv.tags(c) and "def f(" in c.source]
        assert stub.metadata["rnnlab"] == meta
    inst = sv.instructor_version(nb)
    (sol,) = [c for c in inst.cells if "solution" in sv.tags(c) and "def f(" in c.source]
    assert sol.metadata["jupyter"] == {"source_hidden": True}
    assert "hide-input" in sv.tags(sol)


def test_real_chapters_keep_exercise_metadata():
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        metas = [c.metadata.get("rnnlab") for c in nb.cells if "exercise" in sv.tags(c)]
        for version in (sv.student_version(nb), sv.instructor_version(nb)):
            kept = [c.metadata.get("rnnlab") for c in version.cells if "exercise" in sv.tags(c)]
            assert kept == metas, path.name


# -- signatures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PARAMS)
def test_stub_signatures_match_solutions(path):
    nb = nbformat.read(path, as_version=4)
    assert sv.exercise_pairs(nb), f"{path.name} has no exercises"
    assert sv.signature_problems(nb) == [], path.name


def test_signature_reads_every_parameter_kind():
    fn = sv.functions("def f(a, /, b: int = 1, *args, c, d=2, **kw) -> float:\n    pass")["f"]
    assert sv.signature(fn) == "f(a, /, b: int = 1, *args, c, d = 2, **kw) -> float"
    fn = sv.functions("%matplotlib widget\ndef g(x, *, y=0):\n    pass")["g"]
    assert sv.signature(fn) == "g(x, *, y = 0)"


@pytest.mark.parametrize(
    ("stub_args", "solution_args"),
    [("x", "y"), ("x", "x, y"), ("x, t=0.5", "x, t=0.4"), ("x", "x: float"), ("x, *, y", "x, y")],
)
def test_signature_mismatches_are_caught(stub_args, solution_args):
    nb = new_notebook(cells=[exercise("f", stub_args), solution("f", solution_args)])
    (problem,) = sv.signature_problems(nb)
    assert "stub f(" in problem and "but solution f(" in problem


def test_missing_or_renamed_solutions_are_caught():
    nb = new_notebook(cells=[exercise("f"), new_code_cell("x = 1")])
    assert sv.signature_problems(nb) == ["cell 0: the exercise is not followed by a solution cell"]
    nb = new_notebook(cells=[exercise("f"), solution("h")])
    assert sv.signature_problems(nb) == ["cell 1: the solution does not define f()"]


def test_write_versions(tmp_path):
    src = tmp_path / "99_t.ipynb"
    nbformat.write(small_notebook(), src)
    (student,) = sv.write_versions([src], tmp_path / "build")
    assert student == tmp_path / "build" / "student" / "99_t.ipynb"
    assert (tmp_path / "build" / "instructor" / "99_t.ipynb").exists()
    bad = small_notebook()
    bad.cells[3].source = "def f(y):\n    return 1"
    nbformat.write(bad, src)
    with pytest.raises(SystemExit, match=r"stub f\(x\) but solution f\(y\)"):
        sv.write_versions([src], tmp_path / "build")


# -- running the student notebooks --------------------------------------------------------------


def run_all(nb: nbformat.NotebookNode, cwd: Path, env=None) -> list[tuple[int, str, str]]:
    """Execute every cell in one kernel; return (cell index, ename, evalue) of each error.

    ``env``: the kernel's environment (default: this process's at the time of the call).
    """
    NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    ).execute(**({} if env is None else {"env": env}))
    return [
        (i, out.ename, out.evalue)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]


def test_run_all_reports_errors(tmp_path):
    nb = new_notebook(
        cells=[
            new_code_cell("raise NotImplementedError('stub')"),
            new_code_cell("1 / 0"),
            new_code_cell("x = 1"),
        ]
    )
    errors = run_all(nb, tmp_path)
    assert [(i, e) for i, e, _ in errors] == [(0, "NotImplementedError"), (1, "ZeroDivisionError")]


def run_student_version(path: Path, folder: Path, env=None):
    """Write the student version of ``path`` into ``folder``, run it; (notebook, errors)."""
    (student,) = sv.write_versions([path], folder)
    nb = nbformat.read(student, as_version=4)
    return nb, run_all(nb, student.parent, env)


#: Chapter stem -> its student run, started by :func:`start_background_runs`.
BACKGROUND: dict[str, Future] = {}
_POOL: list[ThreadPoolExecutor] = []


def student_jobs() -> int:
    """Kernels for the background runs, from ``RNNLAB_STUDENT_JOBS`` (default 1)."""
    raw = os.environ.get("RNNLAB_STUDENT_JOBS", "1")
    try:
        jobs = int(raw)
    except ValueError:
        raise ValueError(f"RNNLAB_STUDENT_JOBS must be a whole number >= 0, got {raw!r}") from None
    if jobs < 0:
        raise ValueError(f"RNNLAB_STUDENT_JOBS must be a whole number >= 0, got {raw!r}")
    return jobs


def start_background_runs(paths: list[Path], jobs: int) -> None:
    """Start the student runs of ``paths`` in ``jobs`` worker threads (one kernel each)."""
    if jobs == 0 or not paths or BACKGROUND:
        return
    folder = Path(tempfile.mkdtemp(prefix="rnnlab-student-runs-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="student-run")
    _POOL.append(pool)
    env = dict(os.environ)  # as now: a test that changes the environment later cannot leak
    for path in paths:
        BACKGROUND[path.stem] = pool.submit(run_student_version, path, folder / path.stem, env)


def stop_background_runs() -> None:
    """Drop the runs not started yet (e.g. after ``-x``); a running chapter finishes."""
    for pool in _POOL:
        pool.shutdown(wait=False, cancel_futures=True)


def student_run(path: Path, tmp_path: Path):
    """The chapter's student run: the background one if it was started, else run it now."""
    future = BACKGROUND.get(path.stem)
    if future is None or future.cancelled():
        return run_student_version(path, tmp_path)
    return future.result()


def test_background_runs_give_what_a_run_in_the_test_gives(tmp_path, monkeypatch):
    # Two tiny chapters through the background path, one with a stub that raises: the
    # result is the same (notebook, errors) as a run inside the test.
    folder = tmp_path / "notebooks"
    folder.mkdir()
    paths = []
    for name, body in (("98_a", "x = 1"), ("99_b", "raise NotImplementedError('stub')")):
        nb = new_notebook(cells=[new_markdown_cell(f"# {name}"), new_code_cell(body)])
        nbformat.write(nb, folder / f"{name}.ipynb")
        paths.append(folder / f"{name}.ipynb")
    monkeypatch.setattr(sys.modules[__name__], "BACKGROUND", {})
    monkeypatch.setattr(sys.modules[__name__], "_POOL", [])
    start_background_runs(paths, 2)
    assert set(BACKGROUND) == {"98_a", "99_b"}
    for path in paths:
        nb, errors = student_run(path, tmp_path / "inline")
        _, inline_errors = run_student_version(path, tmp_path / "inline" / path.stem)
        assert BACKGROUND[path.stem].done()
        assert [(i, e) for i, e, _ in errors] == [(i, e) for i, e, _ in inline_errors]
    assert [e for _, e, _ in student_run(paths[1], tmp_path)[1]] == ["NotImplementedError"]
    stop_background_runs()


def test_student_jobs_reads_the_environment(monkeypatch):
    monkeypatch.delenv("RNNLAB_STUDENT_JOBS", raising=False)
    assert student_jobs() == 1
    monkeypatch.setenv("RNNLAB_STUDENT_JOBS", "0")
    assert student_jobs() == 0
    for bad in ("two", "-1"):
        monkeypatch.setenv("RNNLAB_STUDENT_JOBS", bad)
        with pytest.raises(ValueError, match="RNNLAB_STUDENT_JOBS must be a whole number"):
            student_jobs()


@pytest.mark.slow
@pytest.mark.parametrize("path", RUN_PARAMS)
def test_student_notebook_runs_with_only_not_implemented_errors(path, tmp_path):
    nb, errors = student_run(path, tmp_path)
    others = [
        f"cell {i} ({nb.cells[i].source.splitlines()[0][:60]!r}): {ename}: {evalue[:200]}"
        for i, ename, evalue in errors
        if ename != "NotImplementedError"
    ]
    assert not others, f"{path.name} (student version) fails:\n" + "\n".join(others)
    # Every stub is reached: some cell that uses it stops with NotImplementedError.
    raised = {i for i, ename, _ in errors if ename == "NotImplementedError"}
    for i, _ in sv.exercise_pairs(nb):
        for name in sv.functions(nb.cells[i].source):
            users = [j for j in raised if j != i and name in nb.cells[j].source]
            assert users, f"{path.name}: no cell calling {name}() raised NotImplementedError"
