"""Fixed points of the k-th iterate: known 2-cycles, chain-rule derivatives, minimal periods."""

import numpy as np
import pytest
import scipy.optimize

from rnnlab import RateRNN, TanhMap, ToySystem, find_fixed_points
from rnnlab.dynamics.systems import DynamicalSystem
from rnnlab.fixedpoints.periodic import (
    EulerMap,
    IteratedMap,
    euler_map,
    find_periodic_points,
    minimal_period,
)

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
    # The fixed point 1 - 1/r is reported with its multiplier as a point of period 1,
    # G'(x) = 2 - r < -1 (not (2 - r)^2, that of G^2): unstable, and orbits near it flip sides.
    i = int(np.argmin(np.abs(pts.x[:, 0] - fixed)))
    np.testing.assert_allclose(pts.eigenvalues[i].real, [2 - r], atol=1e-8)
    assert pts.n_unstable[i] == 1
    assert pts.kind[i] == "unstable flip node"


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


# -- accuracy, minimal periods and multipliers of G^p (issue 20) ----------------------------


def test_flip_at_minus_one_is_one_non_hyperbolic_fixed_point():
    # x <- tanh(-x): multiplier -1 at the origin. G^2(x) - x ~ -2x^3/3 has a triple root
    # there, reached only linearly; the finder's point is |x| ~ 1e-6 off, and so its
    # |G(x) - x| = 2|x| must not make it a "period-2 orbit" of one point.
    G = TanhMap([[-1.0]])
    found = find_periodic_points(G, [[-1.0], [0.1], [1.0]], 2)
    pts = found.points
    assert found.counts() == {1: 1}
    assert pts.n_points == 1 and found.period.tolist() == [1]
    assert abs(pts.x[0, 0]) <= pts.x_error[0]
    assert pts.kind[0] == "non-hyperbolic"
    np.testing.assert_allclose(pts.eigenvalues[0], [-1.0], atol=1e-6)  # of G, not G^2
    assert found.points.start_status.tolist() == ["fixed"] * 3
    assert found.points.start_point.tolist() == [0, 0, 0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_near_flip_in_two_dimensions_orbits_have_their_period_of_points(seed):
    # A multiplier at -1 (and a second one 0.4) in a rotated frame: only the origin exists.
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(2, 2)))
    G = TanhMap(Q @ np.diag([-1.0, 0.4]) @ Q.T)
    found = find_periodic_points(G, rng.uniform(-1, 1, size=(20, 2)), 2)
    assert found.counts() == {1: 1}
    assert found.points.kind.tolist() == ["non-hyperbolic"]
    _check_orbits(G, found)


def test_descent_accepts_a_root_only_at_its_accuracy():
    # At a triple root Newton steps shrink by 2/3 each: the remaining distance is twice
    # the last step. A start is fixed only once that distance is below step_tol.
    from rnnlab.fixedpoints.finder import descend

    Gk = IteratedMap(TanhMap([[-1.0]]), 2)
    X, _, status = descend(Gk, [[1.0], [-1.0], [0.1]], step_tol=1e-6)
    assert status.tolist() == ["fixed"] * 3
    assert np.all(np.abs(X) < 1e-6)


def _check_orbits(G, found):
    """Every orbit of minimal period p has p distinct points, listed in the order G visits them."""
    pts = found.points
    for o in np.unique(found.orbit):
        members = np.flatnonzero(found.orbit == o)
        p = int(found.period[members[0]])
        assert np.all(found.period[members] == p)
        assert len(members) == p and found.k % p == 0
        X = pts.x[members]
        err = pts.x_error[members]
        for i in range(p):
            for j in range(i):
                assert np.max(np.abs(X[i] - X[j])) > err[i] + err[j]
        # G sends each point to the next, within their errors
        stretch = np.abs(G.stability_matrix(X)).sum(axis=-1).max(axis=-1)
        gap = np.max(np.abs(G.step(X) - np.roll(X, -1, axis=0)), axis=1)
        assert np.all(gap <= 1e-8 + 2 * (stretch * err + np.roll(err, -1)))
        # one spectrum along the orbit: the multipliers of G^p
        assert np.all(pts.eigenvalues[members] == pts.eigenvalues[members[0]])


