"""The fixed-point count study (``studies/jang_fixed_point_count.md``) against itself, its
script and chapter 03.

Fast checks read the md: every stopping-rule cell must add up (counted = fixed points +
near-duplicates + far), every starts row's count must be the sum of its counts by unstable
dimensions, the origin's tables must be consistent (time steps = 2 x updates; size over
:math:`\\sqrt{\\lambda_0}` as printed), and the conclusion and chapter 03 must quote what the
tables give. The script's counting rule is tested on a small made-up case. The slow checks
re-run parts of the study with its own functions on one BLAS thread and compare them with the
md rows.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys
from functools import cache
from pathlib import Path

import nbformat
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[2]
MD = ROOT / "studies" / "jang_fixed_point_count.md"
SCRIPT = ROOT / "studies" / "jang_fixed_point_count.py"
CHAPTER = ROOT / "notebooks" / "03_esn_flipflop.ipynb"

STOP_HEADER = (
    "| minimiser | cap | median q | q < 0.01 | q < 0.0001 | q < 1e-06 | q < 1e-08 | q < 1e-12 "
    "| q < 1e-20 |"
)
STARTS_HEADER = (
    "| starts | n | fixed points | by unstable dims (0/1/2/3) | starts reaching the centre "
    "| slow / not converged | runs: closest to centre (median) | runs ending in a memory |"
)
FIRST_HEADER = (
    "| recipe | first update with an unstable origin | time steps | first pulse (step) "
    "| largest Re lambda before / after | loop gain before / after |"
)
CHANGES_HEADER = "| update | unstable dims before -> after | at the crossing | crossing |"
BRANCH_HEADER = (
    "| s - s_c | lambda_0 | size abs(x*) | size / sqrt(lambda_0) | points | unstable dims |"
)
CELL = re.compile(r"(\d+) \((\d+)\+(\d+)\+(\d+)\)")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table(header: str) -> list[list[str]]:
    lines = MD.read_text(encoding="utf-8").splitlines()
    heads = [i for i, s in enumerate(lines) if s.strip() == header]
    assert len(heads) == 1, f"expected one table {header!r} in {MD.name}"
    rows, i = [], heads[0] + 2
    while i < len(lines) and lines[i].startswith("|"):
        rows.append(_cells(lines[i]))
        i += 1
    assert rows, f"table {header!r} is empty"
    return rows


def _conclusion() -> str:
    text = MD.read_text(encoding="utf-8")
    return " ".join(text.split("## Conclusion")[1].split("## Stopping rule")[0].split())


@cache
def stopping_rows() -> list[dict]:
    rows = []
    for c in _table(STOP_HEADER):
        cells = []
        for text in c[3:]:
            m = CELL.fullmatch(text)
            assert m, f"cell {text!r} is not 'n (f+d+x)'"
            cells.append(tuple(int(v) for v in m.groups()))
        rows.append({"method": c[0], "cap": int(c[1]), "median_q": c[2], "cells": cells})
    return rows


@cache
def starts_rows() -> dict[str, dict]:
    out = {}
    for c in _table(STARTS_HEADER):
        slow, stuck = (int(v) for v in c[5].split("/"))
        out[c[0]] = {
            "n": int(c[1]),
            "found": int(c[2]),
            "by_unstable": [int(v) for v in c[3].split("/")],
            "reach_centre": int(c[4]),
            "slow": slow,
            "not_converged": stuck,
            "approach": c[6],
            "memory": int(c[7]),
        }
    return out


@cache
def first_rows() -> dict[str, list[str]]:
    return {c[0]: c for c in _table(FIRST_HEADER)}


def test_every_stopping_cell_adds_up():
    rows = stopping_rows()
    assert {r["method"] for r in rows} == set(study().CAPS)
    for r in rows:
        assert len(r["cells"]) == len(study().Q_MAX)
        for n, f, d, x in r["cells"]:
            assert n == f + d + x <= 30, r
            assert f <= 27, r
        # a looser threshold keeps every point a tighter one keeps: the count cannot fall
        counts = [c[0] for c in r["cells"]]
        assert counts == sorted(counts, reverse=True), r


def test_every_starts_row_adds_up():
    rows = starts_rows()
    assert len(rows) == 10
    for name, r in rows.items():
        assert r["found"] == sum(r["by_unstable"]), name
        assert r["found"] <= 27 and r["memory"] <= r["n"], name
    assert rows["trajectory 30 + out-of-cube grid, s = 1"]["n"] == (
        rows["trajectory 30"]["n"] + rows["out-of-cube grid, s = 1"]["n"]
    )


def test_origin_tables_are_consistent():
    for c in first_rows().values():
        assert int(c[2]) == 2 * int(c[1])
        before, after = (float(v) for v in re.findall(r"-?\d+\.\d+", c[4])[:2])
        assert before < 0 < after, c
        g_before, g_after = (float(v) for v in c[5].split("/"))
        assert g_before < 1 < g_after, c  # a real crossing: the loop gain passes 1
    for c in _table(CHANGES_HEADER):
        assert c[1] == c[2], c  # one crossing between the two readouts
        assert c[3] == "real eigenvalue", c
    for c in _table(BRANCH_HEADER):
        lam0, size, ratio = float(c[1]), float(c[2]), float(c[3])
        assert abs(size / math.sqrt(lam0) - ratio) <= 0.06 + 0.01 * ratio, c
        assert c[4] == "mirror pair" and c[5] == "0/0", c


def test_conclusion_quotes_the_tables():
    text = _conclusion()
    by = {(r["method"], r["cap"]): r for r in stopping_rows()}
    for key in (("LM", 50), ("trust-ncg", 100)):
        assert {c[0] for c in by[key]["cells"]} == {9}, key
    assert "count **9** points from the 30 states at every threshold" in text
    cg = [c[0] for r in stopping_rows() if r["method"] == "CG" for c in r["cells"]]
    assert f"give {min(cg)}-{max(cg)} counted points" in text
    every = [c for r in stopping_rows() for c in r["cells"]]
    assert f"near-duplicates (up to {max(c[2] for c in every)} in one cell)" in text
    assert f"never more than {max(c[3] for c in every)} point far" in text
    st = starts_rows()
    assert all(r["slow"] == 0 and r["not_converged"] == 0 for r in st.values())
    assert f"0 slow points from all {sum(r['n'] for r in st.values())} starts" in text
    t30, t300, grid = st["trajectory 30"], st["trajectory 300"], st["out-of-cube grid, s = 1"]
    assert t30["by_unstable"][:2] == [7, 2] and t30["found"] == 9
    assert "30 states of the test run reach **9** points (7 memories, 2 edge saddles)" in text
    assert t300["by_unstable"] == [8, 8, 0, 0] and "300 reach only 16 (8 memories, 8 edge" in text
    assert grid["by_unstable"] == [8, 12, 6, 0] and "(s = 1) reach **26**" in text
    inside = st["random inside the cube"]
    others = [r for name, r in st.items() if name != "random inside the cube"]
    assert all(r["reach_centre"] == 0 for r in others)
    assert f"**{inside['reach_centre']} of {inside['n']}** random readout patterns" in text
    assert f"no closer to it than a median {grid['approach']} (grid" in text
    assert f"sit in memories, give {t30['approach']})" in text
    chapter = first_rows()["chapter 03 (g 0.5, alpha 50)"]
    assert f"after {chapter[1]} RLS updates ({chapter[2]} time steps)" in text
    before, after = re.findall(r"-?\d+\.\d+", chapter[4])[:2]
    assert f"({before} to {after};" in text
    g_before, g_after = (v.strip() for v in chapter[5].split("/"))
    assert f"from {g_before} to {g_after})" in text
    branch = _table(BRANCH_HEADER)
    ratios = [float(c[3]) for c in branch]
    assert f"{min(ratios)} sqrt(lambda_0) to {max(ratios)} sqrt(lambda_0)" in text
    assert f"from lambda_0 = {branch[0][1]} to {branch[-1][1]}" in text
    later = [c[0] for c in _table(CHANGES_HEADER)][1:]
    assert f"(at updates {', '.join(later[:-1])} and {later[-1]})" in text
    updates = [int(c[1]) for c in first_rows().values()]
    assert f"after {min(updates)}-{max(updates)} updates ({2 * min(updates)}-" in text


def _chapter_markdown() -> str:
    nb = nbformat.read(CHAPTER, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    lines = (re.sub(r"^\s*>\s?", "", line) for line in text.splitlines())  # blockquotes too
    return " ".join(" ".join(lines).split())


def test_chapter_quotes_the_study():
    text = _chapter_markdown()
    assert "lab_notes/jang_fixed_point_count.md" in text
    st = starts_rows()
    inside = st["random inside the cube"]
    assert f"{inside['reach_centre']} of {inside['n']}" in text
    cg = [c[0] for r in stopping_rows() if r["method"] == "CG" for c in r["cells"]]
    assert f"from {min(cg)} to {max(cg)}" in text
    chapter = first_rows()["chapter 03 (g 0.5, alpha 50)"]
    assert f"{chapter[1]} RLS updates, that is {chapter[2]} time steps" in text
    jang = first_rows()["Jang's task, g 0.5, alpha 1"]
    assert f"after {jang[1]} updates, {jang[2]} steps" in text
    later = [c[0] for c in _table(CHANGES_HEADER)][1:]
    assert len(later) == 3 and "next three changes are real crossings" in text


@cache
def study():
    spec = importlib.util.spec_from_file_location("jang_fixed_point_count", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["jang_fixed_point_count"] = module
    spec.loader.exec_module(module)
    return module


def test_count_points_tells_fixed_points_duplicates_and_far_apart():
    ref = np.array([[0.0, 0.0], [1.0, 1.0]])
    X = np.array(
        [
            [0.0, 0.0],  # at reference point 0
            [1e-6, 0.0],  # closer than the merge radius: merged with the first
            [1e-2, 0.0],  # near point 0 but not merged: a near-duplicate
            [1.0, 1.0 + 1e-3],  # reference point 1
            [5.0, 5.0],  # near no reference point
            [1.0, 1.0],  # q too large: not counted
        ]
    )
    q = np.array([1e-30, 1e-25, 1e-9, 1e-8, 1e-7, 1.0])
    got = study().count_points(X, q, 1e-6, ref)
    assert got == {"count": 4, "fixed": 2, "duplicates": 1, "far": 1}
    assert study().count_points(X, q, 1e-8, ref) == {
        "count": 2,
        "fixed": 1,
        "duplicates": 1,
        "far": 0,
    }


def test_the_scipy_gradient_is_the_libraries():
    import rnnlab

    esn = rnnlab.ESN(40, g=0.8, seed=2)
    esn.set_readout(np.random.default_rng(0).standard_normal((3, 40)) / 10)
    system = esn.closed_loop()
    x = np.random.default_rng(1).standard_normal(40)
    np.testing.assert_allclose(study()._grad_q(system, x), system.grad_q(x), rtol=1e-12, atol=1e-14)


def test_random_patterns_lie_where_they_should():
    out = study().random_patterns(40, inside=False, seed=3)
    inside = study().random_patterns(40, inside=True, seed=3)
    assert out.shape == inside.shape == (40, 3)
    assert np.all(np.abs(out).max(axis=1) > 1) and np.all(np.abs(out) <= 2)
    assert np.all(np.abs(inside) <= 1)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n must be in"):
        study().trajectory_starts(np.zeros((5, 2)), 6)
    with pytest.raises(ValueError, match="recipe must be one of"):
        study().early_training("Jang's Table 1", 10)
    with pytest.raises(ValueError, match="methods must be among"):
        study().stopping({"esn": None, "ref_x": None, "states": None}, methods=("BFGS",))


@cache
def context():
    with threadpool_limits(1):
        return study().setup()


@pytest.mark.slow
def test_rerun_first_crossing_reproduces_md_row():
    name = "chapter 03 (g 0.5, alpha 50)"
    with threadpool_limits(1):
        got = study().first_unstable(name)
    row = first_rows()[name]
    assert (got["update"], got["steps"], got["first_pulse"]) == tuple(int(v) for v in row[1:4])
    assert f"{got['lam_before'][0]:.3f} / {got['lam_after'][0]:.3f}" in row[4]
    assert row[5] == f"{got['gain_before']:.3f} / {got['gain_after']:.3f}"


@pytest.mark.slow
def test_rerun_starts_reproduces_md_rows():
    names = ["trajectory 30", "out-of-cube grid, s = 1"]
    with threadpool_limits(1):
        got = study().starts(context(), names)
    for r in got:
        row = starts_rows()[r["starts"]]
        assert r["found"] == row["found"] and r["by_unstable"] == row["by_unstable"]
        assert r["reach_centre"] == row["reach_centre"] and r["ends_in_memory"] == row["memory"]
        assert f"{r['approach_median']:.1f}" == row["approach"]


@pytest.mark.slow
def test_rerun_lm_stopping_rule_reproduces_md_rows():
    with threadpool_limits(1):
        got = study().stopping(context(), methods=("LM",))
    md = [r for r in stopping_rows() if r["method"] == "LM"]
    assert [r["cap"] for r in got] == [r["cap"] for r in md]
    for r, m in zip(got, md, strict=True):
        cells = [tuple(c.values()) for c in r["cells"].values()]
        assert cells == m["cells"], r["cap"]
