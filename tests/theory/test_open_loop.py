"""Finite reservoirs trained in open loop: reservoirs, relaxation, readout, errors."""

import numpy as np
import pytest

from rnnlab.theory.meanfield import NoFadingMemory
from rnnlab.theory.open_loop import random_reservoir, relax, train_open_loop


@pytest.fixture(scope="module")
def small():
    J, u = random_reservoir(200, 0.9, seed=3)
    return train_open_loop(J, u, [0.5, 1.0, 1.5])


def test_same_seed_same_reservoir():
    a, b = random_reservoir(50, 1.0, seed=7), random_reservoir(50, 1.0, seed=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], random_reservoir(50, 1.0, seed=8)[0])


def test_training_reproduces_the_targets(small):
    np.testing.assert_allclose(small.readout(small.x), [0.5, 1.0, 1.5], atol=1e-10)
    for n, A in enumerate(small.targets):
        F = -small.x[n] + small.J @ np.tanh(small.x[n]) + small.u * A
        assert np.max(np.abs(F)) < 1e-10
        # a fixed point of the closed loop too: the readout returns the clamped value
        assert np.max(np.abs(small.closed_loop().rhs(small.x[n]))) < 1e-9
    assert np.all(small.open_loop_eigenvalues.real < 0)


def test_one_target_readout_is_scaled_rates():
    J, u = random_reservoir(100, 0.7, seed=1)
    net = train_open_loop(J, u, 0.8)
    r = net.rates[0]
    np.testing.assert_allclose(net.w, 0.8 * r / (r @ r), rtol=1e-10)


def test_unstable_open_loop_is_an_error():
    J, u = random_reservoir(300, 2.5, seed=0)
    with pytest.raises(NoFadingMemory, match="not stable"):
        train_open_loop(J, u, 0.2)
    # Newton finds a fixed point of a chaotic network, which the eigenvalue check rejects.
    J, u = random_reservoir(300, 1.3, seed=0)
    with pytest.raises(NoFadingMemory, match=r"eigenvalue with Re = \+"):
        train_open_loop(J, u, 0.02)


def test_relax_does_not_return_unconverged_points():
    J, u = random_reservoir(100, 0.8, seed=0)
    with pytest.raises(RuntimeError, match="did not relax"):
        relax(J, u, 1.0, max_iter=1, tol=1e-14)
    with pytest.raises(ValueError, match="J must be square"):
        relax(J[:5], u, 1.0)
    with pytest.raises(ValueError, match="A must be a finite"):
        relax(J, u, np.inf)


def test_inconsistent_targets_are_an_error():
    # Without feedback weights every target gives the same (zero) state.
    J, _ = random_reservoir(50, 0.5, seed=0)
    with pytest.raises(ValueError, match="no readout reproduces"):
        train_open_loop(J, np.zeros(50), [1.0, 2.0])


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.zeros((3, 4)), np.zeros(3), 1.0), "J must be square"),
        ((np.zeros((3, 3)), np.zeros(4), 1.0), "u must have length 3"),
        ((np.zeros((3, 3)), np.zeros(3), [1.0, np.nan]), "targets contains NaN"),
    ],
)
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        train_open_loop(*args)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_relax_names_non_finite_weights_at_once(bad):
    J, u = random_reservoir(20, 0.5, seed=0)
    J[3, 4] = bad
    with pytest.raises(ValueError, match="J contains NaN or inf"):
        relax(J, u, 1.0)
    J[3, 4] = 0.0
    u[2] = bad
    with pytest.raises(ValueError, match="u contains NaN or inf"):
        relax(J, u, 1.0)
