"""Fixed points of the k-th iterate: known 2-cycles, chain-rule derivatives, minimal periods."""

import numpy as np
import pytest
import scipy.optimize

from rnnlab import RateRNN, TanhMap, ToySystem, find_fixed_points
from rnnlab.iterates import (
    EulerMap,
    IteratedMap,
    euler_map,
    find_periodic_points,
    minimal_period,
)
from rnnlab.systems import DynamicalSystem

H_FD = 1e-6


def fd_jacobian(f, x, h=H_FD):
    x = np.asarray(x, dtype=float)
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


class LogisticMap(DynamicalSystem):
    """x <- r x (1 - x): for 3 < r < 1 + sqrt 6 a stable 2-cycle in closed form."""

    dim = 1
    discrete = True

    def __init__(self, r):
        self.r = r

    def _rhs(self, X):
        return self.r * X * (1 - X) - X

    def _jacobian(self, X):
        return (self.r * (1 - 2 * X) - 1)[:, :, None]

    def _curvature(self, X, V):
        return (-2 * self.r * V)[:, :, None]


def logistic_two_cycle(r):
    s = np.sqrt((r - 3) * (r + 1))
    return np.array([(r + 1 - s) / (2 * r), (r + 1 + s) / (2 * r)])


def two_d_map(seed=0):
    rng = np.random.default_rng(seed)
    return TanhMap(rng.normal(0, 1.5, size=(2, 2)), W_in=rng.normal(size=(2, 1)), u=[0.3])


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize(
    "system",
    [two_d_map(0), LogisticMap(3.3), euler_map(RateRNN(np.array([[0, 2.0], [-1.5, 0.5]])), 0.7)],
    ids=["tanh-map", "logistic", "euler"],
)
def test_iterate_derivatives_match_finite_differences(system, k):
    Gk = IteratedMap(system, k)
    rng = np.random.default_rng(k)
    x = rng.uniform(0.2, 0.8, size=system.dim)
    J_fd = fd_jacobian(Gk.rhs, x)
    np.testing.assert_allclose(Gk.jacobian(x), J_fd, rtol=0, atol=1e-7 * (1 + np.abs(J_fd).max()))
    H_fd = fd_jacobian(Gk.grad_q, x)
    H = Gk.hessian_q(x)
    np.testing.assert_allclose(H, H_fd, rtol=0, atol=1e-6 * (1 + np.abs(H_fd).max()))


def test_iterate_is_repeated_step():
    G = two_d_map(1)
    X = np.random.default_rng(0).normal(size=(5, 2))
    np.testing.assert_allclose(IteratedMap(G, 3).step(X), G.step(G.step(G.step(X))))
    np.testing.assert_allclose(IteratedMap(G, 1).rhs(X), G.rhs(X))


def test_logistic_two_cycle_known_answer():
    r = 3.2
    G = LogisticMap(r)
    starts = np.linspace(0.05, 0.95, 19)[:, None]
    found = find_periodic_points(G, starts, 2)
    pts = found.points
    cycle = logistic_two_cycle(r)
    fixed = 1 - 1 / r  # the map's fixed point inside (0, 1), unstable for r > 3
    period2 = np.sort(pts.x[found.period == 2, 0])
    np.testing.assert_allclose(period2, cycle, atol=1e-10)
    period1 = np.sort(pts.x[found.period == 1, 0])
    np.testing.assert_allclose(period1, [0.0, fixed], atol=1e-10)
    # Both points of the 2-cycle are one orbit; the counts are of orbits.
    assert found.counts() == {1: 2, 2: 1}
    # Multiplier of the 2-cycle: G'(a) G'(b) = 4 + 2r - r^2 (stable for r < 1 + sqrt 6).
    mult = 4 + 2 * r - r**2
    for x in cycle:
        i = int(np.argmin(np.abs(pts.x[:, 0] - x)))
        np.testing.assert_allclose(pts.eigenvalues[i].real, [mult], atol=1e-8)
        assert pts.n_unstable[i] == 0
    # The fixed point 1 - 1/r, seen through G^2, has multiplier (2 - r)^2 > 1: unstable.
    i = int(np.argmin(np.abs(pts.x[:, 0] - fixed)))
    np.testing.assert_allclose(pts.eigenvalues[i].real, [(2 - r) ** 2], atol=1e-8)
    assert pts.n_unstable[i] == 1


