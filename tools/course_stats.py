"""Measure the chapters against the chapter shape (book/chapter_shape.md).

    python tools/course_stats.py                 # every notebooks/NN_*.ipynb
    python tools/course_stats.py notebooks/01_toy_system.ipynb

Prints one row per chapter and a row of totals, then, as the last line, the same numbers as
JSON. ``tests/chapters/test_course_shape.py`` imports :func:`chapter_stats` (or :func:`notebook_stats`)
and holds the rules for every converted chapter.

What is counted, per chapter:

- **exercises** by kind, from the stub cell's metadata ``rnnlab.exercise.kind``
  (``implement``, ``predict``, ``analyse``); a stub (code cell tagged ``exercise``) without
  that metadata, or with another kind, counts as ``unknown``;
- **Think! prompts**: markdown cells that start with ``**Think!**`` and hold a
  ``<details>`` block (a ``**Think!**`` cell without one is listed separately);
- **content sections**: ``##`` headings except ``## Summary``, and those that hold no activity
  (no exercise stub, no Think! prompt) before the next ``##`` heading;
- the **longest prose run**: the words of markdown between two events (an event is a code
  cell that shows something - it prints, plots, displays, calls a check or an app, is checked
  by nbval or ends with an expression: :func:`shows_something` - an exercise stub, or a
  Think! prompt; the prompt's question counts towards the run it ends; a cell that only
  imports or defines does not end a run), the title cell included and text inside
  ``<details>...</details>`` excluded;
- the **longest box**: the words of the longest markdown blockquote (outside ``<details>``);
- **research-log phrases** found in the markdown ("measured while preparing", ...; each
  occurrence counted once, by the longest phrase that matches it);
- the **estimated time** by the spec's formula: prose words (``<details>`` excluded) / 150,
  plus 0.5 minute per code cell that is neither an exercise nor a solution, plus 5 / 4 / 8 / 5
  minutes per implement / predict / analyse / unknown exercise, plus 2 per Think! prompt;
- the **stated time** (``**Time:** about NN minutes`` in the first cell), whether the first
  cell names learning goals and prerequisites, and whether the last ``##`` section is
  ``## Summary`` with a ``**Next:** [...](NN_name.ipynb)`` pointer.

Words are counted roughly: a formula (``$...$`` or ``$$...$$``) is one word, a link counts its
text and not its target, HTML tags and fenced code are dropped, and a word is any
whitespace-separated token with a letter or a digit in it.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHAPTER = re.compile(r"^(\d\d)_.*\.ipynb$")

KINDS = ("implement", "predict", "analyse")
#: Minutes an exercise takes, by kind (book/chapter_shape.md, "Measuring it").
EXERCISE_MINUTES = {"implement": 5.0, "predict": 4.0, "analyse": 8.0, "unknown": 5.0}
WORDS_PER_MINUTE = 150.0
CODE_CELL_MINUTES = 0.5
THINK_MINUTES = 2.0
#: Phrases that mark a research log in a lesson (rule 4).
LOG_PHRASES = ("measured while preparing", "not rerun", "recipe screen", "while preparing")
# Longest first, so "measured while preparing" is counted once, not also as "while preparing".
LOG_PHRASE = re.compile(
    "|".join(re.escape(p) for p in sorted(LOG_PHRASES, key=len, reverse=True)), re.I
)

THINK = re.compile(r"^\s*\*\*Think!\*\*")
THINK_ANYWHERE = re.compile(r"^\s*\*\*Think!\*\*", re.M)
DETAILS = re.compile(r"<details\b.*?</details\s*>", re.S | re.I)
HAS_DETAILS = re.compile(r"<details\b.*?<summary\b.*?</summary\s*>.*?</details\s*>", re.S | re.I)
HEADING2 = re.compile(r"^##(?!#)\s+(.*?)\s*#*\s*$")
SUMMARY = re.compile(r"^summary$", re.I)
STATED_TIME = re.compile(r"\*\*Time:\*\*\s*about\s+(\d+)\s+minutes", re.I)
GOALS = re.compile(r"learning goals", re.I)
PREREQUISITES = re.compile(r"prerequisites", re.I)
NEXT = re.compile(r"\*\*Next:\*\*.*?\[[^\]]+\]\(([^)\s]+)\)", re.S)
FENCE = re.compile(r"```.*?```|~~~.*?~~~", re.S)
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
INLINE_MATH = re.compile(r"\$[^$\n]+\$")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
HTML_TAG = re.compile(r"<[^>\n]+>")
WORD = re.compile(r"[A-Za-z0-9]")


# -- text -----------------------------------------------------------------------------------------


def strip_details(markdown: str) -> str:
    """The markdown with every ``<details>...</details>`` block removed."""
    return DETAILS.sub(" ", markdown)


def count_words(markdown: str) -> int:
    """Words of a piece of markdown, counted roughly (see the module docstring)."""
    text = FENCE.sub(" ", markdown)
    text = DISPLAY_MATH.sub(" formula ", text)
    text = INLINE_MATH.sub(" formula ", text)
    text = LINK_TARGET.sub("] ", text)
    text = HTML_TAG.sub(" ", text)
    return sum(1 for token in text.split() if WORD.search(token))


def blockquotes(markdown: str) -> list[str]:
    """The blockquotes of a markdown text (``<details>`` removed), each as its lines."""
    boxes: list[str] = []
    current: list[str] = []
    for line in strip_details(markdown).splitlines():
        if line.lstrip().startswith(">"):
            current.append(line.lstrip()[1:])
        elif current:
            boxes.append("\n".join(current))
            current = []
    if current:
        boxes.append("\n".join(current))
    return boxes


def is_think(cell: nbformat.NotebookNode) -> bool:
    """A markdown cell that starts with ``**Think!**`` (with or without its answer)."""
    return cell.cell_type == "markdown" and bool(THINK.match(cell.source))


def tags(cell: nbformat.NotebookNode) -> set[str]:
    """The cell's tags."""
    return set(cell.get("metadata", {}).get("tags", []))


