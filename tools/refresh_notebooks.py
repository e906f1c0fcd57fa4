"""Execute notebooks and keep only the outputs nbval checks.

    python tools/refresh_notebooks.py notebooks/01_toy_system.ipynb [...]
    python tools/refresh_notebooks.py --all

Each notebook runs top to bottom in a fresh kernel (the current environment's python3).
Afterwards only the cells marked ``# NBVAL_CHECK_OUTPUT`` keep their outputs, and of those
only text (streams and ``text/plain`` results; never images or widget views). Execution
counts are cleared elsewhere and numbered 1, 2, ... on the kept cells; saved widget state
is dropped and the kernelspec normalised, so what is committed is small and reviewable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARK = "# NBVAL_CHECK_OUTPUT"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def text_only(outputs: list) -> list:
    kept = []
    for out in outputs:
        if out.output_type == "stream":
            kept.append(out)
        elif out.output_type == "execute_result" and "text/plain" in out.get("data", {}):
            out.data = {"text/plain": out.data["text/plain"]}
            out.metadata = {}
            kept.append(out)
        elif out.output_type == "error":
            raise RuntimeError(f"a checked cell raised {out.ename}: {out.evalue}")
    return kept


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if MARK in cell.source:
            count += 1
            cell.outputs = text_only(cell.outputs)
            cell.execution_count = count
            for out in cell.outputs:
                if out.output_type == "execute_result":
                    out.execution_count = count
        else:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata.setdefault("language_info", {"name": "python"})
    return nb


def refresh(path: Path, timeout: int) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(clean(nb), path)
    print(f"refreshed {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebooks/*.ipynb")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args()
    paths = sorted(Path("notebooks").glob("*.ipynb")) if args.all else args.paths
    if not paths:
        sys.exit("give notebook paths or --all")
    for p in paths:
        refresh(p, args.timeout)


if __name__ == "__main__":
    main()
