"""Event-triggered averages: held bits, switch times, the average on a known signal, PCA."""

import numpy as np
import pytest

from rnnlab.tasks import FlipFlopTask
from rnnlab.triggered import held_bits, switch_times, triggered_average


def _inputs():
    U = np.zeros((60, 3))
    U[0] = [-1, -1, -1]
    U[10, 2] = 1  # (-1,-1,-1) -> (-1,-1,1) at 10
    U[20, 2] = -1  # back
    U[40, 2] = 1  # again at 40
    U[45, 0] = 1  # another pulse 5 steps later
    return U


def test_held_bits_are_the_last_pulse():
    bits = held_bits(_inputs())
    np.testing.assert_array_equal(bits[0], [-1, -1, -1])
    np.testing.assert_array_equal(bits[15], [-1, -1, 1])
    np.testing.assert_array_equal(bits[59], [1, -1, 1])
    assert np.all(held_bits(np.zeros((3, 2))) == 0)


def test_held_bits_match_the_task_targets():
    task = FlipFlopTask(3, pulse_rate=0.05, pulse_length=1, pulse_at_start=True)
    u, y = task.generate(500, seed=3)
    np.testing.assert_array_equal(held_bits(u), y)


def test_switch_times():
    np.testing.assert_array_equal(switch_times(_inputs(), (-1, -1, -1), (-1, -1, 1)), [10, 40])
    np.testing.assert_array_equal(switch_times(_inputs(), (-1, -1, 1), (-1, -1, -1)), [20])


def test_average_of_a_known_signal_and_quiet_events():
    U = _inputs()
    T = len(U)
    S = np.zeros((T, 4))
    S[:, 0] = np.arange(T)  # the average of t + tau over events at 10 only is 10 + tau
    S[:, 1] = np.sin(np.arange(T))
    tr = triggered_average(S, S[:, :3], U, pre=3, post=8, n_components=2)
    np.testing.assert_array_equal(tr.times, [10])  # 40 has a pulse at 45 within post
    np.testing.assert_array_equal(tr.lags, np.arange(-3, 9))
    np.testing.assert_allclose(tr.states[:, 0], 10 + tr.lags)
    np.testing.assert_allclose(tr.outputs[:, 1], np.sin(10 + tr.lags))
    assert tr.projection.shape == (12, 2) and tr.n_events == 1
    tr2 = triggered_average(S, S[:, :3], U, pre=3, post=4, n_components=2)
    np.testing.assert_array_equal(tr2.times, [10, 40])
    np.testing.assert_allclose(tr2.states[:, 0], 25 + tr2.lags)


def test_errors():
    U = _inputs()
    S = np.zeros((60, 4))
    with pytest.raises(ValueError, match=r"before must be 3 values of ±1"):
        switch_times(U, (0, -1, -1), (-1, -1, 1))
    with pytest.raises(ValueError, match="must differ"):
        switch_times(U, (1, 1, 1), (1, 1, 1))
    with pytest.raises(ValueError, match="same T"):
        triggered_average(S[:50], S[:, :3], U)
    with pytest.raises(ValueError, match="no clean switch"):
        triggered_average(S, S[:, :3], U, before=(1, 1, 1), after=(1, 1, -1))
