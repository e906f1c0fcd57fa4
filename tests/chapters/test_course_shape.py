"""The chapter shape (book/chapter_shape.md), held for every chapter converted to it.

Rules 1-4 and 6 of the spec, measured by tools/course_stats.py. A chapter joins ``CONVERTED``
when it has been rewritten in the new shape; the others are not held yet. Each rule's checker
is a small function returning a list of problems, tested on synthetic notebooks at the end of
this file so that a checker that can never fail would be noticed.
"""

from __future__ import annotations

import copy
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("course_stats", ROOT / "tools/course_stats.py")
cs = importlib.util.module_from_spec(_spec)
sys.modules["course_stats"] = cs
_spec.loader.exec_module(cs)

#: Chapters rewritten in the shape of book/chapter_shape.md; the test holds them to it.
CONVERTED = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"]

MAX_PROSE_RUN = 600  # words of prose between two events (rule 3)
MAX_BOX = 150  # words in a blockquote (rule 3)
MIN_EXERCISES = 4  # rule 2
MIN_PREDICT_OR_ANALYSE = 2  # rule 2
MAX_MINUTES = 60  # rule 6
TIME_TOLERANCE = 5  # minutes between the stated time and the estimate (rule 6)
EXERCISES_SECTION = re.compile(r"^(\d+\.\s*)?exercises?\b", re.I)

CHAPTERS = cs.chapter_paths()
BY_NUMBER = {cs.CHAPTER.match(p.name).group(1): p for p in CHAPTERS}


# -- the checkers, one per rule -------------------------------------------------------------------


def activity_problems(stats: dict[str, Any]) -> list[str]:
    """Rule 1: every content section holds an exercise or a Think! prompt with a folded answer."""
    problems = [f"section {s!r} has no activity" for s in stats["sections_without_activity"]]
    if not stats["sections"]:
        problems.append("no content section (## heading)")
    problems += [
        f"cell {i}: a Think! prompt without a <details><summary>...</summary>...</details> answer"
        for i in stats["think_without_details"]
    ]
    problems += [
        f"cell {i}: **Think!** inside a cell; a prompt is a markdown cell of its own"
        for i in stats["think_not_at_start"]
    ]
    return problems


def exercise_problems(stats: dict[str, Any]) -> list[str]:
    """Rule 2: enough exercises, enough that teach, each with its metadata, in its section.

    Also the exercise format: every solution tagged ``hide-input`` and folded in JupyterLab.
    """
    problems = []
    n, ex = stats["n_exercises"], stats["exercises"]
    if n < MIN_EXERCISES:
        problems.append(f"{n} exercises, need at least {MIN_EXERCISES}")
    teach = ex["predict"] + ex["analyse"]
    if teach < MIN_PREDICT_OR_ANALYSE:
        problems.append(
            f"{teach} predict/analyse exercises, need at least {MIN_PREDICT_OR_ANALYSE}"
        )
    id_form = re.compile(rf"^{re.escape(stats['chapter'])}-[a-z0-9]+(-[a-z0-9]+)*$")
    for e in stats["exercise_list"]:
        where = f"exercise in cell {e['cell']}"
        if not isinstance(e.get("id"), str) or not id_form.match(e["id"]):
            problems.append(
                f"{where}: metadata rnnlab.exercise.id {e.get('id')!r} is not "
                f"'{stats['chapter']}-short-name'"
            )
        if e["kind"] == "unknown":
            problems.append(
                f"{where}: metadata rnnlab.exercise.kind is not one of {', '.join(cs.KINDS)}"
            )
        points = e.get("points")
        if not (isinstance(points, int) and not isinstance(points, bool) and points > 0):
            problems.append(
                f"{where}: metadata rnnlab.exercise.points {points!r} is not an int > 0"
            )
        if e["section"] is None:
            problems.append(f"{where}: before the first section")
        elif EXERCISES_SECTION.match(e["section"]):
            problems.append(
                f"{where}: in a section of exercises ({e['section']!r}), not in the section "
                "it practises"
            )
    problems += [
        f"cell {i}: solution not tagged hide-input with metadata jupyter.source_hidden true"
        for i in stats["solutions_not_hidden"]
    ]
    return problems


