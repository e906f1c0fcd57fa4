"""Fixed-point census of a flip-flop network: ideal counts, a network built with a known cube,
a small trained network, the completeness verdict, and input checks."""

import dataclasses
import itertools
from math import comb

import numpy as np
import pytest
from cube_network import cube_esn

import rnnlab
from rnnlab.flipflop.census import Census, census, ideal_census


def visited_states(esn, n_steps=600, seed=0):
    task = rnnlab.FlipFlopTask(esn.n_out, pulse_rate=0.02, pulse_at_start=True)
    states, _ = esn.run(task.generate(n_steps, seed=seed)[0])
    return states


@pytest.fixture(scope="module")
def cube3():
    esn = cube_esn()
    return esn, census(esn, visited_states(esn), n_samples=30, seed=0)


@pytest.fixture(scope="module")
def trained():
    """The course recipe, shrunk: N = 200, 10 000 training steps (about a second)."""
    task = rnnlab.FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True)
    esn = rnnlab.ESN(200, g=0.6, seed=1)
    rnnlab.train_force(esn, *task.generate(10_000, seed=1))
    states, _ = esn.run(task.generate(2000, seed=2)[0])
    return esn, states, census(esn, states, n_samples=20, seed=0)


# -- the ideal ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "n,expected",
    [
        (1, {0: 2, 1: 1}),
        (2, {0: 4, 1: 4, 2: 1}),
        (3, {0: 8, 1: 12, 2: 6, 3: 1}),
        (4, {0: 16, 1: 32, 2: 24, 3: 8, 4: 1}),
    ],
)
def test_ideal_census(n, expected):
    assert ideal_census(n) == expected
    assert sum(ideal_census(n).values()) == 3**n
    assert ideal_census(n) == {k: comb(n, k) * 2 ** (n - k) for k in range(n + 1)}


@pytest.mark.parametrize("n", [0, -1, 2.0, True])
def test_ideal_census_rejects_bad_n(n):
    with pytest.raises((TypeError, ValueError), match="n_bits"):
        ideal_census(n)


# -- a network with a known cube ----------------------------------------------------------
def test_cube_is_found_complete(cube3):
    _, c = cube3
    assert c.counts() == {0: 8, 1: 12, 2: 6, 3: 1}
    assert c.complete
    assert c.stable_patterns == sorted(itertools.product((-1, 1), repeat=3))
    # every point is one of the 27 cube points, each once
    patterns = {tuple(b) for b in c.bits}
    assert patterns == set(itertools.product((-1, 0, 1), repeat=3))
    np.testing.assert_array_equal(c.zero_bits, c.points.n_unstable)
    np.testing.assert_array_equal(c.connected_bits, c.bits)  # a centred cube: labels agree
    assert np.all(c.points.q < 1e-20)


def test_cube_connections(cube3):
    # each saddle's unstable manifold leads to memories on its own face, and to both ends
    # of an edge; the connection indices point at memories
    _, c = cube3
    stable = set(np.flatnonzero(c.points.n_unstable == 0).tolist())
    for i, link in enumerate(c.connections):
        k = c.points.n_unstable[i]
        if k == 0:
            assert link == ()
            continue
        assert set(link) <= stable and len(link) >= 2
        face = c.bits[i]
        for j in link:  # every connected memory lies on the saddle's face
            assert np.all((c.bits[j] == face) | (face == 0))
        if k == 1:
            assert len(link) == 2


def skewed_cube_esn(mix=0.6):
    """The cube network seen through a mixed readout z' = A z (dynamics unchanged).

    W_o' = A W_o and W_fb' = W_fb A^-1 keep W_fb W_o, so the fixed points and their
    stability are the cube's, but bit 0 of the readout now reads z_0 + mix z_1: the saddles
    on the edges along bit 0 read +-mix z* there instead of 0, and half the memories read
    -(1 - mix) z*, below the 0.5 threshold.
    """
    esn = cube_esn()
    A = np.eye(3)
    A[0, 1] = mix
    W_o = A @ esn.W_o
    esn.W_fb = esn.W_fb @ np.linalg.inv(A)
    esn.set_readout(W_o)
    return esn


def test_connection_pattern_is_right_where_the_readout_threshold_is_not():
    esn = skewed_cube_esn()
    c = census(esn, visited_states(esn), n_samples=20, seed=0)
    assert c.counts() == ideal_census(3)
    assert c.complete
    np.testing.assert_array_equal(c.zero_bits, c.points.n_unstable)
    wrong = np.any(c.bits != c.connected_bits, axis=1)
    assert wrong.sum() >= 4  # the threshold mislabels saddles and memories here
    assert "readout agrees" in c.table()


