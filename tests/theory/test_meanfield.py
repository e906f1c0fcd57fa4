"""Mean-field theory of a trained reservoir: known answers, identities, derivatives, errors."""

import numpy as np
import pytest

from rnnlab.dynamics.nonlinearities import nonlinearity
from rnnlab.theory.meanfield import (
    NoFadingMemory,
    gauss_hermite,
    mean_field,
    sign_identity,
    winding_number,
)


def test_gauss_hermite_integrates_gaussian_moments():
    y, w = gauss_hermite(30)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    assert w @ y**2 == pytest.approx(1.0, abs=1e-12)
    assert w @ y**4 == pytest.approx(3.0, abs=1e-12)
    assert w @ np.cos(y) == pytest.approx(np.exp(-0.5), abs=1e-12)


def test_regression_values_of_the_course():
    mf = mean_field("tanh", 0.8, 1.0)
    assert round(mf.sigma, 3) == 0.530
    assert round(mf.dc_gain, 3) == 0.357
    assert round(mf.lambda_out, 3) == -0.584
    relu = mean_field("relu", 0.8, 1.0, threshold=0.5)
    assert round(relu.lambda_out, 3) == 0.431
    assert round(relu.dc_gain, 3) == 1.543


@pytest.mark.parametrize(("phi", "threshold"), [("tanh", 0.0), ("relu", 0.4), ("logistic", 0.0)])
def test_sigma2_is_self_consistent(phi, threshold):
    mf = mean_field(phi, 0.7, 0.8, threshold=threshold)
    y, w = gauss_hermite(mf.n_nodes)
    U, Y = np.meshgrid(y, y, indexing="ij")
    W = np.outer(w, w)
    f = nonlinearity(phi, threshold).f(U * mf.A + mf.sigma * Y)
    assert mf.sigma2 == pytest.approx(mf.g**2 * np.sum(W * f**2), rel=1e-11)


def test_sigma2_against_monte_carlo():
    mf = mean_field("tanh", 1.2, 0.7)
    rng = np.random.default_rng(0)
    u, y = rng.standard_normal((2, 400_000))
    mc = 1.2**2 * np.mean(np.tanh(0.7 * u + mf.sigma * y) ** 2)
    assert mf.sigma2 == pytest.approx(mc, rel=5e-3)


def test_beta1_by_gaussian_integration_by_parts():
    # beta1 = g^2 E[phi phi' sigma y] / sigma^2 = g^2 E[phi'^2 + phi phi''] (Stein's lemma).
    mf = mean_field("tanh", 1.1, 0.6)
    phi = mf.phi
    y, w = gauss_hermite(mf.n_nodes)
    U, Y = np.meshgrid(y, y, indexing="ij")
    x = U * mf.A + mf.sigma * Y
    stein = mf.g**2 * np.sum(np.outer(w, w) * (phi.df(x) ** 2 + phi.f(x) * phi.d2f(x)))
    assert mf.beta1 == pytest.approx(stein, rel=1e-10)


@pytest.mark.parametrize("g", [0.3, 0.6, 0.9, 1.2, 1.5])
@pytest.mark.parametrize("A", [0.25, 0.5, 1.0, 2.0])
def test_tanh_is_always_stable(g, A):
    mf = mean_field("tanh", g, A, require_fading_memory=False)
    assert mf.lambda_out < 0
    assert mf.dc_gain < 1


@pytest.mark.parametrize("g", [0.4, 0.8, 1.2])
@pytest.mark.parametrize("A", [0.5, 1.0, 2.0])
def test_relu_sign_follows_the_threshold(g, A):
    assert mean_field("relu", g, A, threshold=0.3).lambda_out > 1e-3
    assert abs(mean_field("relu", g, A, threshold=0.0).lambda_out) < 1e-10
    assert mean_field("relu", g, A, threshold=-0.3).lambda_out < -1e-3


@pytest.mark.parametrize(
    ("phi", "threshold", "g", "A"),
    [
        ("tanh", 0.0, 0.8, 1.0),
        ("relu", 0.5, 0.8, 1.0),
        ("relu", -0.2, 1.1, 0.5),
        ("logistic", 0, 1.5, 1),
    ],
)
def test_sign_identity(phi, threshold, g, A):
    mf = mean_field(phi, g, A, threshold=threshold)
    lhs, rhs = sign_identity(mf)
    assert lhs == pytest.approx(rhs, abs=1e-10)
    assert lhs == pytest.approx(-mf.lambda_out, abs=1e-14)