def test_multipliers_are_those_of_g_to_the_minimal_period():
    # r = 3.5: the 2-cycle has multiplier 4 + 2r - r^2 = -1.25 (unstable, a flip), the fixed
    # point 1 - 1/r has 2 - r = -1.5, the origin r = 3.5; a stable 4-cycle exists.
    r = 3.5
    G = LogisticMap(r)
    starts = np.r_[np.linspace(0.05, 0.95, 19), 0.0][:, None]  # 0: the repelling origin
    found = find_periodic_points(G, starts, 4)
    pts = found.points
    assert found.counts() == {1: 2, 2: 1, 4: 1}
    two = np.flatnonzero(found.period == 2)
    np.testing.assert_allclose(np.sort(pts.x[two, 0]), logistic_two_cycle(r), atol=1e-10)
    np.testing.assert_allclose(pts.eigenvalues[two].real, -1.25, atol=1e-9)  # not 1.5625
    assert set(pts.kind[two]) == {"unstable flip node"}
    assert pts.n_unstable[two].tolist() == [1, 1]
    one = np.flatnonzero(found.period == 1)
    by_x = {round(float(pts.x[i, 0]), 6): i for i in one}
    i_fixed = by_x[round(1 - 1 / r, 6)]
    np.testing.assert_allclose(pts.eigenvalues[i_fixed].real, [2 - r], atol=1e-9)
    assert pts.kind[i_fixed] == "unstable flip node"
    np.testing.assert_allclose(pts.eigenvalues[by_x[0.0]].real, [r], atol=1e-9)
    assert pts.kind[by_x[0.0]] == "unstable node"
    four = np.flatnonzero(found.period == 4)
    mult = np.prod(r * (1 - 2 * pts.x[four, 0]))  # chain rule along the 4-cycle
    np.testing.assert_allclose(pts.eigenvalues[four].real, mult, atol=1e-9)
    stable = "stable flip node" if mult < 0 else "stable node"
    assert abs(mult) < 1 and set(pts.kind[four]) == {stable}
    _check_orbits(G, found)


def test_result_describes_the_caller_s_starts():
    G = TanhMap([[-2.0]])
    starts = np.linspace(-1.5, 1.5, 13)[:, None]
    found = find_periodic_points(G, starts, 2)
    pts = found.points
    np.testing.assert_array_equal(pts.x0, starts)
    assert pts.x_final.shape == starts.shape and pts.start_status.shape == (13,)
    assert set(pts.start_status) <= {"fixed", "slow", "not converged"}
    for s in np.flatnonzero(pts.start_status == "fixed"):
        k = pts.start_point[s]
        assert k >= 0
        assert np.max(np.abs(pts.x_final[s] - pts.x[k])) < 1e-5
    assert np.all(pts.start_point[pts.start_status != "fixed"] == -1)
    assert "13 starts" in repr(found)


class SlowDisplacementMap(DynamicalSystem):
    """x <- x + (x^2 + eps), y <- y / 2: no fixed point, a slow point of G at the origin."""

    dim = 2
    discrete = True

    def __init__(self, eps):
        self.eps = eps

    def _rhs(self, X):
        return np.stack([X[:, 0] ** 2 + self.eps, -0.5 * X[:, 1]], axis=1)

    def _jacobian(self, X):
        J = np.zeros((len(X), 2, 2))
        J[:, 0, 0] = 2.0 * X[:, 0]
        J[:, 1, 1] = -0.5
        return J

    def _curvature(self, X, V):
        C = np.zeros((len(X), 2, 2))
        C[:, 0, 0] = 2.0 * V[:, 0]
        return C


def test_dropped_slow_points_are_reported():
    G = SlowDisplacementMap(1e-4)
    starts = np.random.default_rng(0).uniform(-0.5, 0.5, size=(6, 2))
    found = find_periodic_points(G, starts, 1)
    assert found.points.n_points == 0 and found.counts() == {}
    assert found.n_slow == 1
    assert found.points.start_status.tolist() == ["slow"] * 6
    assert "1 slow point of G^1 (not a periodic orbit) left out" in repr(found)


def test_orbits_listed_in_the_order_g_visits_them():
    G = TanhMap(np.array([[0.0, -3.0], [3.0, 0.0]]))
    found = find_periodic_points(G, np.random.default_rng(2).uniform(-1, 1, size=(40, 2)), 4)
    assert 4 in found.counts()
    _check_orbits(G, found)
    cycles = found.cycles()
    assert sorted(np.concatenate(cycles).tolist()) == list(range(found.points.n_points))
    for members in cycles:
        assert np.array_equal(members, np.flatnonzero(found.orbit == found.orbit[members[0]]))


def test_minimal_period_at_the_point_s_accuracy():
    # 1e-6 from the flip point 0 of x <- tanh(-x): |G(x) - x| = 2e-6, a "2-cycle" unless
    # the point's error is taken into account.
    G = TanhMap([[-1.0]])
    assert minimal_period(G, [1e-6], 2) == 2
    assert minimal_period(G, [1e-6], 2, x_error=1e-6) == 1
    a = scipy.optimize.brentq(lambda s: np.tanh(2 * s) - s, 0.5, 1.0)
    assert minimal_period(TanhMap([[-2.0]]), [a], 2, x_error=1e-9) == 2  # a true 2-cycle stays
    with pytest.raises(ValueError, match="x_error"):
        minimal_period(G, [[0.1], [0.2]], 2, x_error=[1e-6, 1e-6, 1e-6])
    with pytest.raises(ValueError, match="x_error"):
        minimal_period(G, [0.1], 2, x_error=-1.0)
