"""``studies/four_bit_recipes.md`` (chapter 03's recipes on four bits) and chapter 04's quotes.

The study takes about fifteen minutes, so the record's prose and chapter 04 quote it instead of
rerunning it; this test reads the study's table and checks that every number the record's
section on chapter 03's first recipe quotes from the table is the table's, and that the chapter's
two-sentence summary quotes the record and links its lab note.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MD = ROOT / "studies" / "four_bit_recipes.md"
CHAPTER = ROOT / "notebooks" / "04_tesseract.ipynb"
ROW = re.compile(
    r"^\| (?P<recipe>[^|]+?) \| (?P<seed>\d) \| (?P<acc>[\d.]+) \| (?P<settled>[\d.]+) \| "
    r"(?P<memories>\d+) \| (?P<counts>[\d/]+) \| (?P<points>\d+) \|$",
    re.M,
)


def rows() -> dict[str, list[dict]]:
    table: dict[str, list[dict]] = {}
    for m in ROW.finditer(MD.read_text()):
        table.setdefault(m["recipe"], []).append(m.groupdict())
    return table


def squeeze(text: str) -> str:
    """Blockquote marks removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"^> ?", "", text, flags=re.M))


def record_prose() -> str:
    """The record's section on chapter 03's first recipe (below the table), squeezed."""
    text = MD.read_text()
    head = "## Chapter 03's first recipe on four bits"
    assert head in text
    return squeeze(text[text.index(head) :])


def chapter_text() -> str:
    """The chapter's markdown, blockquote marks removed and whitespace collapsed."""
    cells = json.loads(CHAPTER.read_text())["cells"]
    md = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    md = re.sub(r"^> ?", "", md, flags=re.M)
    return re.sub(r"\s+", " ", md)


def listed(values) -> str:
    """'a, b and c', as the chapter writes three numbers."""
    return f"{values[0]}, {values[1]} and {values[2]}"


def test_study_has_three_seeds_of_each_recipe():
    table = rows()
    assert len(table) == 3
    for recipe, runs in table.items():
        assert [r["seed"] for r in runs] == ["0", "1", "2"], recipe
        for r in runs:
            counts = [int(c) for c in r["counts"].split("/")]
            assert int(r["memories"]) <= counts[0] <= 16, r  # distinct patterns among the stable
            assert sum(counts) <= int(r["points"]), r


def test_record_quotes_the_study():
    table, text = rows(), record_prose()
    short, long, ch04 = (
        table["g0.5-a50-len7-30k-r0.01"],
        table["g0.5-a50-len7-60k-r0.02"],
        table["g0.6-a1-60k-r0.02 (ch04)"],
    )
    quotes = [
        f"found {listed([r['memories'] for r in short])} of the 16 memories "
        f"(sign accuracy {', '.join(r['acc'] for r in short)})",
        f"{listed([r['memories'] for r in long])} ({', '.join(r['acc'] for r in long)}) and "
        f"{listed([r['points'] for r in long])} fixed points",
        f"({', '.join(r['acc'] for r in ch04)}) and {listed([r['points'] for r in ch04])} points",
    ]
    for quote in quotes:
        assert quote in text, quote
    assert all(r["memories"] == "16" for r in ch04)
    assert "16 memories for every seed" in text


def test_chapter_quotes_the_record_and_links_its_lab_note():
    table, text, record = rows(), chapter_text(), record_prose()
    ch04 = table["g0.6-a1-60k-r0.02 (ch04)"]
    first_recipe = "sign accuracy on chapter 04's test sequence was 0.913, 0.975, 0.956"
    assert first_recipe in record
    assert "(sign accuracies 0.913, 0.975, 0.956 over seeds 0, 1, 2)" in text
    assert f"not for every seed ({', '.join(r['acc'] for r in ch04)})" in text
    assert min(float(r["acc"]) for r in ch04) < 0.98  # "not for every seed" is the table's
    assert "](lab_notes/four_bit_recipes.md)" in text
    assert "measured while preparing" not in text