def exercise_metadata(cell: nbformat.NotebookNode) -> dict[str, Any]:
    """The stub's ``rnnlab.exercise`` metadata ({} if there is none)."""
    meta = cell.get("metadata", {}).get("rnnlab", {})
    exercise = meta.get("exercise", {}) if isinstance(meta, dict) else {}
    return dict(exercise) if isinstance(exercise, dict) else {}


def exercise_kind(cell: nbformat.NotebookNode) -> str:
    """``implement``, ``predict`` or ``analyse`` from the metadata, else ``unknown``."""
    kind = exercise_metadata(cell).get("kind")
    return kind if kind in KINDS else "unknown"


def headings2(markdown: str) -> list[str]:
    """The titles of the ``##`` headings of a markdown text, in order (not in fences)."""
    return [
        m.group(1) for line in FENCE.sub("", markdown).splitlines() if (m := HEADING2.match(line))
    ]


# -- one chapter ----------------------------------------------------------------------------------


#: Calls whose result a reader sees: printed text, a figure, a displayed object, an app.
SHOWING_CALLS = re.compile(
    r"\b(print|display|plt\.\w+|subplots|figure|imshow|plot\w*|scatter|hist|show|check\.[\w.]+)\s*\(|App\("
)


def is_grader(cell: nbformat.NotebookNode) -> bool:
    """A hidden check for the grader (tag ``grader`` or metadata ``rnnlab.grader_for``)."""
    meta = cell.get("metadata", {}).get("rnnlab", {})
    return "grader" in tags(cell) or (isinstance(meta, dict) and "grader_for" in meta)


def shows_something(cell: nbformat.NotebookNode) -> bool:
    """Whether a code cell shows the reader something when it runs.

    True when it prints, plots, displays, calls a check or an app, is checked by nbval
    (``# NBVAL_CHECK_OUTPUT``), or ends with an expression (which Jupyter displays); False
    for a cell that only assigns, imports or defines.
    """
    source = cell.source
    if "NBVAL_CHECK_OUTPUT" in source or SHOWING_CALLS.search(source):
        return True
    code = "\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return True  # cannot tell: count it as showing
    if not tree.body:
        return False
    last = tree.body[-1]
    return isinstance(last, ast.Expr) and not source.rstrip().endswith(";")


