"""Newton in readout space: the known cube, agreement with the census, non-convergence, inputs."""

import itertools

import numpy as np
import pytest
from cube_network import cube_esn

import rnnlab
from rnnlab.flipflop.census import census, ideal_census
from rnnlab.flipflop.readout_search import readout_search

GRID3 = np.array(list(itertools.product((-1.0, 0.0, 1.0), repeat=3)))


def test_finds_the_whole_cube_from_its_ideal_readouts():
    esn = cube_esn()
    fps = readout_search(esn, GRID3)
    assert fps.n_fixed == 27
    assert fps.counts() == ideal_census(3)
    # the points are fixed points of the closed loop, to round-off
    assert np.max(np.abs(esn.closed_loop().rhs(fps.x))) < 1e-10


def test_newton_in_readout_space_converges_from_off_grid_starts():
    esn = cube_esn()
    rng = np.random.default_rng(0)
    fps = readout_search(esn, rng.uniform(-1.3, 1.3, size=(40, 3)))
    assert 0 < fps.n_fixed <= 27
    assert np.all(fps.q < 1e-20)


def test_agrees_with_the_census_of_a_trained_network():
    task = rnnlab.FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True)
    esn = rnnlab.ESN(150, g=0.6, seed=1)
    rnnlab.train_force(esn, *task.generate(8000, seed=1))
    states, _ = esn.run(task.generate(1500, seed=2)[0])
    c = census(esn, states, n_samples=15, seed=0)
    rng = np.random.default_rng(1)
    fps = readout_search(esn, np.vstack([GRID3, rng.uniform(-1.3, 1.3, size=(30, 3))]))
    assert fps.n_fixed > 8
    # every point of the independent search is in the census, with the same stability
    for x, k in zip(fps.x, fps.n_unstable, strict=True):
        d = np.max(np.abs(c.points.x - x), axis=1)
        assert d.min() < 1e-6
        assert c.points.n_unstable[d.argmin()] == k


def test_unconverged_starts_are_dropped_not_reported():
    esn = cube_esn()
    start = [[0.9, 0.9, 0.9]]  # one Newton step from the corner (z* = 0.995...)
    assert readout_search(esn, start, max_iter=1).n_points == 0
    fps = readout_search(esn, start)
    assert fps.n_points == 1 and fps.n_unstable[0] == 0


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"starts": np.zeros((2, 2))}, ValueError, "starts"),
        ({"starts": np.full((1, 3), np.nan)}, ValueError, "starts"),
        ({"tol": 0.0}, ValueError, "tol"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"z_max": -1.0}, ValueError, "z_max"),
    ],
)
def test_bad_inputs(kwargs, error, match):
    args = {"starts": GRID3} | kwargs
    with pytest.raises(error, match=match):
        readout_search(cube_esn(), **args)


def test_needs_an_esn():
    with pytest.raises(TypeError, match="ESN"):
        readout_search(cube_esn().closed_loop(), GRID3)
