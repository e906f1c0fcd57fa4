"""Fixtures and session set-up shared by every test package.

``two_bit_esn``: the small trained 2-bit flip-flop that the memory, noise and noise-app tests
open (N = 100, g = 0.6, 8000 FORCE steps, about a second). It is trained once per session;
each test module gets its own deep copy, so a module that changes its network cannot
change another's.

Session set-up: the student notebooks run in the background while the other tests run.

See ``tests/chapters/test_student_versions.py``. The execution tests of the student versions that
survive ``-m``/``-k`` selection move to the end of the session, and their notebooks start at
once in ``RNNLAB_STUDENT_JOBS`` kernels (default 1), so that on a machine with a spare core
they overlap with the rest of the suite instead of following it. Each test still checks its
own chapter's complete run.
"""

from __future__ import annotations

import copy

import pytest

from rnnlab import ESN, FlipFlopTask, train_force

_RUN_TEST = "test_student_notebook_runs_with_only_not_implemented_errors"
_STARTED = []  # the test module whose background runs were started


@pytest.hookimpl(trylast=True)  # after -m/-k have deselected what they deselect
def pytest_collection_modifyitems(session, config, items):
    runs = [item for item in items if getattr(item, "originalname", None) == _RUN_TEST]
    if not runs or config.getoption("collectonly") or hasattr(config, "workerinput"):
        return  # (under pytest-xdist every worker collects everything: run in the tests)
    items[:] = [item for item in items if item not in runs] + runs
    module = runs[0].module
    paths = [
        item.callspec.params["path"]
        for item in runs
        if item.callspec.params.get("path") is not None
        and not any(m.name == "skip" for m in item.iter_markers())
    ]
    module.start_background_runs(paths, module.student_jobs())
    _STARTED.append(module)


def pytest_sessionfinish(session, exitstatus):
    for module in _STARTED:
        module.stop_background_runs()


@pytest.fixture(scope="session")
def _two_bit_trained() -> ESN:
    task = FlipFlopTask(2, pulse_rate=0.01, pulse_at_start=True)
    esn = ESN(100, 2, 2, g=0.6, seed=0)
    train_force(esn, *task.generate(8000, seed=0))
    return esn


@pytest.fixture(scope="module")
def two_bit_esn(_two_bit_trained: ESN) -> ESN:
    """A trained 2-bit flip-flop network, a fresh copy for each test module."""
    return copy.deepcopy(_two_bit_trained)