def test_cube_points_are_where_theory_puts_them(cube3):
    esn, c = cube3
    # z_b = tanh(3 z_b): z* = 0.99505...; the state is x = W_fb z
    from scipy.optimize import brentq

    z_star = brentq(lambda z: np.tanh(3 * z) - z, 0.5, 1.5)
    np.testing.assert_allclose(np.abs(c.readout[c.bits != 0]), z_star, rtol=1e-9)
    np.testing.assert_allclose(c.readout[c.bits == 0], 0.0, atol=1e-9)
    np.testing.assert_allclose(c.points.x, c.readout @ esn.W_fb.T, atol=1e-9)


def test_four_bit_cube():
    esn = cube_esn(n_bits=4, per_bit=5)
    c = census(esn, visited_states(esn), n_samples=20, seed=1)
    assert c.n_bits == 4
    assert c.counts() == ideal_census(4) == c.ideal()
    assert c.complete


def test_bits_and_readout_match_the_network(cube3):
    esn, c = cube3
    np.testing.assert_allclose(c.readout, esn.readout(c.points.x), atol=1e-12)
    expected = np.where(np.abs(c.readout) < 0.5, 0, np.sign(c.readout))
    np.testing.assert_array_equal(c.bits, expected)
    assert c.bits.dtype.kind == "i"


def test_mirror_pairs_and_origin(cube3):
    _, c = cube3
    X = c.points.x
    for x in X:
        assert np.min(np.max(np.abs(X + x), axis=1)) < 1e-8
    assert np.min(np.max(np.abs(X), axis=1)) < 1e-12  # the origin


def test_starts_bookkeeping(cube3):
    _, c = cube3
    assert c.starts.shape == (len(c.start_kind), c.points.x.shape[1])
    assert sum(c.seeds_used.values()) == len(c.starts)
    assert c.seeds_used["trajectory"] == 30
    assert c.seeds_used["output-space"] == 3 * 26  # three scales, {-1.5, 0, 1.5}^3 minus 0
    assert c.seeds_used["origin"] == 1
    assert c.seeds_used["mirror"] > 0 and c.seeds_used["midpoints"] > 0
    assert np.all((c.start_point >= -1) & (c.start_point < c.points.n_points))
    assert c.start_minimised.dtype == bool and c.start_minimised.any()
    # the points every start reached are fixed points: check a few against F
    F = c.points.system.rhs(c.points.x[c.start_point[c.start_point >= 0]])
    assert np.max(np.abs(F)) < 1e-9


def test_mirrored_starts_reach_mirrored_points(cube3):
    # the output-space starts come in pairs x0, -x0; in an odd system their searches mirror
    _, c = cube3
    out = np.flatnonzero(c.start_kind == "output-space")
    X0, X = c.starts[out], c.points.x
    pairs = 0
    for a, b in itertools.combinations(range(len(out)), 2):
        if np.array_equal(X0[a], -X0[b]):
            pa, pb = c.start_point[out[a]], c.start_point[out[b]]
            assert pa >= 0 and pb >= 0
            np.testing.assert_allclose(X[pb], -X[pa], atol=1e-8)
            pairs += 1
    assert pairs == 3 * 13


def test_same_seed_same_census(cube3):
    esn, c = cube3
    again = census(esn, visited_states(esn), n_samples=30, seed=0)
    np.testing.assert_array_equal(again.points.x, c.points.x)
    np.testing.assert_array_equal(again.starts, c.starts)


def test_table_reports_counts_and_tolerances(cube3):
    _, c = cube3
    text = c.table()
    assert "found" in text and "ideal" in text and "complete" in text
    assert c.points.tolerances in text
    assert repr(c) == text


# -- the verdict can fail ------------------------------------------------------------------
def _without(c: Census, mask) -> Census:
    return dataclasses.replace(
        c,
        points=c.points.subset(mask),
        readout=c.readout[mask],
        bits=c.bits[mask],
        connected_bits=c.connected_bits[mask],
        connections=[link for link, keep in zip(c.connections, mask, strict=True) if keep],
    )


def test_incomplete_when_a_point_is_missing(cube3):
    _, c = cube3
    for k in range(4):  # drop one point with k unstable dimensions
        mask = np.ones(c.points.n_points, bool)
        mask[np.flatnonzero(c.points.n_unstable == k)[0]] = False
        assert not _without(c, mask).complete
    assert _without(c, np.ones(c.points.n_points, bool)).complete


