"""``studies/tesseract_readout_search.md`` (missed or absent?) and chapter 04's quotes of it.

The readout-space search takes about half an hour, so it is not rerun; this test checks that
the record is consistent with itself and with the census chapter 04 computes (its checked
output), and that the chapter quotes the record's numbers and links its lab note.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from rnnlab.flipflop.census_result import ideal_census

ROOT = Path(__file__).resolve().parents[2]
MD = ROOT / "studies" / "tesseract_readout_search.md"
CHAPTER = ROOT / "notebooks" / "04_tesseract.ipynb"
ROW = re.compile(
    r"^\| (?P<search>readout search|census \(chapter 04\)) \|\s*(?P<starts>\d*)\s*\|\s*"
    r"(?P<converged>\d*)\s*\| (?P<points>\d+) \| (?P<counts>[\d/]+) \|$",
    re.M,
)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def table() -> dict[str, dict]:
    out = {}
    for m in ROW.finditer(MD.read_text()):
        row = m.groupdict()
        row["counts"] = [int(c) for c in row["counts"].split("/")]
        out[row["search"]] = row
    return out


def chapter_cells() -> list[dict]:
    return json.loads(CHAPTER.read_text())["cells"]


def chapter_text() -> str:
    return squeeze(
        "\n".join("".join(c["source"]) for c in chapter_cells() if c["cell_type"] == "markdown")
    )


def census_counts() -> list[int]:
    """The census counts chapter 04 prints in a checked cell."""
    for cell in chapter_cells():
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", ""))
            m = re.search(r"found by unstable dimensions: (\{[^}]*\})", text)
            if m:
                counts = ast.literal_eval(m.group(1))
                return [counts.get(k, 0) for k in range(5)]
    raise AssertionError("chapter 04 does not print its census counts (refresh the notebook)")


def test_record_is_consistent_with_itself():
    t = table()
    search, census = t["readout search"], t["census (chapter 04)"]
    assert int(search["converged"]) <= int(search["starts"]) == 81 + 175
    assert sum(search["counts"]) == int(search["points"]) == 72
    assert sum(census["counts"]) == int(census["points"]) == 73
    # every point of the search is among the census's: it lacks exactly one 2-saddle
    diff = [c - s for c, s in zip(census["counts"], search["counts"], strict=True)]
    assert diff == [0, 0, 1, 0, 0]
    text = squeeze(MD.read_text())
    assert "it missed one 2-saddle the census has" in text
    assert "only 67 points, 16/28/18/5" in text and 16 + 28 + 18 + 5 == 67


def test_record_census_is_the_chapters_census():
    assert table()["census (chapter 04)"]["counts"] == census_counts()


def test_missing_saddles_come_in_pairs_as_quoted():
    ideal = ideal_census(4)
    missing = [ideal[k] - c for k, c in enumerate(census_counts())]
    assert missing == [0, 2, 4, 2, 0]
    quote = "2 with one unstable dimension, 4 with two, 2 with three"
    assert quote in squeeze(MD.read_text())
    assert "The missing saddles come in pairs: " + quote in chapter_text()


def test_chapter_quotes_the_record_and_links_its_lab_note():
    search = table()["readout search"]
    text = chapter_text()
    counts = " / ".join(str(c) for c in search["counts"])
    assert f"found {search['points']} distinct fixed points, {counts} by unstable" in text
    assert "every one is among the census's 73" in text
    assert "only 67 points" in text
    assert "256 starts take about half an hour" in text
    assert "](lab_notes/tesseract_readout_search.md)" in text
    assert "not rerun" not in text and "while preparing" not in text
