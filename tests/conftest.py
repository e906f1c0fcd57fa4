"""Session set-up: the student notebooks run in the background while the other tests run.

See ``tests/test_student_versions.py``. The execution tests of the student versions that
survive ``-m``/``-k`` selection move to the end of the session, and their notebooks start at
once in ``RNNLAB_STUDENT_JOBS`` kernels (default 1), so that on a machine with a spare core
they overlap with the rest of the suite instead of following it. Each test still checks its
own chapter's complete run.
"""

import pytest

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
