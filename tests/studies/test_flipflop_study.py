r"""The FORCE recipe study (``studies/flipflop_recipes.md``) checked against itself and its script.

Fast checks read the md only. The summary table under "## Every run" and the "## Second
screen" table must agree with the per-run rows (number of seeds, complete censuses, passes,
failing seeds); every per-run row's verdict must follow the study's rule

.. math::

    \text{pass} \iff \text{complete} \wedge a \ge 0.98 \wedge s \ge 0.99,

with :math:`a` the sign accuracy and :math:`s` the settled accuracy, up to the rounding of the
printed three decimals; the md's "Robustness in brief" section (moved there from chapter 03)
must state what its per-run rows give (22 of 30 for ``g0.5-a50-len7``, 12 of 30 for ``g0.6``, and
how the failures split), and chapter 03 must quote those two pass counts and the recipe count.

The slow checks re-run a few recorded runs with the study's own ``run(name, seed)`` on one
BLAS thread (about 7 s each) and compare them with their md rows.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[2]
MD = ROOT / "studies" / "flipflop_recipes.md"
SCRIPT = ROOT / "studies" / "flipflop_recipes.py"
CHAPTER = ROOT / "notebooks" / "03_esn_flipflop.ipynb"

RUN_HEADER = (
    "| recipe | seed | acc | settled | counts (0/1/2/3 unstable) | complete | pass "
    "| chapter test acc / settled | train s | census s |"
)
SUMMARY_HEADER = "| recipe | seeds | complete | pass |"
SCREEN_HEADER = "| recipe | seeds | complete | pass | failing seeds (0-9) |"
COMPLETE_COUNTS = (8, 12, 6, 1)
# The study's bars, in thousandths (the md prints three decimals).
ACC_BAR, SETTLED_BAR = 980, 990
# What the md's "Robustness in brief" section states, seeds 0-29 of each recipe: passes, and
# the failures split into incomplete censuses with 8/10/4/1 counts, with other wrong counts,
# with the right counts (8/12/6/1, a saddle connecting the wrong corners), and complete
# censuses that miss the accuracy bars. Every seed keeps its 8 memories. Chapter 03 quotes the
# passes.
CHAPTER_QUOTES = {
    # this chapter's recipe: "22 of 30 seeds pass"; of the 8 failures 5 are 8/10/4/1, 3 accuracy
    "g0.5-a50-len7": {"pass": 22, "8/10/4/1": 5, "other counts": 0, "right counts": 0, "acc": 3},
    # the first recipe (flipflop3_g06): "passes 12 of 30"; of the 17 incomplete censuses 8 are
    # 8/10/4/1, 5 have wrong numbers of face or central saddles, 4 the right counts
    "g0.6": {"pass": 12, "8/10/4/1": 8, "other counts": 5, "right counts": 4, "acc": 1},
}


@dataclass(frozen=True)
class Run:
    """One per-run row; accuracies in thousandths as printed (``0.992`` -> 992)."""

    line: int
    recipe: str
    seed: int
    acc: int
    settled: int
    counts: tuple[int, ...]
    complete: bool
    passed: bool
    chapter: tuple[int, int] | None

    def __str__(self) -> str:
        return f"{self.recipe} seed {self.seed} (md line {self.line})"


@dataclass(frozen=True)
class Summary:
    """One row of a summary table: seeds lo..hi, ``n_complete`` and ``n_pass`` of them."""

    line: int
    recipe: str
    lo: int
    hi: int
    n_complete: int
    n_pass: int
    cells: tuple[str, ...]


def _milli(text: str) -> int:
    """``"0.992"`` -> 992; exactly three decimals, as the md prints them."""
    if not re.fullmatch(r"[01]\.\d{3}", text):
        raise ValueError(f"not a 3-decimal accuracy: {text!r}")
    return int(text.replace(".", ""))


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _section(lines: list[str], title: str) -> tuple[int, int]:
    """Line indices [start, end) of the ``## title...`` section."""
    starts = [i for i, s in enumerate(lines) if s.startswith("## " + title)]
    assert len(starts) == 1, f"expected one '## {title}' section in {MD.name}, found {len(starts)}"
    start = starts[0]
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return start, end