def notebook_stats(nb: nbformat.NotebookNode, name: str = "") -> dict[str, Any]:
    """Every number of the chapter shape for one notebook, as a JSON-serialisable dict.

    ``name`` is the file name (``01_toy_system.ipynb``); the chapter number is read from it.
    """
    m = CHAPTER.match(name)
    stats: dict[str, Any] = {"chapter": m.group(1) if m else name, "file": name}
    cells = nb.cells

    exercises: dict[str, int] = {kind: 0 for kind in (*KINDS, "unknown")}
    exercise_list: list[dict[str, Any]] = []
    think = 0
    think_without_details: list[int] = []
    think_not_at_start: list[int] = []
    sections: list[str] = []
    activities: list[int] = []  # per content section, in order
    in_content = False  # inside a content section (not before the first, not in Summary)
    section: str | None = None
    runs: list[tuple[int, int]] = []  # (words, index of the cell that ends the run)
    run = 0
    prose_words = 0
    plain_code = 0
    longest_box = 0
    phrases: dict[str, int] = {}
    solutions_not_hidden: list[int] = []

    for i, cell in enumerate(cells):
        if cell.cell_type == "code":
            cell_tags = tags(cell)
            if is_grader(cell):
                continue  # a hidden check for the grader: students never see it
            # A run of prose ends at a cell that shows something, or at an exercise; a cell
            # that only defines things (imports, helpers) does not break it.
            if shows_something(cell) or "exercise" in cell_tags:
                runs.append((run, i))
                run = 0
            if "exercise" in cell_tags:
                kind = exercise_kind(cell)
                exercises[kind] += 1
                exercise_list.append(
                    {"cell": i, "section": section, **exercise_metadata(cell), "kind": kind}
                )
                if in_content:
                    activities[-1] += 1
            elif "solution" in cell_tags:
                hidden = cell.get("metadata", {}).get("jupyter", {}).get("source_hidden")
                if "hide-input" not in cell_tags or hidden is not True:
                    solutions_not_hidden.append(i)
            else:
                plain_code += 1
            continue
        if cell.cell_type != "markdown":
            continue
        source = cell.source
        for found in LOG_PHRASE.finditer(source):
            phrase = found.group(0).lower()
            phrases[phrase] = phrases.get(phrase, 0) + 1
        visible = strip_details(source)
        words = count_words(visible)
        prose_words += words
        for box in blockquotes(source):
            longest_box = max(longest_box, count_words(box))
        if is_think(cell):
            think += 1
            if not HAS_DETAILS.search(source):
                think_without_details.append(i)
            if in_content:
                activities[-1] += 1
            runs.append((run + words, i))
            run = 0
        else:
            if THINK_ANYWHERE.search(source):
                think_not_at_start.append(i)
            # A cell's words belong to the run; its headings switch the section.
            run += words
        for title in headings2(source):
            section = title
            in_content = not SUMMARY.match(title)
            if in_content:
                sections.append(title)
                activities.append(0)
    runs.append((run, len(cells)))

    longest, ends_at = max(runs, default=(0, 0))
    first = cells[0].source if cells and cells[0].cell_type == "markdown" else ""
    stated = STATED_TIME.search(first)
    minutes = (
        prose_words / WORDS_PER_MINUTE
        + CODE_CELL_MINUTES * plain_code
        + sum(EXERCISE_MINUTES[k] * n for k, n in exercises.items())
        + THINK_MINUTES * think
    )
    summary_text = _last_section_text(cells)
    next_link = None
    if summary_text is not None:
        found = NEXT.search(summary_text)
        next_link = found.group(1) if found else None

    stats.update(
        exercises=exercises,
        n_exercises=sum(exercises.values()),
        exercise_list=exercise_list,
        think=think,
        think_without_details=think_without_details,
        think_not_at_start=think_not_at_start,
        sections=sections,
        sections_without_activity=[s for s, n in zip(sections, activities, strict=True) if n == 0],
        longest_prose_run=longest,
        longest_prose_run_ends_at_cell=ends_at,
        longest_box=longest_box,
        log_phrases=phrases,
        prose_words=prose_words,
        code_cells=plain_code,
        estimated_minutes=round(minutes),
        stated_minutes=int(stated.group(1)) if stated else None,
        has_goals=bool(GOALS.search(first)),
        has_prerequisites=bool(PREREQUISITES.search(first)),
        ends_with_summary=summary_text is not None,
        next_link=next_link,
        solutions_not_hidden=solutions_not_hidden,
    )
    return stats


def _last_section_text(cells: list[nbformat.NotebookNode]) -> str | None:
    """The markdown of the last ``##`` section if it is ``## Summary``, else None."""
    text: list[str] = []
    for cell in reversed(cells):
        if cell.cell_type != "markdown":
            continue
        lines = FENCE.sub("", cell.source).splitlines()
        for k in range(len(lines) - 1, -1, -1):
            m = HEADING2.match(lines[k])
            if m:
                if not SUMMARY.match(m.group(1)):
                    return None
                return "\n".join([*lines[k:], *reversed(text)])
        text.append(cell.source)
    return None


