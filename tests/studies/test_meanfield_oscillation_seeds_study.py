"""The three-target study (``studies/meanfield_oscillation_seeds.md``) against itself, its
script and chapter 07's quotes.

Fast checks read the md: the conclusion's figures must be the table's, and the chapter's box
must quote them. The slow check re-runs the crossing and one network with the study's own
functions and compares them with the md.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[2]
MD = ROOT / "studies" / "meanfield_oscillation_seeds.md"
SCRIPT = ROOT / "studies" / "meanfield_oscillation_seeds.py"
CHAPTER = ROOT / "notebooks" / "07_mean_field.ipynb"
HEADER = "| N | g | seed | Re | Im |"


def rows() -> list[dict]:
    lines = MD.read_text(encoding="utf-8").splitlines()
    i = lines.index(HEADER) + 2
    out = []
    while i < len(lines) and lines[i].startswith("|"):
        N, g, seed, re_, im = (c.strip() for c in lines[i].strip().strip("|").split("|"))
        out.append({"N": int(N), "g": float(g), "seed": int(seed), "re": re_, "im": im})
        i += 1
    return out


def crossing_in_md() -> str:
    m = re.search(r"crosses Re = 0 at \*\*g = ([\d.]+)\*\*", MD.read_text(encoding="utf-8"))
    assert m, "the conclusion must state the crossing"
    return m.group(1)


def test_conclusion_is_the_table():
    text = MD.read_text(encoding="utf-8")
    r = {(row["g"], row["seed"]): row for row in rows()}
    for seed in (0, 1):
        row = r[(1.0, seed)]
        assert f"{row['re']} ± {row['im']}i" in text
    at13 = [float(row["re"]) for row in rows() if row["g"] == 1.3]
    assert len(at13) == 4
    assert f"from {min(at13):.3f} to {max(at13):+.3f}" in text


def test_chapter_quotes_the_record():
    nb = nbformat.read(CHAPTER, as_version=4)
    box = next(c.source for c in nb.cells if c.source.startswith("> **What we found.**"))
    flat = " ".join(box.split())
    assert f"g \\approx {crossing_in_md()}" in flat
    r = {(row["g"], row["seed"]): row for row in rows()}
    for seed in (0, 1):
        row = r[(1.0, seed)]
        assert f"{row['re']} \\pm {row['im'][:4]}i" in flat
    at13 = sorted(float(row["re"]) for row in rows() if row["g"] == 1.3)
    assert f"${at13[0]:.3f}$ to ${at13[-1]:+.3f}$" in flat
    assert "lab_notes/meanfield_oscillation_seeds.md" in flat


@pytest.mark.slow
def test_script_reproduces_the_record():
    spec = importlib.util.spec_from_file_location("meanfield_oscillation_seeds", SCRIPT)
    study = importlib.util.module_from_spec(spec)
    sys.modules["meanfield_oscillation_seeds"] = study
    spec.loader.exec_module(study)
    with threadpool_limits(1):
        assert f"{round(study.crossing(), 2):.2f}" == crossing_in_md()
        re_, im = study.network_pair(1000, 1.3, 0)
    row = next(r for r in rows() if r["g"] == 1.3 and r["seed"] == 0)
    assert abs(re_ - float(row["re"])) < 2e-3
    assert abs(im - float(row["im"])) < 2e-3