def id_problems(all_stats: list[dict[str, Any]]) -> list[str]:
    """Rule 2: exercise ids are unique across the course."""
    seen: dict[str, str] = {}
    problems = []
    for stats in all_stats:
        for e in stats["exercise_list"]:
            ex_id = e.get("id")
            if not isinstance(ex_id, str):
                continue
            if ex_id in seen:
                problems.append(f"exercise id {ex_id!r} in {stats['file']} and {seen[ex_id]}")
            seen.setdefault(ex_id, stats["file"])
    return problems


def prose_problems(stats: dict[str, Any]) -> list[str]:
    """Rule 3: no long stretches of prose, no long boxes."""
    problems = []
    if stats["longest_prose_run"] > MAX_PROSE_RUN:
        problems.append(
            f"{stats['longest_prose_run']} words of prose before cell "
            f"{stats['longest_prose_run_ends_at_cell']} with nothing to see or do "
            f"(at most {MAX_PROSE_RUN})"
        )
    if stats["longest_box"] > MAX_BOX:
        problems.append(f"a box of {stats['longest_box']} words (at most {MAX_BOX})")
    return problems


def log_problems(stats: dict[str, Any]) -> list[str]:
    """Rule 4: no research log in the lesson."""
    return [
        f"research-log phrase {phrase!r} ({n}x): move the log to a lab note"
        for phrase, n in sorted(stats["log_phrases"].items())
    ]


def opening_closing_problems(stats: dict[str, Any], next_file: str | None) -> list[str]:
    """Rule 6: goals, prerequisites and a true time up front; Summary and Next at the end.

    ``next_file`` is the next chapter's file name, None for the last chapter (which may
    omit the pointer).
    """
    problems = []
    if not stats["has_goals"]:
        problems.append("the first cell names no learning goals")
    if not stats["has_prerequisites"]:
        problems.append("the first cell names no prerequisites")
    stated, estimate = stats["stated_minutes"], stats["estimated_minutes"]
    if stated is None:
        problems.append("the first cell has no '**Time:** about NN minutes'")
    else:
        if abs(stated - estimate) > TIME_TOLERANCE:
            problems.append(
                f"stated time {stated} min, estimated {estimate} min (within ±{TIME_TOLERANCE})"
            )
        if stated > MAX_MINUTES:
            problems.append(f"stated time {stated} min, more than {MAX_MINUTES}")
    if estimate > MAX_MINUTES:
        problems.append(f"estimated time {estimate} min, more than {MAX_MINUTES}")
    if not stats["ends_with_summary"]:
        problems.append("the last section is not '## Summary'")
    elif next_file is not None:
        link = stats["next_link"]
        if link is None:
            problems.append("the summary has no '**Next:** [...](NN_name.ipynb)' pointer")
        elif Path(link.split("#")[0]).name != next_file:
            problems.append(f"the Next pointer links {link!r}, not the next chapter {next_file}")
    return problems


def next_file_after(path: Path) -> str | None:
    """The file name of the chapter after ``path``, None for the last chapter."""
    names = [p.name for p in CHAPTERS]
    k = names.index(path.name)
    return names[k + 1] if k + 1 < len(names) else None


# -- the converted chapters -----------------------------------------------------------------------


def test_converted_chapters_exist():
    missing = [n for n in CONVERTED if n not in BY_NUMBER]
    assert not missing, f"CONVERTED lists chapters with no notebook: {missing}"


def no_problems(path: Path, problems: list[str]) -> None:
    """Fail with every problem of the chapter, one a line."""
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


