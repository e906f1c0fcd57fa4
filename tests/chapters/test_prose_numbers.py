"""Every decimal number in a chapter's prose is backed (tools/prose_numbers.py, issue 17)."""

import importlib.util
import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("prose_numbers", ROOT / "tools/prose_numbers.py")
prose_numbers = importlib.util.module_from_spec(_spec)
sys.modules["prose_numbers"] = prose_numbers
_spec.loader.exec_module(prose_numbers)

CHAPTERS = prose_numbers.chapter_paths()


def test_every_chapter_is_found():
    names = [p.name[:2] for p in CHAPTERS]
    assert names[:9] == [f"{k:02d}" for k in range(1, 10)], names


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_prose_numbers_are_backed(path):
    found = prose_numbers.chapter_offenders(path)
    assert not found, (
        f"{len(found)} decimal number(s) in the prose of {path.name} that no checked output, "
        "code cell, linked studies record or citation backs (see tools/prose_numbers.py):\n"
        + "\n".join(str(o) for o in found)
    )


def checked(source, text):
    """A code cell marked for nbval with one stream output."""
    cell = new_code_cell("# NBVAL_CHECK_OUTPUT\n" + source)
    cell.outputs = [new_output("stream", name="stdout", text=text)]
    return cell


def offenders(*cells, studies=None):
    nb = new_notebook(cells=list(cells))
    kwargs = {"studies": studies} if studies is not None else {}
    return prose_numbers.offenders(nb, "99_test", **kwargs)


def test_an_unbacked_number_is_listed_with_its_place_and_sentence():
    found = offenders(
        new_markdown_cell("Intro."),
        new_markdown_cell("The accuracy is high. It reaches 0.985 on the test. Good."),
    )
    assert len(found) == 1
    o = found[0]
    assert (o.chapter, o.cell, o.number) == ("99_test", 1, "0.985")
    assert o.sentence == "It reaches 0.985 on the test."
    assert "99_test cell 1" in str(o) and "0.985" in str(o)


def test_a_checked_output_backs_the_number_and_its_roundings():
    out = checked("print(acc)", "accuracy 0.9805\n")
    assert not offenders(out, new_markdown_cell("It reaches 0.9805, about 0.98 or 0.981."))
    # 0.974 does not round to 0.98, and 0.99 is not a rounding of 0.9805
    found = offenders(checked("print(acc)", "0.974\n"), new_markdown_cell("About 0.98 or 0.99."))
    assert [o.number for o in found] == ["0.98", "0.99"]


def test_an_unchecked_output_does_not_back():
    cell = new_code_cell("print(acc)")
    cell.outputs = [new_output("stream", name="stdout", text="0.985\n")]
    assert [o.number for o in offenders(cell, new_markdown_cell("It is 0.985."))] == ["0.985"]


def test_code_backs_its_parameters():
    code = new_code_cell("g = 0.5\nnet = make(g, alpha=1.5e-3)")
    assert not offenders(code, new_markdown_cell("With $g = 0.5$ and a rate of 1.5e-3."))


def test_scientific_notation_percent_and_latex_powers():
    out = checked("print(x)", "1.07e-03 0.2241 0.046\n")
    md = new_markdown_cell(
        r"At most $1.1 \times 10^{-3}$ or 1.1e-3, 22.4 % of it, up to $4.6\cdot10^{-2}$."
    )
    assert not offenders(out, md)
    found = offenders(out, new_markdown_cell(r"At most $1.3 \times 10^{-3}$, or 23.4 %."))
    assert [o.number for o in found] == [r"1.3 \times 10^{-3}", "23.4"]


def test_a_linked_studies_record_backs(tmp_path):
    (tmp_path / "my_study.md").write_text("| seed | accuracy |\n| 0 | 0.913 |\n")
    md = "Seed 0 reached 0.913 ([lab note](lab_notes/my_study.md))."
    assert not offenders(new_markdown_cell(md), studies=tmp_path)
    unlinked = "Seed 0 reached 0.913."
    assert len(offenders(new_markdown_cell(unlinked), studies=tmp_path)) == 1


def test_a_cited_quotation_is_allowed_and_an_uncited_one_is_not():
    assert not offenders(new_markdown_cell("The paper finds 9.5 points (Jang §6)."))
    assert not offenders(new_markdown_cell("It grew from 16.5 to 17.5 (report, hypothesis 2)."))
    # the citation must follow in the same sentence
    found = offenders(new_markdown_cell("The paper finds 9.5 points. See (Jang §6)."))
    assert [o.number for o in found] == ["9.5"]
    # an unknown name is not a citation
    assert len(offenders(new_markdown_cell("It finds 9.5 points (our guess)."))) == 1


def test_integers_places_and_link_targets_are_exempt():
    md = (
        "With $N = 500$ units, seed 3 and 60 minutes; see §6.1, Fig. 3.2, eq. 2.1 and "
        "[the note](https://example.org/v1.5/page_2.3.html), $\\tfrac12$ and $10^{-3}$.\n"
        '<img src="fig_0.75.png">'
    )
    assert not offenders(new_markdown_cell(md))


def test_signs_are_ignored():
    out = checked("print(lam)", "-0.675\n")
    assert not offenders(out, new_markdown_cell("The pole sits at $\\lambda = -0.675$, or −0.68."))
