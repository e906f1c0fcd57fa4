"""Property-based tests (hypothesis): bad input, derivatives and mirror symmetry on random cases.

- Bad input: random shapes, dtypes and NaN/inf placements fed to the public entry points
  either work or raise ``ValueError``/``TypeError`` naming the argument, never a raw numpy
  error or a silent NaN.
- Derivatives: the analytic Jacobian, gradient of q and Hessian of q against central
  differences on random systems.
- Odd systems (tanh): mirror points are fixed points with equal spectra, and the finder
  gives a mirror pair (fixed or slow) one spectrum and the same number of unstable
  dimensions.
- Periodic orbits of random maps: an orbit of minimal period p has p points, distinct
  beyond their errors, listed in the order the map visits them, with one spectrum.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rnnlab import RateRNN, TanhMap, ToySystem, find_fixed_points
from rnnlab.fixedpoints.periodic import find_periodic_points

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
finite = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


def central_jacobian(f, x, h=1e-6):
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((f(x + e) - f(x - e)) / (2 * h))
    return np.stack(cols, axis=-1)


@st.composite
def rate_networks(draw, kinds=("tanh", "logistic", "linear")):
    N = draw(st.integers(1, 6))
    g = draw(st.floats(0.2, 2.5))
    seed = draw(st.integers(0, 2**16))
    phi = draw(st.sampled_from(kinds))
    W = g * np.random.default_rng(seed).standard_normal((N, N)) / np.sqrt(N)
    return RateRNN(W, phi=phi)


# -- bad input ---------------------------------------------------------------------------------


@SETTINGS
@given(
    shape=st.tuples(st.integers(0, 4), st.integers(0, 4)) | st.tuples(st.integers(0, 4)),
    dtype=st.sampled_from(["float64", "float32", "int64", "complex128", "bool", "object", "U3"]),
    poison=st.sampled_from([None, np.nan, np.inf, -np.inf]),
    make=st.sampled_from([RateRNN, TanhMap]),
)
def test_weights_are_accepted_or_refused_by_name(shape, dtype, poison, make):
    W = np.ones(shape, dtype=dtype) if dtype != "U3" else np.full(shape, "abc")
    if poison is not None and W.size and dtype in ("float64", "float32"):
        W.flat[W.size // 2] = poison
    valid = (
        len(shape) == 2
        and shape[0] == shape[1] > 0
        and dtype in ("float64", "float32", "int64", "bool")
        and (poison is None or dtype not in ("float64", "float32"))
    )
    if valid:
        system = make(W)
        assert system.dim == shape[0]
        return
    with pytest.raises((ValueError, TypeError)) as err:
        make(W)
    assert str(err.value).startswith("W ")


@SETTINGS
@given(
    system=rate_networks(),
    extra=st.integers(-1, 2).filter(lambda k: k != 0),
    poison=st.sampled_from([np.nan, np.inf]),
    batch=st.integers(1, 3),
)
def test_states_of_the_wrong_size_or_not_finite_are_named(system, extra, poison, batch):
    N = system.dim
    wrong = np.zeros((batch, N + extra)) if N + extra > 0 else np.zeros((batch, 0))
    for method in (system.rhs, system.jacobian, system.q, system.grad_q):
        with pytest.raises(ValueError, match=r"^x must have shape"):
            method(wrong)
        bad = np.zeros((batch, N))
        bad[-1, N // 2] = poison
        with pytest.raises(ValueError, match="x contains NaN or inf"):
            method(bad)
    starts = np.zeros((batch, N))
    starts[0, 0] = poison
    with pytest.raises(ValueError, match="contains NaN or inf"):
        find_fixed_points(system, starts)


# -- derivatives ---------------------------------------------------------------------------------


@SETTINGS
@given(system=rate_networks(), data=st.data())
def test_jacobian_gradient_and_hessian_match_central_differences(system, data):
    N = system.dim
    x = data.draw(hnp.arrays(np.float64, N, elements=finite))
    J = system.jacobian(x)
    np.testing.assert_allclose(J, central_jacobian(system.rhs, x), atol=1e-6)
    dq = central_jacobian(lambda y: np.atleast_1d(system.q(y)), x)[0]
    np.testing.assert_allclose(system.grad_q(x), dq, atol=1e-6 * max(1.0, np.abs(dq).max()))
    H = central_jacobian(system.grad_q, x)
    np.testing.assert_allclose(system.hessian_q(x), H, atol=1e-5 * max(1.0, np.abs(H).max()))
    # Gauss-Newton drops only the curvature term: equal to J^T J.
    np.testing.assert_allclose(system.gauss_newton_hessian(x), J.T @ J, atol=1e-12)


@SETTINGS
@given(
    a=st.floats(-2, 2),
    b=st.floats(-2, 2).filter(lambda v: abs(v) > 1e-3),
    x=st.tuples(finite, finite),
)
def test_toy_system_jacobian_matches_central_differences(a, b, x):
    toy = ToySystem(a, b)
    p = np.array(x)
    np.testing.assert_allclose(toy.jacobian(p), central_jacobian(toy.rhs, p), atol=1e-6)


# -- odd systems: mirror points ---------------------------------------------------------------


@SETTINGS
@given(system=rate_networks(kinds=("tanh",)), data=st.data())
def test_mirror_states_have_mirror_velocity_and_equal_spectra(system, data):
    x = data.draw(hnp.arrays(np.float64, system.dim, elements=finite))
    np.testing.assert_array_equal(system.rhs(-x), -system.rhs(x))
    np.testing.assert_array_equal(system.jacobian(-x), system.jacobian(x))


@settings(max_examples=15, deadline=None)
@given(N=st.integers(2, 6), g=st.floats(1.2, 2.5), seed=st.integers(0, 2**16))
def test_found_mirror_pairs_get_the_same_unstable_dimensions(N, g, seed):
    rng = np.random.default_rng(seed)
    system = RateRNN(g * rng.standard_normal((N, N)) / np.sqrt(N))
    starts = 2.0 * rng.standard_normal((40, N))
    fp = find_fixed_points(system, np.concatenate([starts, -starts]))
    fixed = fp.status == "fixed"
    X, n_u = fp.x[fixed], fp.n_unstable[fixed]
    for i, x in enumerate(X):
        d = np.max(np.abs(X + x), axis=1)
        j = int(np.argmin(d))
        if d[j] < 1e-6:  # the mirror image was found too
            assert n_u[i] == n_u[j], (x, n_u[i], n_u[j])


@settings(max_examples=15, deadline=None)
@given(N=st.integers(2, 6), g=st.floats(1.2, 2.5), seed=st.integers(0, 2**16))
def test_mirror_pairs_of_slow_points_share_one_spectrum(N, g, seed):
    # A loose tol_slow makes local minima of q slow points; their copies stop ~1e-5 apart,
    # yet a point and its mirror image must get one spectrum and one count.
    rng = np.random.default_rng(seed)
    system = RateRNN(g * rng.standard_normal((N, N)) / np.sqrt(N))
    starts = 2.0 * rng.standard_normal((30, N))
    fp = find_fixed_points(system, np.concatenate([starts, -starts]), tol_slow=0.1)
    for i, x in enumerate(fp.x):
        d = np.max(np.abs(fp.x + x), axis=1)
        j = int(np.argmin(d))
        if d[j] < max(1e-9, fp.x_error[i] + fp.x_error[j]):
            np.testing.assert_array_equal(fp.eigenvalues[i], fp.eigenvalues[j])
            assert fp.n_unstable[i] == fp.n_unstable[j] and fp.kind[i] == fp.kind[j]
        if fp.status[i] == "slow":
            assert fp.kind[i] == "non-hyperbolic"


@settings(max_examples=25, deadline=None)
@given(
    N=st.integers(1, 2),
    g=st.floats(0.5, 3.0),
    k=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_periodic_orbits_have_their_period_of_distinct_points_in_visiting_order(N, g, k, seed):
    rng = np.random.default_rng(seed)
    G = TanhMap(g * rng.standard_normal((N, N)))
    starts = rng.uniform(-1.5, 1.5, size=(12, N))
    found = find_periodic_points(G, starts, k)
    pts = found.points
    assert found.n_unresolved == 0
    assert len(pts.x0) == 12 and np.all(pts.start_point < pts.n_points)
    for members in found.cycles():
        p = int(found.period[members[0]])
        assert len(members) == p and k % p == 0 and np.all(found.period[members] == p)
        X, err = pts.x[members], pts.x_error[members]
        for a in range(p):
            for b in range(a):
                assert np.max(np.abs(X[a] - X[b])) > err[a] + err[b]
        stretch = np.abs(G.stability_matrix(X)).sum(axis=-1).max(axis=-1)
        gap = np.max(np.abs(G.step(X) - np.roll(X, -1, axis=0)), axis=1)
        assert np.all(gap <= 1e-8 + 2 * (stretch * err + np.roll(err, -1)))
        assert np.all(pts.eigenvalues[members] == pts.eigenvalues[members[0]])
