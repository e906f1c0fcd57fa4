"""pyproject.toml and environment.yml list the same dependencies; the docs name the commands."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$")


def normalise_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def normalise_spec(spec: str) -> str:
    """'>= 1.2 , <2' -> '<2,>=1.2' (order and spacing do not matter)."""
    parts = [p.replace(" ", "") for p in spec.split(",") if p.strip()]
    return ",".join(sorted(parts))


def parse_requirement(req: str) -> tuple[str, str]:
    m = REQ.match(req)
    assert m, f"cannot parse requirement {req!r}"
    return normalise_name(m.group(1)), normalise_spec(m.group(3))


def as_dict(reqs, where):
    out = {}
    for r in reqs:
        name, spec = parse_requirement(r)
        assert name not in out, f"{name} listed twice in {where}"
        out[name] = spec
    return out


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def conda_env():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def split_conda(deps):
    """Conda string dependencies, and the entries of the ``pip:`` section."""
    strings, pip_section = [], []
    for d in deps:
        if isinstance(d, dict):
            assert set(d) == {"pip"}, f"unexpected mapping in environment.yml dependencies: {d}"
            pip_section.extend(d["pip"] or [])
        else:
            assert isinstance(d, str), d
            strings.append(d)
    return strings, pip_section


def test_parser_normalises():
    assert parse_requirement("Foo_Bar >= 1.0, <2") == ("foo-bar", "<2,>=1.0")
    assert parse_requirement("ipympl>=0.9.4") == ("ipympl", ">=0.9.4")
    assert parse_requirement("python") == ("python", "")
    assert as_dict(["a>=1", "B_c"], "x") == {"a": ">=1", "b-c": ""}


def test_same_dependencies(pyproject, conda_env):
    project = pyproject["project"]
    py = as_dict(project["dependencies"], "pyproject dependencies")
    dev = as_dict(project.get("optional-dependencies", {}).get("dev", []), "pyproject dev")
    overlap = set(py) & set(dev)
    assert not overlap, f"listed both as runtime and dev dependency: {sorted(overlap)}"
    wanted = {**py, **dev}

    strings, pip_section = split_conda(conda_env["dependencies"])
    conda = as_dict(strings, "environment.yml")
    conda.pop("python", None)
    conda.pop("pip", None)
    pip_reqs = as_dict([p for p in pip_section if not p.strip().startswith("-e")], "pip:")
    both = sorted(set(conda) & set(pip_reqs))
    assert not both, f"listed both as conda and pip dependency in environment.yml: {both}"
    conda.update(pip_reqs)

    missing = sorted(set(wanted) - set(conda))
    extra = sorted(set(conda) - set(wanted))
    assert not missing, f"in pyproject.toml but not environment.yml: {missing}"
    assert not extra, f"in environment.yml but not pyproject.toml: {extra}"
    differ = {n: (wanted[n], conda[n]) for n in wanted if wanted[n] != conda[n]}
    assert not differ, f"version specifiers differ (pyproject, environment.yml): {differ}"


def test_environment_extras_are_only_python_pip_and_editable_install(pyproject, conda_env):
    strings, pip_section = split_conda(conda_env["dependencies"])
    conda = as_dict(strings, "environment.yml")
    assert "python" in conda, "environment.yml should pin python"
    assert conda["python"] == normalise_spec(pyproject["project"]["requires-python"])
    editable = [p.strip() for p in pip_section if p.strip().startswith("-e")]
    assert editable in ([], ["-e ."]), pip_section
    if editable:
        assert pip_section[-1].strip() == "-e .", "install the project last, after its pip deps"
    assert conda_env.get("name") == "rnnlab"


def test_readme_mentions_make_commands():
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip(
            "README.md does not exist yet (being written); cannot check `make lab`/`make test`"
        )
    text = readme.read_text()
    assert "make lab" in text
    assert "make test" in text


def test_ci_runs_make_test():
    run = ROOT / ".ci" / "run"
    assert run.exists(), ".ci/run is missing"
    commands = [
        ln.strip()
        for ln in run.read_text().splitlines()
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    assert any(re.search(r"(^|[;&|]\s*)make\s+test\b", c) for c in commands), commands


def test_makefile_has_lab_and_test_targets():
    text = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab\s*:", text, re.M)
    assert re.search(r"^test\s*:", text, re.M)