def test_plain_search_misses_the_cycle():
    # The point of the chapter: the fixed-point search of G sees no 2-cycle.
    G = LogisticMap(3.2)
    fps = find_fixed_points(G, np.linspace(0.05, 0.95, 19)[:, None])
    cycle = logistic_two_cycle(3.2)
    assert np.min(np.abs(fps.x[:, 0][:, None] - cycle[None, :])) > 0.1


def test_tanh_flip_two_cycle():
    # x <- tanh(-2x): the orbit {a, -a} with a = tanh(2a), and the origin of period 1.
    G = TanhMap([[-2.0]])
    a = scipy.optimize.brentq(lambda s: np.tanh(2 * s) - s, 0.5, 1.0)
    found = find_periodic_points(G, np.linspace(-1.5, 1.5, 13)[:, None], 2)
    np.testing.assert_allclose(np.sort(found.points.x[found.period == 2, 0]), [-a, a], atol=1e-10)
    assert found.counts() == {1: 1, 2: 1}
    assert minimal_period(G, [0.0], 2) == 1
    assert minimal_period(G, [a], 2) == 2
    assert minimal_period(G, [a], 3) == 0  # not of period dividing 3
    assert minimal_period(G, [0.0], 4) == 1


def test_two_d_cycle_period_and_multipliers_shared_along_orbit():
    # A rotation-like tanh map with a 4-cycle: multipliers equal at every point of it.
    G = TanhMap(np.array([[0.0, -3.0], [3.0, 0.0]]))
    starts = np.random.default_rng(2).uniform(-1, 1, size=(40, 2))
    found = find_periodic_points(G, starts, 4)
    four = found.period == 4
    assert np.any(four)
    for o in np.unique(found.orbit[four]):
        members = np.flatnonzero(found.orbit == o)
        assert len(members) == 4
        mods = np.sort(np.abs(found.points.eigenvalues[members]), axis=1)
        np.testing.assert_allclose(mods, np.broadcast_to(mods[0], mods.shape), atol=1e-8)


def test_euler_map_fixed_points_are_the_flow_s():
    toy = ToySystem()
    E = EulerMap(toy, 0.1)
    np.testing.assert_allclose(E.rhs([0.3, 0.2]), 0.1 * toy.rhs([0.3, 0.2]))
    fps = find_fixed_points(E, [[0.9, 0.4], [-0.9, -0.4], [0.1, 0.0]])
    np.testing.assert_allclose(np.sort(fps.x[:, 0]), [-1, 0, 1], atol=1e-10)
    # map rule: the saddle has one multiplier 1 + 0.1 * 0.366 > 1
    assert sorted(fps.n_unstable.tolist()) == [0, 0, 1]


def test_bad_inputs():
    with pytest.raises(ValueError, match="must be a map"):
        IteratedMap(ToySystem(), 2)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        IteratedMap(TanhMap([[1.0]]), 0)
    with pytest.raises(TypeError, match="system must be an rnnlab DynamicalSystem"):
        IteratedMap("map", 2)
    with pytest.raises(ValueError, match="flow must be continuous-time"):
        euler_map(TanhMap([[1.0]]), 0.1)
    with pytest.raises(ValueError, match="dt must be a finite number > 0"):
        euler_map(ToySystem(), 0.0)
    with pytest.raises(ValueError, match=r"x must have shape \(1,\)"):
        minimal_period(TanhMap([[1.0]]), [[0.0, 1.0]], 2)
