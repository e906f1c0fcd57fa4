"""The shipped sine-wave generator (chapter 10) is its recipe and meets its accuracy bar."""

import numpy as np
import pytest

from rnnlab.course.check.ch10 import reference_frequency
from rnnlab.course.sine_network import (
    N_LEVELS,
    SINE_RECIPE,
    levels,
    load_sine_network,
    run_level,
    sine_training_sequence,
    target_frequencies,
    train_sine_network,
)


def test_task_levels_and_sequence():
    u, w = levels(), target_frequencies()
    assert len(u) == len(w) == N_LEVELS == 51
    assert u[0] == pytest.approx(0.25) and u[-1] == pytest.approx(50 / 51 + 0.25)
    assert w[0] == pytest.approx(0.1) and w[-1] == pytest.approx(0.6)
    inputs, targets = sine_training_sequence()
    n = SINE_RECIPE["passes"] * N_LEVELS * SINE_RECIPE["block_steps"]
    assert inputs.shape == targets.shape == (n, 1)
    assert np.max(np.abs(targets)) <= SINE_RECIPE["amplitude"]
    # every level appears once per pass
    starts = inputs[:: SINE_RECIPE["block_steps"], 0]
    assert sorted(np.round(starts[:N_LEVELS], 9)) == sorted(np.round(u, 9))


def test_run_level_refuses_bad_arguments():
    esn = load_sine_network()
    with pytest.raises(ValueError, match="settle"):
        run_level(esn, 0.5, steps=100, settle=100)
    with pytest.raises(TypeError, match="esn"):
        run_level("not a network", 0.5)


def test_shipped_network_meets_its_accuracy_bar():
    esn = load_sine_network()
    u, w = levels(), target_frequencies()
    measured = np.array([reference_frequency(run_level(esn, v)[2], esn.dt_over_tau) for v in u])
    rel = np.abs(measured / w - 1)
    # Every level oscillates, within 15 % of its target frequency (measured: at most 12 %,
    # median 2 %, at the lowest levels); a network that fails at some levels gives nan.
    assert np.all(np.isfinite(measured))
    assert np.max(rel) < 0.15
    assert np.median(rel) < 0.05


@pytest.mark.slow
def test_shipped_network_is_its_recipe():
    retrained = train_sine_network()
    shipped = load_sine_network()
    assert retrained.config() == shipped.config()
    np.testing.assert_array_equal(retrained.W_r, shipped.W_r)
    # FORCE's 76 500 rank-one updates on another CPU round differently; the readout
    # differs by round-off grown through training. A different seed or recipe gives an
    # unrelated readout (relative difference near 1 or more); the bound separates the two.
    a, b = retrained.W_o, shipped.W_o
    assert np.linalg.norm(a - b) / np.linalg.norm(b) < 0.3