@pytest.fixture(scope="module", params=CONVERTED)
def chapter(request):
    if request.param not in BY_NUMBER:
        pytest.fail(f"no notebooks/{request.param}_*.ipynb")
    path = BY_NUMBER[request.param]
    return path, cs.chapter_stats(path)


def test_rule1_every_section_has_an_activity(chapter):
    path, stats = chapter
    no_problems(path, activity_problems(stats))


def test_rule2_exercises(chapter):
    path, stats = chapter
    no_problems(path, exercise_problems(stats))


def test_rule2_exercise_ids_are_unique_across_the_course():
    assert id_problems([cs.chapter_stats(p) for p in CHAPTERS]) == []


def test_rule3_prose_runs_and_boxes(chapter):
    path, stats = chapter
    no_problems(path, prose_problems(stats))


def test_rule4_no_research_logs(chapter):
    path, stats = chapter
    no_problems(path, log_problems(stats))


def test_rule6_opening_and_closing(chapter):
    path, stats = chapter
    no_problems(path, opening_closing_problems(stats, next_file_after(path)))


# -- the checkers on synthetic chapters ------------------------------------------------------------

THINK = (
    "**Think!** Why can a map have an unstable fixed point with Re μ < 0?\n\n"
    "<details>\n<summary>Answer</summary>\n\nBecause for a map the rule is |μ| > 1.\n</details>"
)


def stub(name: str, kind: str, ex_id: str, points: int = 2) -> nbformat.NotebookNode:
    return new_code_cell(
        f"def {name}(x):\n    raise NotImplementedError('hint')",
        metadata={
            "tags": ["exercise"],
            "rnnlab": {"exercise": {"id": ex_id, "kind": kind, "points": points}},
        },
    )


def solution(name: str) -> nbformat.NotebookNode:
    return new_code_cell(
        f"def {name}(x):\n    return x",
        metadata={"tags": ["solution", "hide-input"], "jupyter": {"source_hidden": True}},
    )


def good_chapter(minutes: int | None = None) -> nbformat.NotebookNode:
    """A chapter in the shape: four exercises (two that teach), a prompt, Summary and Next."""
    cells = [
        new_markdown_cell(
            "# 98 — Synthetic\n\n**Learning goals.** ...\n\n**Prerequisites.** ...\n\n"
            "**Time:** about {minutes} minutes\n\n**Run it yourself.** `make lab`."
        ),
        new_code_cell("from rnnlab import check"),
    ]
    kinds = [("predict", "a"), ("analyse", "b"), ("implement", "c"), ("implement", "d")]
    for k, (kind, name) in enumerate(kinds):
        cells += [
            new_markdown_cell(f"## {k + 1}. Section {name}\n\nSome words about {name}."),
            new_code_cell(f"print({k})"),
            stub(name, kind, f"98-ex-{name}"),
            solution(name),
            new_code_cell(f"check.check_function({name}, lambda x: x, [1.0], {name!r})"),
        ]
    cells += [
        new_markdown_cell("## 5. Discussion\n\nA section with a prompt only."),
        new_markdown_cell(THINK),
        new_markdown_cell("## Summary\n\n- One.\n\n**Next:** [99 — The end](99_end.ipynb)"),
    ]
    nb = new_notebook(cells=cells)
    estimate = cs.notebook_stats(nb, "98_synthetic.ipynb")["estimated_minutes"]
    nb.cells[0].source = nb.cells[0].source.format(minutes=estimate if minutes is None else minutes)
    return nb


def stats_of(nb: nbformat.NotebookNode) -> dict[str, Any]:
    return cs.notebook_stats(nb, "98_synthetic.ipynb")


def all_problems(nb: nbformat.NotebookNode, next_file: str | None = "99_end.ipynb") -> list[str]:
    s = stats_of(nb)
    return [
        *activity_problems(s),
        *exercise_problems(s),
        *prose_problems(s),
        *log_problems(s),
        *opening_closing_problems(s, next_file),
    ]