def chapter_stats(path: Path) -> dict[str, Any]:
    """:func:`notebook_stats` of the notebook at ``path``."""
    path = Path(path)
    return notebook_stats(nbformat.read(path, as_version=4), path.name)


def chapter_paths(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every ``NN_*.ipynb`` in ``folder``, in file-name order."""
    return sorted(p for p in folder.glob("*.ipynb") if CHAPTER.match(p.name))


def course_stats(paths: list[Path] | None = None) -> dict[str, Any]:
    """Stats of each chapter and their totals: ``{"chapters": [...], "totals": {...}}``."""
    chapters = [chapter_stats(p) for p in (chapter_paths() if paths is None else paths)]
    totals = {
        "exercises": {k: sum(c["exercises"][k] for c in chapters) for k in EXERCISE_MINUTES},
        "n_exercises": sum(c["n_exercises"] for c in chapters),
        "think": sum(c["think"] for c in chapters),
        "sections": sum(len(c["sections"]) for c in chapters),
        "sections_without_activity": sum(len(c["sections_without_activity"]) for c in chapters),
        "longest_prose_run": max((c["longest_prose_run"] for c in chapters), default=0),
        "longest_box": max((c["longest_box"] for c in chapters), default=0),
        "log_phrases": sum(sum(c["log_phrases"].values()) for c in chapters),
        "estimated_minutes": sum(c["estimated_minutes"] for c in chapters),
        "stated_minutes": sum(c["stated_minutes"] or 0 for c in chapters),
    }
    return {"chapters": chapters, "totals": totals}


# -- output ---------------------------------------------------------------------------------------

COLUMNS = (
    ("ch", 3),
    ("ex", 3),
    ("impl", 4),
    ("pred", 4),
    ("anal", 4),
    ("unkn", 4),
    ("think", 5),
    ("sect", 4),
    ("idle", 4),
    ("prose", 5),
    ("box", 4),
    ("logs", 4),
    ("est", 4),
    ("time", 4),
    ("goals", 5),
    ("end", 9),
)


def _row(values: list[str]) -> str:
    return "  ".join(str(v).rjust(w) for v, (_, w) in zip(values, COLUMNS, strict=True))


def _end(c: dict[str, Any]) -> str:
    if not c["ends_with_summary"]:
        return "no summ."
    return "summ+next" if c["next_link"] else "summary"


def table(report: dict[str, Any]) -> str:
    """The report as a text table: one row per chapter, then the totals."""
    lines = [
        _row([name for name, _ in COLUMNS]),
        "",
    ]
    for c in report["chapters"]:
        ex = c["exercises"]
        lines.append(
            _row(
                [
                    c["chapter"],
                    c["n_exercises"],
                    ex["implement"],
                    ex["predict"],
                    ex["analyse"],
                    ex["unknown"],
                    c["think"],
                    len(c["sections"]),
                    len(c["sections_without_activity"]),
                    c["longest_prose_run"],
                    c["longest_box"],
                    sum(c["log_phrases"].values()),
                    c["estimated_minutes"],
                    c["stated_minutes"] if c["stated_minutes"] is not None else "-",
                    "yes" if c["has_goals"] and c["has_prerequisites"] else "no",
                    _end(c),
                ]
            )
        )
    t = report["totals"]
    ex = t["exercises"]
    lines.append(
        _row(
            [
                "all",
                t["n_exercises"],
                ex["implement"],
                ex["predict"],
                ex["analyse"],
                ex["unknown"],
                t["think"],
                t["sections"],
                t["sections_without_activity"],
                t["longest_prose_run"],
                t["longest_box"],
                t["log_phrases"],
                t["estimated_minutes"],
                t["stated_minutes"],
                "",
                "",
            ]
        )
    )
    legend = (
        "ex: exercises (impl/pred/anal/unkn by kind); think: Think! prompts; sect: content "
        "sections; idle: sections without an activity; prose: longest prose run (words); "
        "box: longest blockquote (words); logs: research-log phrases; est: estimated minutes; "
        "time: stated minutes; goals: goals and prerequisites in the first cell; end: how the "
        "chapter ends."
    )
    return "\n".join([*lines, "", legend])


def main(argv: list[str] | None = None) -> None:
    """Print the table and, as the last line, the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="default: every notebooks/NN_*.ipynb")
    args = parser.parse_args(argv)
    for path in args.paths:
        if not path.exists():
            sys.exit(f"paths: {path} does not exist")
    report = course_stats(args.paths or None)
    print(table(report))
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
