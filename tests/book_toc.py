"""The pages of the book, read from book/_toc.yml (shared by the browser tests)."""

from __future__ import annotations

from pathlib import Path

import yaml

BOOK = Path(__file__).resolve().parents[1] / "book"


def toc_pages() -> list[str]:
    """Every page book/_toc.yml lists, in its order: ``intro``, ``notebooks/01_toy_system``, ...

    A ``glob`` entry stands for the pages it matches (``.md`` and ``.ipynb`` files under
    book/, sorted), as Jupyter Book expands it.
    """
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                pages.append(str(Path(entry["file"]).with_suffix("")))
            elif "glob" in entry:
                pages.extend(
                    sorted(
                        p.relative_to(BOOK).with_suffix("").as_posix()
                        for p in BOOK.glob(entry["glob"])
                        if p.suffix in (".md", ".ipynb")
                    )
                )
            walk(entry.get("sections", []))

    for part in toc.get("parts") or [{"chapters": toc.get("chapters", [])}]:
        walk(part["chapters"])
    return pages
