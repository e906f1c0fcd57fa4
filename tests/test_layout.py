"""The package's layout is the course's map: layers, public names only, short functions.

Read from the source (nothing is imported): every ``import`` inside ``rnnlab`` goes to its
own package or to one below it in ``LAYERS``; no private name (``_x``) is imported from
another module; nothing but the widgets imports the widgets; the notebooks import only
public names; and no function body is longer than ``MAX_LINES`` lines unless its docstring
says why (a line starting ``Length:``).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rnnlab"

#: Bottom to top. A package may import from itself and from any package listed before it.
LAYERS = [
    "_internal",
    "dynamics",
    "tasks",
    "fixedpoints",
    "models",
    "analysis",
    "flipflop",
    "theory",
    "plotting",
    "course",
    "widgets",
]
MAX_LINES = 80


def _package_of(module: str) -> str | None:
    """'rnnlab.flipflop.census' -> 'flipflop'; the top level 'rnnlab' -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            out.extend((a.name, [], node.lineno) for a in node.names)
    return out


def _modules():
    return sorted(
        p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE
    )


def _layer_violations(path: Path, imports) -> list[str]:
    own = _package_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
    if own not in LAYERS:
        return [f"{path.relative_to(ROOT)}: package {own!r} is not in LAYERS"]
    bad = []
    for module, names, line in imports:
        if module == "rnnlab":
            target = [n for n in names]  # top-level names: the learning path, above everything
            if own != "widgets":
                bad.append(f"{path.relative_to(ROOT)}:{line} imports from the top level {target}")
            continue
        if not module.startswith("rnnlab."):
            continue
        other = _package_of(module)
        if other not in LAYERS or LAYERS.index(other) > LAYERS.index(own):
            bad.append(f"{path.relative_to(ROOT)}:{line} ({own}) imports {module} ({other})")
    return bad


def test_every_package_imports_only_downwards():
    bad = []
    for path in _modules():
        bad += _layer_violations(path, _imports(path))
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


def test_no_private_name_crosses_a_module():
    bad = []
    for path in _modules():
        for module, names, line in _imports(path):
            if module.startswith("rnnlab") and any(n.startswith("_") for n in names):
                bad.append(f"{path.relative_to(ROOT)}:{line} from {module} import {names}")
            if module.startswith("rnnlab") and any(
                part.startswith("_") and part != "_internal" for part in module.split(".")
            ):
                if not (path.parent.name == "widgets" and module == "rnnlab.widgets._base"):
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports private module {module}")
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


def test_nothing_outside_the_widgets_imports_them():
    bad = []
    for path in [*_modules(), *sorted((ROOT / "tools").glob("*.py"))]:
        if path.is_relative_to(PACKAGE / "widgets"):
            continue
        for module, _, line in _imports(path):
            if module.startswith("rnnlab.widgets"):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not bad, "\n".join(bad)


def _notebook_imports(path: Path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue  # a student stub may be incomplete; nbval runs the cell anyway
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("rnnlab")
            ):
                yield node.module, [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("rnnlab"):
                        yield a.name, []


@pytest.mark.parametrize(
    "path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem
)
def test_notebooks_import_only_public_names(path):
    bad = []
    for module, names in _notebook_imports(path):
        if any(part.startswith("_") for part in module.split(".")):
            bad.append(f"private module {module}")
        bad += [f"private name {module}.{n}" for n in names if n.startswith("_")]
    assert not bad, f"{path.name}: " + ", ".join(bad)


def test_top_level_names_are_declared():
    import rnnlab

    missing = [n for n in rnnlab.__all__ if not hasattr(rnnlab, n)]
    assert not missing, f"rnnlab.__all__ names that do not exist: {missing}"
    assert len(set(rnnlab.__all__)) == len(rnnlab.__all__), "rnnlab.__all__ repeats a name"


def _long_functions(tree: ast.AST, rel: str) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        doc = ast.get_docstring(node) or ""
        first = node.body[1] if doc and len(node.body) > 1 else node.body[0]
        n = node.end_lineno - first.lineno + 1
        reason = any(ln.strip().startswith("Length:") for ln in doc.splitlines())
        if n > MAX_LINES and not reason:
            out.append(f"{rel}:{node.lineno} {node.name}: {n} lines of code")
    return out


def test_no_function_is_long_without_a_reason():
    bad = []
    for path in _modules():
        bad += _long_functions(ast.parse(path.read_text()), str(path.relative_to(ROOT)))
    assert not bad, (
        f"functions over {MAX_LINES} lines of code (split them, or say why in a 'Length:' "
        "line of the docstring):\n" + "\n".join(bad)
    )


# -- the checkers themselves ------------------------------------------------------------


def test_layer_checker_flags_an_upward_import(tmp_path):
    fake = PACKAGE / "dynamics" / "fake.py"
    bad = _layer_violations(fake, [("rnnlab.flipflop.census", ["census"], 3)])
    assert bad and "imports rnnlab.flipflop.census" in bad[0]
    assert not _layer_violations(fake, [("rnnlab._internal.validation", ["as_states"], 3)])


def test_length_checker_counts_code_not_docstring():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES + 1))
    long_src = f'def f():\n    """Doc."""\n{body}\n'
    assert _long_functions(ast.parse(long_src), "m.py")
    why = f'def f():\n    """Doc.\n\n    Length: one table, read top to bottom.\n    """\n{body}\n'
    assert not _long_functions(ast.parse(why), "m.py")
    short = "def f():\n" + "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES)) + "\n"
    assert not _long_functions(ast.parse(short), "m.py")
