"""The logistic-gain study (``studies/noise_logistic_gain.md``) against its script and chapter 06.

Fast checks read the md: the conclusion's accuracies are the table's, and chapter 06 links the
note. The slow check re-runs one recorded network with the study's own ``run`` on one BLAS
thread and compares it with its row.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[2]
MD = ROOT / "studies" / "noise_logistic_gain.md"
SCRIPT = ROOT / "studies" / "noise_logistic_gain.py"
CHAPTER = ROOT / "notebooks" / "06_noise.ipynb"
HEADER = "| bits | seed | g | accuracy | settled | train s |"


def rows() -> dict[tuple[int, int, float], tuple[float, float]]:
    lines = MD.read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER) + 2
    table = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        bits, seed, g, acc, settled, _ = (c.strip() for c in line.strip("|").split("|"))
        table[int(bits), int(seed), float(g)] = (float(acc), float(settled))
    return table


def test_table_covers_the_script():
    spec = importlib.util.spec_from_file_location("noise_logistic_gain", SCRIPT)
    study = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(study)
    expected = {(b, s, g) for b, s in study.CASES for g in study.GAINS}
    assert set(rows()) == expected


def test_conclusion_quotes_the_table():
    table = rows()
    text = MD.read_text(encoding="utf-8")
    conclusion = text[text.index("## Conclusion") :]
    for accuracy, _ in table.values():
        assert f"{accuracy:.3f}" in conclusion
    # "not consistently better": g = 2.4 wins for some networks and loses for others
    wins = [table[b, s, 2.4][0] > table[b, s, 0.6][0] for b, s, g in table if g == 0.6]
    assert any(wins) and not all(wins)
    assert "not consistently better" in conclusion


def test_chapter_links_the_note():
    cells = json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "(lab_notes/noise_logistic_gain.md)" in text
    assert "did not train consistently better" in " ".join(text.split())


@pytest.mark.slow
def test_one_row_reruns():
    spec = importlib.util.spec_from_file_location("noise_logistic_gain", SCRIPT)
    study = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(study)
    with threadpool_limits(1):
        r = study.run(4, 0, 2.4)
    acc, settled = rows()[4, 0, 2.4]
    assert round(r["accuracy"], 3) == acc
    assert round(r["settled"], 3) == settled
