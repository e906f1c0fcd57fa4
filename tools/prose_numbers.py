"""Every decimal number in a chapter's prose is backed by something computed (issue 17).

    python tools/prose_numbers.py                 # every notebooks/NN_*.ipynb
    python tools/prose_numbers.py notebooks/03_esn_flipflop.ipynb

Prints each offender (chapter, cell index, number, sentence) and exits with status 1 if
there is one. ``tests/chapters/test_prose_numbers.py`` holds the rule for every chapter.

The rule
--------
Every **decimal number** written in a chapter's markdown - a number with a decimal point
(``0.985``, ``22.4 %``, ``.5``) or in scientific notation (``1.5e-3``, ``2E+4``) - must be
*backed* by one of

(a) the chapter's **checked outputs**: the text outputs of the code cells marked
    ``# NBVAL_CHECK_OUTPUT`` (they are kept in git and nbval compares them on every run);
(b) the chapter's **code**: the source of any code cell (a parameter set in code,
    ``g = 0.5``, backs the prose that names it);
(c) a **studies record the chapter links**: a markdown link to ``lab_notes/<name>.md`` makes
    ``studies/<name>.md`` (the record the Lab notes page is generated from) part of the backing;
(d) a **quotation of a source**: the number is followed, in the same sentence and within
    :data:`QUOTE_WINDOW` characters, by a parenthesised citation that opens with the name of
    one of the course's sources (:data:`SOURCES`), for example ``... 9 to 26.5 points
    (Jang §6)`` or ``... an error of 0.1 (Rivkind & Barak, Fig. 2)``. The reader sees where
    the number comes from; nothing in the course claims to have computed it.

A number is backed by a number of (a)-(c) if that number, rounded to the precision the prose
writes, gives the prose's number: prose ``0.98`` is backed by an output ``0.9805``, prose
``1.5e-3`` by ``0.00149``, prose ``22.4 %`` also by ``0.2241`` (a percentage may be printed
as a fraction). Signs are ignored (prose often writes a Unicode minus, or says "a drop of
0.3"): only the magnitude is compared.

Not checked: **integers** (``N = 500``, ``3 bits``, ``seed 2``, ``60 minutes``: parameters and
counts of the text; they are exempt); numbers that name a place in a source or in the
course (``§6.1``, ``Fig. 3.2``, ``eq. 2.1``, ``Table 1.1``, ``chapter 3.2``); numbers inside
link targets, URLs, HTML tags and attributes, and fenced code blocks in markdown. Numbers
inside LaTeX formulas are checked like any other (``$g = 1.5$`` needs backing), and so are
``1.1 \\times 10^{-3}`` and ``4.6\\cdot10^{-2}`` (read as 1.1e-3 and 4.6e-2); the formulas of
the course's mathematics use integers, fractions (``\\tfrac12``, ``1/20``) and powers of ten
(``10^{-3}``), which are exempt. The rule is stated for instructors in book/chapter_shape.md,
"Numbers in the prose".
"""

from __future__ import annotations

import argparse
import bisect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
STUDIES = ROOT / "studies"
CHAPTER = re.compile(r"^(\d\d)_.*\.ipynb$")
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"

#: Names a quotation's parenthesised citation may open with (rule (d)).
SOURCES = (
    "Jang",
    "Rivkind",
    "Sussillo",
    "Girko",
    "delayed flip-flop paper",
    "report",  # the training-changes ("initial hypotheses") report of chapter 09
)
#: How far after the number (in characters, same sentence) the citation may open.
QUOTE_WINDOW = 80

#: A decimal number as prose writes it: a decimal point, or an exponent, or both.
_TIMES_TEN = r"\s*(?:\\cdot|\\times|\u00d7|\u00b7)\s*10\^\{?"
PROSE_NUMBER = re.compile(
    r"(?<![\w.])(?P<mant>\d+\.\d+|\.\d+|\d+(?=[eE][-+\u2212]?\d|" + _TIMES_TEN + r"[-+\u2212]?\d))"
    r"(?:[eE](?P<exp>[-+\u2212]?\d+)|" + _TIMES_TEN + r"(?P<exp2>[-+\u2212]?\d+)\}?)?(?![\w.]*\d)"
)
#: Any number in a backing text (outputs, code, a studies record).
ANY_NUMBER = re.compile(r"(?<![\w.])(\d+\.?\d*|\.\d+)(?:[eE]([-+]?\d+))?")
#: Words after which a number names a place (a section, a figure, an equation).
PLACE = re.compile(
    r"(§|\b(?:[Ss]ections?|[Ss]ecs?\.|[Ff]ig(?:ure)?s?\.?|[Ee]qs?\.|[Ee]quations?|[Tt]ables?"
    r"|[Cc]hapters?|[Aa]ppendix|[Vv]ersion|v)\s*)$"
)
LINK_TARGET = re.compile(r"\]\([^)]*\)")
URL = re.compile(r"https?://\S+")
HTML_TAG = re.compile(r"<[^>]*>")
FENCED = re.compile(r"```.*?```", re.S)
LAB_NOTE_LINK = re.compile(r"lab_notes/([\w-]+)\.md")