def test_good_chapter_passes_every_rule():
    nb = good_chapter()
    nbformat.validate(nb)
    assert all_problems(nb) == []
    s = stats_of(nb)
    assert s["exercises"] == {"implement": 2, "predict": 1, "analyse": 1, "unknown": 0}
    assert s["think"] == 1 and len(s["sections"]) == 5
    # The formula: 4 exercises (4 + 8 + 5 + 5), 1 prompt (2), 9 plain code cells (4.5),
    # and the prose words / 150.
    minutes = 22 + 2 + 4.5 + s["prose_words"] / 150
    assert s["estimated_minutes"] == round(minutes)


def test_rule1_section_without_activity_is_caught():
    nb = good_chapter()
    nb.cells.insert(-1, new_markdown_cell("## 6. Idle\n\nOnly words."))
    nb.cells.insert(-1, new_code_cell("print('a figure is not an activity')"))
    assert activity_problems(stats_of(nb)) == ["section '6. Idle' has no activity"]
    # A prompt in the Summary does not count for the idle section before it.
    nb.cells.insert(-1, new_markdown_cell("## Summary"))
    nb.cells.insert(-1, new_markdown_cell(THINK))
    assert activity_problems(stats_of(nb)) == ["section '6. Idle' has no activity"]


def test_rule1_think_without_details_or_inside_a_cell_is_caught():
    nb = good_chapter()
    nb.cells[-2].source = "**Think!** Why?\n\nBecause."
    problems = activity_problems(stats_of(nb))
    assert len(problems) == 1 and "without a <details>" in problems[0]
    nb = good_chapter()
    nb.cells[-2].source = "Words first.\n\n" + THINK
    problems = activity_problems(stats_of(nb))
    assert "section '5. Discussion' has no activity" in problems
    assert any("inside a cell" in p for p in problems)


def test_rule2_too_few_exercises_or_only_implement_are_caught():
    nb = good_chapter()
    del nb.cells[14:19]  # the fourth section and its exercise
    assert "3 exercises, need at least 4" in exercise_problems(stats_of(nb))
    nb = good_chapter()
    for cell in nb.cells:
        if "exercise" in cell.metadata.get("tags", []):
            cell.metadata["rnnlab"]["exercise"]["kind"] = "implement"
    assert exercise_problems(stats_of(nb)) == ["0 predict/analyse exercises, need at least 2"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m.pop("id"), "id None"),
        (lambda m: m.update(id="01-from-another-chapter"), "id '01-from-another-chapter'"),
        (lambda m: m.update(id="98 spaces"), "id '98 spaces'"),
        (lambda m: m.update(kind="guess"), "kind is not one of"),
        (lambda m: m.pop("kind"), "kind is not one of"),
        (lambda m: m.update(points=0), "points 0"),
        (lambda m: m.update(points=True), "points True"),
        (lambda m: m.update(points="2"), "points '2'"),
    ],
)
def test_rule2_bad_metadata_is_caught(change, expected):
    nb = good_chapter()
    change(nb.cells[4].metadata["rnnlab"]["exercise"])
    problems = exercise_problems(stats_of(nb))
    assert any(expected in p for p in problems), problems


def test_rule2_missing_metadata_counts_as_unknown():
    nb = good_chapter()
    del nb.cells[4].metadata["rnnlab"]
    s = stats_of(nb)
    assert s["exercises"]["unknown"] == 1 and s["exercises"]["predict"] == 0
    problems = exercise_problems(s)
    assert any("kind is not one of" in p for p in problems)
    assert "1 predict/analyse exercises, need at least 2" in problems


def test_rule2_exercises_in_a_final_block_are_caught():
    nb = good_chapter()
    nb.cells[12].source = "## 3. Exercises\n\nPractice."
    problems = exercise_problems(stats_of(nb))
    assert problems == [
        "exercise in cell 14: in a section of exercises ('3. Exercises'), "
        "not in the section it practises"
    ]


