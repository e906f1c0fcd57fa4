"""Check book/claims.md: every claim of the four sources, its verdict, its number, its link.

    python tools/check_claims.py                    # check book/claims.md, list the problems
    python tools/check_claims.py --slugs book/notebooks/03_esn_flipflop.ipynb
                                                    # the heading anchors a page can link to

The page holds one markdown table per source with the columns of :data:`COLUMNS`. Each row is
one claim of a source: an id (``J3``), the claim paraphrased with its place in the source, a
verdict, a one-line statement of what the course measured, and where it is shown.

The rules (``tests/tools/test_claims_page.py`` holds them for the book's page):

1. **Verdict.** One of :data:`VERDICTS`. ``pending`` is accepted only for the ids the caller
   allows (the test keeps that allow-list), and an allowed id whose row is no longer pending is
   an error too, so the allow-list cannot outlive its reason.
2. **Links.** The *Where* cell links to chapter sections, ``notebooks/NN_name.ipynb#anchor``, or
   to lab notes, ``notebooks/lab_notes/name.md`` (paths relative to ``book/``, as the book's
   pages write them). The target must exist, a chapter link must name a section, and the
   anchor must be one the book generates: MyST's slug of a heading of that page (lower case,
   spaces to ``-``, punctuation and inline math dropped, ``-1``, ``-2`` for repeats), for
   headings down to the level ``myst_heading_anchors`` of ``book/_config.yml``.
3. **Numbers.** Every number of the *What the course measured* cell (integers too; not the
   ones that name a place, ``§6``, ``Fig. 3``) must appear in a *checked output* of a chapter
   the row links (a code cell marked ``# NBVAL_CHECK_OUTPUT``) or in the studies record
   ``studies/<name>.md`` behind a linked lab note. Rounding and percentages follow
   ``tools/prose_numbers.py``: ``0.98`` is backed by ``0.9805``, ``30 %`` by ``0.3``; an
   integer must appear exactly. A non-pending row must quote at least one number.
4. **Tally.** The line ``**Tally:** ...`` counts the rows by verdict, as they stand.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import yaml
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.tree import SyntaxTreeNode
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.base import compute_unique_slug
from myst_parser.parsers.mdit import create_md_parser

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PAGE = BOOK / "claims.md"
STUDIES = ROOT / "studies"

_spec = importlib.util.spec_from_file_location("prose_numbers", ROOT / "tools" / "prose_numbers.py")
prose_numbers = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("prose_numbers", prose_numbers)
_spec.loader.exec_module(prose_numbers)

#: The columns of every claims table, in order.
COLUMNS = ("", "Claim of the source", "Verdict", "What the course measured", "Where")
#: The three verdicts a claim can have.
VERDICTS = (
    "reproduced",
    "reproduced with a documented deviation",
    "refuted with evidence",
)
PENDING = "pending"
ROW_ID = re.compile(r"^\**([A-Z]\d+)\**$")
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
CHAPTER_LINK = re.compile(r"^notebooks/\d\d_[\w-]+\.ipynb$")
LAB_NOTE_LINK = re.compile(r"^notebooks/lab_notes/([\w-]+)\.md$")
#: Any number a cell may quote: integers and decimals (scientific notation is read by
#: prose_numbers.prose_numbers first, so ``1e-5`` is one number, not two).
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.]*\d)")
TALLY = re.compile(r"^\*\*Tally:\*\*(.*)$", re.M)


@dataclass(frozen=True)
class Row:
    """One claim: the cells of its table row, as markdown."""

    id: str
    claim: str
    verdict: str
    measured: str
    where: str

    @property
    def verdict_key(self) -> str:
        """The verdict without emphasis, in lower case."""
        return " ".join(self.verdict.replace("*", "").replace("_", " ").split()).lower()

    @property
    def links(self) -> list[tuple[str, str]]:
        """The (text, target) of every markdown link in the Where cell."""
        return LINK.findall(self.where)


# --- MyST: the parser the book uses, its tables and its heading anchors -------------------


@cache
def book_config() -> dict:
    """book/_config.yml."""
    return yaml.safe_load((BOOK / "_config.yml").read_text())


def heading_anchor_depth(config: dict | None = None) -> int:
    """The deepest heading level that gets an anchor (``myst_heading_anchors``; 0 if unset)."""
    config = book_config() if config is None else config
    return int(config.get("sphinx", {}).get("config", {}).get("myst_heading_anchors", 0))


@cache
def markdown_parser(depth: int | None = None) -> MarkdownIt:
    """markdown-it configured as the book's MyST parser (its extensions and anchor depth)."""
    extensions = book_config().get("parse", {}).get("myst_enable_extensions", [])
    depth = heading_anchor_depth() if depth is None else depth
    config = MdParserConfig(enable_extensions=set(extensions), heading_anchors=depth)
    return create_md_parser(config, RendererHTML)


