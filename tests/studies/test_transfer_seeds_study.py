"""Chapter 05 quotes ``studies/transfer_seeds.md`` (transfer against scratch, three seeds each).

The study retrains three networks (about two minutes), so the chapter quotes it instead of
rerunning it; this test checks that the record's table, its summary of the networks from
scratch (``studies/four_bit_recipes.md``) and the chapter's quotes agree.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MD = ROOT / "studies" / "transfer_seeds.md"
SCRATCH_MD = ROOT / "studies" / "four_bit_recipes.md"
CHAPTER = ROOT / "notebooks" / "05_transfer.ipynb"
ROW = re.compile(
    r"^\| transfer \| (?P<seed>\d) \| (?P<acc>[\d.]+) \| (?P<settled>[\d.]+) \|$", re.M
)
SCRATCH_ROW = re.compile(
    r"^\| g0\.6-a1-60k-r0\.02 \(ch04\) \| (?P<seed>\d) \| (?P<acc>[\d.]+) \| "
    r"(?P<settled>[\d.]+) \|",
    re.M,
)


def text(path: Path) -> str:
    return re.sub(r"\s+", " ", path.read_text())


def chapter_text() -> str:
    cells = json.loads(CHAPTER.read_text())["cells"]
    md = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return re.sub(r"\s+", " ", re.sub(r"^> ?", "", md, flags=re.M))


def test_record_has_three_transfer_seeds():
    rows = [m.groupdict() for m in ROW.finditer(MD.read_text())]
    assert [r["seed"] for r in rows] == ["1", "2", "3"]
    for r in rows:
        assert 0.5 <= float(r["acc"]) <= 1.0 and 0.5 <= float(r["settled"]) <= 1.0


def test_record_quotes_the_scratch_networks():
    scratch = [m.groupdict() for m in SCRATCH_ROW.finditer(SCRATCH_MD.read_text())]
    assert [r["seed"] for r in scratch] == ["0", "1", "2"]
    acc = ", ".join(r["acc"] for r in scratch)
    settled = ", ".join(r["settled"] for r in scratch)
    assert f"accuracy {acc}, settled {settled}" in text(MD)


def ranges() -> tuple[str, str]:
    t = sorted(m["acc"] for m in ROW.finditer(MD.read_text()))
    s = sorted(m["acc"] for m in SCRATCH_ROW.finditer(SCRATCH_MD.read_text()))
    return f"{t[0]}–{t[-1]}", f"{s[0]}–{s[-1]}"


def test_record_conclusion_quotes_its_ranges():
    transfer, scratch = ranges()
    assert f"end at {transfer}, the networks from scratch at {scratch}" in text(MD)


def test_chapter_quotes_the_ranges_and_links_the_note():
    transfer, scratch = ranges()
    chapter = chapter_text()
    assert f"({transfer} versus {scratch})" in chapter
    assert "(lab_notes/transfer_seeds.md)" in chapter
