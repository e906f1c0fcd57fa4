"""The protocol study (``studies/flipflop_protocols.md``) checked against itself and its script.

Fast checks read the md: every summary row must be what its setting's per-run rows give (seed
range, ranges of the origin's unstable dimensions and of the accuracies, runs with all 8
memories, runs whose trained origin has exactly 3 unstable dimensions), and the conclusion's
figures must be the summary's. The slow check re-runs two recorded runs with the study's own
``run(name, seed)`` on one BLAS thread and compares them with their md rows.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[2]
MD = ROOT / "studies" / "flipflop_protocols.md"
SCRIPT = ROOT / "studies" / "flipflop_protocols.py"
SUMMARY_HEADER = (
    "| setting | N | g | seeds | origin before | origin after | accuracy | settled "
    "| 8 memories | origin 3 after |"
)
RUN_HEADER = (
    "| setting | seed | origin before | origin after | accuracy | settled "
    "| counts (0/1/2/3/4+ unstable) | train s |"
)


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
    return rows


@cache
def runs() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for c in _table(RUN_HEADER):
        assert len(c) == 8, c
        out.setdefault(c[0], []).append(
            {
                "seed": int(c[1]),
                "before": int(c[2]),
                "after": int(c[3]),
                "acc": c[4],
                "settled": c[5],
                "counts": None if c[6] == "-" else tuple(int(k) for k in c[6].split("/")),
            }
        )
    return out


def _range(values: list) -> str:
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else f"{lo}-{hi}"


SUMMARY = _table(SUMMARY_HEADER)


def test_every_setting_of_the_script_is_recorded():
    assert [row[0] for row in SUMMARY] == list(runs())
    assert set(study_module().SETTINGS) == set(runs())


@pytest.mark.parametrize("row", SUMMARY, ids=lambda r: r[0])
def test_summary_row_is_what_the_runs_give(row):
    rs = runs()[row[0]]
    seeds = [r["seed"] for r in rs]
    assert seeds == list(range(len(rs))) and row[3] == f"0-{len(rs) - 1} ({len(rs)})"
    assert row[4] == _range([r["before"] for r in rs])
    assert row[5] == _range([r["after"] for r in rs])
    # three-decimal strings of the same width sort like the numbers
    assert row[6] == _range([r["acc"] for r in rs])
    assert row[7] == _range([r["settled"] for r in rs])
    if rs[0]["counts"] is None:
        assert row[8] == "-"
        assert all(r["counts"] is None for r in rs)
    else:
        assert row[8] == f"{sum(r['counts'][0] == 8 for r in rs)}/{len(rs)}"
    assert row[9] == f"{sum(r['after'] == 3 for r in rs)}/{len(rs)}"


def test_conclusion_quotes_the_summary():
    text = MD.read_text(encoding="utf-8").split("## Conclusion")[1].split("## Summary")[0]
    by = {row[0]: row for row in SUMMARY}
    assert f"{by['jang-N1000'][5]} unstable dimensions at\n  N = 1000" in text
    n500 = [r["after"] for name in ("jang-N500", "chapter-g1.5") for r in runs()[name]]
    assert f"{_range(n500)} at N = 500" in text
    jang_acc = [r["acc"] for name in ("jang-N1000", "jang-N500") for r in runs()[name]]
    assert f"{_range(jang_acc)}\n  with Jang's protocol" in text
    assert f"{by['chapter-g1.5'][6]} with the chapter's other settings" in text
    low = [r for name in ("chapter-g1.0", "chapter-g0.8", "chapter-g0.5") for r in runs()[name]]
    assert f"({sum(r['counts'][0] == 8 for r in low)} of {len(low)})" in text
    assert f"5 of 5 runs at g = 0.5 and\n  {by['chapter-g0.8'][9].replace('/', ' of ')}" in text
    assert f"({by['chapter-g1.0'][5]};" in text


@cache
def study_module():
    spec = importlib.util.spec_from_file_location("flipflop_protocols", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["flipflop_protocols"] = module
    spec.loader.exec_module(module)
    return module


def test_run_rejects_an_unknown_setting():
    with pytest.raises(ValueError, match="name must be one of"):
        study_module().run("jang-N2000", 0)


@pytest.mark.slow
@pytest.mark.parametrize("name, seed", [("jang-N500", 0), ("chapter-g0.5", 0)])
def test_rerun_reproduces_md_row(name, seed):
    (row,) = [r for r in runs()[name] if r["seed"] == seed]
    with threadpool_limits(1):
        got = study_module().run(name, seed)
    assert got["origin_before"] == row["before"]
    assert got["origin_after"] == row["after"]
    assert abs(got["accuracy"] - float(row["acc"])) <= 1e-3 + 1e-9
    assert abs(got["settled_accuracy"] - float(row["settled"])) <= 1e-3 + 1e-9
    if row["counts"] is not None:
        assert tuple(got["counts"]) == row["counts"]
