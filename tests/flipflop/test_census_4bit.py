"""The census of a 4-bit flip-flop network (chapter 04): what must hold even when it is incomplete."""

import itertools

import numpy as np
import pytest

import rnnlab
from rnnlab.flipflop.census import census, ideal_census


@pytest.fixture(scope="module")
def four_bit():
    esn = rnnlab.ESN(200, 4, 4, g=0.6, seed=0)
    task = rnnlab.FlipFlopTask(4, pulse_rate=0.02, pulse_at_start=True)
    rnnlab.train_force(esn, *task.generate(30_000, seed=0))
    states, _ = esn.run(task.generate(3000, seed=1000)[0])
    return esn, states, census(esn, states, n_samples=10, scales=(1.0,), seed=0)


def test_ideal_tesseract():
    assert ideal_census(4) == {0: 16, 1: 32, 2: 24, 3: 8, 4: 1}


def test_sixteen_memories_one_per_pattern(four_bit):
    esn, _, c = four_bit
    assert c.counts()[0] == 16
    assert c.stable_patterns == sorted(itertools.product((-1, 1), repeat=4))
    # Each memory's readout has the signs of its pattern.
    stable = c.points.n_unstable == 0
    np.testing.assert_array_equal(np.sign(esn.readout(c.points.x[stable])), c.bits[stable])


def test_points_are_fixed_and_mirror_symmetric(four_bit):
    esn, _, c = four_bit
    system = esn.closed_loop()
    assert np.all(system.q(c.points.x) < c.points.tol_fixed)
    X = c.points.x
    to_mirror = np.abs(X[:, None, :] + X[None, :, :]).max(axis=2).min(axis=1)
    assert np.all(to_mirror < 1e-8)
    # Mirror images share their number of unstable dimensions.
    partner = np.abs(X[:, None, :] + X[None, :, :]).max(axis=2).argmin(axis=1)
    np.testing.assert_array_equal(c.points.n_unstable, c.points.n_unstable[partner])


def test_origin_is_the_most_unstable_point(four_bit):
    esn, _, c = four_bit
    origin = int(np.argmin(np.abs(c.points.x).max(axis=1)))
    assert np.abs(c.points.x[origin]).max() < 1e-10
    lam = esn.closed_loop().eigenvalues(np.zeros(esn.N))
    assert c.points.n_unstable[origin] == rnnlab.n_unstable(lam) == c.points.n_unstable.max()


def test_saddles_with_one_unstable_dimension_sit_between_memories(four_bit):
    # The readout of a 1-saddle is near a memory pattern in all bits but (about) one.
    _, _, c = four_bit
    ones = c.points.n_unstable == 1
    assert np.any(ones)
    near_corner = np.abs(np.abs(c.readout[ones]) - 1) < 0.5
    assert np.all(near_corner.sum(axis=1) >= 3)


def test_same_seed_same_census(four_bit):
    esn, states, c = four_bit
    again = census(esn, states, n_samples=10, scales=(1.0,), seed=0)
    assert again.counts() == c.counts()
    np.testing.assert_allclose(again.points.x, c.points.x, atol=1e-8)
