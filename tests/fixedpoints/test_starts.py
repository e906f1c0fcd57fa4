"""Initial states for the fixed-point search: grids, midpoints, centroids, mirrors, samples."""

from math import comb

import numpy as np
import pytest

from rnnlab import centroids, grid_2d, midpoints, mirror, random_rnn, sample_states, simulate


def test_grid_2d_shape_and_values():
    G = grid_2d((-1.0, 1.0), (0.0, 3.0), (3, 4))
    assert G.shape == (12, 2)
    np.testing.assert_allclose(np.unique(G[:, 0]), [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(np.unique(G[:, 1]), [0.0, 1.0, 2.0, 3.0])
    # every (x, y) combination exactly once, x varying fastest
    np.testing.assert_allclose(G[:3], [[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    assert len({tuple(p) for p in G}) == 12


def test_grid_2d_square_and_corners():
    G = grid_2d((-2.0, 2.0), (-2.0, 2.0), 5)
    assert G.shape == (25, 2)
    for corner in ([-2, -2], [2, -2], [-2, 2], [2, 2], [0, 0]):
        assert np.any(np.all(G == corner, axis=1)), corner
    assert G.min() == -2.0 and G.max() == 2.0


@pytest.mark.parametrize(
    "xlim,ylim,n,match",
    [
        ((1.0, -1.0), (0, 1), 3, "xlim"),
        ((0, 1), (2.0, 2.0), 3, "ylim"),
        ((0, 1), (0, 1), 0, "n"),
        ((0, float("nan")), (0, 1), 3, "xlim"),
    ],
)
def test_grid_2d_errors(xlim, ylim, n, match):
    with pytest.raises(ValueError, match=match):
        grid_2d(xlim, ylim, n)


def test_midpoints():
    P = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 4.0], [2.0, 4.0]])
    M = midpoints(P)
    assert M.shape == (6, 2)
    expected = {(1.0, 0.0), (0.0, 2.0), (1.0, 2.0), (2.0, 2.0), (1.0, 4.0)}  # (1, 2) twice
    assert {tuple(m) for m in M} == expected
    assert sorted(map(tuple, M)) == sorted(
        [tuple(0.5 * (P[i] + P[j])) for i in range(4) for j in range(i + 1, 4)]
    )
    assert midpoints(P[:1]).shape == (0, 2)


def test_centroids_default_is_mean():
    P = np.random.default_rng(0).normal(size=(5, 3))
    C = centroids(P)
    assert C.shape == (1, 3)
    np.testing.assert_allclose(C[0], P.mean(axis=0), rtol=1e-14)


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_centroids_of_subsets(size):
    # the 8 corners of a cube: size-4 subsets include the face centres (higher-index saddles)
    P = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)], dtype=float)
    C = centroids(P, size)
    assert C.shape == (comb(8, size), 3)
    if size == 1:
        np.testing.assert_array_equal(C, P)
    if size == 2:
        np.testing.assert_allclose(C, midpoints(P))
    if size == 4:
        for face in ([1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, 0, -1]):
            assert np.any(np.all(np.isclose(C, face), axis=1)), face
    # each centroid is the mean of some subset: the mean of all of them is the overall mean
    np.testing.assert_allclose(C.mean(axis=0), P.mean(axis=0), atol=1e-14)


def test_centroids_errors():
    P = np.zeros((10, 2))
    with pytest.raises(ValueError, match="max_count"):
        centroids(P, 5, max_count=100)  # C(10, 5) = 252
    assert centroids(P, 5, max_count=252).shape == (252, 2)
    with pytest.raises(ValueError, match="size"):
        centroids(P, 11)
    with pytest.raises(ValueError, match="size"):
        centroids(P, 0)


def test_mirror():
    P = np.array([[1.0, -2.0], [0.5, 0.0]])
    np.testing.assert_array_equal(mirror(P), -P)
    np.testing.assert_array_equal(P, [[1.0, -2.0], [0.5, 0.0]])  # input untouched


@pytest.fixture(scope="module")
def trajectories():
    net = random_rnn(10, 1.5, seed=0)
    _, X = simulate(net, np.random.default_rng(0).normal(size=(3, 10)), 20.0)
    return X  # (3, 201, 10)


def test_sample_states_picks_real_distinct_states(trajectories):
    S = sample_states(trajectories, 50, seed=1)
    assert S.shape == (50, 10)
    flat = trajectories.reshape(-1, 10)
    for s in S:
        assert np.any(np.all(flat == s, axis=1))
    assert len({tuple(s) for s in S}) == 50
    # a (T, N) trajectory works as well
    assert sample_states(trajectories[0], 5, seed=1).shape == (5, 10)


def test_sample_states_reproducible(trajectories):
    a = sample_states(trajectories, 20, noise=0.1, seed=3)
    b = sample_states(trajectories, 20, noise=0.1, seed=3)
    c = sample_states(trajectories, 20, noise=0.1, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    g = sample_states(trajectories, 20, noise=0.1, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(g, a)


def test_sample_states_noise_level(trajectories):
    sigma = 0.25
    clean = sample_states(trajectories, 500, seed=5)
    noisy = sample_states(trajectories, 500, noise=sigma, seed=5)
    d = noisy - clean  # same seed: same states picked, then the noise
    np.testing.assert_allclose(d.std(), sigma, rtol=0.05)
    assert abs(d.mean()) < 4 * sigma / np.sqrt(d.size)


def test_sample_states_errors(trajectories):
    with pytest.raises(ValueError, match="exceeds"):
        sample_states(trajectories, 10_000, seed=0)
    with pytest.raises(ValueError, match="noise"):
        sample_states(trajectories, 5, noise=-1.0, seed=0)
    with pytest.raises(ValueError, match="trajectories"):
        sample_states(np.zeros(5), 2, seed=0)
    with pytest.raises(TypeError, match="seed"):
        sample_states(trajectories, 5)
