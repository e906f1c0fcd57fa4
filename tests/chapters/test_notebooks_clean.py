"""Notebooks are committed clean (no images, no widget state) and follow the course template.

Each check is a small function returning a list of problems; they are tested on synthetic
notebooks below so that a check that can never fail would be noticed.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DEF = re.compile(r"^\s*def\s+([A-Za-z_]\w*)\s*\(", re.M)
# check.check_value(...) or a chapter check, check.ch01.toy_jacobian(...)
CHECK_CALL = re.compile(r"\bcheck\.(?:\w+\.)*\w+\s*\(")
# The paragraph runs to the next blank line.
RUN_IT_YOURSELF = re.compile(r"\*\*Run it yourself\.?\*\*.*?(?:\n\s*\n|\Z)", re.S)


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def output_problems(nb):
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            for mime, value in data.items():
                if mime.startswith("image/"):
                    problems.append(f"cell {i}: {mime} output")
                if mime == "application/vnd.jupyter.widget-view+json":
                    problems.append(f"cell {i}: widget-view output")
                if mime == "text/html":
                    text = value if isinstance(value, str) else "".join(value)
                    if "data:image" in text:
                        problems.append(f"cell {i}: base64 image embedded in text/html")
    if "widgets" in nb.metadata:
        problems.append("notebook metadata holds saved widget state ('widgets')")
    return problems


def template_problems(nb):
    problems = []
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("kernelspec name is not 'python3'")
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        problems.append("the first cell is not markdown")
    else:
        first = nb.cells[0].source
        for word in ("Learning goals", "Prerequisites", "minutes"):
            if word not in first:
                problems.append(f"the first cell does not mention {word!r}")
        # How to open the chapter live: the book shows static figures, sliders need a kernel.
        run = RUN_IT_YOURSELF.search(first)
        if run is None:
            problems.append("the first cell has no 'Run it yourself.' paragraph")
        elif "make lab" not in run.group(0):
            problems.append("the 'Run it yourself.' paragraph does not say `make lab`")
    return problems


def exercise_problems(nb):
    problems = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    n_exercises = 0
    for k, cell in enumerate(code):
        if "exercise" not in tags(cell):
            continue
        n_exercises += 1
        names = DEF.findall(cell.source)
        if "NotImplementedError" not in cell.source:
            problems.append(f"exercise {names} does not raise NotImplementedError")
        if not names:
            problems.append("an exercise cell defines no function")
            continue
        nxt = code[k + 1] if k + 1 < len(code) else None
        if nxt is None or "solution" not in tags(nxt):
            problems.append(f"exercise {names[0]!r} is not followed by a 'solution' cell")
        elif names[0] not in DEF.findall(nxt.source):
            problems.append(f"the solution after exercise {names[0]!r} does not define it")
    if n_exercises < 2:
        problems.append(f"{n_exercises} exercise cells (tag 'exercise'), need at least 2")
    if not any(CHECK_CALL.search(c.source) for c in code):
        problems.append("no cell calls check.<something>(...)")
    return problems


# -- the real notebooks ------------------------------------------------------------------------

PARAMS = [pytest.param(p, id=p.name) for p in NOTEBOOKS] or [
    pytest.param(None, marks=pytest.mark.skip(reason="no notebooks/*.ipynb yet"), id="none")
]


@pytest.fixture(params=PARAMS)
def notebook(request):
    nb = nbformat.read(request.param, as_version=nbformat.NO_CONVERT)
    return request.param, nb


def test_valid_nbformat_v4(notebook):
    path, nb = notebook
    assert nb.nbformat == 4, f"{path.name}: nbformat {nb.nbformat}"
    nbformat.validate(nb)


def test_no_saved_images_or_widgets(notebook):
    path, nb = notebook
    assert output_problems(nb) == [], path.name


def checked_cell_problems(nb) -> list[str]:
    """Cells nbval checks: outputs committed as printed text with sequential counts.

    nbval executes without history, so a bare last expression (or one hidden by `;`)
    behaves differently under nbval than in Jupyter: checked cells must print.
    """
    problems = []
    expected = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if "# NBVAL_CHECK_OUTPUT" not in cell.source:
            if cell.get("outputs"):
                problems.append(f"cell {i}: unchecked cell has committed outputs")
            continue
        expected += 1
        if cell.execution_count != expected:
            problems.append(
                f"cell {i}: execution count {cell.execution_count}, expected {expected}"
            )
        if not cell.outputs:
            problems.append(f"cell {i}: checked cell has no committed output")
        for out in cell.outputs:
            if out.output_type != "stream":
                problems.append(
                    f"cell {i}: checked output of type {out.output_type}; print instead"
                )
    return problems


def test_checked_cells_print_their_numbers(notebook):
    path, nb = notebook
    assert checked_cell_problems(nb) == [], path.name


def test_checked_cell_problems_are_caught():
    nb = good_notebook()
    nb.cells.append(new_code_cell("# NBVAL_CHECK_OUTPUT\n1 + 1", execution_count=1))
    nb.cells[-1].outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)
    ]
    nb.cells.append(new_code_cell("print(3)", execution_count=None))
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="3\n")]
    problems = checked_cell_problems(nb)
    assert any("execute_result" in p for p in problems)
    assert any("unchecked cell has committed outputs" in p for p in problems)


def test_template(notebook):
    path, nb = notebook
    assert template_problems(nb) == [], path.name


def test_exercises_and_solutions(notebook):
    path, nb = notebook
    assert exercise_problems(nb) == [], path.name


# -- the checks themselves ---------------------------------------------------------------------


def good_notebook():
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        new_markdown_cell(
            "# T\n**Learning goals** ...\n**Prerequisites** ...\nAbout 40 minutes.\n\n"
            "**Run it yourself.** `make lab`, then run the cells from top to bottom.\n\nMore."
        ),
        new_code_cell("from rnnlab import check"),
    ]
    for name in ("speed", "jacobian"):
        nb.cells.append(
            new_code_cell(
                f"def {name}(x):\n    raise NotImplementedError", metadata={"tags": ["exercise"]}
            )
        )
        nb.cells.append(new_markdown_cell("Solution:"))
        nb.cells.append(
            new_code_cell(f"def {name}(x):\n    return x", metadata={"tags": ["solution"]})
        )
        nb.cells.append(new_code_cell(f"check.{name}({name})"))
    text_out = new_output("execute_result", data={"text/plain": "1"}, execution_count=1)
    nb.cells[1].outputs = [text_out]
    return nb


def test_good_notebook_passes():
    nb = good_notebook()
    nbformat.validate(nb)
    assert output_problems(nb) == []
    assert template_problems(nb) == []
    assert exercise_problems(nb) == []


@pytest.mark.parametrize(
    "data",
    [
        {"image/png": "iVBORw0KGgo="},
        {"image/svg+xml": "<svg/>"},
        {"text/html": '<img src="data:image/png;base64,iVBORw0KGgo=">'},
        {"application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2}},
    ],
)
def test_dirty_outputs_are_caught(data):
    nb = good_notebook()
    nb.cells[1].outputs = [new_output("display_data", data=data)]
    assert len(output_problems(nb)) == 1


def test_widget_state_is_caught():
    nb = good_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    assert output_problems(nb) == ["notebook metadata holds saved widget state ('widgets')"]


def test_template_problems_are_caught():
    nb = good_notebook()
    nb.metadata["kernelspec"]["name"] = "rnnlab"
    nb.cells[0].source = "# T\nLearning goals only"
    problems = template_problems(nb)
    assert "kernelspec name is not 'python3'" in problems
    assert any("Prerequisites" in p for p in problems)
    assert any("minutes" in p for p in problems)
    assert "the first cell has no 'Run it yourself.' paragraph" in problems
    nb.cells[0].source = "**Run it yourself.** Open JupyterLab.\n\nUse `make lab`."
    assert "the 'Run it yourself.' paragraph does not say `make lab`" in template_problems(nb)


@pytest.mark.parametrize(
    ("source", "calls"),
    [
        ("check.check_value(x, 1, 'x')", True),
        ("check.ch01.toy_jacobian(toy_jacobian)", True),
        ("rnnlab.course.check.ch03.rls_step (rls_step)", True),
        ("check.ch01", False),
        ("recheck.value(x)", False),
        ("print(check)", False),
    ],
)
def test_check_call_pattern(source, calls):
    assert bool(CHECK_CALL.search(source)) is calls


def test_exercise_problems_are_caught():
    nb = good_notebook()
    nb.cells[4].source = "def other(x):\n    return x"  # solution for 'speed' renamed
    assert any("does not define" in p for p in exercise_problems(nb))
    nb = good_notebook()
    nb.cells[4].metadata["tags"] = []
    assert any("not followed by a 'solution'" in p for p in exercise_problems(nb))
    nb = good_notebook()
    nb.cells[2].source = "def speed(x):\n    pass"
    assert any("NotImplementedError" in p for p in exercise_problems(nb))
    nb = good_notebook()
    nb.cells = [c for c in nb.cells if "check." not in c.source]
    assert exercise_problems(nb) == ["no cell calls check.<something>(...)"]
    nb = good_notebook()
    nb.cells = nb.cells[:5]
    assert any("need at least 2" in p for p in exercise_problems(nb))