def test_incomplete_when_bits_do_not_match_stability(cube3):
    _, c = cube3
    bits = c.connected_bits.copy()
    stable = np.flatnonzero(c.points.n_unstable == 0)
    bits[stable[0], 0] = 0  # a memory that reads out a zero
    assert not dataclasses.replace(c, connected_bits=bits).complete
    bits = c.connected_bits.copy()
    bits[stable[1]] = bits[stable[0]]  # two memories with one pattern
    assert not dataclasses.replace(c, connected_bits=bits).complete
    assert "incomplete" in dataclasses.replace(c, connected_bits=bits).table()
    bits = c.connected_bits.copy()
    edge = np.flatnonzero(c.points.n_unstable == 1)[0]
    bits[edge] = np.where(bits[edge] == 0, 1, bits[edge])  # a saddle without a zero bit
    assert not dataclasses.replace(c, connected_bits=bits).complete


def test_without_connections_the_census_cannot_be_complete(cube3):
    esn, c = cube3
    bare = census(esn, visited_states(esn), n_samples=30, connect=False, seed=0)
    np.testing.assert_array_equal(bare.points.x, c.points.x)
    assert all(link == () for link in bare.connections)
    assert not bare.complete


def test_incomplete_when_a_saddle_connects_fewer_than_two_memories(cube3):
    _, c = cube3
    face = np.flatnonzero(c.points.n_unstable == 2)[0]
    links = list(c.connections)
    links[face] = links[face][:1]
    assert not dataclasses.replace(c, connections=links).complete


# -- a trained network ---------------------------------------------------------------------
def test_trained_network_has_all_memories(trained):
    esn, _, c = trained
    patterns = c.stable_patterns
    assert len(patterns) == 8 and len(set(patterns)) == 8
    assert all(0 not in p for p in patterns)
    assert c.counts()[0] == 8
    np.testing.assert_allclose(c.readout, esn.readout(c.points.x), atol=1e-12)
    expected = np.where(np.abs(c.readout) < 0.5, 0, np.sign(c.readout))
    np.testing.assert_array_equal(c.bits, expected)
    assert c.points.n_points > 8 and np.any(c.bits == 0)  # saddles, with zero bits
    # the closed loop is odd: every point has its mirror image
    X = c.points.x
    for x in X:
        assert np.min(np.max(np.abs(X + x), axis=1)) < 1e-6
    # the census's stability agrees with the eigenvalues of J
    lam = esn.closed_loop().eigenvalues(X)
    np.testing.assert_array_equal(c.points.n_unstable, np.sum(lam.real > 1e-9, axis=1))


def test_readout_snapshot(trained):
    esn, states, _ = trained
    # before training (W_o = 0) the closed loop is the reservoir with g < 1: only the origin
    c = census(esn, states, W_o=np.zeros_like(esn.W_o), n_samples=5, seed=0)
    assert c.counts() == {0: 1}
    np.testing.assert_allclose(c.points.x, 0.0, atol=1e-12)
    np.testing.assert_allclose(c.readout, 0.0)
    assert not c.complete


# -- input checks --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"states": np.zeros((50, 23))}, ValueError, "states"),
        ({"states": np.zeros(24)}, ValueError, "states"),
        ({"states": np.full((50, 24), np.nan)}, ValueError, "states"),
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"n_samples": 51}, ValueError, "n_samples"),
        ({"noise": -0.1}, ValueError, "noise"),
        ({"scales": ()}, ValueError, "scales"),
        ({"scales": (1.0, -2.0)}, ValueError, "scales"),
        ({"scales": "big"}, ValueError, "scales"),
        ({"rounds": 0}, ValueError, "rounds"),
        ({"tol_fixed": 1e-6, "tol_slow": 1e-8}, ValueError, "tol_slow"),
        ({"zero_threshold": 0.0}, ValueError, "zero_threshold"),
        ({"W_o": np.zeros((2, 24))}, ValueError, "W_o"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"connect": 1}, TypeError, "connect"),
    ],
)
def test_bad_inputs(kwargs, error, match):
    esn = cube_esn()
    args = {"states": np.zeros((50, 24)), "n_samples": 10, "seed": 0} | kwargs
    with pytest.raises(error, match=match):
        census(esn, **args)


def test_needs_an_esn_and_a_seed():
    esn = cube_esn()
    with pytest.raises(TypeError, match="ESN"):
        census(esn.closed_loop(), np.zeros((50, 24)), seed=0)
    with pytest.raises(TypeError, match="seed"):
        census(esn, np.zeros((50, 24)), n_samples=10)
