"""notebooks/lab_notes/ is generated from the records in studies/ and kept up to date."""

import importlib.util
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "collect_lab_notes", ROOT / "tools/collect_lab_notes.py"
)
cln = importlib.util.module_from_spec(_spec)
sys.modules["collect_lab_notes"] = cln
_spec.loader.exec_module(cln)


def test_lab_note_pages_are_up_to_date():
    assert cln.problems() == [], "run `python tools/collect_lab_notes.py`"


def test_every_record_has_a_page_and_the_book_lists_them():
    records = sorted(p.stem for p in (ROOT / "studies").glob("*.md"))
    assert records, "no studies/*.md"
    pages = sorted(p.stem for p in cln.OUTPUT.glob("*.md"))
    assert pages == records
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    globs = [
        entry.get("glob")
        for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}])
        for entry in part["chapters"]
    ]
    assert "notebooks/lab_notes/*" in globs


def repo(tmp_path: Path) -> Path:
    """A tiny repository: two records, one script, one test, one chapter."""
    (tmp_path / "studies").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "03_x.ipynb").write_text("{}")
    (tmp_path / "studies" / "alpha.py").write_text("print(1)")
    (tmp_path / "tests" / "test_alpha.py").write_text('MD = "studies/alpha.md"')
    (tmp_path / "studies" / "alpha.md").write_text(
        "# Alpha study\n\nSee [chapter 03](../notebooks/03_x.ipynb#the-census), "
        "[beta](beta.md), [the force code](../rnnlab/force.py), [web](https://example.org) "
        "and [below](#every-run); ![plot](plot.png) stays.\n\n## Every run\n\n| a | b |\n"
    )
    (tmp_path / "studies" / "beta.md").write_text("No title here.\n")
    return tmp_path


def test_render_header_and_links(tmp_path):
    root = repo(tmp_path)
    alpha, beta = cln.build(root)
    assert alpha.name == "alpha" and beta.name == "beta"
    lines = alpha.text.splitlines()
    assert lines[0] == "# Alpha study"
    assert lines[2].startswith(
        "*Lab note — generated from `studies/alpha.md` by `tools/collect_lab_notes.py`; "
        "the script `studies/alpha.py` reproduces it, and `tests/test_alpha.py` checks it.*"
    )
    assert "[chapter 03](../03_x.ipynb#the-census)" in alpha.text
    assert "[beta](beta.md)" in alpha.text
    assert "the force code (`rnnlab/force.py`)" in alpha.text
    assert "[web](https://example.org)" in alpha.text
    assert "[below](#every-run)" in alpha.text
    assert "![plot](plot.png)" in alpha.text
    assert alpha.text.endswith("## Every run\n\n| a | b |\n")
    # No title: one is made from the name; no script, no test.
    assert beta.text.startswith("# Lab note: beta\n\n*Lab note — generated from `studies/beta.md`")
    assert "no script in `studies/` reproduces it.*" in beta.text
    assert beta.text.endswith("No title here.\n")


def test_stale_missing_and_orphaned_pages_are_caught(tmp_path):
    root = repo(tmp_path)
    out = root / "notebooks" / "lab_notes"
    assert cln.problems(root) == [
        "notebooks/lab_notes/alpha.md is missing",
        "notebooks/lab_notes/beta.md is missing",
    ]
    cln.write(root)
    assert cln.problems(root) == []
    (root / "studies" / "beta.md").write_text("Changed.\n")
    (out / "gamma.md").write_text("# Old\n")
    assert cln.problems(root) == [
        "notebooks/lab_notes/beta.md is out of date",
        "notebooks/lab_notes/gamma.md has no record in studies/",
    ]
    cln.write(root)
    assert cln.problems(root) == []
    assert sorted(p.name for p in out.glob("*.md")) == ["alpha.md", "beta.md"]