def heading_slugs(markdowns: list[str], depth: int | None = None) -> dict[str, str]:
    """The anchors MyST generates for the headings of one page, slug -> heading text.

    ``markdowns`` are the page's markdown blocks in order (one per notebook cell): myst-nb
    renders a notebook as one document, so a repeated heading gets ``-1`` in a later cell too.
    Only headings down to level ``depth`` (``myst_heading_anchors``) get an anchor; the slug
    is computed by myst-parser's own ``compute_unique_slug``.
    """
    depth = heading_anchor_depth() if depth is None else depth
    md = markdown_parser(depth)
    slugs: dict[str, str] = {}
    for text in markdowns:
        for node in SyntaxTreeNode(md.parse(text)).walk():
            if node.type == "heading" and int(node.tag[1:]) <= depth:
                slug = compute_unique_slug(node, slugs)
                slugs[slug] = node.children[0].content if node.children else ""
    return slugs


def page_slugs(path: Path, depth: int | None = None) -> dict[str, str]:
    """The heading anchors of a chapter notebook or a markdown page."""
    depth = heading_anchor_depth() if depth is None else depth
    return dict(_page_slugs(path.resolve(), path.stat().st_mtime_ns, depth))


@cache
def _page_slugs(path: Path, mtime_ns: int, depth: int) -> tuple[tuple[str, str], ...]:
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        blocks = [c.source for c in nb.cells if c.cell_type == "markdown"]
    else:
        blocks = [path.read_text()]
    return tuple(heading_slugs(blocks, depth).items())


def parse_tables(text: str) -> tuple[list[Row], list[str]]:
    """The claim rows of every claims table of a page, and the problems met reading them.

    A claims table is a MyST table whose header is :data:`COLUMNS`; other tables are ignored.
    """
    rows: list[Row] = []
    problems: list[str] = []
    root = SyntaxTreeNode(markdown_parser().parse(text))
    for table in (n for n in root.walk() if n.type == "table"):
        lines = [
            [cell.children[0].content if cell.children else "" for cell in tr.children]
            for tr in table.walk()
            if tr.type == "tr"
        ]
        header, body = tuple(c.strip() for c in lines[0]), lines[1:]
        if header != COLUMNS:
            continue
        for cells in body:
            m = ROW_ID.match(cells[0].strip())
            if not m:
                problems.append(f"a row without an id like J3 in its first cell: {cells[0]!r}")
                continue
            rows.append(Row(m.group(1), *(c.strip() for c in cells[1:])))
    return rows, problems


# --- what backs a row's numbers --------------------------------------------------------------


def _checked_outputs(path: Path) -> str:
    return _checked_outputs_of(path.resolve(), path.stat().st_mtime_ns)


@cache
def _checked_outputs_of(path: Path, mtime_ns: int) -> str:
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and prose_numbers.CHECK_MARK in c.source]
    return "\n".join(prose_numbers._output_text(c) for c in cells)


def backing_text(row: Row, book: Path = BOOK, studies: Path = STUDIES) -> str:
    """The checked outputs of the chapters a row links, and the records of its lab notes."""
    parts = []
    for _, target in row.links:
        path = target.split("#", 1)[0]
        if CHAPTER_LINK.match(path) and (book / path).exists():
            parts.append(_checked_outputs(book / path))
        m = LAB_NOTE_LINK.match(path)
        if m and (studies / f"{m.group(1)}.md").exists():
            parts.append((studies / f"{m.group(1)}.md").read_text())
    return "\n".join(parts)


def quoted_numbers(markdown: str) -> list[tuple[str, float, float, bool]]:
    """Every number a cell quotes, as ``(written, value, quantum, percent)``.

    Decimals and scientific notation as ``tools/prose_numbers.py`` reads them; integers with
    quantum 0 (they must appear exactly). Numbers that name a place (``§6``, ``Fig. 3``) and
    numbers in link targets are left out.
    """
    text = prose_numbers.clean_markdown(markdown)
    found = []
    for written, value, quantum, percent, pos in prose_numbers.prose_numbers(markdown):
        found.append((written, value, quantum, percent))
        text = text[:pos] + " " * len(written) + text[pos + len(written) :]
    for m in NUMBER.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if "." in m.group(0) or prose_numbers.PLACE.search(before):
            continue
        percent = bool(re.match(r"\s*(%|\\%|per ?cent)", text[m.end() : m.end() + 10]))
        found.append((m.group(0), float(m.group(0)), 0.0, percent))
    return found