def test_gains_and_their_derivative():
    mf = mean_field("relu", 0.8, 1.0, threshold=0.5)
    om = np.linspace(-3, 3, 13)
    h = 1e-6
    fd = (mf.G_OL(om + h) - mf.G_OL(om - h)) / (2 * h)
    np.testing.assert_allclose(mf.dG_OL(om), fd, atol=1e-8)
    # G_CL of a first-order loop has its one pole at lambda_out.
    np.testing.assert_allclose(mf.G_CL(om), mf.A * mf.beta0 / (1j * om - mf.lambda_out), rtol=1e-12)
    assert mf.G_OL(0.0) == pytest.approx(mf.dc_gain)


def test_time_constants():
    mf = mean_field("tanh", 1.5, 1.0)
    assert mf.tau_out == pytest.approx(-1 / mf.lambda_out)
    assert mf.tau_net == pytest.approx(1 / (1 - mf.rho))
    assert mf.tau_net > mf.tau_out
    assert mean_field("relu", 0.8, 1.0, threshold=0.5).tau_out == np.inf


def test_nyquist_winding_matches_the_pole():
    om = np.concatenate([-np.logspace(3, -4, 3000), np.logspace(-4, 3, 3000)])
    unstable = mean_field("relu", 0.8, 1.0, threshold=0.5)
    stable = mean_field("tanh", 0.8, 1.0)
    assert winding_number(unstable.G_OL(om), 1.0) == -1  # one clockwise turn: one RHP pole
    assert winding_number(stable.G_OL(om), 1.0) == 0
    assert winding_number(stable.G_OL(om), 0.1) == -1  # the point 0.1 lies inside the circle
    with pytest.raises(ValueError, match="1-D array"):
        winding_number(np.ones((2, 2)))
    with pytest.raises(ValueError, match="passes through"):
        winding_number(np.array([0, 1, 2j]), 1.0)


def test_no_fading_memory_is_an_error():
    with pytest.raises(NoFadingMemory, match=r"rho = .* >= 1"):
        mean_field("tanh", 2.5, 1.0)
    mf = mean_field("tanh", 2.5, 1.0, require_fading_memory=False)
    assert mf.rho > 1
    with pytest.raises(NoFadingMemory, match="grows without bound"):
        mean_field("relu", 1.6, 1.0, threshold=0.1)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (dict(phi="tanh", g=0.8, A=0.0), ValueError, "A must be a finite nonzero"),
        (dict(phi="tanh", g=-1.0, A=1.0), ValueError, "g must be"),
        (dict(phi="tanh", g=0.8, A="1"), TypeError, "A must be a number"),
        (dict(phi="sine", g=0.8, A=1.0), ValueError, "phi must be one of"),
        (dict(phi="tanh", g=0.8, A=1.0, damping=1.5), ValueError, "damping"),
    ],
)
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        mean_field(**kwargs)


def _plain_sigma2(phi, g, A, n_nodes=101, damping=0.5, tol=1e-13):
    """The damped iteration without extrapolation: the reference for the accelerated solve."""
    y, w = gauss_hermite(n_nodes)
    U, Y = (a.ravel() for a in np.meshgrid(y, y, indexing="ij"))
    W = np.outer(w, w).ravel()

    def f(s):
        return g * g * float(W @ phi.f(U * A + np.sqrt(s) * Y) ** 2)

    s = f(0.0)
    for k in range(1, 100_000):
        new = (1 - damping) * s + damping * f(s)
        if abs(new - s) <= tol * new:
            return new, k
        s = new
    raise AssertionError("the plain iteration did not converge")


@pytest.mark.parametrize(
    ("phi", "threshold", "g", "A"),
    [
        ("tanh", 0.0, 0.8, 1.0),
        ("tanh", 0.0, 1.9, 0.2),
        ("relu", 0.0, 1.4, 1.0),
        ("relu", -0.5, 1.3, 0.2),
    ],
)
def test_extrapolated_sigma2_is_the_limit_of_the_damped_iteration(phi, threshold, g, A):
    # ReLU near g = sqrt(2) converges slowly (ratio of steps 0.99): thousands of plain steps.
    from rnnlab.theory.meanfield import self_consistent_sigma2

    ph = nonlinearity(phi, threshold)
    plain, n_plain = _plain_sigma2(ph, g, A)
    fast, n_fast = self_consistent_sigma2(ph, g, A)
    # Both stop on a damped step below tol; each is within tol / (1 - r) of the fixed point.
    assert fast == pytest.approx(plain, rel=1e-10)
    assert n_fast < n_plain / 3


def test_runaway_variance_is_not_extrapolated_away():
    # Above g = sqrt(2) the ReLU variance has no finite solution: the ratio of steps is >= 1.
    with pytest.raises(NoFadingMemory, match="grows without bound"):
        mean_field("relu", 1.5, 1.0)