def _table(lines: list[str], start: int, end: int, header: str) -> list[tuple[int, list[str]]]:
    """(1-based line number, cells) of the rows of the table with this header in [start, end)."""
    heads = [i for i in range(start, end) if lines[i].strip() == header]
    assert len(heads) == 1, f"expected one table {header!r} in {MD.name}, found {len(heads)}"
    rows = []
    i = heads[0] + 2  # skip the |---| line
    while i < end and lines[i].startswith("|"):
        rows.append((i + 1, _cells(lines[i])))
        i += 1
    return rows


def _seed_range(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)-(\d+) \((\d+)\)", text)
    assert m, f"seeds cell {text!r} is not 'lo-hi (n)'"
    lo, hi, n = map(int, m.groups())
    assert n == hi - lo + 1, f"seeds cell {text!r}: n != hi - lo + 1"
    return lo, hi


def _fraction(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\**(\d+)/(\d+)\**", text)
    assert m, f"{text!r} is not 'k/n'"
    return int(m.group(1)), int(m.group(2))


@cache
def study() -> tuple[list[Run], list[Summary], list[Summary]]:
    """The md's per-run rows, its summary table and its second-screen table."""
    lines = MD.read_text(encoding="utf-8").splitlines()
    start, end = _section(lines, "Every run")
    runs = []
    for line, c in _table(lines, start, end, RUN_HEADER):
        assert len(c) == 10, f"md line {line}: {len(c)} cells"
        assert c[5] in ("yes", "no") and c[6] in ("**PASS**", "fail"), f"md line {line}"
        chapter = None
        if c[7]:
            a, s = (_milli(x.strip()) for x in c[7].split("/"))
            chapter = (a, s)
        runs.append(
            Run(
                line=line,
                recipe=c[0],
                seed=int(c[1]),
                acc=_milli(c[2]),
                settled=_milli(c[3]),
                counts=tuple(int(k) for k in c[4].split("/")),
                complete=c[5] == "yes",
                passed=c[6] == "**PASS**",
                chapter=chapter,
            )
        )
    summaries = []
    for line, c in _table(lines, start, end, SUMMARY_HEADER):
        lo, hi = _seed_range(c[1])
        summaries.append(Summary(line, c[0], lo, hi, int(c[2]), _fraction(c[3])[0], tuple(c)))
    start, end = _section(lines, "Second screen")
    screen = []
    for line, c in _table(lines, start, end, SCREEN_HEADER):
        lo, hi = _seed_range(c[1])
        n_pass = _fraction(c[3].split(" (")[0])[0]
        screen.append(Summary(line, c[0], lo, hi, int(c[2]), n_pass, tuple(c)))
    return runs, summaries, screen


def runs_of(recipe: str, lo: int | None = None, hi: int | None = None) -> list[Run]:
    """Per-run rows of ``recipe`` with lo <= seed <= hi (all seeds when not given)."""
    return [
        r
        for r in study()[0]
        if r.recipe == recipe and (lo is None or r.seed >= lo) and (hi is None or r.seed <= hi)
    ]


# ---------------------------------------------------------------- the md against itself


def test_per_run_rows_are_unique_and_complete_means_the_full_cube():
    runs = study()[0]
    assert len(runs) > 500
    seen: dict[tuple[str, int], int] = {}
    for r in runs:
        assert (r.recipe, r.seed) not in seen, f"{r}: duplicate of md line {seen[r.recipe, r.seed]}"
        seen[r.recipe, r.seed] = r.line
        assert len(r.counts) == 4, f"{r}: counts {r.counts}"
        if r.complete:
            assert r.counts == COMPLETE_COUNTS, f"{r}: complete with counts {r.counts}"


def test_pass_follows_the_rule_up_to_rounding():
    """A printed 0.980 may be 0.9795-0.9805 (and 0.990 likewise): only a verdict that no value
    behind the printed digits supports is flagged."""
    for r in study()[0]:
        could_pass = r.complete and r.acc >= ACC_BAR and r.settled >= SETTLED_BAR
        must_pass = r.complete and r.acc > ACC_BAR and r.settled > SETTLED_BAR
        if r.passed:
            assert could_pass, f"{r}: PASS with {r.acc}/{r.settled} (x1e-3), complete {r.complete}"
        else:
            assert not must_pass, f"{r}: fail with {r.acc}/{r.settled} (x1e-3), complete"


@pytest.mark.parametrize("row", study()[1], ids=lambda s: s.recipe)
def test_summary_row_agrees_with_per_run_rows(row: Summary):
    runs = runs_of(row.recipe, row.lo, row.hi)
    seeds = sorted(r.seed for r in runs)
    assert seeds == list(range(row.lo, row.hi + 1)), (
        f"summary (md line {row.line}) claims seeds {row.lo}-{row.hi} of {row.recipe}; "
        f"per-run rows exist for {len(seeds)} of them: {seeds}"
    )
    assert sum(r.complete for r in runs) == row.n_complete, f"md line {row.line}: complete"
    assert sum(r.passed for r in runs) == row.n_pass, f"md line {row.line}: pass"
    assert _fraction(row.cells[3])[1] == row.hi - row.lo + 1, f"md line {row.line}: denominator"


def test_summary_covers_every_recipe_once():
    summaries = study()[1]
    names = [s.recipe for s in summaries]
    assert len(names) == len(set(names))
    assert set(names) == {r.recipe for r in study()[0]}


@pytest.mark.parametrize("row", study()[2], ids=lambda s: s.recipe)
def test_second_screen_row_agrees_with_per_run_rows(row: Summary):
    runs = runs_of(row.recipe, row.lo, row.hi)
    assert sorted(r.seed for r in runs) == list(range(row.lo, row.hi + 1)), f"md line {row.line}"
    assert sum(r.complete for r in runs) == row.n_complete, f"md line {row.line}: complete"
    assert sum(r.passed for r in runs) == row.n_pass, f"md line {row.line}: pass"
    # per-block breakdowns such as "(0-9: 9/10, 10-29: 13/20)"
    for lo, hi, k, n in re.findall(r"(\d+)-(\d+): (\d+)/(\d+)", row.cells[3]):
        block = runs_of(row.recipe, int(lo), int(hi))
        assert len(block) == int(n), f"md line {row.line}: block {lo}-{hi}"
        assert sum(r.passed for r in block) == int(k), f"md line {row.line}: block {lo}-{hi}"
    # "failing seeds (0-9)", e.g. "6, 7 (accuracy only)"
    listed, _, note = row.cells[4].partition("(")
    failing = [r for r in runs_of(row.recipe, 0, 9) if not r.passed]
    assert [int(s) for s in listed.split(",")] == [r.seed for r in failing], f"md line {row.line}"
    if "accuracy only" in note:
        assert all(r.complete for r in failing), f"md line {row.line}: not accuracy only"


# ---------------------------------------------------------------- what chapter 03 quotes


@pytest.mark.parametrize("recipe", CHAPTER_QUOTES)
def test_chapter_quote_is_what_the_per_run_rows_give(recipe: str):
    runs = runs_of(recipe, 0, 29)
    seeds = sorted(r.seed for r in runs)
    assert seeds == list(range(30)), (
        f"{recipe}: the md has per-run rows for {len(seeds)} of seeds 0-29: {seeds}"
    )
    incomplete = [r for r in runs if not r.complete]
    found = {
        "pass": sum(r.passed for r in runs),
        "8/10/4/1": sum(r.counts == (8, 10, 4, 1) for r in incomplete),
        "other counts": sum(r.counts not in (COMPLETE_COUNTS, (8, 10, 4, 1)) for r in incomplete),
        "right counts": sum(r.counts == COMPLETE_COUNTS for r in incomplete),
        "acc": sum(r.complete and not r.passed for r in runs),
    }
    assert found == CHAPTER_QUOTES[recipe]
    assert all(r.counts[0] == 8 for r in runs), "a seed lost a memory"


def test_chapter_quotes_these_numbers():
    """The bold "N of 30" figures of chapter 03 are the quoted ones, and so is the recipe count;
    the chapter links the lab note made from the md."""
    cells = json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    bold = sorted(int(n) for n in re.findall(r"\*\*(\d+) of 30\b", text))
    assert bold == sorted(q["pass"] for q in CHAPTER_QUOTES.values())
    n_recipes = len(study()[1])
    assert f"{n_recipes} recipes tried" in text, f"the md's summary lists {n_recipes} recipes"
    assert "](lab_notes/flipflop_recipes.md)" in text


def test_robustness_section_states_the_quoted_split():
    """The md's "Robustness in brief" section says what CHAPTER_QUOTES (checked above) holds."""
    lines = MD.read_text(encoding="utf-8").splitlines()
    start, end = _section(lines, "Robustness in brief")
    text = " ".join(lines[start:end])
    new, first = CHAPTER_QUOTES["g0.5-a50-len7"], CHAPTER_QUOTES["g0.6"]
    assert f"**{new['pass']} of 30 seeds pass**" in text
    n_fail = 30 - new["pass"]
    assert f"Of the {n_fail} that fail, {new['8/10/4/1']} miss one ± pair of edge saddles" in text
    assert f"and {new['acc']} have a complete census but miss the accuracy bars" in text
    assert new["other counts"] == new["right counts"] == 0
    assert f"passes **{first['pass']} of 30**" in text
    n_incomplete = first["8/10/4/1"] + first["other counts"] + first["right counts"]
    assert (
        f"Of its {n_incomplete} incomplete censuses, {first['8/10/4/1']} are 8/10/4/1, "
        f"{first['other counts']} have the face saddles or the central saddle wrong in number, "
        f"and {first['right counts']} have the right counts" in text
    )
    assert f"its {first['acc']} remaining failure has a complete census" in text
    assert f"Among the {len(study()[1])} recipes" in text


# ---------------------------------------------------------------- the md against its script


@cache
def study_module():
    spec = importlib.util.spec_from_file_location("flipflop_recipes", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["flipflop_recipes"] = module
    spec.loader.exec_module(module)
    return module


RERUNS = [("g0.5-a50-len7", 0), ("g0.5-a50-len7", 6), ("g0.6", 0)]


@pytest.mark.slow
@pytest.mark.parametrize("recipe, seed", RERUNS, ids=[f"{n}-seed{s}" for n, s in RERUNS])
def test_rerun_reproduces_md_row(recipe: str, seed: int):
    """The md prints 3 decimals of values ``run`` rounds to 4: allow 1e-3 (plus float slack)."""
    (row,) = runs_of(recipe, seed, seed)
    with threadpool_limits(1):
        got = study_module().run(recipe, seed)
    tol = 1e-3 + 1e-9
    assert abs(got["accuracy"] - row.acc / 1000) <= tol, (got["accuracy"], row)
    assert abs(got["settled_accuracy"] - row.settled / 1000) <= tol, (got["settled_accuracy"], row)
    assert tuple(got["counts"]) == row.counts
    assert bool(got["complete"]) == row.complete
    assert bool(got["passed"]) == row.passed
    if row.chapter is not None:
        assert abs(got["chapter_accuracy"] - row.chapter[0] / 1000) <= tol
        assert abs(got["chapter_settled"] - row.chapter[1] / 1000) <= tol
