"""The BLAS-thread setting: one thread by default, changed for a session or a block."""

import json
import subprocess
import sys

import pytest

import rnnlab

_PROBE = """
import json
import rnnlab
from threadpoolctl import ThreadpoolController

@rnnlab.blas_limited
def probe():
    return sorted({i["num_threads"] for i in ThreadpoolController().select(user_api="blas").info()})

out = {"outside": sorted({i["num_threads"] for i in ThreadpoolController().select(user_api="blas").info()})}
out["default"] = probe()
with rnnlab.blas_threads(None):
    out["none"] = probe()
rnnlab.set_blas_threads(2)
out["two"] = probe()
print(json.dumps(out))
"""


def test_default_block_and_session_settings_reach_blas():
    run = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        check=True,
        env={"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"},
    )
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["default"] == [1]
    assert out["two"] == [2]
    assert out["none"] == out["outside"]  # no limit: what the environment gave BLAS
    assert out["outside"] == [2]  # so "none" is distinguishable from a limit of one


def test_block_restores_the_setting_even_on_error():
    assert rnnlab.get_blas_threads() == 1
    with pytest.raises(RuntimeError), rnnlab.blas_threads(4):
        assert rnnlab.get_blas_threads() == 4
        raise RuntimeError
    assert rnnlab.get_blas_threads() == 1


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_thread_counts_are_refused(bad):
    with pytest.raises(ValueError, match="n must be a positive int"):
        rnnlab.set_blas_threads(bad)
    assert rnnlab.get_blas_threads() == 1
