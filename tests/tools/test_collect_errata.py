"""book/errata.md is generated from the notebooks' boxes and kept up to date."""

import importlib.util
import sys
from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("collect_errata", ROOT / "tools/collect_errata.py")
collect_errata = importlib.util.module_from_spec(_spec)
sys.modules["collect_errata"] = collect_errata
_spec.loader.exec_module(collect_errata)


def test_book_errata_page_is_up_to_date():
    current = collect_errata.OUTPUT.read_text()
    assert current == collect_errata.build(), (
        "book/errata.md is out of date: run `python tools/collect_errata.py`"
    )


def test_every_chapter_with_a_box_is_on_the_page():
    text = collect_errata.build()
    for path in collect_errata.chapter_paths():
        nb = collect_errata.nbformat.read(path, as_version=4)
        if collect_errata.collect(nb):
            assert f"{{doc}}`notebooks/{path.stem}`" in text, path.name


def test_box_forms_and_sections():
    source = (
        "## 3. Errata: the gain\n\n"
        "> **What we found.** first line\n"
        "> second line\n"
        ">\n"
        "> second paragraph\n"
        ">\n"
        "After the box.\n\n"
        "> **How robust is this?** not an errata box\n\n"
        "## 4. Next\n"
        "> **errata / what we found.** lower case title\n"
        "> **Erratum.** a second box right after a first one is part of it\n"
    )
    boxes, section = collect_errata.boxes_in_markdown(source, "before")
    assert section == "4. Next"
    assert [b.section for b in boxes] == ["3. Errata: the gain", "4. Next"]
    assert boxes[0].text == (
        "> **What we found.** first line\n> second line\n>\n> second paragraph"
    )
    assert boxes[1].text.startswith("> **errata / what we found.**")
    assert "How robust" not in "".join(b.text for b in boxes)


def test_box_title_variants():
    for title in ("**Errata.**", "**Erratum.**", "**What we found: chaos**", "** What we found.**"):
        boxes, _ = collect_errata.boxes_in_markdown(f"> {title} text")
        assert len(boxes) == 1, title
    for not_a_box in ("**Note.** text", "What we found. (not bold)", "**Found**"):
        boxes, _ = collect_errata.boxes_in_markdown(f"> {not_a_box}")
        assert boxes == [], not_a_box


def test_render_groups_by_chapter_and_skips_chapters_without_boxes():
    with_box = new_notebook(
        cells=[
            new_markdown_cell("# 07 — Mean field\n\nIntro."),
            new_code_cell("x = 1"),
            new_markdown_cell("## 2. Poles\n\n> **Errata.** The cross is at +1.\n"),
        ]
    )
    without = new_notebook(cells=[new_markdown_cell("# 08 — Delays")])
    text = collect_errata.render(
        [(Path("07_mean_field.ipynb"), with_box), (Path("08_delay.ipynb"), without)]
    )
    assert "## 07 — Mean field" in text
    assert "{doc}`notebooks/07_mean_field`" in text
    assert "**In §&nbsp;2. Poles**" in text
    assert "> **Errata.** The cross is at +1." in text
    assert "08" not in text.split("-->", 1)[1]
    empty = collect_errata.render([(Path("08_delay.ipynb"), without)])
    assert "No chapter has an errata box yet." in empty


def test_chapter_paths_are_numbered_notebooks(tmp_path):
    for name in ("02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "1_x.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in collect_errata.chapter_paths(tmp_path)] == [
        "01_a.ipynb",
        "02_b.ipynb",
    ]


def test_relative_links_of_a_box_point_from_the_book_root():
    text = (
        "> **What we found.** See [lab notes](lab_notes/x.md), [chapter 02](02_rnn.ipynb#a), "
        "[web](https://example.org), [here](#anchor)."
    )
    out = collect_errata.from_book_root(text)
    assert "(notebooks/lab_notes/x.md)" in out
    assert "(notebooks/02_rnn.ipynb#a)" in out
    assert "(https://example.org)" in out and "(#anchor)" in out