@pytest.mark.parametrize("drop", ["tag", "metadata"])
def test_rule2_unhidden_solution_is_caught(drop):
    nb = good_chapter()
    sol = nb.cells[5]
    if drop == "tag":
        sol.metadata["tags"] = ["solution"]
    else:
        del sol.metadata["jupyter"]
    assert exercise_problems(stats_of(nb)) == [
        "cell 5: solution not tagged hide-input with metadata jupyter.source_hidden true"
    ]


def test_rule2_duplicate_ids_are_caught():
    a = stats_of(good_chapter())
    b = copy.deepcopy(a)
    b["file"] = "97_other.ipynb"
    assert id_problems([a]) == []
    problems = id_problems([a, b])
    assert (
        len(problems) == 4 and "'98-ex-a' in 97_other.ipynb and 98_synthetic.ipynb" in problems[0]
    )


def test_rule3_long_prose_run_is_caught():
    nb = good_chapter()
    # 350 + 350 words in two cells with no event between them: one run of 700 and more (the
    # title and the section's first words join it: the import cell shows nothing).
    nb.cells.insert(3, new_markdown_cell("word " * 350))
    nb.cells.insert(3, new_markdown_cell("word " * 350))
    (problem,) = prose_problems(stats_of(nb))
    assert 700 <= int(problem.split()[0]) < 750 and "before cell 5" in problem
    # A code cell between them splits the run in two.
    nb.cells.insert(4, new_code_cell("print(1)"))
    assert prose_problems(stats_of(nb)) == []


def test_rule3_details_do_not_count_and_think_ends_a_run():
    nb = good_chapter(minutes=0)
    long_answer = "**Think!** Why?\n\n<details>\n<summary>Answer</summary>\n\n" + "because " * 700
    nb.cells[-2].source = long_answer + "\n</details>"
    nb.cells.insert(-2, new_markdown_cell("word " * 400))
    nb.cells.insert(-1, new_markdown_cell("word " * 400))
    s = stats_of(nb)
    assert s["longest_prose_run"] < 600, "the Think! prompt ends the run; its answer is folded"
    assert s["prose_words"] < 1000


def test_rule3_long_box_is_caught():
    nb = good_chapter()
    nb.cells[2].source += (
        "\n\n> **Note.** " + "word " * 100 + "\n>\n> " + "more " * 60 + "\n\nAfter."
    )
    (problem,) = prose_problems(stats_of(nb))
    assert problem == "a box of 161 words (at most 150)"  # Note + 100 + 60


@pytest.mark.parametrize(
    "text",
    ["Measured while preparing the chapter", "not rerun", "the recipe screen", "While preparing"],
)
def test_rule4_research_log_phrases_are_caught(text):
    nb = good_chapter()
    nb.cells[2].source += f"\n\n> **Aside.** {text}."
    (problem,) = log_problems(stats_of(nb))
    assert "research-log phrase" in problem and "(1x)" in problem


def test_rule6_time_goals_and_prerequisites_are_caught():
    estimate = stats_of(good_chapter())["estimated_minutes"]
    assert opening_closing_problems(stats_of(good_chapter(estimate + 5)), "99_end.ipynb") == []
    (problem,) = opening_closing_problems(stats_of(good_chapter(estimate + 6)), "99_end.ipynb")
    assert problem.startswith(f"stated time {estimate + 6} min, estimated {estimate}")
    nb = good_chapter()
    nb.cells[0].source = "# 98\n\nEstimated time: 30 minutes."
    problems = opening_closing_problems(stats_of(nb), "99_end.ipynb")
    assert problems == [
        "the first cell names no learning goals",
        "the first cell names no prerequisites",
        "the first cell has no '**Time:** about NN minutes'",
    ]