@dataclass(frozen=True)
class Offender:
    """A decimal number in the prose that nothing backs."""

    chapter: str
    cell: int
    number: str
    sentence: str

    def __str__(self) -> str:
        return f"{self.chapter} cell {self.cell}: {self.number!r} in: {self.sentence}"


def _blank(match: re.Match[str]) -> str:
    """Replace a match by spaces of the same length (positions stay put)."""
    return " " * len(match.group(0))


def clean_markdown(markdown: str) -> str:
    """The prose with link targets, URLs, HTML tags and fenced code blanked out."""
    text = FENCED.sub(_blank, markdown)
    text = LINK_TARGET.sub(lambda m: "]" + " " * (len(m.group(0)) - 1), text)
    text = URL.sub(_blank, text)
    return HTML_TAG.sub(_blank, text)


def prose_numbers(markdown: str) -> list[tuple[str, float, float, bool, int]]:
    """The decimal numbers of a markdown text that the rule checks.

    Each as ``(written, value, quantum, percent, position)``: ``quantum`` is the precision
    of the written form (0.01 for ``0.98``, 1e-4 for ``1.5e-3``), ``percent`` whether a
    ``%`` follows it, ``position`` where it starts in :func:`clean_markdown` of the text.
    """
    text = clean_markdown(markdown)
    found = []
    for m in PROSE_NUMBER.finditer(text):
        if PLACE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        mant = m.group("mant")
        exp = int((m.group("exp") or m.group("exp2") or "0").replace("\u2212", "-"))
        decimals = len(mant.split(".")[1]) if "." in mant else 0
        value = float(mant) * 10.0**exp
        quantum = 10.0 ** (exp - decimals)
        percent = bool(re.match(r"\s*(%|\\%|per ?cent)", text[m.end() : m.end() + 10]))
        found.append((m.group(0), value, quantum, percent, m.start()))
    return found


def backing_numbers(text: str) -> list[float]:
    """Every number (magnitude) written in a backing text."""
    values = []
    for m in ANY_NUMBER.finditer(text):
        try:
            values.append(abs(float(m.group(1)) * 10.0 ** int(m.group(2) or 0)))
        except (ValueError, OverflowError):
            continue
    return values


def _output_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def backing_text(nb: nbformat.NotebookNode, studies: Path = STUDIES) -> str:
    """Everything that may back a chapter's prose: rules (a), (b) and (c)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            parts.append(cell.source)
            if CHECK_MARK in cell.source:
                parts.append(_output_text(cell))
        elif cell.cell_type == "markdown":
            for name in LAB_NOTE_LINK.findall(cell.source):
                record = studies / f"{name}.md"
                if record.exists():
                    parts.append(record.read_text())
    return "\n".join(parts)


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around ``text[start:end]``, on one line."""
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)|\n\s*\n", text[:start])]
    left = ends[-1] if ends else 0
    m = re.search(r"[.!?](?=\s|$)|\n\s*\n", text[end:])
    right = end + m.end() if m else len(text)
    return " ".join(text[left:right].split())


def is_quotation(text: str, end: int) -> bool:
    """Rule (d): a citation ``(Source ...`` follows in the same sentence, nearby."""
    after = text[end : end + QUOTE_WINDOW]
    stop = re.search(r"[.!?](?=\s|$)|\n\s*\n", after)
    if stop:
        after = after[: stop.start()]
    names = "|".join(re.escape(s) for s in SOURCES)
    return re.search(rf"\((?:{names})\b", after) is not None


def is_backed(value: float, quantum: float, percent: bool, backing: list[float]) -> bool:
    """Whether a sorted list of numbers holds one that rounds to ``value`` at ``quantum``."""
    targets = [(abs(value), quantum)]
    if percent:
        targets.append((abs(value) / 100.0, quantum / 100.0))
    for target, q in targets:
        half = q / 2.0 * (1.0 + 1e-9) + 1e-15
        i = bisect.bisect_left(backing, target - half)
        if i < len(backing) and backing[i] <= target + half:
            return True
    return False


def offenders(
    nb: nbformat.NotebookNode, chapter: str = "", studies: Path = STUDIES
) -> list[Offender]:
    """The decimal numbers of a notebook's markdown that nothing backs."""
    backing = sorted(backing_numbers(backing_text(nb, studies)))
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text = clean_markdown(cell.source)
        for written, value, quantum, percent, pos in prose_numbers(cell.source):
            end = pos + len(written)
            if is_quotation(text, end) or is_backed(value, quantum, percent, backing):
                continue
            found.append(Offender(chapter, index, written, sentence_at(text, pos, end)))
    return found


def chapter_paths(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every chapter notebook ``NN_*.ipynb`` of a folder, in order."""
    return sorted(p for p in folder.glob("*.ipynb") if CHAPTER.match(p.name))


def chapter_offenders(path: Path) -> list[Offender]:
    """The offenders of one chapter notebook."""
    return offenders(nbformat.read(path, as_version=4), path.stem)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter")
    args = parser.parse_args(argv)
    paths = args.notebooks or chapter_paths()
    total = 0
    for path in paths:
        found = chapter_offenders(path)
        total += len(found)
        print(f"{path.stem}: {len(found)} unbacked")
        for offender in found:
            print(f"  {offender}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