def unbacked(row: Row, book: Path = BOOK, studies: Path = STUDIES) -> list[str]:
    """The numbers of a row's measured cell that nothing it links backs."""
    backing = sorted(prose_numbers.backing_numbers(backing_text(row, book, studies)))
    return [
        written
        for written, value, quantum, percent in quoted_numbers(row.measured)
        if not prose_numbers.is_backed(value, quantum, percent, backing)
    ]


# --- the checks -----------------------------------------------------------------------------


def link_problems(row: Row, book: Path = BOOK, depth: int | None = None) -> list[str]:
    """What is wrong with the links of a row's Where cell."""
    depth = heading_anchor_depth() if depth is None else depth
    if not row.links:
        return [f"{row.id}: no link to a chapter section or a lab note in the Where cell"]
    problems = []
    for text, target in row.links:
        path, _, anchor = target.partition("#")
        where = f"{row.id}: link [{text}]({target})"
        if not (CHAPTER_LINK.match(path) or LAB_NOTE_LINK.match(path)):
            problems.append(f"{where} is neither notebooks/NN_*.ipynb#section nor a lab note")
            continue
        if not (book / path).exists():
            problems.append(f"{where}: book/{path} does not exist")
            continue
        if CHAPTER_LINK.match(path) and not anchor:
            problems.append(f"{where}: a chapter link must name its section (#anchor)")
            continue
        if anchor and anchor not in page_slugs(book / path, depth):
            known = ", ".join(sorted(page_slugs(book / path, depth)))
            problems.append(f"{where}: no heading of {path} has the anchor {anchor!r} ({known})")
    return problems


def tally(rows: list[Row]) -> Counter:
    """The number of rows per verdict."""
    return Counter(row.verdict_key for row in rows)


def tally_line(rows: list[Row]) -> str:
    """The tally the page must state, e.g. ``7 reproduced, ..., 4 pending``."""
    counts = tally(rows)
    return ", ".join(f"{counts[v]} {v}" for v in (*VERDICTS, PENDING))


def check(
    text: str,
    allow_pending: frozenset[str] | set[str] = frozenset(),
    book: Path = BOOK,
    studies: Path = STUDIES,
    depth: int | None = None,
) -> list[str]:
    """Every problem of a claims page (empty when it passes).

    ``allow_pending``: the ids whose verdict may still be ``pending``; each of them must be a
    row of the page that is still pending.
    """
    rows, problems = parse_tables(text)
    if not rows:
        return [*problems, "no claims table: a table with the columns " + " | ".join(COLUMNS)]
    ids = [row.id for row in rows]
    problems += [f"{i}: the id is used {n} times" for i, n in Counter(ids).items() if n > 1]
    for row in rows:
        problems += link_problems(row, book, depth)
        verdict = row.verdict_key
        if verdict == PENDING:
            if row.id not in allow_pending:
                problems.append(
                    f"{row.id}: verdict 'pending' is allowed only for the listed ids "
                    f"{sorted(allow_pending)}; give it one of {VERDICTS}"
                )
            continue
        if verdict not in VERDICTS:
            problems.append(f"{row.id}: verdict {row.verdict!r} is not one of {VERDICTS}")
        if row.id in allow_pending:
            problems.append(f"{row.id} is no longer pending: remove it from the allow-list")
        if not quoted_numbers(row.measured):
            problems.append(f"{row.id}: the measured cell quotes no number")
        missing = unbacked(row, book, studies)
        if missing:
            problems.append(
                f"{row.id}: {missing} appear in no checked output of the chapters it links "
                "nor in the studies record of a lab note it links"
            )
    for stale in sorted(set(allow_pending) - set(ids)):
        problems.append(f"{stale} is allowed to be pending but is not a row of the page")
    stated = TALLY.findall(text)
    expected = tally_line(rows)
    if len(stated) != 1 or " ".join(stated[0].split()).rstrip(".") != expected:
        problems.append(f"the page must state one line '**Tally:** {expected}.'")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", type=Path, default=PAGE)
    parser.add_argument(
        "--allow-pending", nargs="*", default=[], help="ids whose verdict may be pending"
    )
    parser.add_argument("--slugs", type=Path, help="print the anchors of this page and stop")
    args = parser.parse_args(argv)
    if args.slugs:
        for slug, title in page_slugs(args.slugs).items():
            print(f"#{slug}    {title}")
        return 0
    problems = check(args.page.read_text(), set(args.allow_pending))
    rows, _ = parse_tables(args.page.read_text())
    print(f"{args.page}: {len(rows)} claims; {tally_line(rows)}")
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