def test_rule6_more_than_an_hour_is_caught():
    nb = good_chapter()
    for k in range(10):
        nb.cells.insert(3, stub(f"extra{k}", "analyse", f"98-extra-{k}"))
    s = stats_of(nb)
    nb.cells[0].source = nb.cells[0].source.replace(
        "about ", f"about {s['estimated_minutes']} minutes (was "
    )
    problems = opening_closing_problems(stats_of(nb), "99_end.ipynb")
    assert any("more than 60" in p for p in problems), problems


def test_rule6_summary_and_next_are_caught():
    nb = good_chapter()
    assert opening_closing_problems(stats_of(nb), "99_other.ipynb") == [
        "the Next pointer links '99_end.ipynb', not the next chapter 99_other.ipynb"
    ]
    nb.cells[-1].source = "## Summary\n\n- One."
    assert opening_closing_problems(stats_of(nb), "99_end.ipynb") == [
        "the summary has no '**Next:** [...](NN_name.ipynb)' pointer"
    ]
    assert opening_closing_problems(stats_of(nb), None) == [], "the last chapter may omit Next"
    nb.cells.append(new_markdown_cell("## What we found\n\n**Next:** [99](99_end.ipynb)"))
    assert opening_closing_problems(stats_of(nb), "99_end.ipynb") == [
        "the last section is not '## Summary'"
    ]
    # A Summary whose Next sits in a later cell of the same section.
    nb = good_chapter()
    nb.cells[-1].source = "## Summary\n\n- One."
    nb.cells.append(new_code_cell("print('the end')"))
    nb.cells.append(new_markdown_cell("**Next:** [99 — The end](99_end.ipynb#top)"))
    assert opening_closing_problems(stats_of(nb), "99_end.ipynb") == []


def test_count_words_is_rough_but_sane():
    assert cs.count_words("The speed $q = \\tfrac12|F|^2$ is [small](02_x.ipynb) <b>here</b>.") == 6
    assert cs.count_words("$$\nx = 1\n$$\n\n- a\n- b\n\n```python\nx = 1\n```") == 3
    assert cs.count_words("## 1. Title\n\n> quoted *text* — yes") == 5


def test_course_stats_main_prints_a_table_and_json(capsys, tmp_path):
    path = tmp_path / "98_synthetic.ipynb"
    nbformat.write(good_chapter(), path)
    cs.main([str(path)])
    out = capsys.readouterr().out.strip().splitlines()
    import json

    report = json.loads(out[-1])
    assert report["chapters"][0]["chapter"] == "98"
    assert report["totals"]["n_exercises"] == 4
    assert any(line.split()[:2] == ["98", "4"] for line in out[:-1])
    with pytest.raises(SystemExit, match="does not exist"):
        cs.main([str(tmp_path / "missing.ipynb")])


@pytest.mark.parametrize(
    ("source", "shows"),
    [
        ("import numpy as np\nfrom rnnlab import check", False),
        ("def helper(x):\n    return 2 * x", False),
        ("x = compute()\ny = x + 1", False),
        ("%matplotlib widget\nimport rnnlab", False),
        ("fig, ax = plt.subplots()\nax.plot(x, y);", True),
        ("print(f'{n} fixed points')", True),
        ("# NBVAL_CHECK_OUTPUT\nresult = 3", True),
        ("census.table()", True),
        ("app = widgets.ToySystemApp()", True),
        ("check.ch01.toy_jacobian(toy_jacobian)", True),
        ("value = 1\nvalue;", False),
    ],
)
def test_which_code_cells_end_a_prose_run(source, shows):
    assert cs.shows_something(new_code_cell(source)) is shows


def test_a_silent_code_cell_does_not_end_a_prose_run():
    words = " ".join(["word"] * 400)
    nb = new_notebook(
        cells=[
            new_markdown_cell(words),
            new_code_cell("import numpy as np"),
            new_markdown_cell(words),
            new_code_cell("print(1)"),
        ]
    )
    assert cs.notebook_stats(nb)["longest_prose_run"] == 800
