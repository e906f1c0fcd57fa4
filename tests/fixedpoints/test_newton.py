"""The one chord-Newton kernel: convergence, giving up, refactoring, shared and per-start factors."""

import numpy as np
import pytest

import rnnlab
from rnnlab.fixedpoints.newton import chord_newton, lu_at


def _q_small(tol):
    return lambda X, F: 0.5 * np.sum(F * F, axis=1) < tol


@pytest.fixture(scope="module")
def net():
    """A gain-1.8 rate network: the origin and two mirror pairs of fixed points."""
    return rnnlab.random_rnn(40, 1.8, seed=1)


@pytest.fixture(scope="module")
def fixed(net):
    x0 = np.random.default_rng(0).standard_normal((6, net.dim))
    fps = rnnlab.find_fixed_points(net, x0)
    nonzero = fps.x[np.linalg.norm(fps.x, axis=1) > 1e-3]
    assert len(nonzero) >= 1
    return nonzero[0]


def test_converges_from_near_a_fixed_point_with_its_factors(net, fixed):
    rng = np.random.default_rng(1)
    X0 = fixed + 1e-3 * rng.standard_normal((5, net.dim))
    X, done = chord_newton(net, X0, lu_at(net, fixed), max_iter=50, converged=_q_small(1e-24))
    assert done.all()
    assert np.max(np.abs(X - fixed)) < 1e-10


def test_per_start_factors_give_the_same_points(net, fixed):
    rng = np.random.default_rng(2)
    X0 = fixed + 1e-3 * rng.standard_normal((3, net.dim))
    shared, d1 = chord_newton(net, X0, lu_at(net, fixed), max_iter=50, converged=_q_small(1e-24))
    lus = [lu_at(net, x) for x in X0]
    each, d2 = chord_newton(net, X0, lus, max_iter=50, converged=_q_small(1e-24))
    assert d1.all() and d2.all()
    np.testing.assert_allclose(each, shared, atol=1e-10)


def test_a_far_start_is_given_up_not_reported_converged(net, fixed):
    far = -3.0 * fixed[None] + 2.0  # nowhere near the point whose factors are used
    X, done = chord_newton(net, far, lu_at(net, fixed), max_iter=50, converged=_q_small(1e-24))
    assert not done[0]
    assert 0.5 * np.sum(net.rhs(X[0]) ** 2) >= 1e-24


def test_refactoring_rescues_a_start_the_frozen_jacobian_cannot(net, fixed):
    start = fixed + 0.02 * np.random.default_rng(3).standard_normal(net.dim)
    frozen = lu_at(net, np.zeros(net.dim))  # the origin's factors: wrong place entirely
    _, plain = chord_newton(net, start[None], frozen, max_iter=100, converged=_q_small(1e-24))
    X, fresh, lus = chord_newton(
        net,
        start[None],
        frozen,
        max_iter=100,
        converged=_q_small(1e-24),
        refactor=20,
        return_lu=True,
    )
    assert not plain[0]
    assert fresh[0]
    assert np.max(np.abs(X[0] - fixed)) < 1e-10  # Newton from nearby: the nearby point
    assert lus[0] is not frozen


def test_converged_before_the_first_step_stays_put(net, fixed):
    X, done = chord_newton(net, fixed[None], lu_at(net, fixed), max_iter=5, converged=_q_small(1.0))
    assert done[0]
    np.testing.assert_array_equal(X[0], fixed)


def test_nonfinite_states_are_given_up():
    sys = rnnlab.RateRNN(np.eye(2) * 2.0)
    X0 = np.array([[np.nan, 0.0], [0.5, 0.5]])
    _, done = chord_newton(sys, X0, lu_at(sys, np.zeros(2)), max_iter=5, converged=_q_small(1e-30))
    assert not done[0]


def test_wrong_number_of_factors_is_an_error(net, fixed):
    with pytest.raises(ValueError, match="lu must be one factorisation or 3"):
        chord_newton(
            net,
            np.zeros((3, net.dim)),
            [lu_at(net, fixed)] * 2,
            max_iter=1,
            converged=_q_small(1.0),
        )
